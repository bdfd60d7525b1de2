import { randomUUID } from 'node:crypto';
import type { OperatorActor } from '../../../shared/access/actor.js';
import { writeAuditEntry } from '../../../shared/audit/write-audit-entry.js';
import type { Grant } from '../../access/index.js';
import {
  accountCreator,
  accountFlags,
  type LedgerCurrency,
  lookupAccounts,
  transferCreator,
  transferFlags,
} from '../../ledger/index.js';
import { derivedId, walletAccountId } from '../accounts/account-ids.js';
import { nowOf, type PaymentsContext, type PaymentsDependencies } from '../payments-context.js';
import { PaymentsError } from '../payments-error.js';
import { guardLedgerAction } from '../payments-guard.js';
import type { AdjustmentReason, AdjustmentStatus, PaymentTables } from '../tables.js';
import { ControlsError } from './controls-error.js';
import { mayPostUnfrozen, touchesFrozenWallet } from './frozen-adjustment-guard.js';
import { frozenDestinations, type StoredFreeze } from './frozen-destination.js';

type AdjustmentRow = PaymentTables['payment_adjustment'];

/** An adjustment as the console and the auditor see it. */
export interface AdjustmentView {
  id: string;
  kind: AdjustmentRow['kind'];
  debitAccountId: string;
  creditAccountId: string;
  currency: LedgerCurrency;
  amountMinor: bigint;
  reasonCode: AdjustmentReason;
  note: string;
  status: AdjustmentStatus;
  proposedBy: string;
  proposedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  transferId: string | null;
  failure: string | null;
}

export interface AdjustmentProposal {
  debitAccountId: string;
  creditAccountId: string;
  currency: LedgerCurrency;
  amountMinor: bigint;
  reasonCode: AdjustmentReason;
  note: string;
}

/** The estate account of a currency: where a dead or erased person's frozen balance waits. */
export const estateAccountId = (currency: LedgerCurrency): string => derivedId('estate', currency);

/** The ledger transfer of an approved adjustment: one per adjustment, so it is applied once. */
export const adjustmentTransferId = (adjustmentId: string): string =>
  derivedId('adjustment', adjustmentId);

const resourceOf = (id: string | null) => ({ type: 'payment_adjustment' as const, id });

async function guardAdjust(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  id: string | null,
  exists = true,
): Promise<{ operator: OperatorActor; grant: Grant }> {
  const grant = await guardLedgerAction(deps, context, 'payment.adjust', resourceOf(id), exists);
  // Safe: `payment.adjust` is held by finance officers only, so the guard let an operator by.
  return { operator: context.actor as OperatorActor, grant };
}

/**
 * A finance officer proposes moving money between two ledger accounts, with a reason (issue
 * #16, point 7). Nothing moves until another finance officer approves (`adjustmentDecider`).
 * Both accounts must exist in the currency. A manual adjustment may neither debit nor credit a
 * frozen wallet (`AMP_ADJUSTMENT_WALLET_FROZEN`, audited as denied): its balance is moved only
 * by `frozenBalanceProposer`, which names its documented destination.
 */
export async function adjustmentProposer(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  proposal: AdjustmentProposal,
  frozen?: { personId: string },
): Promise<AdjustmentView> {
  const accounts = await lookupAccounts(deps.db, [
    proposal.debitAccountId,
    proposal.creditAccountId,
  ]);
  // An account that does not exist is refused by the gate, like a record that does not (404).
  const allowed = await guardAdjust(deps, context, null, accounts.length === 2);
  const { operator } = allowed;
  if (proposal.debitAccountId === proposal.creditAccountId)
    throw new ControlsError('AMP_ADJUSTMENT_INVALID', 'The two accounts must differ');
  if (accounts.some((account) => account.currency !== proposal.currency))
    throw new PaymentsError('AMP_CURRENCY_MISMATCH', 'Both accounts must be in the currency');
  if (frozen === undefined)
    await refuseFrozenWallet(deps, context, allowed, null, 'proposed', {
      kind: 'manual',
      debit_account_id: proposal.debitAccountId,
      credit_account_id: proposal.creditAccountId,
    });
  const id = randomUUID();
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('payment_adjustment')
      .values({
        id,
        kind: frozen === undefined ? 'manual' : 'frozen_balance',
        debit_account_id: proposal.debitAccountId,
        credit_account_id: proposal.creditAccountId,
        currency: proposal.currency,
        amount_minor: proposal.amountMinor,
        reason_code: proposal.reasonCode,
        note: proposal.note,
        person_id: frozen?.personId ?? null,
        proposed_by: operator.operatorId,
        proposed_at: nowOf(deps),
      })
      .execute();
    await deps.audit.appendInTransaction(trx, [auditOf(context, allowed, id, 'proposed')]);
  });
  return adjustmentById(deps, id);
}

