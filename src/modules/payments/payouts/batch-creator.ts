import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import { writeAuditEntry } from '../../../shared/audit/write-audit-entry.js';
import { type LedgerCurrency, lookupAccounts } from '../../ledger/index.js';
import { fundingAccountId } from '../accounts/account-ids.js';
import { nowOf, type PaymentsContext, type PaymentsDependencies } from '../payments-context.js';
import { PaymentsError } from '../payments-error.js';
import {
  leaseUntil,
  type PreparationDependencies,
  preparationFinished,
  preparationHolder,
  preparationLeaseMsOf,
  preparationTaken,
} from './batch-preparation.js';
import { batchSummary, type PayoutBatchSummary } from './batch-reader.js';
import { sealCreditors } from './creditor-seal.js';
import { entitlementPersons, lockAndRecheck } from './instruction-check.js';
import { BankFileError } from './iso20022/bank-file-error.js';
import { type PayoutFile, payoutFileProblems } from './iso20022/pain001-writer.js';
import { payeesForBatch, type UsablePayee } from './payee-account.js';
import { type DebtorInput, debtorFor } from './paying-account.js';
import {
  appendPersonReads,
  auditingRefusals,
  guardPayout,
  type PayoutDependencies,
} from './payout-gate.js';
import type { PayoutExclusionReason } from './payout-tables.js';

/**
 * One payment of a batch as the client asks for it: the entitlement paid, never where to. The
 * creditor is the entitlement holder's stored payee account (`payee-account.ts`), so one
 * finance officer cannot send a payment to an account of their choice.
 */
export interface PayoutInstructionInput {
  /** The open cash entitlement paid (issue #13, point 5): its holder is paid. */
  referenceKind: 'entitlement';
  referenceId: string;
  amountMinor: bigint;
  remittance?: string | undefined;
}
export interface PayoutBatchInput {
  clientId: string;
  programId: string;
  currency: LedgerCurrency;
  requestedExecutionDate: string;
  /** Omitted: the program's stored paying account; named, it must be that one (`debtorFor`). */
  debtor?: DebtorInput | undefined;
  instructions: readonly PayoutInstructionInput[];
}

const base32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function randomCode(length: number): string {
  return [...randomBytes(length)].map((byte) => base32[byte % 32]).join('');
}

/**
 * Creates a payout batch (issue #16, point 4): checks every instruction can go into a
 * pain.001.001.09 file and that the program's funding account holds the total, records the
 * batch, reserves each payment by a pending ledger transfer funding → settlement (its id
 * derived from the instruction's), then writes the file once, validates it against the
 * official schema and keeps its SHA-256. The same `clientId` with the same batch answers the
 * first result, and finishes a batch that was interrupted; with another batch it is refused.
 */
