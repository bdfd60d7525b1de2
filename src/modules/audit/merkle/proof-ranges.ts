import { largestPowerOfTwoBelow } from './tree-math.js';

/** A half-open range of leaf indices [start, end) whose Merkle Tree Hash is one proof element. */
export interface LeafRange {
  readonly start: number;
  readonly end: number;
}

/*
 * The proof algorithms of RFC 9162 §2.1.3.1 (PATH) and §2.1.4.1 (SUBPROOF) only decide *which*
 * subtrees a proof consists of; hashing them is a separate step. Planning the ranges first keeps
 * the recursion of the RFC readable as a loop, and lets a database-backed generator fetch every
 * needed subtree hash in one query.
 */

/**
 * Subtrees forming the inclusion proof of leaf `index` in a tree of `size` leaves, in proof order
 * (nearest sibling first). RFC 9162 §2.1.3.1: PATH(m, D[n]) recurses into the half holding m and
 * appends the hash of the other half, so walking from the root down yields the reverse order.
 *
 * @example
 * inclusionProofRanges(2, 5); // [[3,4), [0,2), [4,5)]
 */
export function inclusionProofRanges(index: number, size: number): LeafRange[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new RangeError(`leaf index ${index} is outside a tree of size ${size}`);
  }
  const rootToLeaf: LeafRange[] = [];
  let start = 0;
  let end = size;
  while (end - start > 1) {
    const split = start + largestPowerOfTwoBelow(end - start);
    if (index < split) {
      rootToLeaf.push({ start: split, end });
      end = split;
    } else {
      rootToLeaf.push({ start, end: split });
      start = split;
    }
  }
  return rootToLeaf.reverse();
}

/**
 * Subtrees forming the consistency proof from size `oldSize` to size `newSize`, in proof order.
 * RFC 9162 §2.1.4.1: PROOF(m, D[n]) = SUBPROOF(m, D[n], true); at m = n the subtree itself is
 * included unless it is the old root the verifier already has (b = true). Empty for m = 0 and
 * m = n, where nothing needs proving beyond comparing roots.
 *
 * @example
 * consistencyProofRanges(3, 7); // [[2,3), [3,4), [0,2), [4,7)]
 */
export function consistencyProofRanges(oldSize: number, newSize: number): LeafRange[] {
  if (!Number.isSafeInteger(oldSize) || oldSize < 0 || oldSize > newSize) {
    throw new RangeError(`old size ${oldSize} must be in [0, ${newSize}]`);
  }
  if (oldSize === 0 || oldSize === newSize) return [];
  const rootToLeaf: LeafRange[] = [];
  let start = 0;
  let end = newSize;
  let remaining = oldSize; // old tree's leaves inside [start, end)
  let oldRootIsKnown = true; // the RFC's flag b
  while (remaining !== end - start) {
    const half = largestPowerOfTwoBelow(end - start);
    if (remaining <= half) {
      rootToLeaf.push({ start: start + half, end });
      end = start + half;
    } else {
      rootToLeaf.push({ start, end: start + half });
      start += half;
      remaining -= half;
      oldRootIsKnown = false;
    }
  }
  if (!oldRootIsKnown) rootToLeaf.push({ start, end });
  return rootToLeaf.reverse();
}
