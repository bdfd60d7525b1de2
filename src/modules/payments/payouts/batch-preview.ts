import { limits } from '../../../limits.js';
import { AmparoError } from '../../../platform/errors.js';
import { referencedTransfers } from '../../ledger/index.js';
import {
  cashEntitlementRanges,
  cashEntitlementsInRange,
  cycleForDisbursement,
  payableCashCycles,
  programChoices,
} from '../../programs/index.js';
import { nowOf, type PaymentsContext } from '../payments-context.js';
import { PaymentsError } from '../payments-error.js';
import { inLivePayouts } from './instruction-check.js';
import { payeeUsability } from './payee-account.js';
import { guardPayout, type PayoutDependencies } from './payout-gate.js';
import type { PayoutExclusionReason } from './payout-tables.js';

/** At most this many cycles are offered to choose from (newest reference date first). */
const cyclesListedMax = 200;

const resource = { type: 'payout_batch' as const, id: null };

/**
 * The cycles a finance officer may make a payout batch of (`payout.manage`, audited): the
 * approved and published cycles of cash programs, with their program's names and currency.
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

/**
 * What a batch of every open cash entitlement of the cycle would be, before it is made
 * (`payout.manage`, audited on the batch kind): the open entitlements not already in a live
 * payout nor credited to a wallet (`payable`, what the console then sends, at most a file's
 * worth), how many of them the batch would pay, and those it would leave out with the reason
 * (no payee account, or one held and until when) — read from the payee accounts' clear columns,
 * no account opened. The batch itself judges again when it is made.
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
  const open = [];
  for (const range of await cashEntitlementRanges(deps.db, {
    programId: cycle.programId,
    cycleId,
    rangeSize: 10_000,
  })) {
    open.push(
      ...(await cashEntitlementsInRange(deps.db, {
        programId: cycle.programId,
        cycleId,
        ...range,
      })),
    );
  }
  const ids = open.map((entitlement) => entitlement.entitlementId);
  const [inPayout, credited] = await Promise.all([
    inLivePayouts(deps.db, ids),
    referencedTransfers(deps.db, 'entitlement', ids),
  ]);
  const unpaid = open.filter(
    (entitlement) =>
      !inPayout.has(entitlement.entitlementId) && !credited.has(entitlement.entitlementId),
  );
  const max = limits.payouts.paymentsPerFileMax;
  const payable = unpaid.slice(0, max);
  const payees = await payeeUsability(
    deps.db,
    payable.map((entitlement) => entitlement.personId),
    nowOf(deps),
  );
  const excluded: PreviewExclusion[] = [];
  let includedCount = 0;
  let includedAmount = 0n;
  for (const entitlement of payable) {
    const payee = payees.get(entitlement.personId);
    if (payee === undefined || payee.usable) {
      includedCount += 1;
      includedAmount += entitlement.amountMinor;
    } else {
      excluded.push({
        entitlementId: entitlement.entitlementId,
        personId: entitlement.personId,
        amountMinor: entitlement.amountMinor,
        reason: payee.reason,
        heldUntil: payee.heldUntil,
      });
    }
  }
  await grant.record([]);
  return {
    cycleId,
    programId: cycle.programId,
    currency: cycle.currency,
    openCount: open.length,
    alreadyPaidCount: open.length - unpaid.length,
    leftForNextBatch: unpaid.length - payable.length,
    payable: payable.map((entitlement) => ({
      entitlementId: entitlement.entitlementId,
      amountMinor: entitlement.amountMinor,
    })),
    includedCount,
    includedAmountMinor: includedAmount,
    excluded,
  };
}
