import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type { Action } from '../../../shared/access/policy.js';
import { auditActorOf } from '../../../shared/audit/audit-actor.js';
import type { AuditEntryInput } from '../../../shared/audit/audit-entry.js';
import { type AllowedWrite, writeAuditEntry } from '../../../shared/audit/write-audit-entry.js';
import { type Grant, guardPersonAccess } from '../../access/index.js';
import type { PaymentsContext, PaymentsDependencies } from '../payments-context.js';

/**
 * What the payout verbs need beyond the module's dependencies: the master key, which unwraps
 * the paid persons' data keys that seal each creditor (creditor-seal.ts).
 */
export type PayoutDependencies = PaymentsDependencies & { masterKey: Buffer };

/** What the gate allowed: the grant (which records the read) and the write for audit entries. */
export interface PayoutGrant {
  grant: Grant;
  write: AllowedWrite & { requestId: string };
}

/**
 * The gate in front of every payout route: the decision table by role and purpose (the
 * payout actions have scope `any`: a bank file is not of one region), a missing batch
 * answered like a record outside one's scope (404), every refusal audited.
 */
export async function guardPayout(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  action: Action,
  resource: AuditEntryInput['resource'],
  exists: boolean,
): Promise<PayoutGrant> {
  const grant = await guardPersonAccess(deps, {
    actor: context.actor,
    action,
    resource,
    regionCode: null,
    personId: null,
    exists,
    purpose: context.purpose,
    requestId: context.requestId,
    countsAsPersonRead: false,
  });
  if (context.actor === null) throw new Error('the guard lets no anonymous request through');
  return {
    grant,
    write: { actor: context.actor, action, regionCode: null, grant, requestId: context.requestId },
  };
}

/** A payout batch as the audit log names it. */
export interface BatchResource {
  type: 'payout_batch';
  id: string;
}

/**
 * The gate of a route naming one batch: whether it exists (read before the decision, which
 * answers a missing batch like one outside one's scope, 404), then `guardPayout` over it.
 *
 * @example
 *   const { write, resource } = await guardBatch(deps, context, 'payout.manage', batchId);
 */
export async function guardBatch(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  action: Action,
  batchId: string,
): Promise<PayoutGrant & { resource: BatchResource; exists: boolean }> {
  const exists = await payoutBatchExists(deps.db, batchId);
  const resource: BatchResource = { type: 'payout_batch', id: batchId };
  return { ...(await guardPayout(deps, context, action, resource, exists)), resource, exists };
}

export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Whether a batch of that id exists (a malformed id is simply not one): the routes that name a
 * batch answer 404 for both, after the access decision, so existence is not told to a caller
 * the decision refuses.
 */
export async function payoutBatchExists(db: Kysely<Database>, batchId: string): Promise<boolean> {
  if (!uuidPattern.test(batchId)) return false;
  const row = await db
    .selectFrom('payout_batch')
    .select('id')
    .where('id', '=', batchId)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The gate of a payout list (`payout.read`, no one record: the batches, the flagged payments,
 * the suspense report): `guardPayout` over the kind listed, which always exists.
 *
 * @example
 *   const { grant } = await guardPayoutList(deps, context, 'payout_batch');
 */
export function guardPayoutList(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  listed: 'payout_batch' | 'bank_file',
): Promise<PayoutGrant> {
  return guardPayout(deps, context, 'payout.read', { type: listed, id: null }, true);
}

/** The audit entry of a refusal after the gate allowed (a malformed file, no money). */
export function refusedAfterGate(
  write: PayoutGrant['write'],
  resource: AuditEntryInput['resource'],
  reasonCode: string,
): AuditEntryInput {
  return {
    actor: auditActorOf(write.actor, write.grant.principal, null),
    action: write.action,
    resource,
    purpose: write.grant.purpose,
    fields: [],
    outcome: 'denied',
    reasonCode,
    requestId: write.requestId,
  };
}

/** Runs `work`; a coded refusal it throws is audited as denied, then thrown on. */
export async function auditingRefusals<T>(
  deps: PaymentsDependencies,
  write: PayoutGrant['write'],
  resource: AuditEntryInput['resource'],
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : null;
    if (code?.startsWith('AMP_')) await deps.audit.append(refusedAfterGate(write, resource, code));
    throw error;
  }
}

/** Audit entries appended at once: a batch of 100,000 persons goes in chunks of this many. */
const auditEntriesPerAppend = 2_000;

/**
 * One audit entry per person whose payout data the gated act read (`fields`, the same for each),
 * appended in `trx` a chunk at a time, so each person's access history shows it.
 *
 * @example
 *   await appendPersonReads(deps, trx, write, personIds, ['payee_account']);
 */
export async function appendPersonReads(
  deps: PaymentsDependencies,
  trx: Transaction<Database>,
  write: PayoutGrant['write'],
  personIds: readonly string[],
  fields: readonly string[],
): Promise<void> {
  for (let start = 0; start < personIds.length; start += auditEntriesPerAppend) {
    await deps.audit.appendInTransaction(
      trx,
      personIds
        .slice(start, start + auditEntriesPerAppend)
        .map((personId) =>
          writeAuditEntry(write, { type: 'person', id: personId }, fields, write.requestId),
        ),
    );
  }
}