/**
 * Another finance officer approves or rejects a proposed adjustment. The proposer cannot
 * (`AMP_ADJUSTMENT_SAME_PERSON`, and the database refuses it too). Approval claims the
 * proposal (proposed → approved, so two deciders cannot both win), then writes the ledger
 * transfer, whose id derives from the adjustment, over the daily limits (two people signed
 * it): applied, or failed with the ledger's refusal. An approval interrupted before the
 * transfer is finished by approving again (the derived id makes it harmless).
 */
export async function adjustmentDecider(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  id: string,
  decision: 'approve' | 'reject',
): Promise<AdjustmentView> {
  const existing = await findAdjustment(deps, id);
  const allowed = await guardAdjust(deps, context, id, existing !== undefined);
  const { operator } = allowed;
  if (existing === undefined)
    throw new PaymentsError('AMP_ACCOUNT_NOT_FOUND', 'No such adjustment');
  if (existing.proposed_by === operator.operatorId) {
    await deps.audit.append({
      ...auditOf(context, allowed, id, decision),
      outcome: 'denied',
      reasonCode: 'AMP_ADJUSTMENT_SAME_PERSON',
    });
    throw new ControlsError(
      'AMP_ADJUSTMENT_SAME_PERSON',
      'You proposed this adjustment: another finance officer decides it',
    );
  }
  const resumable = existing.status === 'approved' && existing.decided_by === operator.operatorId;
  if (existing.status !== 'proposed' && !resumable)
    throw new ControlsError('AMP_ADJUSTMENT_DECIDED', `The adjustment is ${existing.status}`);
  if (!resumable) {
    if (decision === 'approve')
      await refuseFrozenWallet(deps, context, allowed, id, decision, existing);
    const claimed = await deps.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('payment_adjustment')
        .set({
          status: decision === 'approve' ? 'approved' : 'rejected',
          decided_by: operator.operatorId,
          decided_at: nowOf(deps),
        })
        .where('id', '=', id)
        .where('status', '=', 'proposed')
        .executeTakeFirst();
      if (updated.numUpdatedRows !== 1n) return false;
      await deps.audit.appendInTransaction(trx, [auditOf(context, allowed, id, decision)]);
      return true;
    });
    if (!claimed) throw new ControlsError('AMP_ADJUSTMENT_DECIDED', 'Another decision came first');
  }
  if (decision === 'approve' && (await applyAdjustment(deps, existing)) === 'frozen') {
    const refusal = frozenRefusal(existing.kind);
    await deps.audit.append({
      ...auditOf(context, allowed, id, decision),
      outcome: 'denied',
      reasonCode: refusal.code,
    });
    throw refusal;
  }
  return adjustmentById(deps, id);
}

/**
 * The refusal of an adjustment that would touch a frozen wallet: a manual one, any frozen
 * wallet; a frozen-balance move, its destination frozen after the move was proposed.
 */
const frozenRefusal = (kind: AdjustmentRow['kind']) =>
  kind === 'manual'
    ? new ControlsError(
        'AMP_ADJUSTMENT_WALLET_FROZEN',
        "A frozen wallet's balance is moved only by the frozen-balance process; nothing was posted",
      )
    : new ControlsError(
        'AMP_ADJUSTMENT_DESTINATION_FROZEN',
        "The survivor's wallet was frozen after this move was proposed; nothing was posted: reject it and propose the move again",
      );

