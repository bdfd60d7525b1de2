import type { Actor, Purpose } from './actor.js';
import type { Role } from './roles.js';

/**
 * The policy layer (safeguard 2): who may do what, to which record, for which purpose.
 * `decisionTable` must equal the table in docs/ACCESS.md; `policy.test.ts` parses the
 * document and fails when they differ.
 */
export const actions = [
  'person.read',
  'person.search',
  'person.enrol',
  'person.correct',
  'person.record_death',
  'person.merge',
  'person.move',
  'person.import',
  'person.access_history',
  'person.messages',
  'person.erasure_request',
  'person.erasure_approve',
  'credential.issue',
  'credential.revoke',
  'credential.read',
  'credential.download',
  'citizen_code.issue',
  'audit.read',
  'alert.read',
  'statistics.read',
  'operator.manage',
  'person.benefits',
  'appeal.file',
  'appeal.read',
  'appeal.decide',
  'program.read',
  'program.manage',
  'program.publish_decide',
  'cycle.approve',
  'distribution.point_manage',
  'distribution.point_read',
  'distribution.stock_record',
  'distribution.stock_adjust',
  'distribution.stock_count',
  'distribution.transfer_accept',
  'distribution.transfer_refuse',
  'distribution.transfer_cancel',
  'distribution.redeem',
  'distribution.assisted_redeem',
  'distribution.assisted_review',
  'distribution.reconcile_sign',
  'distribution.device_manage',
  'distribution.offline_sync',
  'distribution.dispute_decide',
  'distribution.entitlement_hold',
  'distribution.proof_key_read',
  'distribution.proof_key_rotate',
  'notification.dashboard',
  'notification.content',
  'payout.manage',
  'payout.approve',
  'payout.reconcile',
  'payout.return_confirm',
  'payout.return_reject',
  'payout.read',
  'payment.fund',
  'payment.disburse',
  'payment.ledger_read',
  'payment.wallet_read',
  'payment.adjust',
  'payment.paying_account_set',
  'merchant.manage',
  'merchant.approve',
  'merchant.read',
  'merchant.request',
  'merchant.counter_pay',
  'merchant.counter_assisted_pay',
  'merchant.counter_assisted_review',
  'merchant.refund',
  'merchant.settle',
  'payment.pay',
  'payment.pin_set',
  'payment.pin_reset',
  'payment.pin_approve',
  'payee.read',
  'payee.set',
  'payee.approve',
] as const;
export type Action = (typeof actions)[number];

export type Scope = 'region' | 'own' | 'any' | 'merchant';
export type Principal = Role | 'citizen';

export interface PolicyRule {
  action: Action;
  role: Principal;
  purposes: readonly Purpose[];
  scope: Scope;
}

const rule = (action: Action, role: Principal, purposes: Purpose[], scope: Scope): PolicyRule => ({
  action,
  role,
  purposes,
  scope,
});

