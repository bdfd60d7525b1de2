import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type CardHolder, encodeCard } from '../src/modules/credentials/card-payload.js';
import { cardQr } from '../src/modules/credentials/card-qr.js';
import { createNodeSigner } from '../src/modules/credentials/node-primitives.js';
import { validatePopulationOptions } from '../src/modules/demo/options.js';
import { generatePopulation } from '../src/modules/demo/population.js';
import { generateUin } from '../src/modules/registry/uin/index.js';

/**
 * Issuance on one core: build claims, CWT, Ed25519 COSE_Sign1, zlib, base45 (target ≥ 5,000/s),
 * and the QR version distribution at level Q over demo-population names (target ≤ 11).
 *
 *   npm run bench -- credentials-issue [cards=20000]
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const cards = Number(args[0] ?? 20_000);
  const holders = demoHolders(Math.min(cards, 5_000));
  const signer = createNodeSigner(generateKeyPairSync('ed25519').privateKey);
  const issuedAt = 1_767_225_600;
  for (const holder of holders.slice(0, 500)) await encodeCard({ holder, signer, issuedAt });
  const started = performance.now();
  const texts: string[] = [];
  for (let i = 0; i < cards; i++) {
    const card = await encodeCard({
      holder: holders[i % holders.length] as CardHolder,
      signer,
      issuedAt: issuedAt + i,
    });
    if (i < holders.length) texts.push(card.text);
  }
  const durationMs = performance.now() - started;
  const versions: Record<string, number> = {};
  for (const text of texts) {
    const version = `v${cardQr(text).version}`;
    versions[version] = (versions[version] ?? 0) + 1;
  }
  const atMost11 = texts.filter((text) => cardQr(text).version <= 11).length;
  return {
    command: `npm run bench -- credentials-issue ${cards}`,
    cards,
    durationMs: Math.round(durationMs),
    cardsPerSecond: Math.round(cards / (durationMs / 1000)),
    qrVersionCounts: versions,
    shareAtMostVersion11: atMost11 / texts.length,
    loadAverage: readFileSync('/proc/loadavg', 'utf8').trim(),
  };
}

function demoHolders(count: number): CardHolder[] {
  const options = validatePopulationOptions({ persons: count, seed: 'bench', duplicateShare: 0 });
  const holders: CardHolder[] = [];
  for (const record of generatePopulation(options)) {
    holders.push({
      uin: generateUin(),
      fullName: [record.givenNames, record.firstSurname, record.secondSurname]
        .filter(Boolean)
        .join(' '),
      dateOfBirth: record.birthDate,
      sex: record.sex === 'F' ? 'female' : 'male',
    });
  }
  return holders;
}
