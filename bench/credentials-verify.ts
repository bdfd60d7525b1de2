import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { encodeCard } from '../src/modules/credentials/card-payload.js';
import { createNodeSigner } from '../src/modules/credentials/node-primitives.js';
import {
  appendRevocations,
  emptyRevocationList,
  RevocationState,
} from '../src/modules/credentials/revocation-list.js';
import { buildTrustList, trustedKeysFromList } from '../src/modules/credentials/trust-list.js';
import { judgeCredential } from '../src/modules/credentials/verdict.js';
import { generateUin } from '../src/modules/registry/uin/index.js';

/**
 * Offline verification on one core: the full verdict (base45, zlib, COSE, Ed25519, key period,
 * expiry, a 100,000-entry revocation list). Target ≥ 4,000/s per core; CPU time is reported
 * beside wall time because the machine is shared.
 *
 *   npm run bench -- credentials-verify [verifications=20000]
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const verifications = Number(args[0] ?? 20_000);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const issuedAt = 1_767_225_600;
  const trusted = trustedKeysFromList(
    buildTrustList({
      version: 1,
      issuedAt,
      issuerName: 'Amparo',
      credentialValiditySecondsMax: 5 * 365 * 86_400,
      keys: [{ publicKey, notBefore: issuedAt }],
    }),
  );
  const signer = createNodeSigner(privateKey);
  const texts: string[] = [];
  for (let i = 0; i < 1_000; i++) {
    const holder = {
      uin: generateUin(),
      fullName: 'María Fernanda Rodríguez Pérez',
      dateOfBirth: '1988-01-02',
      sex: 'female' as const,
    };
    texts.push((await encodeCard({ holder, signer, issuedAt: issuedAt + i })).text);
  }
  const revoked = Array.from({ length: 100_000 }, (_, i) => ({
    credentialId: new Uint8Array(16).fill(i & 0xff).map((b, j) => b ^ ((i >> j) & 0xff)),
    reason: 'lost' as const,
  }));
  const revocations = new RevocationState(
    appendRevocations(emptyRevocationList(issuedAt), revoked, issuedAt),
  );
  const context = { trusted, revocations, now: issuedAt + 86_400 * 30 };
  for (const text of texts.slice(0, 200)) await judgeCredential(text, context);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let valid = 0;
  for (let i = 0; i < verifications; i++) {
    if ((await judgeCredential(texts[i % texts.length], context)).status === 'valid') valid++;
  }
  const durationMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  // CPU time of this process: on a machine shared with other work, wall time measures the
  // neighbours as much as the verifier; CPU seconds measure what one core spends per card.
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    command: `npm run bench -- credentials-verify ${verifications}`,
    verifications,
    valid,
    durationMs: Math.round(durationMs),
    verificationsPerSecond: Math.round(verifications / (durationMs / 1000)),
    cpuMs: Math.round(cpuMs),
    verificationsPerCpuSecond: Math.round(verifications / (cpuMs / 1000)),
    cpuMicrosecondsPerVerification: Math.round((cpuMs * 1000) / verifications),
    loadAverage: readFileSync('/proc/loadavg', 'utf8').trim(),
  };
}
