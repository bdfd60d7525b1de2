import type { AuditKeys, TreeHead } from '../../api/types.js';
import { consistencyHolds } from '../audit/consistency.js';
import { headSignatureHolds } from '../audit/head-signature.js';
import { hexBytes } from './verify-history.js';

/**
 * This browser as a witness of the audit log (audit README, "Rollback and the witness"): it
 * remembers the largest signed tree head it has verified, and on the next visit checks that
 * the head it is shown extends it, with a consistency proof checked here. A server whose log
 * was cut back, or cut back and written again, cannot pass: the person is warned.
 *
 * @example
 *   const verdict = await checkShownHead(page.treeHead, keys, { storage: localStorage, fetchProof });
 *   verdict.state; // 'first' | 'same' | 'extends' | 'rolled_back' | 'inconsistent' | 'unchecked'
 */
export type HeadMemoryVerdict =
  | { state: 'first' | 'same' | 'extends'; rememberedSize: number }
  | { state: 'rolled_back' | 'inconsistent'; rememberedSize: number; shownSize: number }
  /** The shown head's signature failed (the lines say so) or the proof could not be fetched. */
  | { state: 'unchecked' };

export interface HeadMemoryDeps {
  /** localStorage in the browser. */
  storage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  /** `GET /api/audit/proofs/consistency?from=&to=`: the proof's hashes, hex. */
  fetchProof(fromSize: number, toSize: number): Promise<string[]>;
}

/** One key for the whole origin: the log is one, whoever is signed in. */
export const rememberedHeadKey = 'amparo.history.largestVerifiedHead';

export async function checkShownHead(
  shown: TreeHead,
  keys: AuditKeys,
  deps: HeadMemoryDeps,
): Promise<HeadMemoryVerdict> {
  if (!(await headSignatureHolds(shown, keys))) return { state: 'unchecked' };
  const remembered = readRemembered(deps.storage);
  if (remembered === null) {
    deps.storage.setItem(rememberedHeadKey, JSON.stringify(shown));
    return { state: 'first', rememberedSize: shown.treeSize };
  }
  const rememberedSize = remembered.treeSize;
  if (shown.treeSize < rememberedSize) {
    return { state: 'rolled_back', rememberedSize, shownSize: shown.treeSize };
  }
  let proof: string[];
  try {
    proof =
      shown.treeSize === rememberedSize
        ? []
        : await deps.fetchProof(rememberedSize, shown.treeSize);
  } catch {
    return { state: 'unchecked' };
  }
  const consistent =
    proof.every((hash) => /^[0-9a-f]{64}$/.test(hash)) &&
    (await consistencyHolds({
      firstSize: rememberedSize,
      secondSize: shown.treeSize,
      firstRoot: hexBytes(remembered.rootHash),
      secondRoot: hexBytes(shown.rootHash),
      proof: proof.map(hexBytes),
    }));
  if (!consistent) return { state: 'inconsistent', rememberedSize, shownSize: shown.treeSize };
  if (shown.treeSize === rememberedSize) return { state: 'same', rememberedSize };
  deps.storage.setItem(rememberedHeadKey, JSON.stringify(shown));
  return { state: 'extends', rememberedSize };
}

/** The remembered size and root; anything unreadable counts as nothing remembered. */
function readRemembered(
  storage: HeadMemoryDeps['storage'],
): { treeSize: number; rootHash: string } | null {
  const text = storage.getItem(rememberedHeadKey);
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return null;
    const treeSize: unknown = Reflect.get(value, 'treeSize');
    const rootHash: unknown = Reflect.get(value, 'rootHash');
    if (!Number.isSafeInteger(treeSize) || typeof rootHash !== 'string') return null;
    if (!/^[0-9a-f]{64}$/.test(rootHash)) return null;
    // Safe: checked to be a safe integer just above.
    return { treeSize: treeSize as number, rootHash };
  } catch {
    return null;
  }
}
