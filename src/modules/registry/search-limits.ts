/**
 * Bounds of the registry's search and write side. They belong in `src/limits.ts` (under
 * `registry`); they live here until that file is edited by its owner.
 */
export const registryWriteLimits = {
  /** Merge chains followed before a survivor is refused (a chain is normally one link). */
  mergeChainLengthMax: 32,
  /** Words of a name query; more would only widen the search. */
  searchNameTokensMax: 6,
  /** Characters of a name query. */
  searchNameLengthMax: 200,
  /**
   * Rows a name search ranks at most. Every query word must match a key, so only a very
   * common full name reaches this; the answer then says it was truncated.
   */
  searchCandidatesMax: 1_000,
  /** Lowest mean Jaro–Winkler similarity of the query words for a name match. */
  searchNameScoreMin: 0.85,
  /** Open review items listed per page. */
  reviewPageSizeMax: 100,
} as const;