export async function payoutBatchCreator(
  deps: PreparationDependencies,
  context: PaymentsContext,
  input: PayoutBatchInput,
): Promise<PayoutBatchSummary> {
  const resource = { type: 'payout_batch' as const, id: null };
  const { write } = await guardPayout(deps, context, 'payout.manage', resource, true);
  return auditingRefusals(deps, write, resource, async () => {
    const requested = input.instructions.reduce((sum, item) => sum + item.amountMinor, 0n);
    const existing = await deps.db
      .selectFrom('payout_batch')
      .select(['id', 'program_id', 'currency', 'payments_count', 'amount_total_minor', 'status'])
      .select(['excluded_count', 'excluded_amount_minor'])
      .where('client_id', '=', input.clientId)
      .executeTakeFirst();
    if (existing !== undefined) {
      const same =
        existing.program_id === input.programId &&
        existing.currency === input.currency &&
        existing.payments_count + existing.excluded_count === input.instructions.length &&
        BigInt(existing.amount_total_minor) + BigInt(existing.excluded_amount_minor) === requested;
      if (!same) throw new AmparoError('AMP_IDEMPOTENCY_MISMATCH');
      // Interrupted while being made: resumed here unless another run holds its preparation.
      const holder = preparationHolder();
      if (await preparationTaken(deps.db, existing.id, holder, preparationLeaseMsOf(deps)))
        await preparationFinished(deps, existing.id, holder);
      return batchSummary(deps.db, existing.id);
    }
    const batchId = randomUUID();
    // The debtor first: a batch refused for its paying account (none stored, or another named)
    // opens none of its payees' accounts (up to a file's worth of person keys unwrapped).
    const debtor = await debtorFor(
      deps.db,
      { scope: 'program', key: input.programId },
      input.debtor,
    );
    const paid = await entitlementPersons(deps, input);
    const { included, excluded } = await withPayees(deps, input, paid);
    const file = payoutFileOf({ ...input, debtor }, included, nowOf(deps));
    const total = included.reduce((sum, item) => sum + item.amountMinor, 0n);
    const fundingId = fundingAccountId(input.programId, input.currency);
    await checkFunding(deps, fundingId, input.currency, total);
    const rows = await instructionRows(deps, batchId, file, included);
    const holder = preparationHolder();
    await deps.db.transaction().execute(async (trx) => {
      await lockAndRecheck(trx, rows);
      await trx
        .insertInto('payout_batch')
        .values({
          id: batchId,
          client_id: input.clientId,
          program_id: input.programId,
          currency: input.currency,
          funding_account_id: fundingId,
          message_id: file.messageId,
          payment_information_id: file.paymentInformationId,
          requested_execution_date: input.requestedExecutionDate,
          debtor_name: debtor.name,
          debtor_account: debtor.accountNumber,
          debtor_bank_code: debtor.bankCode ?? null,
          debtor_bic: debtor.bic ?? null,
          payments_count: rows.length,
          amount_total_minor: total,
          excluded_count: excluded.length,
          excluded_amount_minor: excluded.reduce((sum, item) => sum + item.amount_minor, 0n),
          created_by: context.actor?.kind === 'operator' ? context.actor.operatorId : null,
          created_at: file.createdAt,
          prepare_holder: holder,
          prepare_lease_until: leaseUntil(preparationLeaseMsOf(deps)),
        })
        .execute();
      for (let start = 0; start < rows.length; start += 2_000) {
        await trx
          .insertInto('payout_instruction')
          .values(rows.slice(start, start + 2_000))
          .execute();
      }
      for (let start = 0; start < excluded.length; start += 2_000) {
        await trx
          .insertInto('payout_exclusion')
          .values(
            excluded.slice(start, start + 2_000).map((row) => ({ ...row, batch_id: batchId })),
          )
          .execute();
      }
      await deps.audit.appendInTransaction(trx, [
        writeAuditEntry(write, { type: 'payout_batch', id: batchId }, [], context.requestId),
      ]);
      // Each person whose stored payee account the batch opened: their access history shows it.
      const personIds = [...new Set(included.map((item) => item.personId))];
      await appendPersonReads(deps, trx, write, personIds, ['payee_account']);
    });
    await preparationFinished(deps, batchId, holder);
    return batchSummary(deps.db, batchId);
  });
}

/** An instruction whose person has a usable payee account, with it. */
interface IncludedInstruction extends PayoutInstructionInput {
  /** Its place in the request, for the problems' field paths. */
  index: number;
  personId: string;
  cycleId: string;
  payee: UsablePayee;
}

/**
 * Each instruction with its person's stored payee account, or left out with the reason (no
 * account, or one held): the exclusion rows. A request none of whose persons can be paid is
 * refused, naming each instruction and why.
 */
async function withPayees(
  deps: PayoutDependencies,
  input: PayoutBatchInput,
  paid: ReadonlyArray<{ personId: string; cycleId: string }>,
) {
  const payees = await payeesForBatch(
    deps.db,
    deps.masterKey,
    paid.map((item) => item.personId),
    nowOf(deps),
  );
  const included: IncludedInstruction[] = [];
  const excluded: Array<Omit<Database['payout_exclusion'], 'batch_id'>> = [];
  input.instructions.forEach((item, index) => {
    const person = paid[index] ?? { personId: '', cycleId: '' };
    const payee = payees.get(person.personId);
    if (payee?.usable === true) {
      included.push({ ...item, index, ...person, payee });
      return;
    }
    excluded.push({
      seq: index,
      reference_id: item.referenceId,
      person_id: person.personId,
      amount_minor: item.amountMinor,
      reason: payee?.reason ?? 'no_payee_account',
      held_until: payee?.heldUntil ?? null,
    });
  });
  if (included.length === 0) {
    throw new BankFileError(
      'AMP_PAYOUT_INSTRUCTION_INVALID',
      'No person of the batch has a usable payee account: set their accounts first',
      excluded.slice(0, 100).map((row) => ({
        field: `/instructions/${row.seq}/referenceId`,
        reason: refusedBecause[row.reason],
      })),
    );
  }
  return { included, excluded };
}

/** Why a batch that pays no one refuses each instruction (each exclusion's reason). */
const refusedBecause: Record<PayoutExclusionReason, string> = {
  no_payee_account: "the entitlement's person has no payee account",
  payee_account_held:
    "the entitlement's person's payee account is held (set without the texted code)",
  payee_account_phone_changed:
    "the entitlement's person's payee account is held (set soon after a change of the phone on file)",
};

