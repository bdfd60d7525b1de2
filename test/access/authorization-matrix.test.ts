import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccessTestApp,
  buildAccessTestApp,
  createTestOperator,
  sessionCookieFrom,
} from '../../src/modules/access/access-test-kit.js';
import { createCardPerson } from '../../src/modules/credentials/credentials-test-kit.js';
import { createPoint, signIn } from '../../src/modules/distribution/distribution-test-kit.js';
import { receivedCode } from '../../src/modules/notifications/received-text-test-kit.js';
import { payingAccountStoredForTest } from '../../src/modules/payments/payouts/payout-test-kit.js';
import {
  cycleCreator,
  programCreator,
  publicationDecider,
  publicationRequester,
} from '../../src/modules/programs/index.js';
import { statisticsRefresher } from '../../src/modules/statistics/index.js';
import { smallDisbursement } from '../../src/modules/statistics/statistics-test-kit.js';
import { purposes } from '../../src/shared/access/actor.js';
import { type Role, roles } from '../../src/shared/access/roles.js';
import { aggregateReadModels } from '../../src/statistics-read-models.js';
import { documentedDecisionTable } from '../access-table.js';
import { buildHousehold, buildPerson } from '../factories.js';

/**
 * The authorisation matrix (issue: access control, item 10). Generated from the decision table
 * in docs/ACCESS.md: every route × role × region × purpose is answered allowed or refused
 * exactly as the document says, every attempt leaves an audit entry, and no route returns
 * person data without an audit entry of an allowed access.
 */
const table = documentedDecisionTable();
/**
 * The program the batch-creating row names (it has no entitlements): its paying account, and
 * the merchant settlement's in USD, are stored before the matrix runs, since a file always
 * debits the stored account (with none, 409 after the gate).
 */
const batchProgramId = randomUUID();
const matrixPayingAccount = {
  name: 'Matriz',
  accountNumber: '01020000000000000001',
  bankCode: '0102',
};

type Target = {
  kind: 'person';
  personId: string;
  uin: string;
  householdId: string;
  region: string;
  /** An active card in the same region (of another person, who has what a card needs). */
  credentialId: string;
  /** A published program of this region only, and a computed cycle of it. */
  programId: string;
  cycleId: string;
};
type Principal =
  | { kind: 'operator'; roles: readonly Role[]; regions: readonly string[] }
  | { kind: 'citizen'; personId: string };

interface RouteCase {
  name: string;
  action: string;
  /**
   * person: scope from the person; household: no owner; none: not tied to a record; absent: a
   * made-up record (for writes the matrix must not perform), so the role and purpose decide
   * 403 and anything the table allows ends as "no such record" (`allowedStatus` 404).
   */
  resource: 'person' | 'household' | 'program' | 'none' | 'absent';
  request(
    target: Target,
    purpose: string | null,
  ): { method: 'GET' | 'POST' | 'PUT'; url: string; payload?: Record<string, unknown> };
  /**
   * The answer when the gate allows but the thing named does not exist (a made-up id, so the
   * matrix changes nothing): the refusal after the gate is audited as denied.
   */
  allowedStatus?: number;
  /** The purpose the route assumes when the request names none (erasure: always `appeal`). */
  impliedPurpose?: string;
}

const q = (purpose: string | null, extra = '') => {
  const params = new URLSearchParams(extra);
  if (purpose) params.set('purpose', purpose);
  const text = params.toString();
  return text ? `?${text}` : '';
};

const routes: RouteCase[] = [
  {
    name: 'read by id',
    action: 'person.read',
    resource: 'person',
    request: (t, p) => ({ method: 'GET', url: `/api/persons/${t.personId}${q(p)}` }),
  },
  {
    name: 'read by UIN',
    action: 'person.read',
    resource: 'person',
    request: (t, p) => ({ method: 'GET', url: `/api/persons/by-uin/${t.uin}${q(p)}` }),
  },
  {
    name: 'access history',
    action: 'person.access_history',
    resource: 'person',
    request: (t, p) => ({ method: 'GET', url: `/api/persons/${t.personId}/access-history${q(p)}` }),
  },
  {
    name: 'text messages',
    action: 'person.messages',
    resource: 'person',
    request: (t, p) => ({ method: 'GET', url: `/api/persons/${t.personId}/messages${q(p)}` }),
  },
  {
    name: 'statistics tables',
    action: 'statistics.read',
    resource: 'none',
    request: (_t, p) => ({ method: 'GET', url: `/api/statistics/tables${q(p)}` }),
  },
  {
    name: 'statistics table',
    action: 'statistics.read',
    resource: 'none',
    request: (_t, p) => ({
      method: 'GET',
      url: `/api/statistics/tables/people_by_age_sex_region${q(p, 'by=region.state,age_band,sex')}`,
    }),
  },
  {
    name: 'statistics coverage by municipality',
    action: 'statistics.read',
    resource: 'none',
    request: (_t, p) => ({
      method: 'GET',
      url: `/api/statistics/tables/coverage_by_program_cycle_area${q(p, 'by=region.municipality,program.cycle,measure')}`,
    }),
  },
  {
    name: 'statistics appeals by municipality',
    action: 'statistics.read',
    resource: 'none',
    request: (_t, p) => ({
      method: 'GET',
      url: `/api/statistics/tables/appeals_by_program_cycle_area${q(p, 'by=region.municipality,program.cycle,measure')}`,
    }),
  },
  {
    name: 'statistics table csv',
    action: 'statistics.read',
    resource: 'none',
    request: (_t, p) => ({
      method: 'GET',
      url: `/api/statistics/tables/people_by_age_sex_region/csv${q(p, 'by=region.state,sex')}`,
    }),
  },
  // Every other statistics table by name, at a published breakdown, and the refresh status:
  // who may read each, and (checkPrincipal) that no answer carries a person or household id.
  ...(
    [
      [
        'statistics redemptions by state',
        'redeemed_by_program_cycle_state',
        'region.state,program.cycle,mode',
      ],
      [
        'statistics time to redeem',
        'redeemed_by_program_cycle_state',
        'program.cycle,time_to_redeem',
      ],
      [
        'statistics redemption rate',
        'redemption_rate_by_program_cycle_state',
        'region.state,program.cycle',
      ],
      ['statistics payees', 'payees_by_program_month', 'program,month'],
      // The amounts tables exist once something was paid: the scene's small disbursements.
      ['statistics amounts paid in VES', 'paid_ves_by_program_month', 'program,month'],
      ['statistics amounts paid in USD', 'paid_usd_by_program_month', 'program,month'],
      ['statistics stock by point', 'stock_moved_by_point_month', 'region.point,item,kind,month'],
    ] as const
  ).map(
    ([name, code, by]): RouteCase => ({
      name,
      action: 'statistics.read',
      resource: 'none',
      request: (_t, p) => ({
        method: 'GET',
        url: `/api/statistics/tables/${code}${q(p, `by=${by}`)}`,
      }),
    }),
  ),
  {
    name: 'statistics redemption rate csv',
    action: 'statistics.read',
    resource: 'none',
    request: (_t, p) => ({
      method: 'GET',
      url: `/api/statistics/tables/redemption_rate_by_program_cycle_state/csv${q(p, 'by=region.state,program.cycle&lang=en')}`,
    }),
  },
  {
    name: 'statistics amounts paid csv',
    action: 'statistics.read',
    resource: 'none',
    request: (_t, p) => ({
      method: 'GET',
      url: `/api/statistics/tables/paid_ves_by_program_month/csv${q(p, 'by=program,month')}`,
    }),
  },
  {
    name: 'statistics refresh status',
    action: 'statistics.read',
    resource: 'none',
    request: (_t, p) => ({ method: 'GET', url: `/api/statistics/refresh${q(p)}` }),
  },
  {
    name: 'delivery dashboard',
    action: 'notification.dashboard',
    resource: 'none',
    request: (_t, p) => ({ method: 'GET', url: `/api/notifications/dashboard${q(p)}` }),
  },
  {
    name: 'cards',
    action: 'person.read',
    resource: 'person',
    request: (t, p) => ({ method: 'GET', url: `/api/persons/${t.personId}/credentials${q(p)}` }),
  },
  {
    name: 'card download',
    action: 'credential.download',
    resource: 'person',
    request: (t, p) => ({
      method: 'GET',
      url: `/api/credentials/${t.credentialId}/card.png${q(p)}`,
    }),
  },
  {
    name: 'household',
    action: 'person.read',
    resource: 'household',
    request: (t, p) => ({ method: 'GET', url: `/api/households/${t.householdId}${q(p)}` }),
  },
  {
    name: 'search',
    action: 'person.search',
    resource: 'none',
    request: (t, p) => ({ method: 'GET', url: `/api/persons${q(p, `uin=${t.uin}`)}` }),
  },
  {
    name: 'alerts',
    action: 'alert.read',
    resource: 'none',
    request: (_t, p) => ({ method: 'GET', url: `/api/alerts${q(p)}` }),
  },
  {
    name: 'audit entries',
    action: 'audit.read',
    resource: 'none',
    request: (_t, p) => ({ method: 'GET', url: `/api/audit/entries${q(p, 'limit=1')}` }),
  },
  {
    name: 'duplicate reviews',
    action: 'person.merge',
    resource: 'none',
    request: (_t, p) => ({ method: 'GET', url: `/api/duplicate-reviews${q(p)}` }),
  },
  {
    name: 'duplicate clusters',
    action: 'person.merge',
    resource: 'none',
    request: (_t, p) => ({ method: 'GET', url: `/api/dedup-clusters${q(p)}` }),
  },
  {
    name: 'card-proof key versions',
    action: 'distribution.proof_key_read',
    resource: 'none',
    request: (_t, p) => ({ method: 'GET', url: `/api/distribution/card-proof-key${q(p)}` }),
  },
  {
    // A version that is never current: an allowed administrator is refused after the gate
    // (409, audited as denied), so the matrix rotates nothing.
    name: 'card-proof key rotation',
    action: 'distribution.proof_key_rotate',
    resource: 'none',
    request: (_t, p) => ({
      method: 'POST',
      url: `/api/distribution/card-proof-key/rotations${q(p)}`,
      payload: { currentVersion: 1_000_000 },
    }),
    allowedStatus: 409,
  },
  {
    name: 'operator accounts',
    action: 'operator.manage',
    resource: 'none',
    request: (_t, p) => ({ method: 'GET', url: `/api/operators${q(p)}` }),
  },
  {
    name: 'create an operator account (its roles wait for a second administrator)',
    action: 'operator.manage',
    resource: 'none',
    request: (_t, p) => ({
      method: 'POST',
      url: `/api/operators${q(p)}`,
      payload: {
        username: `matrix.${randomUUID().slice(0, 8)}`,
        displayName: 'Matrix',
        roles: ['auditor'],
        regions: ['VE-A'],
      },
    }),
  },
  {
    name: 'suspense report',
    action: 'payout.read',
    resource: 'none',
    request: (_t, p) => ({ method: 'GET', url: `/api/payouts/suspense.csv${q(p)}` }),
  },
  {
    name: 'payout batches',
    action: 'payout.read',
    resource: 'none',
    request: (_t, p) => ({ method: 'GET', url: `/api/payouts/batches${q(p)}` }),
  },
  {
    name: 'sent payouts of dead, merged or erased persons',
    action: 'payout.read',
    resource: 'none',
    request: (_t, p) => ({ method: 'GET', url: `/api/payouts/flagged${q(p)}` }),
  },
  {
    name: 'payout returns waiting for a second finance officer',
    action: 'payout.read',
    resource: 'none',
    request: (_t, p) => ({ method: 'GET', url: `/api/payouts/returns${q(p)}` }),
  },
  {
    name: 'the cash cycles a payout batch may pay',
    action: 'payout.manage',
    resource: 'none',
    request: (_t, p) => ({ method: 'GET', url: `/api/payouts/cycles${q(p)}` }),
  },
  {
    name: 'operator changes waiting',
    action: 'operator.manage',
    resource: 'none',
    request: (_t, p) => ({ method: 'GET', url: `/api/operator-changes${q(p, 'status=pending')}` }),
  },
  ...(['approve', 'refuse'] as const).map(
    (verb): RouteCase => ({
      name: `operator change ${verb}`,
      action: 'operator.manage',
      resource: 'none',
      allowedStatus: 404,
      request: (_t, p) => ({
        method: 'POST',
        url: `/api/operator-changes/${randomUUID()}/${verb}${q(p)}`,
        payload: {},
      }),
    }),
  ),
  {
    name: 'sign tree head',
    action: 'audit.read',
    resource: 'none',
    request: (_t, p) => ({ method: 'POST', url: `/api/audit/tree-heads${q(p)}`, payload: {} }),
  },
  {
    name: 'slip code',
    action: 'citizen_code.issue',
    resource: 'person',
    request: (t, p) => ({
      method: 'POST',
      url: `/api/citizen-codes${q(p)}`,
      payload: { personId: t.personId },
    }),
  },
  {
    name: 'correction',
    action: 'person.correct',
    resource: 'person',
    request: (t, p) => ({
      method: 'POST',
      url: `/api/persons/${t.personId}/corrections${q(p)}`,
      payload: {
        clientId: randomUUID(),
        attributes: { locality: `Sector ${randomUUID().slice(0, 6)}` },
        reason: 'clerical_error',
      },
    }),
  },
  {
    name: 'my benefits',
    action: 'person.benefits',
    resource: 'person',
    request: (t, p) => ({ method: 'GET', url: `/api/persons/${t.personId}/benefits${q(p)}` }),
  },
  {
    name: 'the holds on my entitlements',
    action: 'person.benefits',
    resource: 'person',
    request: (t, p) => ({
      method: 'GET',
      url: `/api/persons/${t.personId}/entitlement-holds${q(p)}`,
    }),
  },
  {
    name: "a person's appeals",
    action: 'appeal.read',
    resource: 'person',
    request: (t, p) => ({ method: 'GET', url: `/api/persons/${t.personId}/appeals${q(p)}` }),
  },
  {
    name: 'appeals queue',
    action: 'appeal.decide',
    resource: 'none',
    request: (_t, p) => ({ method: 'GET', url: `/api/appeals${q(p, 'view=overdue')}` }),
  },
  ...programCases(),
  {
    name: 'distribution points',
    action: 'distribution.point_read',
    resource: 'none',
    request: (_t, p) => ({ method: 'GET', url: `/api/distribution/points${q(p)}` }),
  },
  {
    name: 'entitlement holds in my regions',
    action: 'distribution.entitlement_hold',
    resource: 'none',
    request: (_t, p) => ({ method: 'GET', url: `/api/distribution/entitlement-holds${q(p)}` }),
  },
  {
    name: 'objections to holds in my regions',
    action: 'appeal.decide',
    resource: 'none',
    request: (_t, p) => ({ method: 'GET', url: `/api/distribution/hold-objections${q(p)}` }),
  },
  ...absentRecordCases(),
  ...paymentCases(),
  ...merchantCases(),
];

