import { limits } from '../../limits.js';

/** Bounds of the Claim 169 codec: `limits.codec` in src/limits.ts. */
export const {
  credentialTextLengthMax,
  credentialDecompressedBytesMax,
  credentialClockSkewSecondsDefault,
} = limits.codec;
