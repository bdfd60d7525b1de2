import { sql } from 'kysely';
import { limits } from '../../../limits.js';
import { AmparoError } from '../../../platform/errors.js';
import {
  cycleForDisbursement,
  openCashEntitlementsRelation,
  payableCashCycles,
  programChoices,
} from '../../programs/index.js';
import { nowOf, type PaymentsContext } from '../payments-context.js';
import { PaymentsError } from '../payments-error.js';
import { unpaidEntitlement } from './instruction-check.js';
import { payeeUsability } from './payee-account.js';
import { guardPayout, type PayoutDependencies } from './payout-gate.js';
import type { PayoutExclusionReason } from './payout-tables.js';

/** At most this many cycles are offered to choose from (newest reference date first). */
const cyclesListedMax = 200;

const resource = { type: 'payout_batch' as const, id: null };

/**
 * The cycles a finance officer may preview a payout batch of (`payout.manage`, audited): the
 * approved and published cycles of cash programs, with their status, program's names and
 * currency. A batch is made of a published one only (`AMP_CYCLE_NOT_PUBLISHED`); an approved
 * one is listed so that finance can plan before publication (see `payoutCyclePreview`).
 *
 * @example
 *   const cycles = await payoutCyclesLister(deps, context);
 */
export async function payoutCyclesLister(deps: PayoutDependencies, context: PaymentsContext) {
  const { grant } = await guardPayout(deps, context, 'payout.manage', resource, true);
  const [cycles, programs] = await Promise.all([
    payableCashCycles(deps.db, cyclesListedMax),
    programChoices(deps.db),
  ]);
  const names = new Map(programs.map((program) => [program.programId, program.name]));
  await grant.record([]);
  return cycles.map((cycle) => ({ ...cycle, programName: names.get(cycle.programId) ?? null }));
}

/** An entitlement the batch would leave out, and why (the batch's exclusion reasons). */
export interface PreviewExclusion {
  entitlementId: string;
  personId: string;
  amountMinor: bigint;
  reason: PayoutExclusionReason;
  heldUntil: Date | null;
}

/** Persons whose payee accounts one query judges (an array parameter per chunk). */
const judgedPerQuery = 10_000;

/**
 * What a batch of every open cash entitlement of the cycle would be, before it is made
 * (`payout.manage`, audited on the batch kind): the open entitlements and how many are already
 * in a live payout or credited to a wallet (counted in SQL, however large the cycle), the unpaid
 * ones the batch would name (`payable`, in person order, at most a file's worth: what the
 * console then sends), how many of them it would pay and for how much, and how many it would
 * leave out with the first `previewExclusionsListedMax` of them and the reason (no payee
 * account, or one held and until when) — judged by the batch's own rule from the payee accounts'
 * clear columns, no account opened. The batch itself judges again when it is made.
 *
 * An approved cycle not yet published may be previewed, although no batch can be made of it
 * until it is published (`instruction-check.ts`): the preview moves and reserves no money and
 * tells no holder anything, and seeing before publication what the cycle will cost and whose
 * payee accounts are missing or held lets finance fund the program and have the accounts put
 * right before the holders are told.
 *
 * @example
 *   const preview = await payoutCyclePreview(deps, context, cycleId);
 */
export async function payoutCyclePreview(
  deps: PayoutDependencies,
  context: PaymentsContext,
  cycleId: string,
) {
  const { grant } = await guardPayout(deps, context, 'payout.manage', resource, true);
  const cycle = await cycleForDisbursement(deps.db, cycleId);
  if (cycle === undefined) throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such cycle' });
  if (cycle.kind !== 'cash' || cycle.currency === null)
    throw new PaymentsError(
      'AMP_CYCLE_NOT_DISBURSABLE',
      `The program pays ${cycle.kind}, not cash`,
    );
  if (cycle.status !== 'approved' && cycle.status !== 'published')
    throw new PaymentsError('AMP_CYCLE_NOT_DISBURSABLE', `The cycle is ${cycle.status}`);
  const open = openCashEntitlementsRelation({ programId: cycle.programId, cycleId });
  const unpaid = unpaidEntitlement(sql.ref('o.id'));
  const [counts] = (
    await sql<{ open_count: string; unpaid_count: string }>`
      with open_cash as (${open})
      select count(*) as open_count, count(*) filter (where ${unpaid}) as unpaid_count
        from open_cash o`.execute(deps.db)
  ).rows;
  const openCount = Number(counts?.open_count ?? 0);
  const unpaidCount = Number(counts?.unpaid_count ?? 0);
  const payable = (
    await sql<{ id: string; person_id: string; amount_minor: string }>`
      with open_cash as (${open})
      select o.id, o.person_id, o.amount_minor from open_cash o
       where ${unpaid}
       order by o.person_id
       limit ${limits.payouts.paymentsPerFileMax}`.execute(deps.db)
  ).rows.map((row) => ({
    entitlementId: row.id,
    personId: row.person_id,
    amountMinor: BigInt(row.amount_minor),
  }));
  const judged = await judgedPayees(deps, payable);
  await grant.record([]);
  return {
    cycleId,
    programId: cycle.programId,
    currency: cycle.currency,
    openCount,
    alreadyPaidCount: openCount - unpaidCount,
    leftForNextBatch: unpaidCount - payable.length,
    payable: payable.map(({ entitlementId, amountMinor }) => ({ entitlementId, amountMinor })),
    ...judged,
  };
}

/**
 * How many of the payable entitlements a batch made now would pay and for how much, how many it
 * would leave out, and the first `previewExclusionsListedMax` of those: `payeeUsability`, the
 * batch's rule, over chunks of persons.
 */
async function judgedPayees(
  deps: PayoutDependencies,
  payable: ReadonlyArray<{ entitlementId: string; personId: string; amountMinor: bigint }>,
) {
  const excluded: PreviewExclusion[] = [];
  let includedCount = 0;
  let includedAmountMinor = 0n;
  let excludedCount = 0;
  for (let start = 0; start < payable.length; start += judgedPerQuery) {
    const chunk = payable.slice(start, start + judgedPerQuery);
    const payees = await payeeUsability(
      deps.db,
      chunk.map((entitlement) => entitlement.personId),
      nowOf(deps),
    );
    for (const entitlement of chunk) {
      const payee = payees.get(entitlement.personId);
      if (payee === undefined || payee.usable) {
        includedCount += 1;
        includedAmountMinor += entitlement.amountMinor;
        continue;
      }
      excludedCount += 1;
      if (excluded.length < limits.payouts.previewExclusionsListedMax)
        excluded.push({ ...entitlement, reason: payee.reason, heldUntil: payee.heldUntil });
    }
  }
  return { includedCount, includedAmountMinor, excludedCount, excluded };
}
