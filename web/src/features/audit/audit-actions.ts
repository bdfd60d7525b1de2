import { actions } from '../../../../src/shared/access/policy.js';

/**
 * Every action an audit entry can name: the policy's actions (docs/ACCESS.md) and those the
 * server records outside the decision table (sign-ins, sessions, the erasure's execution, the
 * tree head's own signing, batch jobs). Each has a label under `action.` in both languages;
 * `console-text.test.ts` finds every action the server's code records and fails on one missing
 * here, so a new action never shows up as a raw code.
 */
export const auditActions: readonly string[] = [
  ...actions,
  'person.erasure_execute',
  'person.erasure_list',
  'person.dedup',
  'person.eligibility_sealed_read',
  'person.contact_read',
  'citizen.sign_in',
  'payee.stop',
  'citizen_code.send',
  'operator.sign_in',
  'operator.password_change',
  'operator.grant_request',
  'operator.grant_approve',
  'operator.grant_refuse',
  'operator.enrol',
  'session.sign_out',
  'session.device_token_create',
  'session.device_token_revoke',
  'audit.tree_head.sign',
];
