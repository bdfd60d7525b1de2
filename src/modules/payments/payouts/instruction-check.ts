import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import {
  type LedgerCurrency,
  referencedTransfers,
  referencedTransfersRelation,
} from '../../ledger/index.js';
import { type PayableEntitlement, payableEntitlements } from '../../programs/index.js';
import type { PaymentsDependencies } from '../payments-context.js';
import { PaymentsError } from '../payments-error.js';
import { claimForPayouts } from './entitlement-claims.js';
import { BankFileError } from './iso20022/bank-file-error.js';

/**
 * Payout statuses that no longer hold the money: the entitlement may be paid again. Not
 * `return_pending`: a return a statement reported holds the entitlement until a second finance
 * officer confirms it (return-confirmer.ts, migration 0131).
 */
const released = ['refused', 'rejected', 'returned', 'cancelled'] as const;

/**
 * Issue #13, point 5, for payouts: each instruction pays an open cash entitlement of the
 * batch's program (published cycle), for its amount, in the batch's currency, once in the
 * batch, not already in a live payout and not already credited to a wallet. Answers the person
 * of each instruction (whose data key seals the creditor) and its entitlement's cycle; refuses,
 * naming every instruction at fault, before anything is written. A batch paying any entitlement
 * of a cycle approved but not published is refused as a whole (`AMP_CYCLE_NOT_PUBLISHED`): the
 * cycle is not handed over yet (docs/DISTRIBUTION.md, "Entitlement states").
 */
export async function entitlementPersons(
  deps: PaymentsDependencies,
  input: {
    programId: string;
    currency: LedgerCurrency;
    instructions: ReadonlyArray<{ referenceId: string; amountMinor: bigint }>;
  },
): Promise<Array<{ personId: string; cycleId: string }>> {
  const ids = [...new Set(input.instructions.map((item) => item.referenceId))];
  const payable = new Map(
    (await payableEntitlements(deps.db, { programId: input.programId, entitlementIds: ids })).map(
      (entitlement) => [entitlement.entitlementId, entitlement],
    ),
  );
  refuseUnpublished(input.instructions, payable);
  const known = [...payable.keys()];
  const inPayout = await inLivePayouts(deps.db, known);
  const credited = await referencedTransfers(deps.db, 'entitlement', known);
  const seen = new Set<string>();
  const problems: Array<{ field: string; reason: string }> = [];
  const persons = input.instructions.map((item, index) => {
    const field = `/instructions/${index}`;
    const entitlement = payable.get(item.referenceId);
    const repeated = seen.has(item.referenceId);
    seen.add(item.referenceId);
    if (entitlement === undefined) {
      problems.push({
        field: `${field}/referenceId`,
        reason: 'not an open cash entitlement of this program in a published cycle',
      });
    } else if (repeated) {
      problems.push({ field: `${field}/referenceId`, reason: 'the same entitlement twice' });
    } else if (inPayout.has(item.referenceId)) {
      problems.push({ field: `${field}/referenceId`, reason: 'already in a payout' });
    } else if (credited.has(item.referenceId)) {
      problems.push({ field: `${field}/referenceId`, reason: 'already credited to a wallet' });
    } else if (entitlement.currency !== input.currency) {
      problems.push({
        field: `${field}/referenceId`,
        reason: `the entitlement is in ${entitlement.currency ?? 'no currency'}, the batch in ${input.currency}`,
      });
    } else if (entitlement.amountMinor !== item.amountMinor) {
      problems.push({
        field: `${field}/amountMinor`,
        reason: `the entitlement is ${entitlement.amountMinor} (minor units)`,
      });
    }
    return { personId: entitlement?.personId ?? '', cycleId: entitlement?.cycleId ?? '' };
  });
  if (problems.length > 0) {
    throw new BankFileError(
      'AMP_PAYOUT_INSTRUCTION_INVALID',
      `${problems.length} instruction(s) pay no entitlement they may`,
      problems.slice(0, 100),
    );
  }
  return persons;
}

/** Refuses the batch, naming each instruction, when it pays an unpublished cycle's entitlement. */
function refuseUnpublished(
  instructions: ReadonlyArray<{ referenceId: string }>,
  payable: ReadonlyMap<string, PayableEntitlement>,
): void {
  const problems = instructions.flatMap((item, index) =>
    payable.get(item.referenceId)?.cycleStatus === 'approved'
      ? [
          {
            field: `/instructions/${index}/referenceId`,
            reason: "the entitlement's cycle is approved but not published yet",
          },
        ]
      : [],
  );
  if (problems.length === 0) return;
  throw new PaymentsError(
    'AMP_CYCLE_NOT_PUBLISHED',
    `${problems.length} instruction(s) pay an entitlement of a cycle not published yet`,
    problems.slice(0, 100),
  );
}

/**
 * Of the entitlement ids, those a payout not refused, rejected or returned already pays (a
 * disbursement into wallets skips them, so no entitlement is paid by bank and by wallet).
 */
export async function inLivePayouts(
  db: Kysely<Database>,
  ids: readonly string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('payout_instruction')
    .select('reference_id')
    .where('reference_kind', '=', 'entitlement')
    .where('reference_id', '=', sql<string>`any(${[...ids]}::uuid[])`)
    .where('status', 'not in', released)
    .execute();
  return new Set(rows.map((row) => row.reference_id));
}

/**
 * `inLivePayouts` and `referencedTransfers` as one SQL condition on an entitlement id column of
 * the caller's statement: true when no live payout pays it and no wallet credit was made of it
 * (the batch preview counts and pages a cycle's unpaid entitlements with it).
 *
 * @example
 *   sql`select count(*) from open_cash o where ${unpaidEntitlement(sql.ref('o.id'))}`
 */
export function unpaidEntitlement(entitlementId: RawBuilder<unknown>): RawBuilder<boolean> {
  return sql<boolean>`(not exists (select 1 from payout_instruction i
                 where i.reference_kind = 'entitlement' and i.reference_id = ${entitlementId}
                   and i.status not in (${sql.join(released)}))
     and not exists (select 1 from (${referencedTransfersRelation('entitlement')}) t
                      where t.reference_id = ${entitlementId}))`;
}

/** "amparo-po" in ASCII: the lock that serialises the writing of payout batches. */
const payoutLockNumber = '7020390957974498672';

/**
 * In the transaction that writes a batch: takes the payout lock, then claims every
 * entitlement for its instruction (`entitlement-claims.ts`), and refuses the batch if a
 * wallet credit or a batch written since the check above (a concurrent request or
 * disbursement chunk) holds one of them.
 */
export async function lockAndRecheck(
  trx: Kysely<Database>,
  instructions: ReadonlyArray<{ id: string; reference_id: string }>,
): Promise<void> {
  await sql`select pg_advisory_xact_lock(${payoutLockNumber}::bigint)`.execute(trx);
  const taken = await claimForPayouts(
    trx,
    instructions.map((row) => ({ entitlementId: row.reference_id, instructionId: row.id })),
  );
  if (taken.size === 0) return;
  const problems = instructions.flatMap((row, index) =>
    taken.has(row.reference_id)
      ? [
          {
            field: `/instructions/${index}/referenceId`,
            reason: 'already in a payout or credited to a wallet',
          },
        ]
      : [],
  );
  throw new BankFileError(
    'AMP_PAYOUT_INSTRUCTION_INVALID',
    `${problems.length} instruction(s) pay an entitlement already paid or being paid`,
    problems.slice(0, 100),
  );
}
