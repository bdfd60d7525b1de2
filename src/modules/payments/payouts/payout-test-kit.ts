import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../../../test/db.js';
import { buildPerson, type FactoryContext } from '../../../../test/factories.js';
import type { Database } from '../../../platform/db/schema.js';
import { AuditLog } from '../../audit/audit-log.js';
import { buildAuditKeys } from '../../audit/audit-test-support.js';
import { lookupAccounts } from '../../ledger/index.js';
import { fundingAccountId } from '../accounts/account-ids.js';
import { cashCycle, fundedProgramAccount, openCashEntitlements } from '../payments-test-kit.js';
import type { PayoutBatchInput } from './batch-creator.js';
import { type PayeeAccountInput, payeeAccountWriter } from './payee-account.js';
import {
  type PayingAccount,
  type PayingAccountTarget,
  payingAccountTargetOf,
} from './paying-account.js';
import type { PayoutDependencies } from './payout-gate.js';

/** The paying account the payout tests' batches debit (`cashPayoutScene` stores it). */
export const testPayingAccount: PayingAccount = {
  name: 'Programa Bono',
  accountNumber: '01020123456789012345',
  bankCode: '0102',
};

/**
 * Stores the agency's paying account for a program or a settlement currency as if a finance
 * officer had set it (version 1; a target with one already keeps it), for tests about something
 * else than setting it (`paying-account.test.ts` drives the routes): a file always debits the
 * stored account, so every batch or settlement needs one.
 *
 * @example
 *   await payingAccountStoredForTest(db, { scope: 'program', key: programId });
 */
export async function payingAccountStoredForTest(
  db: Kysely<Database>,
  target: PayingAccountTarget,
  account: PayingAccount = testPayingAccount,
): Promise<void> {
  const { scope, key } = payingAccountTargetOf(target);
  await db
    .insertInto('paying_account')
    .values({
      id: randomUUID(),
      scope,
      scope_key: key,
      version: 1,
      holder_name: account.name,
      account_number: account.accountNumber,
      bank_code: account.bankCode,
      bic: account.bic ?? null,
      set_by: randomUUID(),
    })
    .onConflict((conflict) => conflict.columns(['scope', 'scope_key', 'version']).doNothing())
    .execute();
}

/**
 * A test database with an audit log and the payout verbs' dependencies, sealing creditors
 * under `masterKey`.
 */
export async function payoutTestWorld(
  masterKey: Buffer,
): Promise<{ database: TestDatabase; deps: PayoutDependencies }> {
  const database = await createTestDatabase();
  const audit = await AuditLog.open({
    db: database.db,
    keys: { ...buildAuditKeys(), masterKey: randomBytes(32) },
  });
  return { database, deps: { db: database.db, audit, masterKey } };
}

/**
 * Stores each person's payee account as if staff had set it with the texted code (not held),
 * for tests about something else than setting it (`payee-accounts.test.ts` drives the routes).
 *
 * @example
 *   await storedPayeesForTest(deps, [{ personId, payee: testPayee(0) }]);
 */
export async function storedPayeesForTest(
  deps: Pick<PayoutDependencies, 'db' | 'masterKey'>,
  items: ReadonlyArray<{ personId: string; payee: PayeeAccountInput }>,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    for (const item of items) {
      await payeeAccountWriter(trx, deps.masterKey, {
        personId: item.personId,
        input: item.payee,
        setMethod: 'staff_phone_code',
        setBy: randomUUID(),
        approvedBy: null,
        checkId: randomUUID(),
        setAt: new Date(Date.now() - 60_000),
        heldUntil: null,
        holdReason: null,
      });
    }
  });
}

/**
 * The payee account of the `index`th person of a test: a bank account of bank 0134 for even
 * indexes, a Pago Móvil number for odd ones.
 */
export function testPayee(index: number): PayeeAccountInput {
  return {
    holderName: `Beneficiaria ${index} Peña`,
    holderNationalId: `V1000000${index}`,
    account:
      index % 2 === 0
        ? { kind: 'bank_account', accountNumber: `0134${String(index).padStart(16, '0')}` }
        : { kind: 'mobile_money', phoneNumber: `+5841200000${String(index).padStart(2, '0')}` },
    bank: { bankCode: '0134' },
  };
}

/** A payee account at bank 0134 ending 0001: the one account a payout route test pays into. */
export const routeTestPayee: PayeeAccountInput = {
  holderName: 'Ana Pérez',
  account: { kind: 'bank_account', accountNumber: '01340000000000000001' },
  bank: { bankCode: '0134' },
};

/**
 * A published cash cycle (approved only with `unpublished`) of a new program paying `amountMinor`
 * to each person of age, its open
 * entitlements (by person id), the program's VES funding account holding `fundedMinor`, and
 * the payee accounts given (if any), stored as staff would set them: what a batch of the cycle
 * pays. Make the persons first: the cycle entitles those present when it is approved.
 *
 * @example
 *   const personId = (await buildPerson(kit, { phone: null })).id;
 *   const { programId, entitlements } = await payableCashCycle(kit, {
 *     code: 'bono', amountMinor: 40_00n, fundedMinor: 500_00n,
 *     payees: [{ personId, payee: routeTestPayee }] });
 */
