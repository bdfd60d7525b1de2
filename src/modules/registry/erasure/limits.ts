/**
 * Bounds of the erasure workflow. They belong in `src/limits.ts` (under `registry.erasure`);
 * they live here until that file is edited by its owner.
 */
export const erasureLimits = {
  /** Longest case reference; the migration's check uses the same number. */
  referenceLengthMax: 40,
  /** Requests returned by one listing when the caller does not ask for fewer. */
  listPageSizeDefault: 50,
  /** Most requests one listing returns. */
  listPageSizeMax: 200,
} as const;
