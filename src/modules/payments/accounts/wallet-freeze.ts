import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type { RegistryEvents } from '../../registry/index.js';
import { PaymentsError } from '../payments-error.js';
import type { WalletFreezeReason } from '../tables.js';

/**
 * Payments' answer to the registry's lifecycle events (issue #16, point 7): a death, a merge
 * (the record merged away) or an erasure freezes the person's wallets inside the registry
 * write's transaction, so no disbursement reaches them and nothing is paid from them. The
 * balance stays where it is until moved by the documented process (README.md). Subscribed in
 * `app.ts`.
 *
 * @example
 *   freezeWalletsOnRegistryEvents(events);
 */
export function freezeWalletsOnRegistryEvents(events: RegistryEvents): void {
  events.on('personDied', (trx, { personId }) => freezeWallets(trx, personId, 'death'));
  events.on('personsMerged', (trx, { mergedId, survivorId }) =>
    freezeWallets(trx, mergedId, 'merge', survivorId),
  );
  events.on('personErased', (trx, { personId }) => freezeWallets(trx, personId, 'erasure'));
}

/** Freezes the person's wallets; a wallet frozen already keeps its first reason. */
export async function freezeWallets(
  trx: Transaction<Database>,
  personId: string,
  reason: WalletFreezeReason,
  /** For a merge: the record that receives the frozen balance (README, "Frozen wallets"). */
  survivorId?: string,
): Promise<void> {
  // Waits for the disbursement chunks being posted, and holds back new ones until this
  // commits: they then leave the wallet out (`holdFreezesBack`). Taken first, before anything
  // a chunk may lock (this transaction voids payouts next, on the funding account a chunk
  // debits), so the two cannot wait for each other.
  await sql`select pg_advisory_xact_lock(hashtextextended(${disbursementLockKey}, 0))`.execute(trx);
  // Waits for payments from this person's wallets that are being posted, and holds back new
  // ones until this commits: they then see the freeze (`refuseFrozenInTransaction`).
  await sql`select pg_advisory_xact_lock(hashtext(${freezeLockKey(personId)}))`.execute(trx);
  await trx
    .insertInto('payment_wallet_freeze')
    .values({ person_id: personId, reason, survivor_id: survivorId ?? null })
    .onConflict((conflict) => conflict.column('person_id').doNothing())
    .execute();
}

/** Which of these persons have frozen wallets. */
export async function frozenAmong(
  db: Kysely<Database>,
  personIds: readonly string[],
): Promise<Set<string>> {
  if (personIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('payment_wallet_freeze')
    .select('person_id')
    .where('person_id', '=', sql<string>`any(${[...personIds]}::uuid[])`)
    .execute();
  return new Set(rows.map((row) => row.person_id));
}

/** Why the person's wallets are frozen, or undefined when they are not. */
export async function walletFreezeOf(
  db: Kysely<Database>,
  personId: string,
): Promise<{ reason: WalletFreezeReason; frozenAt: Date } | undefined> {
  const row = await db
    .selectFrom('payment_wallet_freeze')
    .select(['reason', 'frozen_at'])
    .where('person_id', '=', personId)
    .executeTakeFirst();
  return row === undefined ? undefined : { reason: row.reason, frozenAt: row.frozen_at };
}

const freezeLockKey = (personId: string) => `payment_wallet_freeze:${personId}`;

/** The one lock every freeze takes exclusively and every disbursement chunk shares. */
const disbursementLockKey = 'payment_wallet_freeze:disbursement_chunks';

/**
 * In a disbursement chunk's transaction, before its claim reads the freezes (`claimForWallets`
 * calls it, first in the chunk: nothing before it locks a row): waits for the freezes being
 * written, and holds new ones back until the chunk commits, so each freeze is ordered before or
 * after the chunk as a whole. The claim, a later statement, then sees every freeze committed
 * before it and leaves those wallets out, as for a wallet frozen long before; a freeze recorded
 * during the chunk waits and finds the credit already in the wallet (money the person held
 * before the death, moved by the documented process, README "Frozen wallets").
 *
 * One lock for the chunk, not one a person: 4,000 persons a chunk, several chunks at once, would
 * fill PostgreSQL's shared lock table (`max_locks_per_transaction`, 64 × connections; one
 * transaction taking 20,000 advisory locks failed here with "out of shared memory"). The cost:
 * a death waits at most for the chunks being posted, and a chunk for the freezes being written.
 *
 * @example
 *   await holdFreezesBack(trx);
 *   // … then read payment_wallet_freeze in the same transaction
 */
export async function holdFreezesBack(trx: Kysely<Database>): Promise<void> {
  await sql`select pg_advisory_xact_lock_shared(hashtextextended(${disbursementLockKey}, 0))`.execute(
    trx,
  );
}

/**
 * Refuses a payment from a frozen wallet inside the ledger transaction that posts it. The
 * freeze is read under a lock the freeze itself takes (shared here, exclusive there): a death,
 * merge or erasure recorded while the payment is being posted either commits first, and is
 * seen here, or waits until the payment has committed — never lands between a check and the
 * transfer, as it could when the freeze was read before the ledger's transaction began.
 *
 * @example
 *   await transferCreator(db, async (trx) => {
 *     await refuseFrozenInTransaction(trx, payerPersonId);
 *     return transfers;
 *   });
 */
export async function refuseFrozenInTransaction(
  trx: Transaction<Database>,
  personId: string,
): Promise<void> {
  await sql`select pg_advisory_xact_lock_shared(hashtext(${freezeLockKey(personId)}))`.execute(trx);
  if ((await walletFreezeOf(trx, personId)) !== undefined) {
    throw new PaymentsError('AMP_WALLET_FROZEN', 'The wallet is frozen');
  }
}
