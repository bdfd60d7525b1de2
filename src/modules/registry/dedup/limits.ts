/**
 * Bounds of the duplicate-detection engine. They belong in src/limits.ts under `dedup`;
 * they live here until the lead moves them, because this folder may not edit that file.
 */
export const dedupLimits = {
  /**
   * A block larger than this is skipped, not truncated: one common key ("garcia" born in
   * 1980) must not explode the pair count, and the other keys still reach those records.
   */
  blockSizeMax: 100,
  /**
   * Loose key kinds (name sound + year, place + name …) use blockSizeMax up to this many
   * records and a limit shrinking with √n above it (see blockLimits in dedup-batch.ts).
   */
  looseBlockReferenceRecords: 20_000,
  /** The loose-block limit never shrinks below this. */
  looseBlockSizeMin: 10,
  /** Blocks of one exact value (a date, a surname) larger than this are left out of training. */
  sessionBlockSizeMax: 50,
  /** Pairs compared in one training session (see m-sessions.ts). */
  sessionPairsMax: 300_000,
  /** Random record pairs drawn to estimate the u probabilities (non-match agreement). */
  uSamplePairsMax: 100_000,
  /** EM stops after this many iterations even if it has not converged. */
  emIterationsMax: 200,
  /** EM has converged when no probability moves by more than this between iterations. */
  emToleranceMax: 1e-6,
  /** Candidates returned by one enrolment-time query. */
  queryCandidatesMax: 20,
  /** Records accepted by one batch run (the engine keeps several arrays per record). */
  batchRecordsMax: 5_000_000,
  /** Bytes of a FEBRL file read by `amparo dedup evaluate`. */
  evaluateFileBytesMax: 64 * 1024 * 1024,
} as const;

/** Bounds of `amparo dedup run` (src/limits.ts under `dedup.run` once moved). */
export const runLimits = {
  /** Persons read per query: keyset pages keep each query short on a large registry. */
  readPageRecords: 10_000,
  /** Cluster rows per multi-row INSERT (each row binds four parameters). */
  insertClustersMax: 2_000,
} as const;
