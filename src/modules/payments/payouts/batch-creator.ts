import { randomBytes, randomUUID } from 'node:crypto';
import { AmparoError } from '../../../platform/errors.js';
import { writeAuditEntry } from '../../../shared/audit/write-audit-entry.js';
import { type LedgerCurrency, lookupAccounts } from '../../ledger/index.js';
import { fundingAccountId } from '../accounts/account-ids.js';
import type { PaymentsContext, PaymentsDependencies } from '../payments-context.js';
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
import { auditingRefusals, guardPayout, type PayoutDependencies } from './payout-gate.js';

/** One payment of a batch as the client asks for it. */
export interface PayoutInstructionInput {
  /**
   * The open cash entitlement paid: its person's data key seals the creditor below
   * (safeguard 6); no instruction names a person (issue #13, point 5).
   */
  referenceKind: 'entitlement';
  referenceId: string;
  creditorName: string;
  creditorNationalId?: string | undefined;
  account:
    | { kind: 'bank_account'; accountNumber: string }
    | { kind: 'mobile_money'; phoneNumber: string };
  bank: { bankCode?: string | undefined; bic?: string | undefined };
  amountMinor: bigint;
  remittance?: string | undefined;
}

export interface PayoutBatchInput {
  clientId: string;
  programId: string;
  currency: LedgerCurrency;
  requestedExecutionDate: string;
  debtor: {
    name: string;
    accountNumber: string;
    bankCode?: string | undefined;
    bic?: string | undefined;
  };
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
    const total = input.instructions.reduce((sum, item) => sum + item.amountMinor, 0n);
    const existing = await deps.db
      .selectFrom('payout_batch')
      .select(['id', 'program_id', 'currency', 'payments_count', 'amount_total_minor', 'status'])
      .where('client_id', '=', input.clientId)
      .executeTakeFirst();
    if (existing !== undefined) {
      const same =
        existing.program_id === input.programId &&
        existing.currency === input.currency &&
        existing.payments_count === input.instructions.length &&
        BigInt(existing.amount_total_minor) === total;
      if (!same) throw new AmparoError('AMP_IDEMPOTENCY_MISMATCH');
      // Interrupted while being made: resumed here unless another run holds its preparation.
      const holder = preparationHolder();
      if (await preparationTaken(deps.db, existing.id, holder, preparationLeaseMsOf(deps)))
        await preparationFinished(deps, existing.id, holder);
      return batchSummary(deps.db, existing.id);
    }
    const batchId = randomUUID();
    const endToEndIds = input.instructions.map(() => `P${randomCode(15)}`);
    const file: PayoutFile = {
      messageId: `AMP-${randomCode(20)}`,
      createdAt: new Date(),
      initiatingPartyName: input.debtor.name,
      paymentInformationId: `PMT-${randomCode(20)}`,
      requestedExecutionDate: input.requestedExecutionDate,
      debtorName: input.debtor.name,
      debtorAccountNumber: input.debtor.accountNumber,
      debtorBank: { bankCode: input.debtor.bankCode, bic: input.debtor.bic },
      currency: input.currency,
      payments: input.instructions.map((item, index) => ({
        ...item,
        endToEndId: endToEndIds[index] ?? '',
      })),
    };
    const problems = payoutFileProblems(file).map((problem) => ({
      ...problem,
      field: problem.field.replace(/^\/payments\//, '/instructions/'),
    }));
    if (problems.length > 0) {
      throw new BankFileError(
        'AMP_PAYOUT_INSTRUCTION_INVALID',
        `${problems.length} instruction problem(s)`,
        problems.slice(0, 100),
      );
    }
    const paid = await entitlementPersons(deps, input);
    const fundingId = fundingAccountId(input.programId, input.currency);
    await checkFunding(deps, fundingId, input.currency, total);
    const rows = await instructionRows(deps, { batchId, endToEndIds, paid }, input);
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
          debtor_name: input.debtor.name,
          debtor_account: input.debtor.accountNumber,
          debtor_bank_code: input.debtor.bankCode ?? null,
          debtor_bic: input.debtor.bic ?? null,
          payments_count: rows.length,
          amount_total_minor: total,
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
      await deps.audit.appendInTransaction(trx, [
        writeAuditEntry(write, { type: 'payout_batch', id: batchId }, [], context.requestId),
      ]);
    });
    await preparationFinished(deps, batchId, holder);
    return batchSummary(deps.db, batchId);
  });
}

/**
 * The rows of the batch, each creditor sealed under its person's data key. A person with no
 * live key (unknown, or erased) is refused before anything is written.
 */
async function instructionRows(
  deps: PayoutDependencies,
  batch: {
    batchId: string;
    endToEndIds: readonly string[];
    paid: ReadonlyArray<{ personId: string; cycleId: string }>;
  },
  input: PayoutBatchInput,
) {
  const ids = input.instructions.map(() => randomUUID());
  const sealed = await sealCreditors(
    deps.db,
    deps.masterKey,
    input.instructions.map((item, index) => ({
      instructionId: ids[index] ?? '',
      personId: batch.paid[index]?.personId ?? '',
      creditor: {
        name: item.creditorName,
        nationalId: item.creditorNationalId,
        accountNumber:
          item.account.kind === 'bank_account'
            ? item.account.accountNumber
            : item.account.phoneNumber,
      },
    })),
  );
  const unknown = sealed.flatMap((box, index) =>
    box === null
      ? [
          {
            field: `/instructions/${index}/referenceId`,
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
  return input.instructions.map((item, seq) => ({
    id: ids[seq] ?? '',
    batch_id: batch.batchId,
    seq,
    end_to_end_id: batch.endToEndIds[seq] ?? '',
    reference_kind: item.referenceKind,
    reference_id: item.referenceId,
    person_id: batch.paid[seq]?.personId ?? '',
    cycle_id: batch.paid[seq]?.cycleId ?? null,
    // Safe: every box was checked non-null above.
    creditor_sealed: sealed[seq] as Buffer,
    account_kind: item.account.kind,
    bank_code: item.bank.bankCode ?? null,
    bank_bic: item.bank.bic ?? null,
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