export const decisionTable: readonly PolicyRule[] = [
  rule('person.read', 'enrolment_clerk', ['enrolment'], 'region'),
  rule('person.read', 'registry_supervisor', ['enrolment', 'appeal'], 'region'),
  rule('person.read', 'program_officer', ['eligibility_review', 'appeal'], 'region'),
  rule('person.read', 'auditor', ['audit'], 'region'),
  rule('person.read', 'citizen', ['self'], 'own'),
  rule('person.search', 'enrolment_clerk', ['enrolment'], 'region'),
  rule('person.search', 'registry_supervisor', ['enrolment', 'appeal'], 'region'),
  rule('person.search', 'program_officer', ['eligibility_review', 'appeal'], 'region'),
  rule('person.enrol', 'enrolment_clerk', ['enrolment'], 'region'),
  rule('person.enrol', 'registry_supervisor', ['enrolment'], 'region'),
  rule('person.correct', 'enrolment_clerk', ['enrolment'], 'region'),
  rule('person.correct', 'registry_supervisor', ['enrolment', 'appeal'], 'region'),
  rule('person.record_death', 'registry_supervisor', ['enrolment'], 'region'),
  rule('person.merge', 'registry_supervisor', ['enrolment'], 'region'),
  rule('person.move', 'enrolment_clerk', ['enrolment'], 'region'),
  rule('person.move', 'registry_supervisor', ['enrolment'], 'region'),
  rule('person.import', 'registry_supervisor', ['enrolment'], 'region'),
  rule('person.access_history', 'auditor', ['audit'], 'region'),
  rule('person.access_history', 'citizen', ['self'], 'own'),
  rule('person.messages', 'auditor', ['audit'], 'region'),
  rule('person.messages', 'citizen', ['self'], 'own'),
  rule('person.erasure_request', 'administrator', ['appeal'], 'region'),
  rule('person.erasure_approve', 'administrator', ['appeal'], 'region'),
  rule('credential.issue', 'enrolment_clerk', ['enrolment'], 'region'),
  rule('credential.issue', 'registry_supervisor', ['enrolment', 'appeal'], 'region'),
  rule('credential.revoke', 'registry_supervisor', ['enrolment', 'appeal'], 'region'),
  rule('credential.read', 'citizen', ['self'], 'own'),
  rule('credential.download', 'enrolment_clerk', ['enrolment'], 'region'),
  rule('credential.download', 'registry_supervisor', ['enrolment', 'appeal'], 'region'),
  rule('citizen_code.issue', 'enrolment_clerk', ['self'], 'region'),
  rule('audit.read', 'auditor', ['audit'], 'any'),
  rule('alert.read', 'auditor', ['audit'], 'any'),
  rule('statistics.read', 'statistics_analyst', ['eligibility_review'], 'any'),
  rule('operator.manage', 'administrator', ['enrolment'], 'any'),
  rule('person.benefits', 'citizen', ['self'], 'own'),
  rule('person.benefits', 'enrolment_clerk', ['appeal'], 'region'),
  rule('person.benefits', 'program_officer', ['eligibility_review', 'appeal'], 'region'),
  rule('appeal.file', 'citizen', ['self'], 'own'),
  rule('appeal.file', 'enrolment_clerk', ['appeal'], 'region'),
  rule('appeal.read', 'citizen', ['self'], 'own'),
  rule('appeal.read', 'enrolment_clerk', ['appeal'], 'region'),
  rule('appeal.read', 'program_officer', ['appeal'], 'region'),
  rule('appeal.read', 'auditor', ['audit'], 'region'),
  rule('appeal.decide', 'program_officer', ['appeal'], 'region'),
  rule('program.read', 'program_officer', ['eligibility_review'], 'region'),
  rule('program.read', 'program_supervisor', ['eligibility_review'], 'region'),
  rule('program.read', 'auditor', ['audit'], 'region'),
  // The distribution supervisor reads the programs its points serve (their cycles, to choose a
  // reconciliation), for the purpose of distribution; it manages none.
  rule('program.read', 'distribution_supervisor', ['distribution'], 'region'),
  rule('program.manage', 'program_officer', ['eligibility_review'], 'region'),
  rule('program.publish_decide', 'program_supervisor', ['eligibility_review'], 'region'),
  rule('cycle.approve', 'program_supervisor', ['eligibility_review'], 'region'),
  // Points are the distribution supervisor's: registering them, the programs they serve (among
  // the published programs of its states), opening, closing and the operators assigned — one
  // action, one route (`…/changes`). The program officer reads the points' figures and manages
  // none: whoever writes the rules neither chooses who hands the benefits out nor adjusts the
  // stock or signs off the reconciliation of the points that do (separation of duties; session
  // 21's review found the officer could still assign operators).
  rule('distribution.point_manage', 'distribution_supervisor', ['distribution'], 'region'),
  rule('distribution.point_read', 'program_officer', ['distribution'], 'region'),
  rule('distribution.point_read', 'distribution_supervisor', ['distribution'], 'region'),
  rule('distribution.point_read', 'distribution_operator', ['distribution'], 'region'),
  rule('distribution.stock_record', 'distribution_supervisor', ['distribution'], 'region'),
  rule('distribution.stock_record', 'distribution_operator', ['distribution'], 'region'),
  rule('distribution.stock_adjust', 'distribution_supervisor', ['distribution'], 'region'),
  // A physical count moves no stock: the point's operators record it as their supervisor does.
  rule('distribution.stock_count', 'distribution_supervisor', ['distribution'], 'region'),
  rule('distribution.stock_count', 'distribution_operator', ['distribution'], 'region'),
  // The receiving point's operators (or a supervisor) confirm what arrived; the sender cannot.
  rule('distribution.transfer_accept', 'distribution_supervisor', ['distribution'], 'region'),
  rule('distribution.transfer_accept', 'distribution_operator', ['distribution'], 'region'),
  rule('distribution.transfer_refuse', 'distribution_supervisor', ['distribution'], 'region'),
  rule('distribution.transfer_refuse', 'distribution_operator', ['distribution'], 'region'),
  // The sending point's supervisor only: an operator who sent in error asks the supervisor.
  rule('distribution.transfer_cancel', 'distribution_supervisor', ['distribution'], 'region'),
  rule('distribution.redeem', 'distribution_operator', ['distribution'], 'region'),
  rule('distribution.assisted_redeem', 'distribution_operator', ['distribution'], 'region'),
  rule('distribution.assisted_review', 'distribution_supervisor', ['distribution'], 'region'),
  rule('distribution.reconcile_sign', 'distribution_supervisor', ['distribution'], 'region'),
  rule('distribution.device_manage', 'distribution_supervisor', ['distribution'], 'region'),
  // A registered device's receipts synced by the supervisor, when no operator of the point can
  // (the operator was removed from it): each receipt is device-signed and checked as usual.
  rule('distribution.offline_sync', 'distribution_supervisor', ['distribution'], 'region'),
  // A carry-over dispute (a late offline receipt's carried quantity handed out twice) decided:
  // written off, or what the person chose to bring back put on the shelf. Never taken back.
  rule('distribution.dispute_decide', 'distribution_supervisor', ['distribution'], 'region'),
  // A supervisor's hold on one entitlement (docs/DISTRIBUTION.md, "Holds"): placed, lifted, listed.
  rule('distribution.entitlement_hold', 'distribution_supervisor', ['distribution'], 'region'),
  // The offline card-proof key (docs/DISTRIBUTION.md, "Key management and rotation"): its
  // versions listed, and the next made current, by an administrator as by the command on the
  // server. No key material is read or written (a version is derived from the master key), and a
  // rotation narrows (a possibly leaked key stops being published; nothing that opens closes
  // sooner), so one administrator acts at once, audited, as for other narrowing changes.
  rule('distribution.proof_key_read', 'administrator', ['distribution'], 'any'),
  rule('distribution.proof_key_rotate', 'administrator', ['distribution'], 'any'),
  rule('notification.dashboard', 'registry_supervisor', ['enrolment'], 'region'),
  rule('notification.dashboard', 'auditor', ['audit'], 'region'),
  rule('notification.content', 'auditor', ['audit'], 'region'),
  rule('payout.manage', 'finance_officer', ['distribution'], 'any'),
  rule('payout.approve', 'finance_officer', ['distribution'], 'any'),
  rule('payout.reconcile', 'finance_officer', ['distribution'], 'any'),
  rule('payout.return_confirm', 'finance_officer', ['distribution'], 'any'),
  rule('payout.return_reject', 'finance_officer', ['distribution'], 'any'),
  rule('payout.read', 'finance_officer', ['distribution'], 'any'),
  rule('payout.read', 'auditor', ['audit'], 'any'),
  rule('payment.fund', 'finance_officer', ['distribution'], 'any'),
  rule('payment.disburse', 'finance_officer', ['distribution'], 'any'),
  rule('payment.ledger_read', 'finance_officer', ['distribution'], 'any'),
  rule('payment.ledger_read', 'auditor', ['audit'], 'any'),
  rule('payment.wallet_read', 'citizen', ['self'], 'own'),
  rule('payment.wallet_read', 'finance_officer', ['distribution', 'appeal'], 'region'),
  rule('payment.wallet_read', 'auditor', ['audit'], 'region'),
  rule('payment.adjust', 'finance_officer', ['distribution'], 'any'),
  rule('payment.paying_account_set', 'finance_officer', ['distribution'], 'any'),
  rule('merchant.manage', 'finance_officer', ['distribution'], 'any'),
  rule('merchant.approve', 'finance_officer', ['distribution'], 'any'),
  rule('merchant.read', 'merchant', ['distribution'], 'merchant'),
  rule('merchant.read', 'finance_officer', ['distribution'], 'any'),
  rule('merchant.read', 'auditor', ['audit'], 'any'),
  rule('merchant.request', 'merchant', ['distribution'], 'merchant'),
  rule('merchant.counter_pay', 'merchant', ['distribution'], 'merchant'),
  rule('merchant.counter_assisted_pay', 'merchant', ['distribution'], 'merchant'),
  rule('merchant.counter_assisted_review', 'finance_officer', ['distribution'], 'region'),
  rule('merchant.counter_assisted_review', 'auditor', ['audit'], 'region'),
  rule('merchant.refund', 'merchant', ['distribution'], 'merchant'),
  rule('merchant.settle', 'finance_officer', ['distribution'], 'any'),
  rule('payment.pay', 'citizen', ['self'], 'own'),
  rule('payment.pin_set', 'citizen', ['self'], 'own'),
  rule('payment.pin_reset', 'enrolment_clerk', ['self'], 'region'),
  // The second operator of a two-person PIN check (another account than the one who started it).
  rule('payment.pin_approve', 'enrolment_clerk', ['self'], 'region'),
  rule('payment.pin_approve', 'registry_supervisor', ['self'], 'region'),
  // A person's payee account for bank payouts, set with the person at the counter under the
  // same second check as the PIN; the second operator of a check without a phone is another
  // account. Finance officers read it to fix a batch's exclusions.
  rule('payee.read', 'enrolment_clerk', ['self'], 'region'),
  rule('payee.read', 'finance_officer', ['self', 'distribution'], 'region'),
  rule('payee.read', 'auditor', ['audit'], 'region'),
  rule('payee.set', 'enrolment_clerk', ['self'], 'region'),
  rule('payee.set', 'finance_officer', ['self'], 'region'),
  rule('payee.approve', 'enrolment_clerk', ['self'], 'region'),
  rule('payee.approve', 'registry_supervisor', ['self'], 'region'),
  rule('payee.approve', 'finance_officer', ['self'], 'region'),
];