/**
 * Merchant payments (issue #16): a merchant's routes are scoped to its staff, and the matrix's
 * merchants are made up, so the gate decides by role and purpose and then answers "no such
 * merchant" (404, audited). Registering with a made-up subsidising program is refused after
 * the gate (422, audited) and writes nothing; settling a day with no merchant to pay moves no
 * money; setting a person's PIN at the counter is scoped to the person's region.
 */
function merchantCases(): RouteCase[] {
  const merchant = (
    name: string,
    action: string,
    path: (merchantId: string) => string,
    payload?: Record<string, unknown>,
  ): RouteCase => ({
    name,
    action,
    resource: 'absent',
    allowedStatus: 404,
    request: (_t, p) => ({
      method: payload ? 'POST' : 'GET',
      url: `${path(randomUUID())}${q(p)}`,
      ...(payload ? { payload } : {}),
    }),
  });
  const base = (id: string) => `/api/payments/merchants/${id}`;
  return [
    {
      name: "the programs a merchant's registration chooses from",
      action: 'merchant.manage',
      resource: 'none',
      request: (_t, p) => ({ method: 'GET', url: `/api/payments/merchant-choices${q(p)}` }),
    },
    {
      name: 'register a merchant with a made-up subsidising program',
      action: 'merchant.manage',
      resource: 'absent',
      allowedStatus: 422,
      request: (_t, p) => ({
        method: 'POST',
        url: `/api/payments/merchants${q(p)}`,
        payload: {
          merchantId: randomUUID(),
          name: 'Matriz',
          stateCode: 'VE-A',
          currency: 'VES',
          settlement: { bankCode: '0134', accountNumber: '01340000000000000001', holder: 'person' },
          staffOperatorIds: [],
          subsidies: [{ programId: randomUUID(), shareBasisPoints: 5000 }],
        },
      }),
    },
    merchant(
      "approve a merchant's registration",
      'merchant.approve',
      (id) => `${base(id)}/approval`,
      {},
    ),
    {
      name: "set a person's payment PIN at the counter",
      action: 'payment.pin_reset',
      resource: 'person',
      request: (t, p) => ({
        method: 'PUT',
        url: `/api/payments/persons/${t.personId}/pin${q(p)}`,
        payload: { pin: '1234', checkId: randomUUID(), code: '123456' },
      }),
      // Past the gate: an unknown check is AMP_PIN_CHECK_INVALID.
      allowedStatus: 409,
    },
    {
      name: "start the second check before setting a person's payment PIN",
      action: 'payment.pin_reset',
      resource: 'person',
      request: (t, p) => ({
        method: 'POST',
        url: `/api/payments/persons/${t.personId}/pin-checks${q(p)}`,
        payload: { method: 'two_person', photoChecked: true },
      }),
    },
    {
      name: "approve another operator's two-person PIN check",
      action: 'payment.pin_approve',
      resource: 'person',
      request: (t, p) => ({
        method: 'POST',
        url: `/api/payments/persons/${t.personId}/pin-checks/${randomUUID()}/approval${q(p)}`,
        payload: { photoChecked: true },
      }),
      // Past the gate: an unknown check is AMP_PIN_CHECK_INVALID.
      allowedStatus: 409,
    },
    {
      name: 'the photo on file of a two-person PIN check waiting for a second operator',
      action: 'payment.pin_approve',
      resource: 'person',
      request: (t, p) => ({
        method: 'GET',
        url: `/api/payments/persons/${t.personId}/pin-checks/${randomUUID()}/photo${q(p)}`,
      }),
      // Past the gate: an unknown check is AMP_PIN_CHECK_INVALID.
      allowedStatus: 409,
    },
    {
      name: "refuse another operator's two-person PIN check",
      action: 'payment.pin_approve',
      resource: 'person',
      request: (t, p) => ({
        method: 'POST',
        url: `/api/payments/persons/${t.personId}/pin-checks/${randomUUID()}/refusal${q(p)}`,
        payload: {},
      }),
      // Past the gate: an unknown check is AMP_PIN_CHECK_INVALID.
      allowedStatus: 409,
    },
    {
      name: "a person's payee account and its history",
      action: 'payee.read',
      resource: 'person',
      request: (t, p) => ({
        method: 'GET',
        url: `/api/payments/persons/${t.personId}/payee-account${q(p)}`,
      }),
    },
    {
      name: "start the second check before setting a person's payee account",
      action: 'payee.set',
      resource: 'person',
      request: (t, p) => ({
        method: 'POST',
        url: `/api/payments/persons/${t.personId}/payee-checks${q(p)}`,
        payload: { method: 'two_person', photoChecked: true },
      }),
    },
    {
      name: "set a person's payee account",
      action: 'payee.set',
      resource: 'person',
      request: (t, p) => ({
        method: 'PUT',
        url: `/api/payments/persons/${t.personId}/payee-account${q(p)}`,
        payload: {
          checkId: randomUUID(),
          code: '123456',
          holderName: 'Matriz',
          account: { kind: 'bank_account', accountNumber: '01340000000000000001' },
          bank: { bankCode: '0134' },
        },
      }),
      // Past the gate: an unknown check is AMP_PAYEE_CHECK_INVALID.
      allowedStatus: 409,
    },
    {
      name: "approve another operator's two-person payee account check",
      action: 'payee.approve',
      resource: 'person',
      request: (t, p) => ({
        method: 'POST',
        url: `/api/payments/persons/${t.personId}/payee-checks/${randomUUID()}/approval${q(p)}`,
        payload: { photoChecked: true },
      }),
      // Past the gate: an unknown check is AMP_PAYEE_CHECK_INVALID.
      allowedStatus: 409,
    },
    {
      name: 'the photo on file of a two-person payee account check waiting for a second operator',
      action: 'payee.approve',
      resource: 'person',
      request: (t, p) => ({
        method: 'GET',
        url: `/api/payments/persons/${t.personId}/payee-checks/${randomUUID()}/photo${q(p)}`,
      }),
      // Past the gate: an unknown check is AMP_PAYEE_CHECK_INVALID.
      allowedStatus: 409,
    },
    {
      name: "refuse another operator's two-person payee account check",
      action: 'payee.approve',
      resource: 'person',
      request: (t, p) => ({
        method: 'POST',
        url: `/api/payments/persons/${t.personId}/payee-checks/${randomUUID()}/refusal${q(p)}`,
        payload: {},
      }),
      // Past the gate: an unknown check is AMP_PAYEE_CHECK_INVALID.
      allowedStatus: 409,
    },
    {
      name: 'merchants of the caller (their regions, or their own as staff)',
      action: 'merchant.read',
      resource: 'none',
      request: (_t, p) => ({ method: 'GET', url: `/api/payments/merchants${q(p, 'limit=5')}` }),
    },
    merchant('a merchant', 'merchant.read', base),
    merchant("a merchant's payments", 'merchant.read', (id) => `${base(id)}/payments`),
    merchant(
      "a merchant's receipt",
      'merchant.read',
      (id) => `${base(id)}/payments/${randomUUID()}`,
    ),
    merchant("a merchant's settlements", 'merchant.read', (id) => `${base(id)}/settlements`),
    merchant('make a payment request', 'merchant.request', (id) => `${base(id)}/requests`, {
      amountMinor: '100',
      reference: 'MATRIX',
    }),
    merchant(
      'take a payment at the counter',
      'merchant.counter_pay',
      (id) => `${base(id)}/counter-payments`,
      {
        token: 'AMPPAY1.x.y',
        cardQr: 'HC1:MATRIX',
        pin: '1234',
      },
    ),
    merchant(
      'start a payment at the counter without the card',
      'merchant.counter_assisted_pay',
      (id) => `${base(id)}/assisted-payments`,
      {
        token: 'AMPPAY1.x.y',
        uin: '2345678901',
        pin: '1234',
        reason: 'lost',
        method: 'phone_code',
      },
    ),
    merchant(
      'pay under the second check of a payment without the card',
      'merchant.counter_assisted_pay',
      (id) => `${base(id)}/assisted-payments/${randomUUID()}/pay`,
      { token: 'AMPPAY1.x.y', code: '123456' },
    ),
    merchant(
      "a merchant's payments without the card (the supervisor's list)",
      'merchant.counter_assisted_review',
      (id) => `${base(id)}/assisted-payments`,
    ),
    merchant(
      'refund a payment',
      'merchant.refund',
      (id) => `${base(id)}/payments/${randomUUID()}/refund`,
      {
        refundId: randomUUID(),
      },
    ),
    {
      name: 'settle a day of merchant balances (none to settle)',
      action: 'merchant.settle',
      resource: 'none',
      request: (_t, p) => ({
        method: 'POST',
        url: `/api/payments/merchant-settlements${q(p)}`,
        payload: { settlementDate: '2026-01-02', currency: 'USD' },
      }),
    },
    {
      name: 'a settlement file of a day with none',
      action: 'merchant.settle',
      resource: 'absent',
      allowedStatus: 404,
      request: (_t, p) => ({
        method: 'GET',
        url: `/api/payments/merchant-settlements/2026-01-03/VES/pain.001.xml${q(p)}`,
      }),
    },
  ];
}

