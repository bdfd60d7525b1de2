import { type Kysely, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { holdFreezesBack } from '../accounts/wallet-freeze.js';

/**
 * One claim per cash entitlement (`migrations/0071_entitlement_payment_claim.sql`): a
 * disbursement chunk and a payout batch that want the same entitlement at the same instant
 * both insert its claim; the primary key makes the second wait for the first's commit and
 * then find it taken. A payout instruction the ledger refused, the bank rejected or returned
 * (a return confirmed by a second finance officer: `return_pending` still holds it) holds its
 * claim no longer: the next claimant takes it over in the same statement.
 */

/** The claim's holder is a payout that no longer holds the money. */
const releasedPayout = sql<boolean>`payment_entitlement_claim.channel = 'payout' and exists (
  select 1 from payout_instruction i
   where i.id = payment_entitlement_claim.payout_instruction_id
     and i.status in ('refused', 'rejected', 'returned', 'cancelled'))`;

/**
 * Claims entitlements for wallet credits, in the transaction of the chunk's ledger batch (so
 * the claims commit with the credits, or roll back with them), leaving out those of persons
 * whose wallets are frozen — read under the lock every freeze takes (`holdFreezesBack`), so a
 * death recorded while the chunk posts is either seen here or waits for the chunk. Answers those the wallet holds, taken now or by an earlier run;
 * the others a payout pays. One statement: a claim the wallet held already is returned by
 * the same upsert (its time kept).
 *
 * @example
 *   const held = await claimForWallets(trx, [{ entitlementId, personId }]);
 */
export async function claimForWallets(
  trx: Kysely<Database>,
  entitlements: ReadonlyArray<{ entitlementId: string; personId: string }>,
): Promise<Set<string>> {
  if (entitlements.length === 0) return new Set();
  // A freeze being written commits before the statement below, or waits for this commit.
  await holdFreezesBack(trx);
  const { rows } = await sql<{ entitlement_id: string }>`
    insert into payment_entitlement_claim (entitlement_id, channel)
    select c.id, 'wallet'
      from unnest(${entitlements.map((e) => e.entitlementId)}::uuid[],
                  ${entitlements.map((e) => e.personId)}::uuid[]) as c(id, person_id)
     where not exists (select 1 from payment_wallet_freeze f where f.person_id = c.person_id)
    on conflict (entitlement_id) do update
      set channel = 'wallet', payout_instruction_id = null,
          claimed_at = case when payment_entitlement_claim.channel = 'wallet'
                            then payment_entitlement_claim.claimed_at else now() end
      where payment_entitlement_claim.channel = 'wallet' or ${releasedPayout}
    returning entitlement_id`.execute(trx);
  return new Set(rows.map((row) => row.entitlement_id));
}

/**
 * Lets go of wallet claims whose credit the ledger refused (the id stays failed), in the
 * batch's transaction.
 */
export async function releaseWalletClaims(
  trx: Kysely<Database>,
  entitlementIds: readonly string[],
): Promise<void> {
  if (entitlementIds.length === 0) return;
  await trx
    .deleteFrom('payment_entitlement_claim')
    .where('entitlement_id', '=', sql<string>`any(${[...entitlementIds]}::uuid[])`)
    .where('channel', '=', 'wallet')
    .execute();
}

/**
 * In the transaction that writes a payout batch: claims each entitlement for its
 * instruction. Answers the entitlements it could not take (a wallet credit, or a live payout,
 * holds them); the caller refuses the batch and its transaction rolls the claims back.
 */
export async function claimForPayouts(
  trx: Kysely<Database>,
  claims: ReadonlyArray<{ entitlementId: string; instructionId: string }>,
): Promise<Set<string>> {
  if (claims.length === 0) return new Set();
  const { rows } = await sql<{ entitlement_id: string }>`
    insert into payment_entitlement_claim (entitlement_id, channel, payout_instruction_id)
    select e, 'payout', i
      from unnest(${claims.map((c) => c.entitlementId)}::uuid[],
                  ${claims.map((c) => c.instructionId)}::uuid[]) as c(e, i)
    on conflict (entitlement_id) do update
      set channel = 'payout', payout_instruction_id = excluded.payout_instruction_id,
          claimed_at = now()
      where ${releasedPayout}
    returning entitlement_id`.execute(trx);
  const taken = new Set(rows.map((row) => row.entitlement_id));
  return new Set(claims.map((c) => c.entitlementId).filter((id) => !taken.has(id)));
}
