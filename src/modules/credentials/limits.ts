/**
 * Bounds of the credentials module (cards, trust and revocation lists, the verifier). They
 * belong in src/limits.ts; they live here until the lead moves them, because this module may
 * not edit that file. The codec's own bounds are in codec/limits.ts.
 */

/** Largest face photo a card's QR may carry (issue: "optionally, a face photo of ≤ 1 KB"). */
export const cardFacePhotoBytesMax = 1024;

/**
 * Longest full name accepted on a card, in UTF-8 bytes. Far above real names (the demo
 * population's longest is 45 bytes); it only stops absurd input from making an unprintable card.
 */
export const cardFullNameBytesMax = 200;

/** Default card validity: five years of 365 days, in seconds. */
export const cardValiditySecondsDefault = 5 * 365 * 24 * 3600;

/** Longest card validity an issuance profile may configure (ten years), in seconds. */
export const cardValiditySecondsMax = 10 * 365 * 24 * 3600;

/** Largest QR version the issuance profile aims for, at error-correction level Q. */
export const cardQrVersionTarget = 11;

/** Resolution of rendered cards. The issue asks for at least 300 dpi. */
export const cardRenderDpiDefault = 300;
export const cardRenderDpiMax = 1200;

/** Quiet zone around a card's QR, in modules (ISO/IEC 18004 asks for 4). */
export const cardQrQuietZoneModules = 4;

/** Signed trust list file: a few hundred keys at most. */
export const trustListBytesMax = 1024 * 1024;
export const trustListKeysMax = 1000;

/**
 * Signed revocation list file: 30 million persons with a few revocations each would be far
 * more, but a verifier keeps one country's list in memory, so 64 MiB (about 1.2 million
 * entries) is the bound until lists are split by expiry year.
 */
export const revocationListBytesMax = 64 * 1024 * 1024;

/** Card image given to the verifier: refused before decoding when larger. */
export const verifyImageBytesMax = 10 * 1024 * 1024;
export const verifyImagePixelsMax = 40_000_000;

/**
 * Most cards listed for one person. A person gets a new card when one is lost, stolen or their
 * data change: a few in a lifetime; the newest are listed and `truncated` says there were more.
 */
export const personCredentialsListedMax = 50;
