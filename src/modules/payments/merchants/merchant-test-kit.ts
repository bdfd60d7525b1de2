import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import {
  type AccessTestApp,
  buildAccessTestApp,
  citizenSession,
} from '../../access/access-test-kit.js';
import { type SignedIn, signIn } from '../../distribution/distribution-test-kit.js';
import { accountCreator, accountFlags, transferCreator } from '../../ledger/index.js';
import { receivedCode } from '../../notifications/received-text-test-kit.js';
import { settlementAccountId, walletAccountId } from '../accounts/account-ids.js';
import { settlementAccountsOpener } from '../accounts/settlement-accounts.js';
import { alertsOfKind } from '../controls/controls-test-kit.js';
import { staffTakeoverScan } from '../controls/pin-alerts.js';
import { programFunder } from '../funding/program-funder.js';
import { cashCycle } from '../payments-test-kit.js';
import { payingAccountStoredForTest } from '../payouts/payout-test-kit.js';
import {
  type MerchantRegistration,
  type MerchantSummary,
  merchantRegistrar,
} from './merchant-registry.js';
import { pinSetter } from './payment-pin.js';

/** Test helpers for merchant payments, through the module's own routes and the ledger's face. */

/**
 * What the helpers need of a test app: the route tests' kit or the browser tests' server. The
 * master key (in `keys`) reads a texted code as the phone shows it (`receivedCode`).
 */
type WithApp = Pick<AccessTestApp, 'app' | 'database' | 'keys'>;

/** Puts `amountMinor` VES in a person's wallet (from the settlement account). */
export async function fundWallet(kit: WithApp, personId: string, amountMinor: bigint) {
  await walletFunder(kit.database.db, personId, amountMinor);
}

/**
 * Opens a person's VES wallet (and the settlement account) and credits it `amountMinor` from
 * the settlement account; answers the wallet's account id. For tests and benchmarks.
 */
export async function walletFunder(
  db: Kysely<Database>,
  personId: string,
  amountMinor: bigint,
): Promise<string> {
  const wallet = walletAccountId(personId, 'VES');
  await settlementAccountsOpener(db, 'VES');
  await accountCreator(db, [
    {
      id: wallet,
      currency: 'VES',
      kind: 'beneficiary_wallet',
      flags: accountFlags.debitsMustNotExceedCredits,
      referenceId: personId,
    },
  ]);
  const [outcome] = await transferCreator(db, [
    {
      id: randomUUID(),
      debitAccountId: settlementAccountId('VES'),
      creditAccountId: wallet,
      amountMinor,
      flags: 0,
      currency: 'VES',
      reason: 'adjustment',
    },
  ]);
  if (outcome?.result !== 'ok') throw new Error(`wallet funding refused: ${outcome?.result}`);
  return wallet;
}

/**
 * Registers a merchant and has a second finance officer (another random operator id) approve
 * it, as `merchantApprover` would (the two-person rule of migration 0114: an unapproved merchant
 * makes no payment request). For tests and benchmarks that call the verbs without the HTTP
 * app, which has no approver to sign in; the route tests use `approveMerchant`.
 *
 * @example
 *   const merchant = await approvedMerchantRegistered(db, masterKey, registration);
 */
export async function approvedMerchantRegistered(
  db: Kysely<Database>,
  masterKey: Buffer,
  registration: MerchantRegistration,
): Promise<MerchantSummary> {
  const merchant = await merchantRegistrar(db, masterKey, registration);
  const approvedAt = new Date();
  await db
    .updateTable('merchant')
    .set({ approved_by: randomUUID(), approved_at: approvedAt })
    .where('id', '=', merchant.merchantId)
    .where('approved_at', 'is', null)
    .execute();
  return { ...merchant, approvedAt: approvedAt.toISOString() };
}

/** Funds a program's account with `amountMinor` VES. */
export async function fundProgram(kit: AccessTestApp, programId: string, amountMinor: bigint) {
  await programFunder(kit.database.db, {
    programId,
    currency: 'VES',
    amountMinor,
    transferId: randomUUID(),
  });
}

/**
 * A merchant registered by a finance officer over HTTP and approved by a second one, with one
 * staff member signed in; a program (if given) pays `shareBasisPoints` of its subsidised prices.
 */
