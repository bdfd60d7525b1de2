/**
 * Bounds of person ID numbers. src/limits.ts lists them as `limits.uin` with every other bound;
 * the values are written here because the console checks a typed number with the same rules
 * and src/shared imports nothing outside itself.
 */
export const uinLimits = {
  /** Digits in a person ID number, check digit included. */
  uinLength: 10,

  /**
   * Redraws allowed before giving up. About 12% of candidates show a refused pattern, so the
   * chance of needing more than 64 draws with a healthy random source is below 10^-58; hitting
   * the bound means the random source is broken (for example constant), and looping forever
   * would hide that.
   */
  uinDrawAttemptsMax: 64,
} as const;

export const { uinLength } = uinLimits;
