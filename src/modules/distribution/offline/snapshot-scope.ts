/**
 * Which entitlements a point's snapshot held (issue #15, point 5), kept on its row at build time
 * (`distribution_snapshot.entitlement_scope`, migration 0139) so that the sync refuses a receipt
 * for an entitlement the device could not have found in it (`AMP_OFFLINE_NOT_IN_SNAPSHOT`): a
 * person of another area, never served at the point, is not redeemable offline there, whatever
 * the device signs.
 *
 * Compact rather than exact: each entitlement is its id's last 6 bytes — 48 of the 122 random
 * bits of a version 4 UUID (`gen_random_uuid()`) — as a sorted run of 6-byte big-endian
 * numbers: 300 KB for 50,000 entitlements, where the ids themselves would take 800 KB on every
 * snapshot row. An entitlement outside the snapshot passes only if its 48 bits equal one of the
 * snapshot's: about 50,000 / 2^48, one in 5.6 billion, per receipt tried — and each try also needs
 * the card's signed QR text and is refused and audited otherwise.
 *
 * @example
 *   const scope = snapshotScope(entitlementIds); // written with the snapshot
 *   inSnapshotScope(scope, receipt.entitlementId); // at sync
 */
export function snapshotScope(entitlementIds: Iterable<string>): Buffer {
  const values = Float64Array.from(entitlementIds, scopeValue);
  values.sort();
  let count = 0;
  for (let index = 0; index < values.length; index += 1) {
    // Safe: index and count stay below the array's length.
    if (count === 0 || values[index] !== values[count - 1])
      values[count++] = values[index] as number;
  }
  const scope = Buffer.alloc(count * scopeRecordBytes);
  for (let index = 0; index < count; index += 1) {
    scope.writeUIntBE(values[index] as number, index * scopeRecordBytes, scopeRecordBytes);
  }
  return scope;
}

/** Whether the scope holds the entitlement: a binary search, no allocation. */
export function inSnapshotScope(scope: Buffer, entitlementId: string): boolean {
  const wanted = scopeValue(entitlementId);
  let low = 0;
  let high = scope.length / scopeRecordBytes - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const value = scope.readUIntBE(middle * scopeRecordBytes, scopeRecordBytes);
    if (value === wanted) return true;
    if (value < wanted) low = middle + 1;
    else high = middle - 1;
  }
  return false;
}

const scopeRecordBytes = 6;

/** The last 12 hex digits of a UUID as a number (below 2^48: exact in a double). */
function scopeValue(entitlementId: string): number {
  return Number.parseInt(entitlementId.slice(-2 * scopeRecordBytes), 16);
}
