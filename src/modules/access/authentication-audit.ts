import type { FastifyRequest } from 'fastify';
import type { Actor } from '../../shared/access/actor.js';
import { auditActorOf } from '../../shared/audit/audit-actor.js';
import type { AuditEntryInput } from '../../shared/audit/audit-entry.js';
import type { AuthenticationEvent, SignInAttemptEvent } from './authentication-events.js';

/**
 * Turns sign-in attempts and session events into audit entries, so every attempt — the
 * refused ones above all — is in the tamper-evident log. A citizen sign-in is recorded
 * against the person, so it shows in their own access history ("someone tried to sign in
 * as you"). Nothing typed by the user (username, code, password) is recorded.
 */
export function signInAuditEntry(
  event: SignInAttemptEvent,
  request: FastifyRequest,
): AuditEntryInput {
  const outcome = event.outcome === 'success' ? 'allowed' : 'denied';
  if (event.kind === 'citizen') {
    return {
      actor: { kind: 'citizen', id: event.personId ?? 'unknown', role: null, region: null },
      action: 'citizen.sign_in',
      resource: { type: 'person', id: event.personId },
      purpose: 'self',
      fields: [],
      outcome,
      reasonCode: event.reason,
      requestId: request.id,
    };
  }
  return {
    actor: { kind: 'operator', id: event.operatorId ?? 'unknown', role: null, region: null },
    action: 'operator.sign_in',
    resource: { type: 'operator', id: event.operatorId },
    purpose: null,
    fields: [],
    outcome,
    reasonCode: event.reason,
    requestId: request.id,
  };
}

/** The entry for a session event; null when the route audits it itself (a clerk's slip code). */
export function authenticationAuditEntry(
  event: AuthenticationEvent,
  request: FastifyRequest,
): AuditEntryInput | null {
  const actor = auditActorOf(request.actor, sessionRoleOf(request.actor), null);
  const base = {
    actor,
    purpose: null,
    fields: [],
    outcome: 'allowed' as const,
    reasonCode: null,
    requestId: request.id,
  };
  switch (event.type) {
    case 'sign_out':
      return { ...base, action: 'session.sign_out', resource: { type: 'operator', id: null } };
    case 'device_token_created':
      return {
        ...base,
        action: 'session.device_token_create',
        resource: { type: 'operator', id: event.operatorId },
      };
    case 'device_token_revoked':
      return {
        ...base,
        action: 'session.device_token_revoke',
        resource: { type: 'operator', id: event.operatorId },
      };
    case 'password_changed':
      return {
        ...base,
        action: 'operator.password_change',
        resource: { type: 'operator', id: event.operatorId },
      };
    case 'operator_enrolled':
      return {
        ...base,
        actor: { kind: 'operator', id: event.operatorId, role: null, region: null },
        action: 'operator.enrol',
        resource: { type: 'operator', id: event.operatorId },
        fields: ['password', 'totp_secret'],
      };
    case 'citizen_code_issued':
      if (event.channel === 'slip') return null;
      return {
        ...base,
        action: 'citizen_code.send',
        resource: { type: 'person', id: event.personId },
        purpose: 'self',
      };
  }
}

/**
 * The role a session event runs under: a citizen acts as themself, a system job as 'system';
 * an operator's session events come before any of their roles applies.
 */
function sessionRoleOf(actor: Actor | null): string | null {
  if (actor?.kind === 'citizen') return 'citizen';
  if (actor?.kind === 'system') return 'system';
  return null;
}
