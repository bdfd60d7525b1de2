/**
 * Bounds of the bulk import. They belong in `src/limits.ts` (under `registry.import`); they
 * live here until that file is edited by its owner.
 */
export const importLimits = {
  /**
   * Persons per batch (one transaction, one statement per table). A batch closes at the
   * first household boundary at or after this many persons, so it may be a little larger.
   */
  batchPersonsTarget: 5_000,
  /** Batches written at the same time, each on its own connection. */
  insertConnections: 2,
  /** Import worker threads (parse, validate, encrypt) at most; by default one per core. */
  workersMax: 4,
  /** Smaller files are encoded in the main thread: loading the workers would cost more. */
  workerFileBytesMin: 4 * 1024 ** 2,
  /** Young-generation size of a worker's heap (MiB); see chunk-executor.ts. */
  workerYoungGenerationMb: 192,
  /** Chunks handed to the workers and not yet written, per worker (bounds memory). */
  chunksInFlightPerWorker: 2,
  /** Largest file the command line imports (a national registry is a few GiB of CSV). */
  fileBytesMax: 8 * 1024 ** 3,
  /** Largest file accepted by POST /api/imports. */
  uploadBytesMax: 1024 ** 3,
  /** Longest physical line (CSV record or NDJSON object); a longer one refuses the file. */
  lineBytesMax: 64 * 1024,
  /** Members of one household; the demo generator never exceeds it. */
  householdMembersMax: 12,
  /** A row whose new UIN collides is redrawn at most this many times per batch. */
  uinRedrawRoundsMax: 8,
  /** Progress is reported at most this often. */
  progressIntervalMs: 1_000,
  /** Characters of the refused-rows CSV sent as one piece when it is served. */
  refusedRowsPieceCharsMax: 64 * 1024,
  /** Problems of a refused file (header columns) listed in the answer. */
  fileProblemsMax: 40,
  /** Refused rows shown on the console's import page (the file has them all). */
  refusedRowsPreviewMax: 20,
  /** Jobs listed or kept running in one server process at a time. */
  serverJobsRunningMax: 2,
} as const;
