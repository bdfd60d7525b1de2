import {
  type AccessProofVerdict,
  verifyAccessEntry,
} from '../../../../src/shared/audit/access-proof-verifier.js';
import type { AccessHistoryEntry, AuditKeys, TreeHead } from '../../api/types.js';

/**
 * Checks every line of an access history in this browser: the tree head's Ed25519 signature
 * with the published audit key, and the line's inclusion proof up to that head's root. The
 * server is not trusted for any of it; a line it altered or made up fails here.
 *
 * @example
 *   const verdicts = await verifyHistory(history.entries, history.treeHead, keys);
 *   verdicts.get(entry.leafIndex); // { ok: true }
 */
export type LineVerdict = AccessProofVerdict | { ok: false; reason: 'unknown_key' };

export async function verifyHistory(
  entries: readonly AccessHistoryEntry[],
  treeHead: TreeHead,
  keys: AuditKeys,
): Promise<Map<number, LineVerdict>> {
  const verdicts = new Map<number, LineVerdict>();
  const key = keys.keys.find((candidate) => candidate.keyId === treeHead.keyId);
  for (const entry of entries) {
    if (key === undefined || !/^[0-9a-f]{64}$/.test(key.publicKey)) {
      verdicts.set(entry.leafIndex, { ok: false, reason: 'unknown_key' });
      continue;
    }
    verdicts.set(
      entry.leafIndex,
      await verifyAccessEntry({
        entryText: entry.entryText,
        leafIndex: entry.leafIndex,
        proof: entry.proof,
        treeHead,
        publicKeyRaw: hexBytes(key.publicKey),
      }),
    );
  }
  return verdicts;
}

export function hexBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let index = 0; index < bytes.length; index += 1) {
    bytes[index] = Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16);
  }
  return bytes;
}
