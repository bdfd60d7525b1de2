import { createHmac, hkdfSync, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * The one-time code of a redemption without the card: six digits drawn with `randomInt`, kept
 * only as an HMAC-SHA256 under a key derived from the master key (HKDF, its own label) and bound
 * to the assisted redemption's id, so a stolen table reveals no code and a code of one check
 * does not open another.
 *
 * @example
 *   const code = newAssistedCode(); // '042917'
 *   const hash = assistedCodeHash(masterKey, assistedId, code);
 *   assistedCodeMatches(masterKey, assistedId, code, hash); // true
 */
export function newAssistedCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

function codeKey(masterKey: Buffer): Buffer {
  return Buffer.from(
    hkdfSync('sha256', masterKey, Buffer.alloc(0), 'amparo assisted redemption code v1', 32),
  );
}

export function assistedCodeHash(masterKey: Buffer, assistedId: string, code: string): Buffer {
  return createHmac('sha256', codeKey(masterKey)).update(`${assistedId}:${code}`).digest();
}

export function assistedCodeMatches(
  masterKey: Buffer,
  assistedId: string,
  code: string,
  hash: Buffer,
): boolean {
  const candidate = assistedCodeHash(masterKey, assistedId, code);
  return candidate.length === hash.length && timingSafeEqual(candidate, hash);
}
