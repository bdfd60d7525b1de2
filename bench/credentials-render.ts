import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { encodeCard } from '../src/modules/credentials/card-payload.js';
import { renderCardPngFast } from '../src/modules/credentials/card-raster.js';
import { createNodeSigner } from '../src/modules/credentials/node-primitives.js';
import { generateUin } from '../src/modules/registry/uin/index.js';

/**
 * Card front rendering to a 300 dpi PNG on one core with the fast renderer (card-raster.ts:
 * cached static design and glyphs, QR modules written into the pixels, own PNG encoding).
 * Target ≥ 100 cards/s.
 *
 *   npm run bench -- credentials-render [cards=200]
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const cards = Number(args[0] ?? 200);
  const signer = createNodeSigner(generateKeyPairSync('ed25519').privateKey);
  const faces = [];
  for (let i = 0; i < Math.min(cards, 100); i++) {
    const holder = {
      uin: generateUin(),
      fullName: 'María Fernanda Rodríguez Pérez',
      dateOfBirth: '1988-01-02',
      sex: 'female' as const,
    };
    const card = await encodeCard({ holder, signer, issuedAt: 1_767_225_600 + i });
    faces.push({
      holder,
      qrText: card.text,
      expiresAt: card.expiresAt,
      issuerName: 'Amparo · Venezuela',
    });
  }
  for (const face of faces.slice(0, 5)) renderCardPngFast(face);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let bytes = 0;
  for (let i = 0; i < cards; i++)
    bytes += renderCardPngFast(faces[i % faces.length] as (typeof faces)[number]).png.length;
  const durationMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  // CPU time beside wall time: the machine is shared, and wall time measures the neighbours.
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    command: `npm run bench -- credentials-render ${cards}`,
    cards,
    durationMs: Math.round(durationMs),
    cardsPerSecond: Math.round((cards / durationMs) * 1000 * 10) / 10,
    cpuMs: Math.round(cpuMs),
    cardsPerCpuSecond: Math.round((cards / cpuMs) * 1000 * 10) / 10,
    averagePngBytes: Math.round(bytes / cards),
    loadAverage: readFileSync('/proc/loadavg', 'utf8').trim(),
  };
}