/**
 * Money (issue #16): a person's wallet is read like the person's record; the trial balance is
 * tied to no record; funding, starting a disbursement, its progress and an account's statement
 * are named by made-up ids, so the matrix moves no money.
 */
function paymentCases(): RouteCase[] {
  const absent = (
    name: string,
    action: string,
    request: (p: string | null) => ReturnType<RouteCase['request']>,
  ): RouteCase => ({
    name,
    action,
    resource: 'absent',
    allowedStatus: 404,
    request: (_t, p) => request(p),
  });
  return [
    {
      name: "a person's wallet",
      action: 'payment.wallet_read',
      resource: 'person',
      request: (t, p) => ({
        method: 'GET',
        url: `/api/payments/persons/${t.personId}/wallet${q(p)}`,
      }),
    },
    {
      name: 'the trial balance',
      action: 'payment.ledger_read',
      resource: 'none',
      request: (_t, p) => ({ method: 'GET', url: `/api/payments/trial-balance${q(p)}` }),
    },
    {
      name: "the ledger's own accounts",
      action: 'payment.ledger_read',
      resource: 'none',
      request: (_t, p) => ({ method: 'GET', url: `/api/payments/ledger-accounts${q(p)}` }),
    },
    absent('fund a program', 'payment.fund', (p) => ({
      method: 'POST',
      url: `/api/payments/programs/${randomUUID()}/funding${q(p)}`,
      payload: { transferId: randomUUID(), currency: 'VES', amountMinor: '100' },
    })),
    absent("a program's paying account", 'payment.ledger_read', (p) => ({
      method: 'GET',
      url: `/api/payments/programs/${randomUUID()}/paying-account${q(p)}`,
    })),
    absent("set a program's paying account", 'payment.paying_account_set', (p) => ({
      method: 'POST',
      url: `/api/payments/programs/${randomUUID()}/paying-account${q(p)}`,
      payload: { name: 'Tesoro', accountNumber: '01020000000000000001', expectedVersion: 0 },
    })),
    {
      name: "the merchant settlement's paying account",
      action: 'payment.ledger_read',
      resource: 'none',
      request: (_t, p) => ({
        method: 'GET',
        url: `/api/payments/merchant-settlements/paying-accounts/USD${q(p)}`,
      }),
    },
    {
      // A version that is not the newest (1, stored before the matrix): the gate decides, then 409.
      name: "set the merchant settlement's paying account (a stale version)",
      action: 'payment.paying_account_set',
      resource: 'none',
      allowedStatus: 409,
      request: (_t, p) => ({
        method: 'POST',
        url: `/api/payments/merchant-settlements/paying-accounts/USD${q(p)}`,
        payload: { name: 'Tesoro', accountNumber: '01020000000000000001', expectedVersion: 5 },
      }),
    },
    absent('start a disbursement', 'payment.disburse', (p) => ({
      method: 'POST',
      url: `/api/payments/disbursements${q(p)}`,
      payload: { cycleId: randomUUID() },
    })),
    absent("a disbursement's progress", 'payment.ledger_read', (p) => ({
      method: 'GET',
      url: `/api/payments/disbursements/${randomUUID()}${q(p)}`,
    })),
    absent("an account's statement", 'payment.ledger_read', (p) => ({
      method: 'GET',
      url: `/api/payments/accounts/${randomUUID()}/statement.csv${q(p)}`,
    })),
    absent("an account's statement as PDF", 'payment.ledger_read', (p) => ({
      method: 'GET',
      url: `/api/payments/accounts/${randomUUID()}/statement.pdf${q(p)}`,
    })),
    {
      name: 'adjustments',
      action: 'payment.ledger_read',
      resource: 'none',
      request: (_t, p) => ({ method: 'GET', url: `/api/payments/adjustments${q(p)}` }),
    },
    {
      name: 'frozen wallets',
      action: 'payment.ledger_read',
      resource: 'none',
      request: (_t, p) => ({ method: 'GET', url: `/api/payments/frozen-wallets${q(p)}` }),
    },
    absent('propose an adjustment between unknown accounts', 'payment.adjust', (p) => ({
      method: 'POST',
      url: `/api/payments/adjustments${q(p)}`,
      payload: {
        debitAccountId: randomUUID(),
        creditAccountId: randomUUID(),
        currency: 'VES',
        amountMinor: '100',
        reasonCode: 'correction',
        note: 'Matrix',
      },
    })),
    absent('decide an unknown adjustment', 'payment.adjust', (p) => ({
      method: 'POST',
      url: `/api/payments/adjustments/${randomUUID()}/decision${q(p)}`,
      payload: { decision: 'approve' },
    })),
    absent("move an unknown frozen wallet's balance", 'payment.adjust', (p) => ({
      method: 'POST',
      url: `/api/payments/frozen-wallets/${randomUUID()}/moves${q(p)}`,
      payload: { currency: 'VES', note: 'Matrix' },
    })),
  ];
}