/** What the decision is about: a record's region or owner, or nothing for `any`. */
export interface ResourceScope {
  /** ISO 3166-2:VE code of the record's region; null when the record has none or is unknown. */
  regionCode: string | null;
  /** The person the record belongs to, for `own` scope. */
  personId: string | null;
  /** For `merchant` scope: the operators who act for the record's merchant (its staff). */
  staffOperatorIds?: readonly string[] | undefined;
}

export type Refusal = 'no_role' | 'purpose_required' | 'purpose_not_allowed' | 'outside_scope';

export type Decision =
  | { allowed: true; principal: Principal | 'system'; purpose: Purpose | null }
  | { allowed: false; refusal: Refusal };

/**
 * Decides one action on one record.
 *
 * @example
 *   authorize(clerk, 'person.read', { regionCode: 'VE-A', personId: id }, 'enrolment');
 *   // { allowed: true, principal: 'enrolment_clerk', purpose: 'enrolment' }
 */
export function authorize(
  actor: Actor,
  action: Action,
  scope: ResourceScope,
  purpose: Purpose | null,
): Decision {
  if (actor.kind === 'system') return { allowed: true, principal: 'system', purpose };
  const principals: readonly Principal[] = actor.kind === 'citizen' ? ['citizen'] : actor.roles;
  const rules = decisionTable.filter(
    (entry) => entry.action === action && principals.includes(entry.role),
  );
  if (rules.length === 0) return { allowed: false, refusal: 'no_role' };
  if (purpose === null) return { allowed: false, refusal: 'purpose_required' };
  const forPurpose = rules.filter((entry) => entry.purposes.includes(purpose));
  if (forPurpose.length === 0) return { allowed: false, refusal: 'purpose_not_allowed' };
  const allowing = forPurpose.find((entry) => inScope(actor, entry.scope, scope));
  if (!allowing) return { allowed: false, refusal: 'outside_scope' };
  return { allowed: true, principal: allowing.role, purpose };
}

function inScope(
  actor: Exclude<Actor, { kind: 'system' }>,
  scope: Scope,
  resource: ResourceScope,
): boolean {
  if (scope === 'any') return true;
  if (scope === 'own') return actor.kind === 'citizen' && resource.personId === actor.personId;
  if (scope === 'merchant')
    return (
      actor.kind === 'operator' && (resource.staffOperatorIds ?? []).includes(actor.operatorId)
    );
  return (
    actor.kind === 'operator' &&
    resource.regionCode !== null &&
    actor.regions.includes(resource.regionCode)
  );
}