export async function registeredMerchant(
  kit: AccessTestApp,
  options: {
    subsidy?: { programId: string; shareBasisPoints: number };
    holder?: 'person' | 'organisation';
    currency?: 'VES' | 'USD';
    /** False: left for a second finance officer to approve (by default one approves it). */
    approved?: boolean;
  } = {},
): Promise<{ merchantId: string; finance: SignedIn; staff: SignedIn }> {
  const finance = await signIn(kit, ['finance_officer'], ['VE-A']);
  const staff = await signIn(kit, ['merchant'], ['VE-A']);
  const merchantId = randomUUID();
  const registered = await kit.app.inject({
    method: 'POST',
    url: '/api/payments/merchants?purpose=distribution',
    cookies: finance.cookies,
    payload: {
      merchantId,
      name: 'Bodega La Esquina',
      stateCode: 'VE-A',
      currency: options.currency ?? 'VES',
      settlement: {
        bankCode: '0134',
        accountNumber: '01340000000000000042',
        holder: options.holder ?? 'person',
      },
      staffOperatorIds: [staff.operatorId],
      subsidies: options.subsidy ? [options.subsidy] : [],
    },
  });
  if (registered.statusCode !== 201) throw new Error(`merchant: ${registered.body}`);
  if (options.approved !== false) await approveMerchant(kit, merchantId);
  return { merchantId, finance, staff };
}

/** What the counter and PIN tests start from (`merchantScene`). */
export interface MerchantScene {
  kit: AccessTestApp;
  /** An enrolment clerk of VE-A: enrols card holders and corrects their records. */
  clerk: SignedIn;
  /** A merchant registered and approved, with one staff member signed in. */
  merchant: Awaited<ReturnType<typeof registeredMerchant>>;
}

/**
 * A test app (rate limit out of the way), an enrolment clerk of VE-A and an approved merchant
 * with its staff signed in: the `beforeAll` of the tests that pay at a counter or in the app.
 *
 * @example
 *   let scene: MerchantScene;
 *   beforeAll(async () => { scene = await merchantScene(); }, 120_000);
 */
export async function merchantScene(): Promise<MerchantScene> {
  const kit = await buildAccessTestApp({ rateLimitRequestsMax: 10_000 });
  const clerk = await signIn(kit, ['enrolment_clerk'], ['VE-A']);
  const merchant = await registeredMerchant(kit);
  return { kit, clerk, merchant };
}

/**
 * An operator corrects the phone on a person's record over HTTP (`POST …/corrections`, at the
 * person's request), as the F4 attack does: the new phone is the one texted from then on.
 */
export async function phoneCorrected(
  kit: Pick<AccessTestApp, 'app'>,
  operator: SignedIn,
  personId: string,
  phone: string,
) {
  const corrected = await kit.app.inject({
    method: 'POST',
    url: `/api/persons/${personId}/corrections?purpose=enrolment`,
    cookies: operator.cookies,
    payload: { clientId: randomUUID(), attributes: { phone }, reason: 'person_request' },
  });
  if (corrected.statusCode !== 200) throw new Error(`phone correction: ${corrected.body}`);
}

/** A second finance officer approves a merchant's registration over HTTP (two-person rule). */
export async function approveMerchant(kit: AccessTestApp, merchantId: string) {
  const approver = await signIn(kit, ['finance_officer'], ['VE-A']);
  const approved = await kit.app.inject({
    method: 'POST',
    url: `/api/payments/merchants/${merchantId}/approval?purpose=distribution`,
    cookies: approver.cookies,
    payload: {},
  });
  if (approved.statusCode !== 200) throw new Error(`merchant approval: ${approved.body}`);
  return approver;
}

/**
 * The scene the merchant payment tests start from: a cash program (`cesta`, funded with
 * 1,000,000) that pays `shareBasisPoints` of a registered merchant's subsidised prices. Only
 * persons enrolled before it hold the entitlement that makes a price subsidised; each
 * entitlement is worth `allowanceMinor` (20,000 unless given), the most the program pays of one
 * payer's subsidised prices in the cycle. `code` names another program in the same app.
 */
export async function subsidisedMerchant(
  kit: AccessTestApp,
  shareBasisPoints: number,
  options: { allowanceMinor?: bigint; code?: string } = {},
) {
  const { programId } = await cashCycle(kit.database.db, {
    code: options.code ?? 'cesta',
    amountMinor: options.allowanceMinor ?? 20_000n,
  });
  await fundProgram(kit, programId, 1_000_000n);
  const merchant = await registeredMerchant(kit, { subsidy: { programId, shareBasisPoints } });
  return { programId, ...merchant };
}

/**
 * A person ready to pay: their wallet funded with `fundedMinor` (none opened without it), a
 * citizen session, and the PIN set through it; `pinSet` is the route's answer, for the caller
 * to check. A first PIN set in the app is held for a day (docs/PAYMENTS-PIN.md): the hold is
 * lifted as if that day had passed, unless `keepHold`.
 */