/** A program's content for the routes that take one: a regional program of `region`. */
function programContent(region: string) {
  return {
    nameEs: 'Matriz',
    nameEn: 'Matrix',
    descriptionEs: '',
    descriptionEn: '',
    kind: 'in_kind',
    unit: 'household',
    regions: [region],
    cadence: 'monthly',
    benefit: { basket: [{ item: 'food_box', quantity: 1, unit: 'box' }] },
    budgetCap: '1000',
    eligibilityRule: 'household_size >= 1',
  };
}

/**
 * Program management (docs/ACCESS.md, "Benefit programs and cycles"): reads of the target's
 * program and cycle, and creation in the target's region, are performed; every other write
 * names a made-up program, publication or cycle, so the gate decides and nothing changes.
 */
function programCases(): RouteCase[] {
  const read = (name: string, url: (t: Target) => string): RouteCase => ({
    name,
    action: 'program.read',
    resource: 'program',
    request: (t, p) => ({ method: 'GET', url: `${url(t)}${q(p)}` }),
  });
  const absent = (
    name: string,
    action: string,
    url: (id: string) => string,
    payload: Record<string, unknown>,
  ): RouteCase => ({
    name,
    action,
    resource: 'absent',
    allowedStatus: 404,
    request: (t, p) => ({
      method: 'POST',
      url: `${url(randomUUID())}${q(p)}`,
      payload: {
        ...payload,
        ...(name === 'save a program version' ? { content: programContent(t.region) } : {}),
      },
    }),
  });
  return [
    {
      name: 'programs to manage',
      action: 'program.read',
      resource: 'none',
      request: (_t, p) => ({ method: 'GET', url: `/api/programs/managed${q(p)}` }),
    },
    read('a program with its versions', (t) => `/api/programs/${t.programId}`),
    read("a program's cycles", (t) => `/api/programs/${t.programId}/cycles`),
    read('a cycle with its counts by state', (t) => `/api/program-cycles/${t.cycleId}`),
    read(
      "a version's rule change previewed as counts by state",
      (t) => `/api/programs/${t.programId}/versions/1/preview`,
    ),
    {
      name: 'create a program',
      action: 'program.manage',
      resource: 'program',
      request: (t, p) => ({
        method: 'POST',
        url: `/api/programs${q(p)}`,
        payload: { code: `matrix_${randomUUID().slice(0, 8)}`, content: programContent(t.region) },
      }),
    },
    absent('save a program version', 'program.manage', (id) => `/api/programs/${id}/versions`, {}),
    absent(
      'ask for publication',
      'program.manage',
      (id) => `/api/programs/${id}/publication-requests`,
      { version: 1 },
    ),
    absent(
      'decide a publication',
      'program.publish_decide',
      (id) => `/api/program-publications/${id}/decision`,
      { approve: true },
    ),
    absent('suspend a program', 'program.manage', (id) => `/api/programs/${id}/status`, {
      to: 'suspended',
    }),
    absent('create a cycle', 'program.manage', (id) => `/api/programs/${id}/cycles`, {
      referenceDate: '2026-12-01',
    }),
    ...(
      [
        ['compute', 'program.manage'],
        ['recompute', 'program.manage'],
        ['approvals', 'cycle.approve'],
        ['publish', 'program.manage'],
        ['close', 'program.manage'],
      ] as const
    ).map(([verb, action]) =>
      absent(`cycle ${verb}`, action, (id) => `/api/program-cycles/${id}/${verb}`, {}),
    ),
  ];
}

/**
 * Writes and downloads named by a made-up id: the gate still answers 403 for a role or
 * purpose the table does not allow, and a refusal it audits (404) for everyone else, so the
 * matrix checks them without recording a death or revoking a card.
 */
