/**
 * Bounds of the audit module. They belong in `src/limits.ts` (under `audit`); they live here
 * until that file is opened to this module, so every bound is still declared in one place.
 */
export const auditLimits = {
  /** Longest any single string of an entry may be (ids, action, codes). */
  entryStringLengthMax: 200,
  /** Most catalogue attributes one entry may name. */
  entryFieldsMax: 200,
  /** Largest canonical entry, in UTF-8 bytes. */
  entryBytesMax: 16 * 1024,
  /** Group commit: longest an entry waits in the queue before its batch is written. */
  flushDelayMs: 2,
  /** Group commit: most entries written in one transaction. */
  flushEntriesMax: 1_000,
  /** Group commit: transactions in flight; the second waits for the lock while the first commits. */
  flushesInFlightMax: 2,
  /** Entries waiting in the queue before `append` refuses more (back-pressure). */
  queueEntriesMax: 100_000,
  /** A tree head is signed automatically once this many entries are not yet covered. */
  signEveryEntries: 1_000,
  /** …and at this interval whenever new entries exist (the server's timer). */
  signEveryMs: 60_000,
  /** Rows read per query when streaming leaf hashes for proofs and start-up. */
  leafHashPageRows: 65_536,
  /** Rows read per query by `verifyAuditLog`. */
  verifyPageRows: 10_000,
  /** Entries in a citizen's access-history page. */
  personPageSizeDefault: 25,
  personPageSizeMax: 100,
  /** Tree heads in one page of `GET /api/audit/tree-heads`. */
  treeHeadPageSizeMax: 100,
} as const;