export async function payableCashCycle(
  world: FactoryContext,
  props: {
    code: string;
    amountMinor: bigint;
    fundedMinor: bigint;
    payees?: ReadonlyArray<{ personId: string; payee: PayeeAccountInput }>;
    /** The cycle approved only, not published (`cashCycle`): previewed, not paid. */
    unpublished?: boolean;
  },
): Promise<{
  programId: string;
  cycleId: string;
  entitlements: Array<{ entitlementId: string; personId: string; amountMinor: bigint }>;
}> {
  const { db } = world.database;
  const { programId, cycleId } = await cashCycle(db, {
    code: props.code,
    amountMinor: props.amountMinor,
    unpublished: props.unpublished === true,
  });
  const entitlements = await openCashEntitlements(db, cycleId);
  await fundedProgramAccount(db, programId, props.fundedMinor);
  if (props.payees) await storedPayeesForTest({ db, masterKey: world.masterKey }, props.payees);
  return { programId, cycleId, entitlements };
}

/** The agency's account the payout tests' batches pay from (bank 0102), as a batch names it. */
export const testDebtor = {
  name: 'Programa Bono',
  accountNumber: '01020123456789012345',
  bankCode: '0102',
};

/**
 * A batch paying each entitlement the amount given, from `testDebtor`, in VES, to be executed on
 * 2026-12-07: amounts as `bigint` for `payoutBatchCreator` (`testBatchInput`), as text for the
 * route's body (`testBatchRequest`).
 */
function testBatch<Amount extends bigint | string>(
  programId: string,
  paid: ReadonlyArray<{ entitlementId: string; amountMinor: Amount }>,
  clientId: string,
) {
  return {
    clientId,
    programId,
    currency: 'VES' as const,
    requestedExecutionDate: '2026-12-07',
    debtor: { ...testDebtor },
    instructions: paid.map(({ entitlementId, amountMinor }) => ({
      referenceKind: 'entitlement' as const,
      referenceId: entitlementId,
      amountMinor,
    })),
  };
}

/**
 * A batch for `payoutBatchCreator` (see `testBatch`), under a new client id unless one is given.
 *
 * @example
 *   await payoutBatchCreator(deps, context, testBatchInput(programId, entitlements.slice(0, 3)));
 */
export function testBatchInput(
  programId: string,
  paid: ReadonlyArray<{ entitlementId: string; amountMinor: bigint }>,
  clientId: string = randomUUID(),
): PayoutBatchInput {
  return testBatch(programId, paid, clientId);
}

/**
 * The body of `POST /api/payouts/batches` (see `testBatch`): amounts in minor units as text, a
 * new client id.
 *
 * @example
 *   const body = testBatchRequest(programId, [{ entitlementId, amountMinor: '4000' }]);
 */
export function testBatchRequest(
  programId: string,
  paid: ReadonlyArray<{ entitlementId: string; amountMinor: string }>,
) {
  return testBatch(programId, paid, randomUUID());
}

/** What a payout test starts from, and what it reads back (`cashPayoutScene`). */
export interface CashPayoutScene {
  database: TestDatabase;
  deps: PayoutDependencies;
  programId: string;
  cycleId: string;
  /** The cycle's open cash entitlements, by person id. */
  entitlements: Array<{ entitlementId: string; personId: string; amountMinor: bigint }>;
  /** What the program's funding account holds reserved for payouts (its pending debits). */
  reserved: () => Promise<bigint>;
  /** A batch's payments in their order. */
  instructions: (
    batchId: string,
  ) => Promise<Array<{ id: string; end_to_end_id: string; status: string; reference_id: string }>>;
  /** A batch's payment statuses in their order. */
  statuses: (batchId: string) => Promise<string[]>;
}

/**
 * `persons` persons, a published cash cycle of a new program paying each `amountMinor`, its
 * open entitlements, each person's stored payee account (`testPayee` of their entitlement's
 * index), the program's VES funding account holding `fundedMinor` and its stored paying account
 * (`testPayingAccount`): the scene of every payout test.
 *
 * @example
 *   const scene = await cashPayoutScene({ masterKey, persons: 8, code: 'bono',
 *     amountMinor: 25_00n, fundedMinor: 1_000_00n });
 */
export async function cashPayoutScene(props: {
  masterKey: Buffer;
  persons: number;
  code: string;
  amountMinor: bigint;
  fundedMinor: bigint;
}): Promise<CashPayoutScene> {
  const { database, deps } = await payoutTestWorld(props.masterKey);
  for (let index = 0; index < props.persons; index += 1)
    await buildPerson({ database, masterKey: props.masterKey });
  const { programId, cycleId, entitlements } = await payableCashCycle(
    { database, masterKey: props.masterKey },
    { code: props.code, amountMinor: props.amountMinor, fundedMinor: props.fundedMinor },
  );
  await payingAccountStoredForTest(database.db, { scope: 'program', key: programId });
  await storedPayeesForTest(
    deps,
    entitlements.map((entitlement, index) => ({
      personId: entitlement.personId,
      payee: testPayee(index),
    })),
  );
  const instructions = async (batchId: string) =>
    database.db
      .selectFrom('payout_instruction')
      .select(['id', 'end_to_end_id', 'status', 'reference_id'])
      .where('batch_id', '=', batchId)
      .orderBy('seq')
      .execute();
  return {
    database,
    deps,
    programId,
    cycleId,
    entitlements,
    reserved: async () =>
      (await lookupAccounts(database.db, [fundingAccountId(programId, 'VES')]))[0]?.debitsPending ??
      0n,
    instructions,
    statuses: async (batchId) => (await instructions(batchId)).map((row) => row.status),
  };
}

/**
 * Marks a batch approved by a second finance officer, for tests about something else than the
 * approval (`batch-approver.ts` is tested over HTTP in payout-routes.test.ts): its file can
 * then be downloaded.
 */
export async function approvedForTest(db: TestDatabase['db'], batchId: string): Promise<void> {
  await db
    .updateTable('payout_batch')
    .set({ approved_by: randomUUID(), approved_at: new Date(), payee_changes_confirmed: 0 })
    .where('id', '=', batchId)
    .execute();
}
