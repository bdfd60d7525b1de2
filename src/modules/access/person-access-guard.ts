import type { Kysely, RawBuilder, Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import { AmparoError, type ErrorCode } from '../../platform/errors.js';
import type { Actor, OperatorActor, Purpose } from '../../shared/access/actor.js';
import type { GuardedAccess } from '../../shared/access/guard-port.js';
import { authorize, type Principal, type Refusal } from '../../shared/access/policy.js';
import { auditActorOf } from '../../shared/audit/audit-actor.js';
import type { AuditEntryInput } from '../../shared/audit/audit-entry.js';
import { consumePersonReads } from './read-quota.js';
import { rememberGrant } from './request-grants.js';

/** The part of the audit log the guard needs. */
export interface AuditRecorder {
  append(entry: AuditEntryInput): Promise<unknown>;
}

/** An audit recorder that also appends inside a write's own transaction. */
export interface TransactionalAuditRecorder extends AuditRecorder {
  appendInTransaction(
    trx: Transaction<Database>,
    entries: readonly AuditEntryInput[],
  ): Promise<unknown>;
  /**
   * The audit log's staged path (`AuditLog.stageInTransaction` and `settle`, migration 0077):
   * the entry commits with the transaction without the appender's global lock, and is moved
   * into the log by group commit after it. Use `auditInTransaction`, which falls back to
   * `appendInTransaction` for a recorder without it.
   */
  stageInTransaction?(
    trx: Transaction<Database>,
    entries: readonly AuditEntryInput[],
  ): Promise<StagedAudit>;
  settle?(staged: StagedAudit): Promise<void>;
  /** `stageInTransaction` as a statement the caller runs (`AuditLog.stagedStatement`). */
  stagedStatement?(entries: readonly AuditEntryInput[]): {
    staged: StagedAudit;
    statement: RawBuilder<unknown>;
  };
}

/** Entries staged in a transaction, to be settled once it has committed. */
export interface StagedAudit {
  readonly items: readonly { id: string; text: string; time: string }[];
}

/**
 * Records entries with a write's transaction on a hot path (a redemption, a transfer): staged
 * when the recorder can (no global lock held to the commit, so concurrent writers share the
 * audit log's commits), appended in the transaction otherwise. Call the answer after the
 * transaction has committed and before answering the request: it resolves once the entries
 * are in the log. Not for transactions that change roles, regions or a person's region (the
 * change trail pairs those with the request id `appendInTransaction` sets).
 *
 * @example
 *   let settle = async () => {};
 *   await db.transaction().execute(async (trx) => {
 *     // …the write…
 *     settle = await auditInTransaction(deps.audit, trx, [entry]);
 *   });
 *   await settle();
 */
export async function auditInTransaction(
  audit: TransactionalAuditRecorder,
  trx: Transaction<Database>,
  entries: readonly AuditEntryInput[],
): Promise<() => Promise<void>> {
  const { stageInTransaction, settle } = audit;
  if (stageInTransaction === undefined || settle === undefined) {
    await audit.appendInTransaction(trx, entries);
    return async () => undefined;
  }
  const staged = await stageInTransaction.call(audit, trx, entries);
  return () => settle.call(audit, staged);
}

/**
 * `auditInTransaction` for a hot path that folds the staging into its own last write: the
 * statement to embed as a data-modifying CTE (`with staged as (${statement}) …`), and what to
 * call after the commit. Undefined for a recorder without the staged path: then call
 * `auditInTransaction` instead.
 *
 * @example
 *   const folded = foldedAudit(deps.audit, [entry]);
 *   // … sql`with staged as (${folded.statement}), … ` in the transaction …
 *   await folded.settle();
 */
export function foldedAudit(
  audit: TransactionalAuditRecorder,
  entries: readonly AuditEntryInput[],
): { statement: RawBuilder<unknown>; settle: () => Promise<void> } | undefined {
  const { stagedStatement, settle } = audit;
  if (stagedStatement === undefined || settle === undefined || entries.length === 0) {
    return undefined;
  }
  const { staged, statement } = stagedStatement.call(audit, entries);
  return { statement, settle: () => settle.call(audit, staged) };
}

export interface GuardDependencies {
  db: Kysely<Database>;
  audit: AuditRecorder;
}

export type { GuardedAccess };

/**
 * Permission to go ahead; `record` writes the audit entry and must be awaited before answering.
 * In an HTTP request the gate remembers the grant until its entry is written (by `record`, or
 * by the module in its own transaction): if the request ends in an error answer first (a
 * refusal after the gate, such as separation of duties; a conflict; a failure), the error
 * handler audits it as denied with the answer's code (docs/ACCESS.md, "Audited grants").
 */
export interface Grant {
  principal: Principal | 'system';
  purpose: Purpose | null;
  record(fields: readonly string[]): Promise<void>;
  /**
   * The entry `record` would append, for a write that stages it in its own transaction
   * (`foldedAudit`, `auditInTransaction`) instead of calling `record` after its commit: the
   * entry then commits with the write or not at all, and the grant counts as recorded once
   * that transaction has committed.
   */
  allowedEntry(fields: readonly string[]): AuditEntryInput;
}

const refusalAnswer: Record<Refusal, { code: ErrorCode; detail: string }> = {
  no_role: { code: 'AMP_FORBIDDEN', detail: 'None of your roles may do this' },
  purpose_required: {
    code: 'AMP_FORBIDDEN',
    detail: 'State the purpose of this access (query parameter purpose)',
  },
  purpose_not_allowed: {
    code: 'AMP_FORBIDDEN',
    detail: 'Your roles may not do this for that purpose',
  },
  // Outside the operator's regions looks exactly like a record that does not exist.
  outside_scope: { code: 'AMP_NOT_FOUND', detail: 'No such record' },
};

/**
 * The one gate in front of person-level data (safeguards 2, 3 and 10). Decides by role,
 * region and purpose; counts the read against the operator's quota; audits every attempt,
 * refused or allowed; and refuses without revealing whether a record exists.
 *
 * @example
 *   const grant = await guardPersonAccess(deps, { actor, action: 'person.read', … });
 *   const view = …; await grant.record(Object.keys(view.attributes)); return view;
 */
export async function guardPersonAccess(
  deps: GuardDependencies,
  access: GuardedAccess,
): Promise<Grant> {
  const { actor } = access;
  if (actor === null) throw new AmparoError('AMP_UNAUTHENTICATED');
  const decision = authorize(
    actor,
    access.action,
    {
      regionCode: access.regionCode,
      personId: access.personId,
      staffOperatorIds: access.staffOperatorIds,
    },
    access.purpose,
  );
  if (!decision.allowed && decision.refusal !== 'outside_scope') {
    await refuse(deps, access, actor, refusalAnswer[decision.refusal]);
  }
  if (actor.kind === 'operator' && access.countsAsPersonRead) {
    try {
      await consumePersonReads(deps.db, actor, 1);
    } catch (error) {
      if (error instanceof AmparoError)
        await refuse(
          deps,
          access,
          actor,
          { code: error.code, detail: error.detail ?? error.title },
          error,
        );
      throw error;
    }
  }
  if (!decision.allowed || !access.exists)
    await refuse(deps, access, actor, refusalAnswer.outside_scope);
  // Safe: every refusing path above throws.
  const allowed = decision as Extract<typeof decision, { allowed: true }>;
  // Refused later, it is audited like a refusal of the gate: the same entry, with the code.
  const done = rememberGrant(entryFor(access, actor, null, 'denied', null, []), deps.audit);
  return {
    principal: allowed.principal,
    purpose: allowed.purpose,
    record: async (fields) => {
      await deps.audit.append(entryFor(access, actor, allowed.principal, 'allowed', null, fields));
      done();
    },
    allowedEntry: (fields) => entryFor(access, actor, allowed.principal, 'allowed', null, fields),
  };
}

async function refuse(
  deps: GuardDependencies,
  access: GuardedAccess,
  actor: Actor,
  answer: { code: ErrorCode; detail: string },
  error?: AmparoError,
): Promise<never> {
  await deps.audit.append(entryFor(access, actor, null, 'denied', answer.code, []));
  throw error ?? new AmparoError(answer.code, { detail: answer.detail });
}

function entryFor(
  access: GuardedAccess,
  actor: Actor,
  principal: Principal | 'system' | null,
  outcome: 'allowed' | 'denied',
  reasonCode: string | null,
  fields: readonly string[],
): AuditEntryInput {
  return {
    // A system job acts as 'system' even when refused (the policy refuses it nothing, so only
    // a missing record does).
    actor: auditActorOf(
      actor,
      actor.kind === 'system' ? 'system' : principal,
      outcome === 'allowed' ? access.regionCode : null,
    ),
    action: access.action,
    resource: access.resource,
    purpose: access.purpose,
    fields,
    outcome,
    reasonCode,
    requestId: access.requestId,
  };
}

/**
 * The gate for an action over many records at once (a search, an import, a review listing):
 * decided and audited like a single access, with the operator's first region standing for the
 * scope, then narrowed to every region where the operator's roles allow the action for the
 * purpose. Only an operator passes.
 *
 * @example
 *   const { grant, operator, regions } = await guardRegionalAccess(deps, { actor,
 *     action: 'person.search', resource: { type: 'person', id: null }, purpose, requestId });
 *   // query only `regions`; then await grant.record(fields)
 */
export async function guardRegionalAccess(
  deps: GuardDependencies,
  access: Pick<GuardedAccess, 'actor' | 'action' | 'resource' | 'purpose' | 'requestId'>,
): Promise<{ grant: Grant; operator: OperatorActor; regions: string[] }> {
  const held = access.actor?.kind === 'operator' ? access.actor.regions : [];
  const grant = await guardPersonAccess(deps, {
    ...access,
    regionCode: held[0] ?? null,
    personId: null,
    exists: true,
    countsAsPersonRead: false,
  });
  // Safe: the guard refuses citizens and operators without a rule; a system actor has no regions.
  const operator = access.actor as OperatorActor;
  const regions = held.filter(
    (regionCode) =>
      authorize(operator, access.action, { regionCode, personId: null }, access.purpose).allowed,
  );
  return { grant, operator, regions };
}
