/**
 * The most an offline device may hand over with one snapshot before it must sync: the allowance
 * that bounds what one lost or cloned device could hand out unseen (issue #15, point 5).
 * src/limits.ts lists them as `limits.distribution.offline` with every other bound; the values
 * are written here because the supervisor's screen offers the same bounds when it registers a
 * device, and src/shared imports nothing outside itself.
 *
 * @example
 *   <input type="number" min={1} max={deviceAllowanceLimits.unitsPerSnapshotMax} />
 */
export const deviceAllowanceLimits = {
  /** Receipts a device may make with one snapshot; the app stops there. */
  receiptsPerSnapshotMax: 10_000,
  /**
   * Units (of all items, over all its receipts) a device may hand over with one snapshot: the
   * allowance's second bound. A supervisor may set a device lower.
   */
  unitsPerSnapshotMax: 100_000,
} as const;
