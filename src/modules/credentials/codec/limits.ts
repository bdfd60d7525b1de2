/**
 * Bounds of the Claim 169 codec. They belong in src/limits.ts; they live here until the lead
 * moves them, because this folder may not edit that file.
 */

/**
 * Longest base45 text accepted, checked before any other work. A QR code holds at most 4,296
 * alphanumeric characters (version 40, level L), so anything longer cannot come from a card.
 */
export const credentialTextLengthMax = 8 * 1024;

/**
 * Largest decompressed COSE message. Our cards carry well under 2 KiB; the bound stops a small
 * zlib stream that expands to gigabytes (a "zip bomb") from exhausting memory.
 */
export const credentialDecompressedBytesMax = 64 * 1024;

/** Tolerated difference between the verifier's clock and the issuer's, for exp and nbf. */
export const credentialClockSkewSecondsDefault = 60;