function absentRecordCases(): RouteCase[] {
  const post = (name: string, action: string, url: (id: string) => string, payload: object) => ({
    name,
    action,
    resource: 'absent' as const,
    allowedStatus: 404,
    request: (_t: Target, p: string | null) => ({
      method: 'POST' as const,
      url: `${url(randomUUID())}${q(p)}`,
      payload: { ...payload },
    }),
  });
  const get = (name: string, action: string, url: (id: string) => string) => ({
    name,
    action,
    resource: 'absent' as const,
    allowedStatus: 404,
    request: (_t: Target, p: string | null) => ({
      method: 'GET' as const,
      url: `${url(randomUUID())}${q(p)}`,
    }),
  });
  const clientId = () => randomUUID();
  /** A device's sync of one made-up receipt (the operator's route and the supervisor's). */
  const syncBody = () => ({
    deviceId: randomUUID(),
    deviceNow: Date.now(),
    receipts: [
      {
        receiptId: randomUUID(),
        snapshotId: randomUUID(),
        entitlementId: randomUUID(),
        credentialId: '0'.repeat(32),
        lines: [{ item: 'food_box', quantity: 1 }],
        deviceTime: Date.now(),
        signature: 'A'.repeat(86),
      },
    ],
  });
  const madeUpCredentialId = () => randomBytes(16).toString('hex');
  return [
    post('record a death', 'person.record_death', (id) => `/api/persons/${id}/death`, {
      clientId: clientId(),
      dateOfDeath: '2026-01-02',
    }),
    post('merge', 'person.merge', (id) => `/api/persons/${id}/merge`, {
      clientId: clientId(),
      survivorId: randomUUID(),
    }),
    post('move household', 'person.move', (id) => `/api/persons/${id}/household`, {
      clientId: clientId(),
      new: true,
      relationship: 'head',
    }),
    post('issue a card', 'credential.issue', (id) => `/api/persons/${id}/credentials`, {
      clientId: clientId(),
    }),
    post(
      'revoke a card',
      'credential.revoke',
      (_id) => `/api/credentials/${madeUpCredentialId()}/revoke`,
      {
        reason: 'lost',
      },
    ),
    get(
      'card PDF',
      'credential.download',
      (_id) => `/api/credentials/${madeUpCredentialId()}/card.pdf`,
    ),
    get("a person's card PNG", 'credential.read', (id) => `/api/persons/${id}/card.png`),
    get("a person's card PDF", 'credential.read', (id) => `/api/persons/${id}/card.pdf`),
    post(
      'request an erasure',
      'person.erasure_request',
      (id) => `/api/persons/${id}/erasure-requests`,
      { reasonCode: 'court_order', reference: 'TSJ-2026-00123' },
    ),
    // Erasure is decided for one purpose only (docs/ACCESS.md), assumed when none is named;
    // withdrawing is allowed to whoever may request.
    ...(
      [
        ['approve', 'person.erasure_approve'],
        ['withdraw', 'person.erasure_request'],
      ] as const
    ).map(
      ([verb, action]): RouteCase => ({
        ...post(`${verb} an erasure`, action, (id) => `/api/erasure-requests/${id}/${verb}`, {}),
        impliedPurpose: 'appeal',
      }),
    ),
    post('change an operator account', 'operator.manage', (id) => `/api/operators/${id}/changes`, {
      displayName: 'Matrix',
    }),
    post('file an appeal', 'appeal.file', (id) => `/api/persons/${id}/appeals`, {
      programId: randomUUID(),
      statement: 'Matrix',
    }),
    get('open an appeal', 'appeal.read', (id) => `/api/appeals/${id}`),
    post('take an appeal', 'appeal.decide', (id) => `/api/appeals/${id}/assign`, {}),
    post('decide an appeal', 'appeal.decide', (id) => `/api/appeals/${id}/decision`, {
      outcome: 'rejected',
      reason: 'Matrix',
    }),
    get(
      'a distribution point',
      'distribution.point_read',
      (id) => `/api/distribution/points/${id}`,
    ),
    get(
      "a distribution point's stock ledger",
      'distribution.point_read',
      (id) => `/api/distribution/points/${id}/movements`,
    ),
    post(
      'change a distribution point',
      'distribution.point_manage',
      (id) => `/api/distribution/points/${id}/changes`,
      { status: 'open' },
    ),
    post(
      'stock delivery',
      'distribution.stock_record',
      (id) => `/api/distribution/points/${id}/deliveries`,
      { clientId: clientId(), item: 'food_box', quantity: 1 },
    ),
    post(
      'stock transfer',
      'distribution.stock_record',
      (id) => `/api/distribution/points/${id}/transfers`,
      { clientId: clientId(), toPointId: randomUUID(), item: 'food_box', quantity: 1 },
    ),
    get(
      "a point's transfers, sent and received, and what is in transit",
      'distribution.point_read',
      (id) => `/api/distribution/points/${id}/transfers`,
    ),
    post(
      'accept a transfer into a point',
      'distribution.transfer_accept',
      (id) => `/api/distribution/points/${id}/transfers/${randomUUID()}/acceptance`,
      { clientId: clientId(), quantityReceived: 1 },
    ),
    post(
      'refuse a transfer into a point',
      'distribution.transfer_refuse',
      (id) => `/api/distribution/points/${id}/transfers/${randomUUID()}/refusal`,
      { clientId: clientId() },
    ),
    post(
      'cancel a transfer the point sent, still in transit',
      'distribution.transfer_cancel',
      (id) => `/api/distribution/points/${id}/transfers/${randomUUID()}/cancellation`,
      { clientId: clientId(), reason: 'sent_in_error' },
    ),
    post(
      'physical stock count',
      'distribution.stock_count',
      (id) => `/api/distribution/points/${id}/stock-counts`,
      { clientId: clientId(), item: 'food_box', countedQuantity: 1 },
    ),
    post(
      'stock adjustment',
      'distribution.stock_adjust',
      (id) => `/api/distribution/points/${id}/adjustments`,
      { clientId: clientId(), item: 'food_box', quantityDelta: -1, reason: 'loss' },
    ),
    post(
      'scan a card at a distribution point',
      'distribution.redeem',
      (id) => `/api/distribution/points/${id}/entitlement-lookups`,
      { qrText: 'NOT A CARD' },
    ),
    post(
      'redeem at a distribution point',
      'distribution.redeem',
      (id) => `/api/distribution/points/${id}/redemptions`,
      {
        clientId: clientId(),
        qrText: 'NOT A CARD',
        entitlementId: randomUUID(),
        lines: [{ item: 'food_box', quantity: 1 }],
      },
    ),
    post(
      'start a redemption without the card',
      'distribution.assisted_redeem',
      (id) => `/api/distribution/points/${id}/assisted-redemptions`,
      { uin: '2000000000', reason: 'lost', method: 'photo_attested' },
    ),
    post(
      'pass the second check of a redemption without the card',
      'distribution.assisted_redeem',
      (id) => `/api/distribution/points/${id}/assisted-redemptions/${randomUUID()}/check`,
      { attestation: true },
    ),
    post(
      'redeem without the card',
      'distribution.assisted_redeem',
      (id) => `/api/distribution/points/${id}/assisted-redemptions/${randomUUID()}/redemptions`,
      {
        clientId: clientId(),
        entitlementId: randomUUID(),
        lines: [{ item: 'food_box', quantity: 1 }],
      },
    ),
    get(
      "a point's redemptions without the card",
      'distribution.assisted_review',
      (id) => `/api/distribution/points/${id}/assisted-redemptions`,
    ),
    get(
      "a point's reconciliation for a cycle",
      'distribution.point_read',
      (id) => `/api/distribution/points/${id}/cycles/${randomUUID()}/reconciliation`,
    ),
    get(
      "a point's reconciliation for a cycle as CSV",
      'distribution.point_read',
      (id) => `/api/distribution/points/${id}/cycles/${randomUUID()}/reconciliation.csv`,
    ),
    post(
      "sign off a point's reconciliation",
      'distribution.reconcile_sign',
      (id) => `/api/distribution/points/${id}/cycles/${randomUUID()}/reconciliation/sign-offs`,
      { note: 'Matrix' },
    ),
    post(
      "register a point's offline device",
      'distribution.device_manage',
      (id) => `/api/distribution/points/${id}/devices`,
      { publicKey: 'A'.repeat(43), proof: 'A'.repeat(86), label: 'Matrix' },
    ),
    get(
      "a point's offline devices",
      'distribution.point_read',
      (id) => `/api/distribution/points/${id}/devices`,
    ),
    post(
      'hold an entitlement',
      'distribution.entitlement_hold',
      () => '/api/distribution/entitlement-holds',
      { entitlementId: randomUUID(), reason: 'suspected_fraud_report', note: 'Matrix' },
    ),
    post(
      'lift a hold on an entitlement',
      'distribution.entitlement_hold',
      (id) => `/api/distribution/entitlement-holds/${id}/lift`,
      { note: 'Matrix' },
    ),
    post(
      'object to a hold on an entitlement',
      'appeal.file',
      (id) => `/api/distribution/entitlement-holds/${id}/objections`,
      { statement: 'Matrix' },
    ),
    get(
      'open an objection to a hold',
      'appeal.decide',
      (id) => `/api/distribution/hold-objections/${id}`,
    ),
    post(
      'decide an objection to a hold',
      'appeal.decide',
      (id) => `/api/distribution/hold-objections/${id}/decision`,
      { outcome: 'rejected', reason: 'Matrix' },
    ),
    post(
      "revoke a point's offline device",
      'distribution.device_manage',
      (id) => `/api/distribution/points/${id}/devices/${randomUUID()}/revoke`,
      { reason: 'lost' },
    ),
    get(
      "an offline device's signed snapshot",
      'distribution.redeem',
      (id) => `/api/distribution/points/${id}/devices/${randomUUID()}/snapshot`,
    ),
    post(
      "the supervisor syncs an offline device's receipts",
      'distribution.offline_sync',
      (id) => `/api/distribution/points/${id}/supervised-offline-syncs`,
      syncBody(),
    ),
    post(
      "sync an offline device's receipts",
      'distribution.redeem',
      (id) => `/api/distribution/points/${id}/offline-syncs`,
      syncBody(),
    ),
    get(
      "a point's offline conflicts",
      'distribution.point_read',
      (id) => `/api/distribution/points/${id}/offline-conflicts`,
    ),
    get(
      "a point's carry-over disputes",
      'distribution.point_read',
      (id) => `/api/distribution/points/${id}/carry-over-disputes`,
    ),
    post(
      'decide a carry-over dispute',
      'distribution.dispute_decide',
      (id) => `/api/distribution/points/${id}/carry-over-disputes/${randomUUID()}/decision`,
      { item: 'rice_kg', outcome: 'written_off', reason: 'Matrix' },
    ),
    post(
      'clear an offline conflict',
      'distribution.stock_adjust',
      (id) => `/api/distribution/points/${id}/offline-conflicts/${randomUUID()}/resolution`,
      { decision: 'counted_stands', goodsLeft: false },
    ),
    {
      ...post(
        'create a payout batch paying no entitlement of the program',
        'payout.manage',
        () => '/api/payouts/batches',
        {
          clientId: clientId(),
          programId: batchProgramId,
          currency: 'VES',
          requestedExecutionDate: '2026-12-07',
          instructions: [
            {
              referenceKind: 'entitlement',
              referenceId: randomUUID(),
              amountMinor: '100',
            },
          ],
        },
      ),
      allowedStatus: 422,
    },
    get("a payout batch's figures", 'payout.read', (id) => `/api/payouts/batches/${id}`),
    get(
      "a payout batch's preview of a cycle",
      'payout.manage',
      (id) => `/api/payouts/cycles/${id}/preview`,
    ),
    get("a payout batch's payments", 'payout.read', (id) => `/api/payouts/batches/${id}/payments`),
    get(
      "a payout batch's left-out entitlements",
      'payout.read',
      (id) => `/api/payouts/batches/${id}/exclusions`,
    ),
    post(
      'cancel a payout batch not sent',
      'payout.manage',
      (id) => `/api/payouts/batches/${id}/cancellation`,
      {},
    ),
    post(
      'resume a payout batch left preparing',
      'payout.manage',
      (id) => `/api/payouts/batches/${id}/resumption`,
      {},
    ),
    get(
      "a payout batch's new payee accounts",
      'payout.approve',
      (id) => `/api/payouts/batches/${id}/payee-changes`,
    ),
    post(
      'approve a payout batch',
      'payout.approve',
      (id) => `/api/payouts/batches/${id}/approval`,
      { confirmedEndToEndIds: [] },
    ),
    get(
      'a payout file for the bank',
      'payout.manage',
      (id) => `/api/payouts/batches/${id}/pain.001.xml`,
    ),
    {
      ...post(
        'upload a malformed bank statement',
        'payout.reconcile',
        () => '/api/payouts/bank-files',
        {
          format: 'mt940',
          content: ':20:MATRIX\n',
        },
      ),
      allowedStatus: 422,
    },
    post(
      "confirm a payout's return (a second finance officer)",
      'payout.return_confirm',
      (id) => `/api/payouts/returns/${id}/confirmation`,
      {},
    ),
    post(
      "reject a payout's return the bank did not make (a second finance officer)",
      'payout.return_reject',
      (id) => `/api/payouts/returns/${id}/rejection`,
      { reason: 'The bank does not know the reference' },
    ),
    post(
      'decide a duplicate review',
      'person.merge',
      (id) => `/api/duplicate-reviews/${id}/decision`,
      {
        decision: 'new',
      },
    ),
  ];
}

/**
 * API routes the matrix does not drive, and why. A new route must join the matrix or this
 * list (the test below fails otherwise), so no route escapes the decision table unnoticed.
 */
