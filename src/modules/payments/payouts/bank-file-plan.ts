import { BankFileError } from './iso20022/bank-file-error.js';
import type { BankStatement } from './iso20022/bank-statement.js';
import { type PaymentStatusReport, paymentStatusEffects } from './iso20022/pain002-reader.js';
import type { PayoutStatus, ReturnedFrom, SuspenseKind } from './payout-tables.js';

/** An instruction as the plan sees it. */
export interface PlannedInstruction {
  id: string;
  endToEndId: string;
  amountMinor: bigint;
  status: PayoutStatus;
  /** A second finance officer rejected a return of it (migration 0135): none is read again. */
  returnRejected?: boolean;
}

/** What a bank file does, decided before anything is written. */
export interface BankFilePlan {
  /** Pending transfers to post (accepted or paid) or void (rejected), with the new status. */
  resolutions: Array<{
    instructionId: string;
    post: boolean;
    status: PayoutStatus;
    reason: string | null;
  }>;
  /** Statuses that change without moving money (accepted → settled). */
  settled: string[];
  returns: Array<{
    instructionId: string;
    amountMinor: bigint;
    location: string;
    reason: string | null;
    endToEndId: string;
    bankReference: string | null;
    bookingDate: string | null;
    /** The payment's status before this return: what a rejection of it restores. */
    returnedFrom: ReturnedFrom;
  }>;
  unmatched: Array<{
    kind: Exclude<SuspenseKind, 'returned'>;
    amountMinor: bigint;
    location: string;
    endToEndId: string | null;
    bankReference: string | null;
    bookingDate: string | null;
    account: string;
  }>;
  unchanged: number;
}

function emptyPlan(): BankFilePlan {
  return { resolutions: [], settled: [], returns: [], unmatched: [], unchanged: 0 };
}

/**
 * The plan of a pain.002: each payment of the batch gets its own status, else its payment
 * block's, else the file's (unless that is only "partly"). Accepted posts a pending payment,
 * rejected voids it; anything else, or a payment already resolved, changes nothing. A status
 * for a payment the batch does not hold refuses the whole report.
 */
export function planStatusReport(
  report: PaymentStatusReport,
  instructions: readonly PlannedInstruction[],
  paymentInformationId: string,
): BankFilePlan {
  const plan = emptyPlan();
  const byEndToEnd = new Map(
    instructions.map((instruction) => [instruction.endToEndId, instruction]),
  );
  const own = new Map<
    string,
    { status: keyof typeof paymentStatusEffects; reason: string | null }
  >();
  for (const transaction of report.transactions) {
    if (!byEndToEnd.has(transaction.originalEndToEndId)) {
      throw new BankFileError(
        'AMP_BANK_FILE_MALFORMED',
        `${transaction.location}: names a payment that is not in the batch`,
        [{ field: transaction.location, reason: 'names a payment that is not in the batch' }],
      );
    }
    own.set(transaction.originalEndToEndId, transaction);
  }
  const block =
    report.paymentInformation.find(
      (item) => item.originalPaymentInformationId === paymentInformationId,
    ) ?? null;
  const group = report.group !== null && report.group.status !== 'PART' ? report.group : null;
  for (const instruction of instructions) {
    const status = own.get(instruction.endToEndId) ?? block ?? group;
    const effect = status === null ? 'informational' : paymentStatusEffects[status.status];
    if (instruction.status !== 'pending' || effect === 'informational') {
      plan.unchanged += 1;
      continue;
    }
    plan.resolutions.push({
      instructionId: instruction.id,
      post: effect === 'accepted',
      status: effect === 'accepted' ? 'accepted' : 'rejected',
      reason: status?.reason ?? null,
    });
  }
  return plan;
}

/**
 * The plan of a statement (camt.053, camt.054, MT940) of the paying account. A booked debit
 * with a payout's end-to-end id and amount settles it (posting it if no pain.002 did); a booked
 * credit with a payout's end-to-end id is that payment coming back (a return, posted first if
 * still pending). Money in or out that matches no payout, or a payout the ledger never sent,
 * goes to suspense. Movements not booked change nothing. A payout met twice (a camt.054 then
 * the day's camt.053) moves once: the plan follows each payout's status as it goes.
 */
export function planStatements(
  statements: readonly BankStatement[],
  instructions: readonly PlannedInstruction[],
): BankFilePlan {
  const plan = emptyPlan();
  const byEndToEnd = new Map(
    instructions.map((instruction) => [instruction.endToEndId, { ...instruction }]),
  );
  for (const statement of statements) {
    planMovements(statement, byEndToEnd, plan);
  }
  return plan;
}

function planMovements(
  statement: BankStatement,
  byEndToEnd: Map<string, PlannedInstruction>,
  plan: BankFilePlan,
): void {
  for (const movement of statement.movements) {
    if (!movement.booked) {
      plan.unchanged += 1;
      continue;
    }
    const instruction =
      movement.endToEndId === null ? undefined : byEndToEnd.get(movement.endToEndId);
    const sent =
      instruction !== undefined &&
      ['pending', 'accepted', 'settled', 'return_pending', 'returned'].includes(instruction.status);
    const unmatched = () =>
      plan.unmatched.push({
        kind: movement.direction === 'credit' ? 'unmatched_credit' : 'unmatched_debit',
        amountMinor: movement.amountMinor,
        location: movement.location,
        endToEndId: movement.endToEndId,
        bankReference: movement.bankReference,
        bookingDate: movement.bookingDate,
        account: statement.account,
      });
    // A payment whose return was rejected (the bank did not give it back) is not returned by
    // a statement again: a credit naming it is money of no payout, to suspense.
    const rejectedCredit = movement.direction === 'credit' && instruction?.returnRejected === true;
    if (
      instruction === undefined ||
      !sent ||
      rejectedCredit ||
      instruction.amountMinor !== movement.amountMinor
    ) {
      unmatched();
      continue;
    }
    if (instruction.status === 'pending') {
      plan.resolutions.push({
        instructionId: instruction.id,
        post: true,
        status: 'accepted',
        reason: null,
      });
      instruction.status = 'accepted';
    }
    if (movement.direction === 'debit') {
      if (instruction.status === 'accepted') {
        plan.settled.push(instruction.id);
        instruction.status = 'settled';
      } else plan.unchanged += 1;
      continue;
    }
    if (instruction.status === 'return_pending' || instruction.status === 'returned') {
      plan.unchanged += 1;
      continue;
    }
    plan.returns.push({
      instructionId: instruction.id,
      amountMinor: movement.amountMinor,
      location: movement.location,
      reason: movement.returnReason,
      endToEndId: instruction.endToEndId,
      bankReference: movement.bankReference,
      bookingDate: movement.bookingDate,
      // Posted above if it was pending: a return meets a payment accepted or settled.
      returnedFrom: instruction.status === 'settled' ? 'settled' : 'accepted',
    });
    instruction.status = 'return_pending';
  }
}
