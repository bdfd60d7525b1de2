import assert from 'node:assert/strict';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { paymentLimits } from '../limits.js';
import type { WalletFreezeReason } from '../tables.js';
import { ControlsError } from './controls-error.js';

/** A wallet freeze as stored (`payment_wallet_freeze`). */
export interface StoredFreeze {
  person_id: string;
  reason: WalletFreezeReason;
  survivor_id: string | null;
}

/**
 * Where a frozen wallet's balance goes by the documented process (README, "Frozen wallets"):
 * the wallet of the record that survives, or the estate account of the currency.
 */
export type FrozenDestination = { survivorId: string } | 'estate';

/**
 * The destination of each freeze's balance. A merge says the two records are one person, so
 * the merged-away record's money is the survivor's and goes where the survivor's own would go:
 * to the survivor's wallet while it is not frozen; after the survivor's own merge, on to the
 * record that survives that one; after its death or erasure, to the estate account. Never into
 * a frozen wallet. A death or an erasure goes to the estate account. One query per merge
 * followed, for all the freezes at once; a chain longer than `frozenMoveMergeHopsMax` is
 * refused (`AMP_ADJUSTMENT_INVALID`).
 *
 * @example
 *   const [destination] = (await frozenDestinations(db, [freeze])).values();
 */
export async function frozenDestinations(
  db: Kysely<Database>,
  freezes: readonly StoredFreeze[],
): Promise<Map<string, FrozenDestination>> {
  const known = new Map(freezes.map((freeze) => [freeze.person_id, freeze]));
  let unread = survivorsOf(freezes).filter((id) => !known.has(id));
  for (let hops = 0; unread.length > 0; hops += 1) {
    if (hops >= paymentLimits.frozenMoveMergeHopsMax)
      throw new ControlsError(
        'AMP_ADJUSTMENT_INVALID',
        'The chain of merges is too long to follow',
      );
    const read = await db
      .selectFrom('payment_wallet_freeze')
      .select(['person_id', 'reason', 'survivor_id'])
      .where('person_id', '=', sql<string>`any(${unread}::uuid[])`)
      .execute();
    for (const freeze of read) known.set(freeze.person_id, freeze);
    unread = survivorsOf(read).filter((id) => !known.has(id));
  }
  return new Map(freezes.map((freeze) => [freeze.person_id, followed(known, freeze)]));
}

const survivorsOf = (freezes: readonly StoredFreeze[]): string[] => [
  ...new Set(
    freezes.flatMap((freeze) =>
      freeze.reason === 'merge' && freeze.survivor_id !== null ? [freeze.survivor_id] : [],
    ),
  ),
];

/** Follows the merges from `freeze` to the first record not frozen, or to a death or erasure. */
function followed(known: ReadonlyMap<string, StoredFreeze>, freeze: StoredFreeze) {
  const seen = new Set([freeze.person_id]);
  let current = freeze;
  while (current.reason === 'merge' && current.survivor_id !== null) {
    const next = known.get(current.survivor_id);
    if (next === undefined) return { survivorId: current.survivor_id };
    // The registry merges into a record that is active: a record cannot survive into itself.
    assert.ok(!seen.has(next.person_id), 'a chain of merges does not loop');
    seen.add(next.person_id);
    current = next;
  }
  return 'estate' as const;
}
