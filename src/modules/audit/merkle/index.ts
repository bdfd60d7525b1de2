/**
 * RFC 6962 / RFC 9162 Merkle tree for the tamper-evident audit log (DESIGN.md safeguard 3).
 * Pure: no database, no key storage. See each file for the details and examples.
 */
export {
  type ConsistencyClaim,
  generateConsistencyProof,
  verifyConsistencyProof,
} from './consistency-proof.js';
export { emptyRootHash, hashesEqual, leafHash, nodeHash } from './hash.js';
export {
  generateInclusionProof,
  type InclusionClaim,
  rootFromInclusionProof,
  verifyInclusionProof,
} from './inclusion-proof.js';
export { type LeafHashSource, memoryLeafHashSource, subtreeHashFrom } from './leaf-hash-source.js';
export { type FrontierState, MerkleFrontier } from './merkle-frontier.js';
export { consistencyProofRanges, inclusionProofRanges, type LeafRange } from './proof-ranges.js';
export { rootFromLeafHashes, rootOfPackedLevel } from './tree-hash.js';
export {
  keyIdOf,
  type SignedTreeHead,
  signTreeHead,
  type TreeHead,
  treeHeadBytes,
  verifyTreeHead,
} from './tree-head.js';
