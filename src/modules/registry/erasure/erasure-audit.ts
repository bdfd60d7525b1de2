import { AmparoError, type ErrorCode } from '../../../platform/errors.js';
import type { Actor, OperatorActor, Purpose } from '../../../shared/access/actor.js';
import { auditActorOf } from '../../../shared/audit/audit-actor.js';
import type { AuditEntryInput } from '../../../shared/audit/audit-entry.js';
import type { ErasureDependencies } from './erasure-view.js';

/**
 * Audit entries of the erasure verbs. The person access gate audits its own refusals; these
 * are the decisions taken after it let an administrator through.
 */
export interface EntryContext {
  action: string;
  resource: AuditEntryInput['resource'];
  regionCode: string | null;
}

interface EntryProps {
  purpose: Purpose | null;
  requestId: string;
}

/**
 * An allowed step by an administrator, e.g. `person.erasure_execute`.
 *
 * @example
 *   entry(admin, { action: 'person.erasure_request', resource, regionCode: 'VE-A', purpose: 'appeal', requestId });
 */
export function entry(
  admin: OperatorActor,
  input: EntryContext & EntryProps & { fields?: readonly string[] },
): AuditEntryInput {
  return {
    actor: auditActorOf(admin, 'administrator', input.regionCode),
    action: input.action,
    resource: input.resource,
    purpose: input.purpose,
    fields: input.fields ?? [],
    outcome: 'allowed',
    reasonCode: null,
    requestId: input.requestId,
  };
}

/** Audits a refusal made after the gate let the administrator through, then throws it. */
export async function refuse(
  deps: ErasureDependencies,
  props: EntryProps,
  admin: OperatorActor,
  context: EntryContext,
  code: ErrorCode,
  detail: string,
): Promise<never> {
  await deps.audit.append({
    ...entry(admin, { ...context, ...props }),
    // Like the gate's refusals: no role or region was exercised.
    actor: auditActorOf(admin, null, null),
    outcome: 'denied',
    reasonCode: code,
  });
  throw new AmparoError(code, { detail });
}

/**
 * Erasure is decided by people: a system job (which the policy lets do anything) may not
 * request or approve it, since two humans are the safeguard. Citizens never get this far
 * (the gate refuses them), nor does an absent actor (401).
 */
export async function humanAdministrator(
  deps: ErasureDependencies,
  props: EntryProps & { actor: Actor | null },
  context: EntryContext,
): Promise<OperatorActor> {
  const { actor } = props;
  if (actor?.kind === 'operator') return actor;
  await deps.audit.append({
    actor: {
      kind: actor?.kind ?? 'system',
      id: actor?.kind === 'system' ? actor.job : (actor?.personId ?? 'unknown'),
      role: null,
      region: null,
    },
    action: context.action,
    resource: context.resource,
    purpose: props.purpose,
    fields: [],
    outcome: 'denied',
    reasonCode: 'AMP_FORBIDDEN',
    requestId: props.requestId,
  });
  throw new AmparoError('AMP_FORBIDDEN', {
    detail: 'Erasure is requested and approved by administrators signed in as themselves',
  });
}