/**
 * The accounts an adjustment may not post to while they are frozen wallets: both for a manual
 * one; for a frozen-balance move, whose debit is the frozen wallet by design, its destination
 * (a survivor's wallet frozen since the proposal: the money would land in a frozen wallet).
 */
const guardedAccounts = (row: {
  kind: AdjustmentRow['kind'];
  debit_account_id: string;
  credit_account_id: string;
}): string[] =>
  row.kind === 'manual' ? [row.debit_account_id, row.credit_account_id] : [row.credit_account_id];

/** Refuses, audited as denied, an adjustment that would touch a frozen wallet it may not. */
async function refuseFrozenWallet(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  allowed: { operator: OperatorActor; grant: Grant },
  id: string | null,
  step: 'proposed' | 'approve',
  row: { kind: AdjustmentRow['kind']; debit_account_id: string; credit_account_id: string },
): Promise<void> {
  if (!(await touchesFrozenWallet(deps.db, guardedAccounts(row)))) return;
  const refusal = frozenRefusal(row.kind);
  await deps.audit.append({
    ...auditOf(context, allowed, id, step),
    outcome: 'denied',
    reasonCode: refusal.code,
  });
  throw refusal;
}

/** A freeze committed between an adjustment's approval and its transfer. */
class FrozenAtPosting extends Error {
  override readonly name = 'FrozenAtPosting';
}

/**
 * Writes an approved adjustment's transfer: applied, failed with the ledger's refusal, or — a
 * wallet it may not touch frozen after the approval was checked (`guardedAccounts`) — failed
 * as `frozen` with the refusal's code, nothing posted (the freeze read again in the ledger's
 * transaction, under the freeze's lock).
 */
async function applyAdjustment(
  deps: PaymentsDependencies,
  row: NonNullable<Awaited<ReturnType<typeof findAdjustment>>>,
): Promise<'applied' | 'failed' | 'frozen'> {
  const transferId = adjustmentTransferId(row.id);
  let outcome: Awaited<ReturnType<typeof transferCreator>>[number] | undefined;
  let frozen = false;
  try {
    [outcome] = await transferCreator(
      deps.db,
      async (trx) => {
        if (!(await mayPostUnfrozen(trx, guardedAccounts(row)))) throw new FrozenAtPosting();
        return [
          {
            id: transferId,
            debitAccountId: row.debit_account_id,
            creditAccountId: row.credit_account_id,
            amountMinor: BigInt(row.amount_minor),
            flags: transferFlags.none,
            currency: row.currency,
            reason: 'adjustment',
            referenceKind: 'adjustment',
            referenceId: row.id,
          },
        ];
      },
      { now: nowOf(deps), dailyDebitLimits: false },
    );
  } catch (error) {
    if (!(error instanceof FrozenAtPosting)) throw error;
    frozen = true;
  }
  const applied = outcome?.result === 'ok';
  await deps.db
    .updateTable('payment_adjustment')
    .set({
      status: applied ? 'applied' : 'failed',
      transfer_id: applied ? transferId : null,
      failure: applied
        ? null
        : frozen
          ? frozenRefusal(row.kind).code
          : (outcome?.result ?? 'no answer'),
    })
    .where('id', '=', row.id)
    .where('status', '=', 'approved')
    .execute();
  return applied ? 'applied' : frozen ? 'frozen' : 'failed';
}

/**
 * Proposes moving a frozen wallet's whole balance by the documented process (README,
 * "Frozen wallets"): after a merge, into the survivor's wallet in the same currency (opened if
 * it has none) — or where the survivor's own balance goes when it is frozen too
 * (`frozenDestinations`); after a death or an erasure, into the estate account of the
 * currency, where it waits for the heirs (paid out by a further adjustment). A second finance
 * officer approves it like any adjustment; a survivor frozen between the two is refused then.
 */
