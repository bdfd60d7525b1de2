/**
 * Bounds of the attribute catalogue and its checks. They belong in `src/limits.ts` (under
 * `registry.catalogue`); they live here until that file is edited by its owner.
 */
export const catalogueLimits = {
  /** Longest declared attribute name, and the longest name written to a log line. */
  attributeNameLengthMax: 64,
  /**
   * Deepest nesting of a request body or import record the forbidden-name scan walks. A body
   * nested deeper is refused rather than partly scanned, since an unscanned level could hide
   * a forbidden key.
   */
  scanDepthMax: 32,
  /** Most object keys the scan visits in one body; more is refused for the same reason. */
  scanKeysMax: 20_000,
  /** Most field errors reported for one body; the rest are counted in the detail. */
  fieldErrorsMax: 50,
  /** Oldest date of birth accepted, in years before the reference date. */
  birthAgeYearsMax: 130,
  /** Largest stored photo, decoded. The card carries a much smaller derived image. */
  photoBytesMax: 256 * 1024,
  /** Longest given names or surname, in characters. */
  nameLengthMax: 100,
  /** Longest locality (town, village, sector) name, in characters. */
  localityLengthMax: 120,
  /** Longest free-text address detail, in characters. */
  addressLineLengthMax: 300,
  /** Longest identity document number, in characters. */
  documentNumberLengthMax: 30,
  /** RFC 5321: 254 characters for a whole address, 64 for the part before the @. */
  emailLengthMax: 254,
  emailLocalLengthMax: 64,
} as const;
