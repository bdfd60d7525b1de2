/**
 * Bounds of the Claim 169 codec. src/limits.ts lists them as `limits.codec` with every other
 * bound; the values are written here because the codec also runs in the browser and src/shared
 * imports nothing outside itself.
 */
export const codecLimits = {
  /**
   * Longest base45 text accepted, checked before any other work. A QR code holds at most 4,296
   * alphanumeric characters (version 40, level L), so anything longer cannot come from a card.
   */
  credentialTextLengthMax: 8 * 1024,

  /**
   * Largest decompressed COSE message. Our cards carry well under 2 KiB; the bound stops a small
   * zlib stream that expands to gigabytes (a "zip bomb") from exhausting memory.
   */
  credentialDecompressedBytesMax: 64 * 1024,

  /** Tolerated difference between the verifier's clock and the issuer's, for exp and nbf. */
  credentialClockSkewSecondsDefault: 60,
} as const;

export const {
  credentialTextLengthMax,
  credentialDecompressedBytesMax,
  credentialClockSkewSecondsDefault,
} = codecLimits;