export async function payingCitizen(
  kit: WithApp,
  person: { personId: string; uin: string },
  options: { pin: string; fundedMinor?: bigint; keepHold?: boolean },
) {
  if (options.fundedMinor !== undefined)
    await fundWallet(kit, person.personId, options.fundedMinor);
  const session = await citizenSession(kit, person);
  const pinSet = await kit.app.inject({
    method: 'PUT',
    url: '/api/payments/me/pin',
    cookies: session,
    payload: { pin: options.pin },
  });
  if (options.keepHold !== true && pinSet.statusCode === 200) {
    await pinHoldLifted(kit.database.db, person.personId);
  }
  return { session, pinSet };
}

/**
 * A PIN the person set before the test began, its hold (a first PIN's) over: `pinSetter` as the
 * payment app calls it, then the hold lifted. For fixtures that pay at once.
 *
 * @example
 *   await pinOnFile(db, { personId, pin: '4821', hashOptions, masterKey, now });
 */
export async function pinOnFile(db: Kysely<Database>, props: Parameters<typeof pinSetter>[1]) {
  await pinSetter(db, props);
  await pinHoldLifted(db, props.personId);
}

/** Ends a PIN's hold now, as if its day had passed (the test clock need not move). */
export async function pinHoldLifted(db: Kysely<Database>, personId: string) {
  await db
    .updateTable('payment_pin')
    .set({ held_until: null, hold_reason: null })
    .where('person_id', '=', personId)
    .execute();
}

/**
 * Runs the auditors' takeover scan at the kit's clock (a 7-day window), as the server's pattern
 * scan would, and answers how many it raised and every takeover alert there is.
 */
export async function takeoverAlertsScanned(kit: Pick<AccessTestApp, 'database' | 'now'>) {
  const raised = await staffTakeoverScan(kit.database.db, kit.now(), {
    takeoverWindowMs: 7 * 24 * 3_600_000,
  });
  const alerts = await alertsOfKind(kit.database.db, 'payment_pin_staff_takeover');
  return { raised, alerts };
}

/** The reason codes of the denied audit entries of `action`, in the order written. */
export async function deniedCodes(kit: Pick<AccessTestApp, 'database'>, action: string) {
  const rows = await kit.database.asAdmin((admin) =>
    admin.selectFrom('audit_entry').select('entry').execute(),
  );
  return rows
    .map(
      (row) =>
        JSON.parse(String(row.entry)) as { action: string; outcome: string; reasonCode: string },
    )
    .filter((entry) => entry.action === action && entry.outcome === 'denied')
    .map((entry) => entry.reasonCode);
}

/**
 * A finance officer settles a day's VES merchant balances over HTTP (the answer, unchecked),
 * from the VES paying account, stored first if none is (a file always debits the stored one).
 */
export async function settleDay(
  kit: Pick<AccessTestApp, 'app' | 'database'>,
  cookies: Record<string, string>,
  settlementDate: string,
) {
  await payingAccountStoredForTest(
    kit.database.db,
    { scope: 'merchant_settlement', key: 'VES' },
    { name: 'Amparo', accountNumber: '01020000000000000009', bankCode: '0102' },
  );
  return kit.app.inject({
    method: 'POST',
    url: '/api/payments/merchant-settlements?purpose=distribution',
    cookies,
    payload: { settlementDate, currency: 'VES' },
  });
}

/**
 * Staff set a person's PIN the way a counter does (docs/PAYMENTS-PIN.md): a second check by the
 * code texted to the phone on file (read as the phone shows it: `receivedCode`), then the PIN
 * with that code. The person needs a phone on file. Answers the route's answer.
 */
export async function staffPinSet(
  kit: WithApp,
  cookies: Record<string, string>,
  personId: string,
  pin: string,
) {
  const started = await kit.app.inject({
    method: 'POST',
    url: `/api/payments/persons/${personId}/pin-checks?purpose=self`,
    cookies,
    payload: { method: 'phone_code' },
  });
  if (started.statusCode !== 201) throw new Error(`pin check: ${started.body}`);
  const code = await receivedCode(
    { db: kit.database.db, masterKey: kit.keys.masterKey },
    { personId, templateId: 'payments.pin_code' },
  );
  return kit.app.inject({
    method: 'PUT',
    url: `/api/payments/persons/${personId}/pin?purpose=self`,
    cookies,
    payload: {
      pin,
      checkId: (started.json() as { checkId: string }).checkId,
      code,
    },
  });
}