export async function frozenBalanceProposer(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  input: { personId: string; currency: LedgerCurrency; note: string },
): Promise<AdjustmentView> {
  const freeze = await deps.db
    .selectFrom('payment_wallet_freeze')
    .select(['person_id', 'reason', 'survivor_id'])
    .where('person_id', '=', input.personId)
    .executeTakeFirst();
  const wallet = walletAccountId(input.personId, input.currency);
  const [account] = await lookupAccounts(deps.db, [wallet]);
  // No frozen wallet there is refused by the gate, like a record that does not exist (404).
  await guardAdjust(deps, context, null, freeze !== undefined && account !== undefined);
  if (freeze === undefined || account === undefined) throw new Error('the gate refuses this');
  const balance = account.creditsPosted - account.debitsPosted - account.debitsPending;
  if (balance <= 0n)
    throw new ControlsError('AMP_ADJUSTMENT_INVALID', 'The frozen wallet holds nothing to move');
  const destination = await destinationOf(deps, freeze, input.currency);
  return adjustmentProposer(
    deps,
    context,
    {
      debitAccountId: wallet,
      creditAccountId: destination,
      currency: input.currency,
      amountMinor: balance,
      reasonCode:
        freeze.reason === 'merge'
          ? 'frozen_merge'
          : freeze.reason === 'death'
            ? 'frozen_death'
            : 'frozen_erasure',
      note: input.note,
    },
    { personId: input.personId },
  );
}

async function destinationOf(
  deps: PaymentsDependencies,
  freeze: StoredFreeze,
  currency: LedgerCurrency,
): Promise<string> {
  const destination = (await frozenDestinations(deps.db, [freeze])).get(freeze.person_id);
  const survivorId =
    destination === undefined || destination === 'estate' ? null : destination.survivorId;
  const id =
    survivorId === null ? estateAccountId(currency) : walletAccountId(survivorId, currency);
  await accountCreator(deps.db, [
    survivorId === null
      ? { id, currency, kind: 'suspense', flags: accountFlags.none }
      : {
          id,
          currency,
          kind: 'beneficiary_wallet',
          flags: accountFlags.debitsMustNotExceedCredits,
          referenceId: survivorId,
        },
  ]);
  return id;
}

/** Adjustments, newest first, optionally of one status (`payment.ledger_read`, audited). */
export async function adjustmentLister(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  status: AdjustmentView['status'] | undefined,
): Promise<AdjustmentView[]> {
  const grant = await guardLedgerAction(deps, context, 'payment.ledger_read', resourceOf(null));
  let query = deps.db.selectFrom('payment_adjustment').selectAll();
  if (status !== undefined) query = query.where('status', '=', status);
  const rows = await query.orderBy('proposed_at', 'desc').limit(200).execute();
  await grant.record([]);
  return rows.map(viewOf);
}

async function findAdjustment(deps: PaymentsDependencies, id: string) {
  return deps.db
    .selectFrom('payment_adjustment')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
}

async function adjustmentById(deps: PaymentsDependencies, id: string): Promise<AdjustmentView> {
  const row = await findAdjustment(deps, id);
  if (row === undefined) throw new Error('the adjustment just written is missing');
  return viewOf(row);
}

function viewOf(row: Awaited<ReturnType<typeof findAdjustment>> & object): AdjustmentView {
  return {
    id: row.id,
    kind: row.kind,
    debitAccountId: row.debit_account_id,
    creditAccountId: row.credit_account_id,
    currency: row.currency,
    amountMinor: BigInt(row.amount_minor),
    reasonCode: row.reason_code,
    note: row.note,
    status: row.status,
    proposedBy: row.proposed_by,
    proposedAt: row.proposed_at.toISOString(),
    decidedBy: row.decided_by,
    decidedAt: row.decided_at?.toISOString() ?? null,
    transferId: row.transfer_id,
    failure: row.failure,
  };
}

function auditOf(
  context: PaymentsContext,
  allowed: { operator: OperatorActor; grant: Grant },
  id: string | null,
  step: 'proposed' | 'approve' | 'reject',
) {
  return writeAuditEntry(
    {
      actor: allowed.operator,
      action: 'payment.adjust',
      regionCode: null,
      grant: { principal: String(allowed.grant.principal), purpose: allowed.grant.purpose },
    },
    resourceOf(id),
    [step === 'proposed' ? 'proposal' : step === 'approve' ? 'approval' : 'rejection'],
    context.requestId,
  );
}
