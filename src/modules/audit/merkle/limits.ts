/**
 * Bounds of the Merkle library. They belong in `src/limits.ts`; they live here until that file
 * is opened to this module, so that every bound is still declared in one named place.
 */

/** Length of every hash in the tree: SHA-256 output. */
export const hashLengthBytes = 32;

/**
 * Largest tree size we accept. Sizes and indices are JavaScript numbers, so every arithmetic
 * step must stay exact; 2^53 − 1 entries is far beyond any audit log we will hold.
 */
export const treeSizeMax = Number.MAX_SAFE_INTEGER;

/**
 * Longest proof a verifier will process. An inclusion proof has at most ⌈log2 n⌉ hashes and a
 * consistency proof at most ⌈log2 n⌉ + 1; with n < 2^53 that is 54, so 64 leaves headroom and
 * still refuses a proof padded to make the verifier do unbounded work.
 */
export const proofHashesMax = 64;

/** Longest key id accepted in a tree head (hex SHA-256 of the public key is 64 characters). */
export const treeHeadKeyIdLengthMax = 64;
