import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../../../test/db.js';
import { buildOperator } from '../../../../test/factories.js';
import type { Database } from '../../../platform/db/schema.js';
import type { OperatorActor } from '../../../shared/access/actor.js';
import type { SecurityAlertKind } from '../../access/index.js';
import { AuditLog } from '../../audit/audit-log.js';
import { buildAuditKeys } from '../../audit/audit-test-support.js';
import {
  accountCreator,
  accountFlags,
  lookupAccounts,
  transferCreator,
  transferFlags,
} from '../../ledger/index.js';
import { settlementAccountId, walletAccountId } from '../accounts/account-ids.js';
import type { PaymentsContext, PaymentsDependencies } from '../payments-context.js';

/** A test database with the audit log, two finance officers and the VES settlement account. */
export interface ControlsKit {
  database: TestDatabase;
  deps: PaymentsDependencies;
  officers: Record<'ana' | 'beto', PaymentsContext>;
  settlement: string;
  /** Opens the person's VES wallet and credits it from settlement. */
  walletWith(personId: string, amountMinor: bigint): Promise<string>;
  /** Posted credits minus posted debits (0 for an account that does not exist). */
  balanceOf(accountId: string): Promise<bigint>;
}

/**
 * The money controls' test set-up (issue #16, point 7).
 *
 * @example
 *   const kit = await controlsKit();
 *   const wallet = await kit.walletWith(personId, 100_00n);
 */
export async function controlsKit(): Promise<ControlsKit> {
  const database = await createTestDatabase();
  const masterKey = randomBytes(32);
  const audit = await AuditLog.open({
    db: database.db,
    keys: { ...buildAuditKeys(), masterKey: randomBytes(32) },
  });
  const deps: PaymentsDependencies = { db: database.db, audit };
  const officers = {} as Record<'ana' | 'beto', PaymentsContext>;
  for (const name of ['ana', 'beto'] as const) {
    const operator = await buildOperator(
      { database, masterKey },
      { username: `finanzas.${name}`, roles: ['finance_officer'], regions: ['VE-A'] },
    );
    const actor: OperatorActor = {
      kind: 'operator',
      operatorId: operator.id,
      username: `finanzas.${name}`,
      roles: ['finance_officer'],
      regions: ['VE-A'],
      sessionId: randomUUID(),
    };
    officers[name] = { actor, purpose: 'distribution', requestId: `controls-${name}` };
  }
  const settlement = settlementAccountId('VES');
  await accountCreator(database.db, [
    { id: settlement, currency: 'VES', kind: 'settlement', flags: accountFlags.none },
  ]);
  const walletWith = async (personId: string, amountMinor: bigint): Promise<string> => {
    const id = walletAccountId(personId, 'VES');
    await accountCreator(database.db, [
      {
        id,
        currency: 'VES',
        kind: 'beneficiary_wallet',
        flags: accountFlags.debitsMustNotExceedCredits,
        referenceId: personId,
      },
    ]);
    await transferCreator(database.db, [
      {
        id: randomUUID(),
        debitAccountId: settlement,
        creditAccountId: id,
        amountMinor,
        flags: transferFlags.none,
        currency: 'VES',
        reason: 'funding',
      },
    ]);
    return id;
  };
  const balanceOf = async (accountId: string) => {
    const [account] = await lookupAccounts(database.db, [accountId]);
    return (account?.creditsPosted ?? 0n) - (account?.debitsPosted ?? 0n);
  };
  return { database, deps, officers, settlement, walletWith, balanceOf };
}

/** The operator id of a finance officer's context. */
export const operatorIdOf = (context: PaymentsContext): string =>
  context.actor?.kind === 'operator' ? context.actor.operatorId : '';

/**
 * Every auditors' alert of one kind, as `GET /api/alerts` holds it: the operator it names and its
 * details, in no set order.
 *
 * @example
 *   expect(await alertsOfKind(db, 'payee_account_takeover')).toEqual([{ operator_id, details }]);
 */
export async function alertsOfKind(db: Kysely<Database>, kind: SecurityAlertKind) {
  return db
    .selectFrom('security_alert')
    .select(['operator_id', 'details'])
    .where('kind', '=', kind)
    .execute();
}