const notDecidedByTheTable: Record<string, string> = {
  'GET /healthz': 'public, no data',
  'GET /readyz': 'public, no data',
  'GET /api/catalogue': 'public: the closed attribute catalogue is published (safeguard 1)',
  'GET /api/programs': 'public: published programs and their rules, the same for everyone',
  'GET /api/programs/eligibility-facts': 'public: the names a rule may use, no person data',
  'POST /api/programs/rule-check': 'public: type-checks rule text, reads no person data',
  'GET /api/credentials/trust-anchor': 'public: signed trust list for offline verifiers',
  'GET /api/credentials/trust-list': 'public: signed trust list for offline verifiers',
  'GET /api/credentials/revocation-list': 'public: signed revocation list',
  'GET /api/audit/tree-heads/latest': 'public: signed tree heads are published (safeguard 3)',
  'GET /api/audit/tree-heads': 'public: signed tree heads are published (safeguard 3)',
  'GET /api/audit/proofs/inclusion': 'public: proofs over published heads carry no entry',
  'GET /api/audit/proofs/consistency': 'public: proofs over published heads carry no entry',
  'GET /api/audit/keys': 'public: the keys that verify tree heads',
  'POST /api/citizen/sign-in/start': 'public sign-in; throttled (citizen-sign-in.test.ts)',
  'POST /api/citizen/sign-in/verify': 'public sign-in; throttled (citizen-sign-in.test.ts)',
  'POST /api/auth/sign-in': 'public sign-in; throttled (operator-sign-in.test.ts)',
  'POST /api/notifications/webhook/receipts':
    'the SMS gateway, authenticated by its HMAC signature, no person data (webhook.test.ts)',
  'POST /api/notifications/webhook/inbound':
    'the SMS gateway, authenticated by its HMAC signature, no person data (webhook.test.ts)',
  'POST /api/auth/enrol': 'public, proven by two code halves (operator-admin.test.ts)',
  'POST /api/auth/sign-out': "the caller's own session (sessions.test.ts)",
  'GET /api/auth/me': "the caller's own session (sessions.test.ts)",
  'GET /api/auth/session': "the caller's own session (sessions.test.ts)",
  'POST /api/auth/password': "the caller's own password (sessions.test.ts)",
  'POST /api/auth/tokens': "the caller's own device tokens (sessions.test.ts)",
  'GET /api/auth/tokens': "the caller's own device tokens (sessions.test.ts)",
  'POST /api/auth/tokens/{id}/revoke': "the caller's own device tokens (sessions.test.ts)",
  'POST /api/persons':
    'enrolment: decided by the table on the region of the body; person-enroller.test.ts',
  'POST /api/imports':
    'decided by the table before the upload is read; import/routes.test.ts drives roles',
  'GET /api/imports/{id}': 'for the roles that may import (docs/ACCESS.md); no person data',
  'GET /api/imports/{id}/errors': 'for the roles that may import (docs/ACCESS.md)',
  'POST /api/erasure-requests': 'by ID number from an order; erasure-refusals.test.ts',
  'GET /api/erasure-requests': 'administrators; erasure-refusals.test.ts',
  'POST /api/dedup-clusters/{runId}/{clusterId}/review': 'person.merge; cluster-review.test.ts',
  'GET /api/distribution/receipt-key': 'public: the key that verifies redemption receipts',
  'GET /api/payments/merchants/mine':
    "the caller's own merchants (merchant-payments.test.ts); each merchant's routes are in the matrix",
  'POST /api/payments/me/payments':
    "the caller's own wallet, citizens only, an operator refused below, decided by payment.pay (merchant-payments.test.ts)",
  'GET /api/payments/me/payments':
    "the caller's own payments, citizens only, an operator refused below, decided by payment.pay (merchant-payments.test.ts)",
  'GET /api/payments/me/payments/{requestId}':
    "the caller's own receipt, citizens only, an operator refused below, decided by payment.pay (merchant-payments.test.ts)",
  'GET /api/payments/me/pin':
    "the caller's own PIN state, citizens only, an operator refused below (merchant-payments.test.ts)",
  'PUT /api/payments/me/pin':
    "the caller's own PIN, citizens only, an operator refused below, decided by payment.pin_set (merchant-payments.test.ts)",
  'GET /api/payments/pin-checks':
    'a list filtered per row by payment.pin_approve on each person (each row gated and audited as the approval would be; pin-guard.test.ts)',
  'POST /api/payments/payee-account-stops':
    "public: the person's ID number and the stop code texted to them, rate-limited, a wrong code counted (payee-accounts.test.ts)",
  'GET /api/payments/payee-checks':
    'a list filtered per row by payee.approve on each person (each row gated and audited as the approval would be; payee-accounts.test.ts)',
  'GET /api/payments/me/wallet':
    "the caller's own wallet, citizens only, an operator refused below (payments-routes.test.ts); a person's wallet by id is in the matrix",
  'GET /api/distribution/snapshot-key': 'public: the key that verifies offline snapshots',
  'GET /api/open-data/statistics': 'public: the list of open-data statistics tables',
  'GET /api/open-data/statistics/{code}':
    'public: protected aggregate tables marked public (published-tables.test.ts)',
  'GET /api/open-data/statistics/{code}/csv':
    'public: the same tables as CSV (published-tables.test.ts)',
  'POST /api/distribution/points':
    'distribution.point_manage, decided by the table on the region of the body; refused to an operator, a program officer and a supervisor of another region below',
};

/** What docs/ACCESS.md says: allowed, or the status of the refusal. */
function expected(
  route: RouteCase,
  principal: Principal,
  target: Target,
  purpose: string | null,
): 'allowed' | 403 | 404 {
  const held: string[] = principal.kind === 'citizen' ? ['citizen'] : [...principal.roles];
  const rules = table.filter((rule) => rule.action === route.action && held.includes(rule.role));
  const effective = purpose ?? route.impliedPurpose ?? null;
  const forPurpose = rules.filter(
    (rule) => effective !== null && rule.purposes.includes(effective),
  );
  if (forPurpose.length === 0) return 403;
  if (route.resource === 'absent') return 'allowed';
  const inScope = forPurpose.some((rule) => {
    if (rule.scope === 'any') return true;
    if (rule.scope === 'own')
      return (
        principal.kind === 'citizen' &&
        route.resource === 'person' &&
        principal.personId === target.personId
      );
    if (principal.kind !== 'operator') return false;
    // A search is scoped by filtering its results to the operator's regions.
    return route.resource === 'none' || principal.regions.includes(target.region);
  });
  return inScope ? 'allowed' : 404;
}

/** A published program of one region and its first cycle, through the programs module's verbs. */
async function regionalProgram(db: AccessTestApp['database']['db'], region: string) {
  const [officer, supervisor] = [randomUUID(), randomUUID()];
  const content = programContent(region);
  const { programId } = await programCreator(db, {
    code: `matrix_${region.slice(3).toLowerCase()}_${randomUUID().slice(0, 6)}`,
    content: {
      ...content,
      benefit: { basket: content.benefit.basket },
      kind: 'in_kind',
      unit: 'household',
      cadence: 'monthly',
      budgetCap: 1000n,
    },
    operatorId: officer,
  });
  const { publicationId } = await publicationRequester(db, {
    programId,
    version: 1,
    operatorId: officer,
  });
  await publicationDecider(db, { publicationId, approve: true, operatorId: supervisor });
  const { cycleId } = await cycleCreator(db, {
    chunks: 1,
    programId,
    referenceDate: '2026-12-01',
    operatorId: officer,
  });
  return { programId, cycleId };
}

