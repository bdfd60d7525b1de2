import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type { LedgerCurrency } from '../../ledger/index.js';
import type { EntitlementForRedemption } from '../../programs/index.js';
import { PaymentsError } from '../payments-error.js';

/**
 * The program's share of a subsidised price is paid against an allowance: one of the payer's
 * open entitlements of the program, up to its amount for the cycle (a cash or voucher
 * entitlement's `amountMinor`; a basket without an amount allows nothing). Each payment's share
 * is drawn from one entitlement, oldest cycle first, and recorded in `subsidy_allowance_use`;
 * what an entitlement has given never exceeds its amount, as an entitlement is redeemed at most
 * once at a point. Without this, a merchant could type any price and the program paid its share
 * of it, again and again, for any payer holding an entitlement (the review of session 13).
 */
export interface SubsidyDraw {
  entitlementId: string;
  programId: string;
  currency: LedgerCurrency;
  subsidyMinor: bigint;
  allowanceMinor: bigint;
}

/**
 * Chooses the entitlement a share is drawn from, before anything is posted: the oldest open one
 * with enough left. Answers the draw, or refuses with `AMP_SUBSIDY_ALLOWANCE_EXCEEDED` (the
 * problem says how much is left at most). A payment presented again (its earlier draw already
 * written) finds its own draw and is not refused by it.
 */
export async function subsidyDrawOf(
  db: Kysely<Database>,
  props: {
    requestId: string;
    programId: string;
    currency: LedgerCurrency;
    subsidyMinor: bigint;
    entitlements: readonly EntitlementForRedemption[];
  },
): Promise<SubsidyDraw> {
  const own = await db
    .selectFrom('subsidy_allowance_use')
    .select(['entitlement_id', 'allowance_minor'])
    .where('request_id', '=', props.requestId)
    .executeTakeFirst();
  if (own !== undefined) {
    return { ...props, entitlementId: own.entitlement_id, allowanceMinor: own.allowance_minor };
  }
  const withAmount = props.entitlements.filter(
    (entitlement) =>
      entitlement.programStatus !== 'suspended' && (entitlement.amountMinor ?? 0n) > 0n,
  );
  const used = await usedOf(
    db,
    withAmount.map((entitlement) => entitlement.entitlementId),
  );
  let mostLeft = 0n;
  for (const entitlement of withAmount) {
    // Safe: filtered above to entitlements with an amount.
    const allowanceMinor = entitlement.amountMinor as bigint;
    const left = allowanceMinor - (used.get(entitlement.entitlementId) ?? 0n);
    if (left >= props.subsidyMinor) {
      return { ...props, entitlementId: entitlement.entitlementId, allowanceMinor };
    }
    if (left > mostLeft) mostLeft = left;
  }
  throw exceeded(mostLeft);
}

/**
 * In the ledger transaction of the payment, before its transfers: takes a transaction-scoped
 * advisory lock on the entitlement, so payments drawing on it at once are counted one after
 * the other, checks the draw still fits, and records it. Refuses (the caller's transaction
 * rolls back, nothing posted) when another payment spent the allowance meanwhile. A draw of
 * the same payment already written (a run that stopped after the ledger's commit) is kept.
 */
export async function subsidyDrawer(
  trx: Transaction<Database>,
  draw: SubsidyDraw & { requestId: string },
) {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`subsidy-allowance|${draw.entitlementId}`}, 0))`.execute(
    trx,
  );
  const own = await trx
    .selectFrom('subsidy_allowance_use')
    .select('request_id')
    .where('request_id', '=', draw.requestId)
    .executeTakeFirst();
  if (own !== undefined) return;
  const used = (await usedOf(trx, [draw.entitlementId])).get(draw.entitlementId) ?? 0n;
  const left = draw.allowanceMinor - used;
  if (left < draw.subsidyMinor) throw exceeded(left > 0n ? left : 0n);
  await trx
    .insertInto('subsidy_allowance_use')
    .values({
      request_id: draw.requestId,
      entitlement_id: draw.entitlementId,
      program_id: draw.programId,
      currency: draw.currency,
      subsidy_minor: draw.subsidyMinor,
      allowance_minor: draw.allowanceMinor,
    })
    .execute();
}

/**
 * What each entitlement has given so far, in minor units: its draws less the program's parts of
 * their refunds (a refunded purchase gives its share back to the allowance).
 */
async function usedOf(
  db: Kysely<Database>,
  entitlementIds: readonly string[],
): Promise<Map<string, bigint>> {
  if (entitlementIds.length === 0) return new Map();
  const { rows } = await sql<{ entitlement_id: string; used: string }>`
    select u.entitlement_id, (sum(u.subsidy_minor) - coalesce(sum(r.refunded), 0))::text as used
      from subsidy_allowance_use u
      left join lateral (select sum(f.subsidy_minor) as refunded from merchant_refund f
                          where f.request_id = u.request_id) r on true
     where u.entitlement_id = any(${[...entitlementIds]}::uuid[])
     group by u.entitlement_id`.execute(db);
  return new Map(rows.map((row) => [row.entitlement_id, BigInt(row.used)]));
}

function exceeded(leftMinor: bigint): PaymentsError {
  return new PaymentsError(
    'AMP_SUBSIDY_ALLOWANCE_EXCEEDED',
    `The program's share is more than is left of the payer's allowance for the cycle (at most ${leftMinor} minor units left)`,
  );
}
