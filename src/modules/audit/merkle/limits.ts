import { limits } from '../../../limits.js';

/** Bounds of the Merkle library: `limits.merkle` in src/limits.ts. */
export const { hashLengthBytes, treeSizeMax, proofHashesMax, treeHeadKeyIdLengthMax } =
  limits.merkle;
