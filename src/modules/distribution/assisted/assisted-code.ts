import { oneTimeCodeHash } from '../../credentials/index.js';

/**
 * The one-time code of a redemption without the card: credentials' shared second-check code
 * (`newOneTimeCode`, six digits from `randomInt`), kept only as an HMAC-SHA256 under a key
 * derived from the master key with this label, bound to the assisted redemption's id.
 *
 * @example
 *   const hash = assistedCodeHash(masterKey, assistedId, newOneTimeCode());
 */
export const assistedCodeLabel = 'amparo assisted redemption code v1';

export function assistedCodeHash(masterKey: Buffer, assistedId: string, code: string): Buffer {
  return oneTimeCodeHash(masterKey, assistedCodeLabel, assistedId, code);
}
