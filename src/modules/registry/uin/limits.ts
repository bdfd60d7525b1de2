/**
 * Bounds of the UIN generator. They belong in `src/limits.ts`; they live here until that file
 * is opened to this module.
 */

/** Digits in a person ID number, check digit included. */
export const uinLength = 10;

/**
 * Redraws allowed before giving up. About 12% of candidates show a refused pattern, so the
 * chance of needing more than 64 draws with a healthy random source is below 10^-58; hitting
 * the bound means the random source is broken (for example constant), and looping forever
 * would hide that.
 */
export const uinDrawAttemptsMax = 64;