/** The batch's file as it will be written, checked against the schema's lengths first. */
function payoutFileOf(
  input: PayoutBatchInput & { debtor: DebtorInput },
  included: readonly IncludedInstruction[],
  // The module's clock, as the payee holds are judged by: the batch's time is compared with
  // the payee accounts' (the auditors' `payout_payee_collusion` alert).
  now: Date,
) {
  const file: PayoutFile = {
    messageId: `AMP-${randomCode(20)}`,
    createdAt: now,
    initiatingPartyName: input.debtor.name,
    paymentInformationId: `PMT-${randomCode(20)}`,
    requestedExecutionDate: input.requestedExecutionDate,
    debtorName: input.debtor.name,
    debtorAccountNumber: input.debtor.accountNumber,
    debtorBank: { bankCode: input.debtor.bankCode, bic: input.debtor.bic },
    currency: input.currency,
    payments: included.map((item) => ({
      endToEndId: `P${randomCode(15)}`,
      amountMinor: item.amountMinor,
      remittance: item.remittance,
      creditorName: item.payee.creditorName,
      creditorNationalId: item.payee.creditorNationalId,
      account: item.payee.account,
      bank: item.payee.bank,
    })),
  };
  const problems = payoutFileProblems(file).map((problem) => ({
    ...problem,
    field: problem.field.replace(
      /^\/payments\/(\d+)/,
      (_, at: string) => `/instructions/${included[Number(at)]?.index ?? at}`,
    ),
  }));
  if (problems.length > 0) {
    throw new BankFileError(
      'AMP_PAYOUT_INSTRUCTION_INVALID',
      `${problems.length} instruction problem(s)`,
      problems.slice(0, 100),
    );
  }
  return file;
}

/**
 * The rows of the batch, each creditor (from the stored payee account) sealed again under its
 * person's data key. A person with no live key (erased since) is refused before anything is
 * written.
 */
async function instructionRows(
  deps: PayoutDependencies,
  batchId: string,
  file: PayoutFile,
  included: readonly IncludedInstruction[],
) {
  const ids = included.map(() => randomUUID());
  const sealed = await sealCreditors(
    deps.db,
    deps.masterKey,
    included.map((item, seq) => ({
      recordId: ids[seq] ?? '',
      personId: item.personId,
      creditor: {
        name: item.payee.creditorName,
        nationalId: item.payee.creditorNationalId,
        accountNumber:
          item.payee.account.kind === 'bank_account'
            ? item.payee.account.accountNumber
            : item.payee.account.phoneNumber,
      },
    })),
  );
  const unknown = sealed.flatMap((box, seq) =>
    box === null
      ? [
          {
            field: `/instructions/${included[seq]?.index ?? seq}/referenceId`,
            reason: "the entitlement's person has no data key (their data was erased)",
          },
        ]
      : [],
  );
  if (unknown.length > 0) {
    throw new BankFileError(
      'AMP_PAYOUT_INSTRUCTION_INVALID',
      `${unknown.length} instruction(s) pay a person whose data cannot be kept`,
      unknown.slice(0, 100),
    );
  }
  return included.map((item, seq) => ({
    id: ids[seq] ?? '',
    batch_id: batchId,
    seq,
    end_to_end_id: file.payments[seq]?.endToEndId ?? '',
    reference_kind: item.referenceKind,
    reference_id: item.referenceId,
    person_id: item.personId,
    cycle_id: item.cycleId,
    // Safe: every box was checked non-null above.
    creditor_sealed: sealed[seq] as Buffer,
    account_kind: item.payee.account.kind,
    bank_code: item.payee.bank.bankCode ?? null,
    bank_bic: item.payee.bank.bic ?? null,
    amount_minor: item.amountMinor,
    remittance: item.remittance ?? null,
  }));
}

/** The funding account must exist in the currency and hold the total beyond what it reserved. */
async function checkFunding(
  deps: PaymentsDependencies,
  fundingId: string,
  currency: LedgerCurrency,
  total: bigint,
) {
  const [funding] = await lookupAccounts(deps.db, [fundingId]);
  if (funding === undefined) {
    throw new PaymentsError(
      'AMP_ACCOUNT_NOT_FOUND',
      'The program has no funding account in this currency',
    );
  }
  if (funding.currency !== currency)
    throw new PaymentsError('AMP_CURRENCY_MISMATCH', 'The funding account is in another currency');
  const available = funding.creditsPosted - funding.debitsPosted - funding.debitsPending;
  if (available < total) {
    throw new PaymentsError(
      'AMP_FUNDS_INSUFFICIENT',
      `The funding account holds ${available}, the batch needs ${total} (minor units)`,
    );
  }
}