describe('authorisation matrix from docs/ACCESS.md', () => {
  let kit: AccessTestApp;
  let targets: Target[];
  /** The persons and the household the scene's disbursements paid (no target of any route). */
  let paidIds: string[] = [];

  /**
   * The audit outcomes of many requests in one query: asked once per request, the lookup scans
   * an audit log that grows with every request the matrix makes.
   */
  async function auditOutcomes(requestIds: readonly string[]): Promise<Map<string, string[]>> {
    const rows = await kit.database.asAdmin((admin) =>
      sql<{
        requestId: string;
        outcome: string;
      }>`select entry::json->>'requestId' as "requestId", entry::json->>'outcome' as outcome
         from audit_entry where entry::json->>'requestId' = any(${[...requestIds]}::text[])`.execute(
        admin,
      ),
    );
    const outcomes = new Map<string, string[]>();
    for (const row of rows.rows)
      outcomes.set(row.requestId, [...(outcomes.get(row.requestId) ?? []), row.outcome]);
    return outcomes;
  }

  async function signInOperator(
    username: string,
    operatorRoles: readonly Role[],
    regions: readonly string[],
  ) {
    const operator = await createTestOperator(kit, {
      username,
      roles: [...operatorRoles],
      regions: [...regions],
    });
    kit.advance(30_000);
    const response = await kit.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { username, password: operator.password, totp: operator.totp() },
    });
    expect(response.statusCode).toBe(200);
    return { amparo_session: sessionCookieFrom(response) ?? '' };
  }

  /**
   * The purposes to try a route with. The citizen, and a single role holding the route's action,
   * are tried with every purpose. A single role holding no rule for the action is refused it
   * whatever the purpose; what could still let it through is a route checking another action, or
   * none, and that shows under a purpose the role holds for some action: it is tried with no
   * purpose, each of those, and one it holds for none (every purpose for each of the 13 roles
   * and 200-odd routes was a fifth of CI's PostgreSQL run). An operator with several roles is
   * there to show that roles and regions add up: each purpose one of its roles is allowed the
   * route's action for, no purpose, and one purpose none of them is allowed.
   */
  function purposesToTry(route: RouteCase, principal: Principal): (string | null)[] {
    if (principal.kind === 'citizen') return [null, ...purposes];
    const held: readonly string[] = principal.roles;
    const allowedFor = new Set(
      table
        .filter((rule) => rule.action === route.action && held.includes(rule.role))
        .flatMap((rule) => rule.purposes),
    );
    if (principal.roles.length === 1) {
      if (allowedFor.size > 0) return [null, ...purposes];
      const roleWide = new Set(
        table.filter((rule) => held.includes(rule.role)).flatMap((rule) => rule.purposes),
      );
      const heldForNone = purposes.find((purpose) => !roleWide.has(purpose));
      return [
        null,
        ...purposes.filter((purpose) => roleWide.has(purpose)),
        ...(heldForNone ? [heldForNone] : []),
      ];
    }
    const refused = purposes.find((purpose) => !allowedFor.has(purpose));
    return [
      null,
      ...purposes.filter((purpose) => allowedFor.has(purpose)),
      ...(refused ? [refused] : []),
    ];
  }

  async function checkPrincipal(principal: Principal, cookies: Record<string, string>) {
    const mismatches: string[] = [];
    const answered: {
      label: string;
      requestId: string;
      got: 'allowed' | number;
      auditedAs: string;
    }[] = [];
    for (const route of routes) {
      // A route tied to no record answers the same for either target: one is enough.
      const routeTargets =
        route.resource === 'person' ||
        route.resource === 'household' ||
        route.resource === 'program'
          ? targets
          : targets.slice(0, 1);
      for (const target of routeTargets) {
        const tried = purposesToTry(route, principal);
        // A read is asked under every purpose at once (the server answers them side by side, as
        // it would several clerks); a write one purpose after another, as each may change what
        // the next finds. Each answer is judged alone, in the same order either way.
        const responses =
          route.request(target, null).method === 'GET'
            ? await Promise.all(
                tried.map((purpose) =>
                  kit.app.inject({ ...route.request(target, purpose), cookies }),
                ),
              )
            : [];
        for (const [index, purpose] of tried.entries()) {
          const want = expected(route, principal, target, purpose);
          const response =
            responses[index] ??
            (await kit.app.inject({ ...route.request(target, purpose), cookies }));
          const got =
            response.statusCode < 300 || response.statusCode === route.allowedStatus
              ? 'allowed'
              : response.statusCode;
          const label = `${route.name} ${target.region} purpose=${purpose}`;
          if (got !== want)
            mismatches.push(
              `${label}: expected ${want}, got ${response.statusCode} ${response.body.slice(0, 120)}`,
            );
          answered.push({
            label,
            requestId: String(response.headers['x-request-id']),
            got,
            auditedAs: route.allowedStatus === undefined ? 'allowed' : 'denied',
          });
          if (got !== 'allowed') expect(response.body).not.toContain(target.uin);
          // Safeguard 8: no statistics answer carries a person id or a household id (of the
          // targets, or of the persons paid by the scene's disbursements).
          if (route.action === 'statistics.read') {
            for (const id of [
              ...targets.flatMap((any) => [any.personId, any.householdId]),
              ...paidIds,
            ])
              expect(response.body).not.toContain(id);
          }
        }
      }
    }
    const audited = await auditOutcomes(answered.map((answer) => answer.requestId));
    for (const { label, requestId, got, auditedAs } of answered) {
      const outcomes = audited.get(requestId) ?? [];
      if (got === 'allowed' && !outcomes.includes(auditedAs))
        mismatches.push(`${label}: answered without an allowed audit entry`);
      if (got !== 'allowed' && !outcomes.includes('denied'))
        mismatches.push(`${label}: refusal not audited`);
    }
    return mismatches;
  }

  beforeAll(async () => {
    kit = await buildAccessTestApp({
      signInRequestsPerMinuteMax: 10_000,
      rateLimitRequestsMax: 100_000,
    });
    await payingAccountStoredForTest(
      kit.database.db,
      { scope: 'program', key: batchProgramId },
      matrixPayingAccount,
    );
    await payingAccountStoredForTest(
      kit.database.db,
      { scope: 'merchant_settlement', key: 'USD' },
      matrixPayingAccount,
    );
    targets = [];
    const issuer = await signInOperator('matrix.issuer', ['registry_supervisor'], ['VE-A', 'VE-Z']);
    for (const region of ['VE-A', 'VE-Z']) {
      const holder = await createCardPerson(kit.database.db, kit.masterKey, { region });
      const issued = await kit.app.inject({
        method: 'POST',
        url: `/api/persons/${holder.id}/credentials?purpose=enrolment`,
        cookies: issuer,
        payload: { clientId: randomUUID() },
      });
      expect(issued.statusCode).toBe(201);
      const credentialId: string = issued.json().credentialId;
      const person = await buildPerson(kit, {
        region,
        phone: region === 'VE-A' ? '+584121230000' : null,
      });
      const { uin } = person;
      const { id: householdId } = await buildHousehold(kit, {
        region,
        members: [{ person, relationship: 'head' }],
      });
      const { programId, cycleId } = await regionalProgram(kit.database.db, region);
      targets.push({
        kind: 'person',
        personId: person.id,
        uin,
        householdId,
        region,
        credentialId,
        programId,
        cycleId,
      });
    }
    // Two adults of Miranda in one household, paid in VES and in USD by two small
    // disbursements through the programs and payments verbs: the amounts tables then exist.
    const [head, spouse] = [
      await buildPerson(kit, { region: 'VE-M' }),
      await buildPerson(kit, { region: 'VE-M' }),
    ];
    const paidHousehold = await buildHousehold(kit, {
      region: 'VE-M',
      members: [
        { person: head, relationship: 'head' },
        { person: spouse, relationship: 'spouse' },
      ],
    });
    const paid = [head, spouse];
    paidIds = [...paid.map((person) => person.id), paidHousehold.id];
    for (const currency of ['VES', 'USD'] as const)
      await smallDisbursement(kit.database.db, {
        code: `matrix_paid_${currency.toLowerCase()}`,
        region: 'VE-M',
        currency,
        amountMinor: 20_00n,
      });
    // The published statistics, refreshed over these persons and cycles: the statistics
    // routes then answer real protected tables.
    await statisticsRefresher({ db: kit.database.db, models: aggregateReadModels() });
    // Cards, persons, households and two programs with a cycle each: on PGlite on a busy
    // two-core machine this took over a minute.
  }, 180_000);
  afterAll(async () => kit?.close());

  it('drives every API route, or names why a route is not decided by the table', async () => {
    const spec = (await kit.app.inject({ url: '/api/openapi.json' })).json() as {
      paths: Record<string, Record<string, unknown>>;
    };
    const target = targets[0] as Target;
    const driven = routes.flatMap((route) =>
      [null, 'enrolment'].map((purpose) => route.request(target, purpose)),
    );
    const unexplained: string[] = [];
    const operations = Object.entries(spec.paths).flatMap(([template, verbs]) =>
      Object.keys(verbs).map((verb) => `${verb.toUpperCase()} ${template}`),
    );
    for (const exempted of Object.keys(notDecidedByTheTable))
      if (!operations.includes(exempted)) unexplained.push(`${exempted}: exempted, no such route`);
    for (const [template, operations] of Object.entries(spec.paths)) {
      const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/?]+')}(\\?|$)`);
      for (const method of Object.keys(operations)) {
        const operation = `${method.toUpperCase()} ${template}`;
        const inMatrix = driven.some(
          (request) => request.method === method.toUpperCase() && pattern.test(request.url),
        );
        if (inMatrix === operation in notDecidedByTheTable)
          unexplained.push(inMatrix ? `${operation}: in the matrix and exempted` : operation);
      }
    }
    expect(unexplained).toEqual([]);
  });

  it.each(roles.map((role) => [role]))(
    'answers a %s in VE-A exactly as documented',
    async (role) => {
      const cookies = await signInOperator(`matrix.${role}`, [role], ['VE-A']);
      expect(
        await checkPrincipal({ kind: 'operator', roles: [role], regions: ['VE-A'] }, cookies),
      ).toEqual([]);
    },
    120_000,
  );

  it('answers a citizen exactly as documented, for their own record and another', async () => {
    const own = targets[0] as Target;
    await kit.app.inject({
      method: 'POST',
      url: '/api/citizen/sign-in/start',
      payload: { uin: own.uin },
    });
    // The code as the phone shows it (the outbox keeps it sealed).
    const code = await receivedCode(
      { db: kit.database.db, masterKey: kit.masterKey },
      { templateId: 'citizen.sign_in_code' },
    );
    const verify = await kit.app.inject({
      method: 'POST',
      url: '/api/citizen/sign-in/verify',
      payload: { uin: own.uin, code },
    });
    const cookies = { amparo_session: sessionCookieFrom(verify) ?? '' };
    expect(await checkPrincipal({ kind: 'citizen', personId: own.personId }, cookies)).toEqual([]);
  }, 120_000);

  it('scopes real points by their region: an operator, supervisor or officer of VE-A is refused a point of VE-Z', async () => {
    // Every point case above names a made-up point (the gate answers 404 before any scope); here
    // two real points, one per region, each with its officer and an assigned operator.
    const officerA = await signIn(kit, ['program_officer'], ['VE-A']);
    const supervisorA = await signIn(kit, ['distribution_supervisor'], ['VE-A']);
    const officerZ = await signIn(kit, ['program_officer'], ['VE-Z']);
    const operatorA = await signIn(kit, ['distribution_operator'], ['VE-A']);
    const operatorZ = await signIn(kit, ['distribution_operator'], ['VE-Z']);
    const supervisorZ = await signIn(kit, ['distribution_supervisor'], ['VE-Z']);
    const pointA = await createPoint(kit, supervisorA, { operators: [operatorA.operatorId] });
    const pointZ = await createPoint(kit, supervisorZ, {
      regionCode: 'VE-Z',
      operators: [operatorZ.operatorId],
    });
    const atPoint = (
      pointId: string,
    ): { action: string; method: 'GET' | 'POST'; url: string; payload?: object }[] => [
      { action: 'distribution.point_read', method: 'GET', url: pointId },
      { action: 'distribution.point_read', method: 'GET', url: `${pointId}/movements` },
      { action: 'distribution.point_read', method: 'GET', url: `${pointId}/devices` },
      { action: 'distribution.point_read', method: 'GET', url: `${pointId}/transfers` },
      {
        action: 'distribution.transfer_accept',
        method: 'POST',
        url: `${pointId}/transfers/${randomUUID()}/acceptance`,
        payload: { clientId: randomUUID(), quantityReceived: 1 },
      },
      {
        action: 'distribution.transfer_refuse',
        method: 'POST',
        url: `${pointId}/transfers/${randomUUID()}/refusal`,
        payload: { clientId: randomUUID() },
      },
      {
        action: 'distribution.transfer_cancel',
        method: 'POST',
        url: `${pointId}/transfers/${randomUUID()}/cancellation`,
        payload: { clientId: randomUUID(), reason: 'sent_in_error' },
      },
      {
        action: 'distribution.stock_record',
        method: 'POST',
        url: `${pointId}/deliveries`,
        payload: { clientId: randomUUID(), item: 'food_box', quantity: 1 },
      },
      {
        action: 'distribution.redeem',
        method: 'POST',
        url: `${pointId}/entitlement-lookups`,
        payload: { qrText: 'NOT A CARD' },
      },
      {
        action: 'distribution.assisted_redeem',
        method: 'POST',
        url: `${pointId}/assisted-redemptions`,
        payload: { uin: '2000000000', reason: 'lost', method: 'photo_attested' },
      },
      {
        action: 'distribution.point_manage',
        method: 'POST',
        url: `${pointId}/changes`,
        payload: { status: 'closed' },
      },
      {
        action: 'distribution.stock_adjust',
        method: 'POST',
        url: `${pointId}/adjustments`,
        payload: { clientId: randomUUID(), item: 'food_box', quantityDelta: 1, reason: 'loss' },
      },
      {
        action: 'distribution.reconcile_sign',
        method: 'POST',
        url: `${pointId}/cycles/${randomUUID()}/reconciliation/sign-offs`,
        payload: {},
      },
      {
        action: 'distribution.dispute_decide',
        method: 'POST',
        url: `${pointId}/carry-over-disputes/${randomUUID()}/decision`,
        payload: { item: 'rice_kg', outcome: 'written_off', reason: 'Matrix' },
      },
    ];
    const roleOf = {
      operator: 'distribution_operator',
      supervisor: 'distribution_supervisor',
      officer: 'program_officer',
    } as const;
    const answers: string[] = [];
    for (const [who, name] of [
      [operatorA, 'operator'],
      [supervisorA, 'supervisor'],
      [officerA, 'officer'],
    ] as const) {
      for (const call of atPoint(pointZ)) {
        const response = await kit.app.inject({
          method: call.method,
          url: `/api/distribution/points/${call.url}?purpose=distribution`,
          cookies: who.cookies,
          ...(call.payload ? { payload: call.payload } : {}),
        });
        // The table gives the role the action: outside its region the point is answered as
        // absent (404); without the action, 403. Never allowed, always audited.
        const allowedByRole = table.some(
          (rule) => rule.action === call.action && rule.role === roleOf[name],
        );
        answers.push(
          `${name} ${call.method} ${call.url.replace(pointZ, 'Z')}: ${response.statusCode}`,
        );
        expect(response.statusCode, `${name} ${call.url}: ${response.body}`).toBe(
          allowedByRole ? 404 : 403,
        );
        const outcomes = await auditOutcomes([String(response.headers['x-request-id'])]);
        expect([...outcomes.values()].flat()).toContain('denied');
      }
    }
    // The same operator at their own point of VE-A is answered (the refusals above are scope).
    const own = await kit.app.inject({
      url: `/api/distribution/points/${pointA}?purpose=distribution`,
      cookies: operatorA.cookies,
    });
    expect(own.statusCode, own.body).toBe(200);
    // Nothing changed at the point of VE-Z.
    const pointOfZ = await kit.app.inject({
      url: `/api/distribution/points/${pointZ}?purpose=distribution`,
      cookies: officerZ.cookies,
    });
    expect(pointOfZ.json()).toMatchObject({ status: 'open', stock: [] });
  }, 120_000);

  it('refuses creating a point to an operator, to a program officer, and to a supervisor of another region', async () => {
    const operatorA = await signIn(kit, ['distribution_operator'], ['VE-A']);
    // The rule writer registers and staffs no point (docs/ACCESS.md, session 21).
    const officerA = await signIn(kit, ['program_officer'], ['VE-A']);
    const supervisorA = await signIn(kit, ['distribution_supervisor'], ['VE-A']);
    for (const [who, regionCode, status] of [
      [operatorA, 'VE-A', 403],
      [officerA, 'VE-A', 403],
      [supervisorA, 'VE-Z', 404],
    ] as const) {
      const code = `matrix-${randomUUID().slice(0, 8)}`;
      const response = await kit.app.inject({
        method: 'POST',
        url: '/api/distribution/points?purpose=distribution',
        cookies: who.cookies,
        payload: { code, name: 'Matrix', kind: 'kiosk', regionCode },
      });
      expect(response.statusCode, response.body).toBe(status);
      const outcomes = await auditOutcomes([String(response.headers['x-request-id'])]);
      expect([...outcomes.values()].flat()).toContain('denied');
      const created = await kit.database.db
        .selectFrom('distribution_point')
        .select('id')
        .where('code', '=', code)
        .execute();
      expect(created).toEqual([]);
    }
  }, 120_000);

  it("refuses an operator the citizen's own payment routes", async () => {
    const operatorA = await signIn(kit, ['distribution_operator'], ['VE-A']);
    for (const [method, url, payload] of [
      ['GET', '/api/payments/me/wallet', undefined],
      ['GET', '/api/payments/me/payments', undefined],
      ['GET', `/api/payments/me/payments/${randomUUID()}`, undefined],
      ['GET', '/api/payments/me/pin', undefined],
      ['PUT', '/api/payments/me/pin', { pin: '4821' }],
      ['POST', '/api/payments/me/payments', { token: 'x'.repeat(40), pin: '4821' }],
    ] as const) {
      const response = await kit.app.inject({
        method,
        url,
        cookies: operatorA.cookies,
        ...(payload ? { payload } : {}),
      });
      expect([url, response.statusCode, response.json().code]).toEqual([url, 403, 'AMP_FORBIDDEN']);
    }
  }, 120_000);

  it('narrows cycle.approve by separation of duties: whoever recomputed a cycle is refused its approval', async () => {
    // The table lets an operator holding program_officer and program_supervisor in the region
    // both recompute (program.manage) and approve (cycle.approve); docs/ACCESS.md bars the
    // second after the first (migration 0040): refused, audited as denied, nothing recorded.
    const { cycleId } = await regionalProgram(kit.database.db, 'VE-A');
    const both = await signInOperator(
      'matrix.recomputer',
      ['program_officer', 'program_supervisor'],
      ['VE-A'],
    );
    const url = (verb: string) =>
      `/api/program-cycles/${cycleId}/${verb}?purpose=eligibility_review`;
    const recomputed = await kit.app.inject({
      method: 'POST',
      url: url('recompute'),
      cookies: both,
      payload: {},
    });
    expect(recomputed.statusCode).toBe(200);
    const refused = await kit.app.inject({
      method: 'POST',
      url: url('approvals'),
      cookies: both,
      payload: {},
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'AMP_FORBIDDEN' });
    const audited = await kit.database.asAdmin((admin) =>
      sql<{ outcome: string; reasonCode: string | null }>`select entry::json->>'outcome' as outcome,
          entry::json->>'reasonCode' as "reasonCode" from audit_entry
        where entry::json->>'requestId' = ${String(refused.headers['x-request-id'])}`.execute(
        admin,
      ),
    );
    // Audited once, by the error handler, with the service's code (docs/ACCESS.md, "Audited grants").
    expect(audited.rows).toEqual([{ outcome: 'denied', reasonCode: 'AMP_FORBIDDEN' }]);
    const cycle = await kit.database.db
      .selectFrom('program_cycle_approval')
      .select('approved_by')
      .where('cycle_id', '=', cycleId)
      .execute();
    expect(cycle).toEqual([]);
    const other = await signInOperator('matrix.approver', ['program_supervisor'], ['VE-A']);
    const approved = await kit.app.inject({
      method: 'POST',
      url: url('approvals'),
      cookies: other,
      payload: {},
    });
    expect(approved.statusCode).toBe(200);
    const approval = await auditOutcomes([String(approved.headers['x-request-id'])]);
    expect([...approval.values()].flat()).toEqual(['allowed']);
  }, 120_000);

  it('answers operators holding several roles in several regions exactly as documented', async () => {
    let counter = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.subarray([...roles], { minLength: 2, maxLength: 3 }),
        fc.subarray(['VE-A', 'VE-Z', 'VE-M'], { minLength: 1 }),
        async (operatorRoles, regions) => {
          counter += 1;
          // Each run may issue a slip code for the same person: past the issue window, so the
          // per-person limit (three in 15 minutes) does not answer 429 when several runs are clerks.
          kit.advance(15 * 60_000);
          const cookies = await signInOperator(`matrix.multi.${counter}`, operatorRoles, regions);
          expect(
            await checkPrincipal({ kind: 'operator', roles: operatorRoles, regions }, cookies),
          ).toEqual([]);
        },
      ),
      { numRuns: 4 },
    );
  }, 120_000);
});
