import { type Kysely, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type { PaymentsContext } from '../payments-context.js';
import { PaymentsError } from '../payments-error.js';
import { batchSummary, type PayoutBatchSummary } from './batch-reader.js';
import { openCreditors } from './creditor-seal.js';
import {
  appendPersonReads,
  auditingRefusals,
  guardBatch,
  type PayoutDependencies,
  type PayoutGrant,
} from './payout-gate.js';

/**
 * A payment of a batch whose creditor account is not the one its person was last paid to
 * (or whose person was never paid by bank before): what the approver must confirm, one by one.
 * Only the last four characters of each account are shown.
 */
export interface PayeeChange {
  endToEndId: string;
  amountMinor: bigint;
  accountKind: 'bank_account' | 'mobile_money';
  bankCode: string | null;
  accountEnding: string;
  /** The account the person was last paid to (a settled payment), its last four; null if none. */
  previousAccountEnding: string | null;
}

/** The fields of a person the payee check reads, as their access history names them. */
const payeeCheckFields = ['account_number'] as const;

/**
 * The payments of a batch paid to another account than their person's last settled payment by
 * bank (`payout_instruction` of other batches, status `settled`), in file order. Opens the
 * creditors of both (the persons' data keys): the caller audits the persons read.
 */
async function payeeChangesOf(
  deps: Pick<PayoutDependencies, 'db' | 'masterKey'>,
  batchId: string,
): Promise<{ changes: PayeeChange[]; personIds: string[] }> {
  const rows = await deps.db
    .selectFrom('payout_instruction')
    .select(['id', 'person_id', 'creditor_sealed', 'end_to_end_id', 'amount_minor'])
    .select(['account_kind', 'bank_code'])
    .where('batch_id', '=', batchId)
    .where('status', 'not in', ['refused', 'cancelled'])
    .orderBy('seq')
    .execute();
  if (rows.length === 0) return { changes: [], personIds: [] };
  const personIds = [...new Set(rows.map((row) => row.person_id))];
  const previous = await lastSettled(deps.db, batchId, personIds);
  const opened = await openCreditors(deps.db, deps.masterKey, rows);
  const before = await openCreditors(deps.db, deps.masterKey, [...previous.values()]);
  const beforeByPerson = new Map(
    [...previous.values()].map((row, index) => [row.person_id, { row, creditor: before[index] }]),
  );
  const changes: PayeeChange[] = [];
  rows.forEach((row, index) => {
    const account = opened[index]?.accountNumber ?? '';
    const last = beforeByPerson.get(row.person_id);
    const same =
      last?.creditor != null &&
      last.creditor.accountNumber === account &&
      last.row.account_kind === row.account_kind &&
      last.row.bank_code === row.bank_code;
    if (same) return;
    changes.push({
      endToEndId: row.end_to_end_id,
      amountMinor: BigInt(row.amount_minor),
      accountKind: row.account_kind,
      bankCode: row.bank_code,
      accountEnding: account.slice(-4),
      previousAccountEnding: last?.creditor?.accountNumber.slice(-4) ?? null,
    });
  });
  return { changes, personIds };
}

/** Each person's latest settled payment by bank in another batch. */
async function lastSettled(db: Kysely<Database>, batchId: string, personIds: readonly string[]) {
  const rows = await db
    .selectFrom('payout_instruction')
    .select(['id', 'person_id', 'creditor_sealed', 'account_kind', 'bank_code'])
    .distinctOn('person_id')
    .where('person_id', '=', sql<string>`any(${[...personIds]}::uuid[])`)
    .where('batch_id', '<>', batchId)
    .where('status', '=', 'settled')
    .orderBy('person_id')
    .orderBy('updated_at', 'desc')
    .execute();
  return new Map(rows.map((row) => [row.person_id, row]));
}

/** One audit entry per person whose payee account was read for the check. */
async function auditPayeeReads(
  deps: PayoutDependencies,
  write: PayoutGrant['write'],
  personIds: readonly string[],
): Promise<void> {
  if (personIds.length === 0) return;
  await deps.db
    .transaction()
    .execute((trx) => appendPersonReads(deps, trx, write, personIds, payeeCheckFields));
}

/** Refuses the batch's maker: the approval is a second finance officer's (audited as denied). */
function refuseMaker(context: PaymentsContext, createdBy: string | null): string {
  const actor = context.actor;
  if (actor?.kind !== 'operator') {
    throw new PaymentsError(
      'AMP_APPROVAL_SAME_OPERATOR',
      'A batch is approved by a finance officer',
    );
  }
  if (actor.operatorId === createdBy) {
    throw new PaymentsError(
      'AMP_APPROVAL_SAME_OPERATOR',
      'The finance officer who made the batch cannot approve it: a second one must',
    );
  }
  return actor.operatorId;
}

/**
 * The payee check a second finance officer reads before approving (`payout.approve`): the
 * payments to an account other than the person's last paid one, last four characters only.
 * Each person read is audited (their access history shows it). The batch's maker is refused.
 */
export async function payoutPayeeChangesReader(
  deps: PayoutDependencies,
  context: PaymentsContext,
  batchId: string,
): Promise<PayeeChange[]> {
  const { grant, write, resource } = await guardBatch(deps, context, 'payout.approve', batchId);
  return auditingRefusals(deps, write, resource, async () => {
    const batch = await deps.db
      .selectFrom('payout_batch')
      .select('created_by')
      .where('id', '=', batchId)
      .executeTakeFirstOrThrow();
    refuseMaker(context, batch.created_by);
    const { changes, personIds } = await payeeChangesOf(deps, batchId);
    await auditPayeeReads(deps, write, personIds);
    await grant.record([]);
    return changes;
  });
}

/**
 * A second finance officer approves a ready batch (`payout.approve`), after which its pain.001
 * may be downloaded. The maker cannot (`AMP_APPROVAL_SAME_OPERATOR`; the database refuses it
 * too). Every payment to an account other than its person's last paid one must be among
 * `confirmedEndToEndIds`, or the approval is refused naming them
 * (`AMP_PAYEE_CHANGE_UNCONFIRMED`). Approving an approved batch answers it unchanged.
 *
 * @example
 *   await payoutBatchApprover(deps, context, batchId, { confirmedEndToEndIds: ['E2E-1'] });
 */
export async function payoutBatchApprover(
  deps: PayoutDependencies,
  context: PaymentsContext,
  batchId: string,
  props: { confirmedEndToEndIds: readonly string[] },
): Promise<PayoutBatchSummary> {
  const { grant, write, resource } = await guardBatch(deps, context, 'payout.approve', batchId);
  await auditingRefusals(deps, write, resource, async () => {
    const batch = await deps.db
      .selectFrom('payout_batch')
      .select(['status', 'created_by', 'approved_at'])
      .where('id', '=', batchId)
      .executeTakeFirstOrThrow();
    const approver = refuseMaker(context, batch.created_by);
    if (batch.approved_at !== null) return;
    if (batch.status !== 'ready') {
      throw new PaymentsError(
        'AMP_APPROVAL_REQUIRED',
        `Only a ready batch is approved; this one is ${batch.status}`,
      );
    }
    const { changes, personIds } = await payeeChangesOf(deps, batchId);
    await auditPayeeReads(deps, write, personIds);
    const confirmed = new Set(props.confirmedEndToEndIds);
    const unconfirmed = changes.filter((change) => !confirmed.has(change.endToEndId));
    if (unconfirmed.length > 0) {
      throw new PaymentsError(
        'AMP_PAYEE_CHANGE_UNCONFIRMED',
        `${unconfirmed.length} payment(s) go to an account other than the person's last paid one: confirm each`,
        unconfirmed.slice(0, 100).map((change) => ({
          field: `/confirmedEndToEndIds/${change.endToEndId}`,
          reason: 'a new payee account, not confirmed',
        })),
      );
    }
    await deps.db
      .updateTable('payout_batch')
      .set({
        approved_by: approver,
        approved_at: deps.now?.() ?? new Date(),
        payee_changes_confirmed: changes.length,
      })
      .where('id', '=', batchId)
      .where('approved_at', 'is', null)
      .execute();
  });
  await grant.record([]);
  return batchSummary(deps.db, batchId);
}
