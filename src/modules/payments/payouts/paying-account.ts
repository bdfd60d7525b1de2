import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { isUniqueViolation } from '../../../platform/db/unique-violation.js';
import { AmparoError } from '../../../platform/errors.js';
import type { AuditEntryInput } from '../../../shared/audit/audit-entry.js';
import { writeAuditEntry } from '../../../shared/audit/write-audit-entry.js';
import { type LedgerCurrency, ledgerCurrencies } from '../../ledger/index.js';
import { programForFunding } from '../../programs/index.js';
import { settlementAccountId } from '../accounts/account-ids.js';
import type { PaymentsContext, PaymentsDependencies } from '../payments-context.js';
import { PaymentsError } from '../payments-error.js';
import { auditingRefusals, guardPayout } from './payout-gate.js';
import type { PayingAccountScope } from './payout-tables.js';

/**
 * The agency's paying (debtor) account, stored once per program (its payout batches) or per
 * currency (the daily merchant settlement) by a finance officer holding
 * `payment.paying_account_set`, audited, and used by every file made after — instead of being
 * typed for each batch. One row per change; the newest is in use. payouts/README.md, "The
 * paying account".
 */
export interface PayingAccount {
  name: string;
  accountNumber: string;
  bankCode: string;
  bic?: string | undefined;
}

/** What a batch or settlement request may name as its debtor (bank code optional). */
export type DebtorInput = Omit<PayingAccount, 'bankCode'> & { bankCode?: string | undefined };

export interface PayingAccountVersion extends PayingAccount {
  version: number;
  setBy: string;
  setAt: Date;
}

export interface PayingAccountTarget {
  scope: PayingAccountScope;
  /** The program's id, or the settlement's currency. */
  key: string;
}

/**
 * The target as stored: a program's id in lower case. The id's uuid format accepts capitals and
 * `scope_key` is text, so `0A1B…` and `0a1b…` would otherwise be two keys — and a batch naming
 * its program in capitals would find no stored account and pay from any debtor it named.
 */
export function payingAccountTargetOf(target: PayingAccountTarget): PayingAccountTarget {
  return target.scope === 'program' ? { scope: 'program', key: target.key.toLowerCase() } : target;
}

/** The account in use for `target`, or undefined when none was ever set. */
export async function storedPayingAccount(
  db: Kysely<Database>,
  target: PayingAccountTarget,
): Promise<PayingAccountVersion | undefined> {
  const [newest] = await payingAccountHistory(db, payingAccountTargetOf(target), 1);
  return newest;
}

async function payingAccountHistory(
  db: Kysely<Database>,
  target: PayingAccountTarget,
  limit: number,
): Promise<PayingAccountVersion[]> {
  const rows = await db
    .selectFrom('paying_account')
    .select(['version', 'holder_name', 'account_number', 'bank_code', 'bic', 'set_by', 'set_at'])
    .where('scope', '=', target.scope)
    .where('scope_key', '=', target.key)
    .orderBy('version', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    name: row.holder_name,
    accountNumber: row.account_number,
    bankCode: row.bank_code,
    ...(row.bic === null ? {} : { bic: row.bic }),
    version: row.version,
    setBy: row.set_by,
    setAt: row.set_at,
  }));
}

/**
 * The debtor a file is made with: always the stored account, which a request may repeat (the
 * console sends the one it showed) but not contradict — a change made between showing and
 * sending is refused, 409 `AMP_PAYING_ACCOUNT_MISMATCH`, rather than paid from an account nobody
 * saw. With none stored, 409 `AMP_PAYING_ACCOUNT_REQUIRED`, whether or not the request names a
 * debtor of its own: an account typed with one request, set by nobody and audited nowhere,
 * would be the file's debtor (before session 18 it was taken, for callers from before 0129).
 *
 * @example
 *   const debtor = await debtorFor(db, { scope: 'program', key: programId }, input.debtor);
 */
export async function debtorFor(
  db: Kysely<Database>,
  target: PayingAccountTarget,
  requested: DebtorInput | undefined,
): Promise<DebtorInput> {
  const stored = await storedPayingAccount(db, target);
  if (stored === undefined) {
    throw new PaymentsError(
      'AMP_PAYING_ACCOUNT_REQUIRED',
      requested === undefined
        ? 'No paying account is stored for this; a finance officer sets it once'
        : 'No paying account is stored for this, and a file debits only the stored one; a finance officer sets it once',
    );
  }
  const same =
    requested === undefined ||
    (requested.name === stored.name &&
      requested.accountNumber === stored.accountNumber &&
      (requested.bankCode ?? stored.bankCode) === stored.bankCode &&
      (requested.bic ?? stored.bic) === stored.bic);
  if (!same) {
    throw new PaymentsError(
      'AMP_PAYING_ACCOUNT_MISMATCH',
      `The paying account named is not the one stored (version ${stored.version}); read it again`,
    );
  }
  return {
    name: stored.name,
    accountNumber: stored.accountNumber,
    bankCode: stored.bankCode,
    bic: stored.bic,
  };
}

/** The audit resource of a target: the program, or the settlement account of the currency. */
function resourceOf(target: PayingAccountTarget): AuditEntryInput['resource'] {
  return target.scope === 'program'
    ? { type: 'program', id: target.key }
    : { type: 'ledger_account', id: settlementAccountId(target.key as LedgerCurrency) };
}

/** Whether the target names something that exists: a known program, a ledger currency. */
async function targetExists(db: Kysely<Database>, target: PayingAccountTarget): Promise<boolean> {
  if (target.scope === 'merchant_settlement') {
    return (ledgerCurrencies as readonly string[]).includes(target.key);
  }
  return (await programForFunding(db, target.key)) !== undefined;
}

/** The account in use and its history, newest first (`payment.ledger_read`, audited). */
export async function payingAccountReader(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  named: PayingAccountTarget,
): Promise<PayingAccountVersion[]> {
  const target = payingAccountTargetOf(named);
  const exists = await targetExists(deps.db, target);
  const resource = resourceOf(target);
  const { write } = await guardPayout(deps, context, 'payment.ledger_read', resource, exists);
  const history = await payingAccountHistory(deps.db, target, 50);
  await deps.audit.append(writeAuditEntry(write, resource, ['paying_account'], context.requestId));
  return history;
}

/**
 * Stores a new paying account for `target` (`payment.paying_account_set`): a new version, the
 * change and its audit entry in one transaction. A bank code other than the account's first
 * four digits is refused, 422 `AMP_PAYEE_ACCOUNT_INVALID` (the bank would refuse the file).
 */
export async function payingAccountSetter(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  named: PayingAccountTarget,
  account: DebtorInput & { expectedVersion: number },
): Promise<PayingAccountVersion> {
  const target = payingAccountTargetOf(named);
  const exists = await targetExists(deps.db, target);
  const resource = resourceOf(target);
  const guarded = await guardPayout(deps, context, 'payment.paying_account_set', resource, exists);
  const { write } = guarded;
  return auditingRefusals(deps, write, resource, async () => {
    const bankCode = account.bankCode ?? account.accountNumber.slice(0, 4);
    if (bankCode !== account.accountNumber.slice(0, 4)) {
      throw new PaymentsError(
        'AMP_PAYEE_ACCOUNT_INVALID',
        "The account's first four digits are not its bank code",
        [{ field: '/bankCode', reason: 'must be the first four digits of the account' }],
      );
    }
    const setBy = context.actor?.kind === 'operator' ? context.actor.operatorId : null;
    if (setBy === null) throw new AmparoError('AMP_FORBIDDEN');
    const changedMeanwhile = () =>
      new AmparoError('AMP_CONFLICT', {
        detail: 'The paying account was changed since it was read; read it again',
      });
    await deps.db
      .transaction()
      .execute(async (trx) => {
        const newest = await trx
          .selectFrom('paying_account')
          .select((eb) => eb.fn.max('version').as('version'))
          .where('scope', '=', target.scope)
          .where('scope_key', '=', target.key)
          .executeTakeFirst();
        // Two officers changing it at once: the second, who saw the older version, is refused.
        if ((newest?.version ?? 0) !== account.expectedVersion) throw changedMeanwhile();
        await trx
          .insertInto('paying_account')
          .values({
            id: randomUUID(),
            scope: target.scope,
            scope_key: target.key,
            version: account.expectedVersion + 1,
            holder_name: account.name,
            account_number: account.accountNumber,
            bank_code: bankCode,
            bic: account.bic ?? null,
            set_by: setBy,
          })
          .execute();
        await deps.audit.appendInTransaction(trx, [
          writeAuditEntry(write, resource, ['paying_account'], context.requestId),
        ]);
      })
      .catch((error: unknown) => {
        // Both read the same version before either wrote (PostgreSQL; PGlite runs one at a
        // time): the unique (scope, scope_key, version) refuses the second insert — the same
        // conflict as above, not an internal error.
        throw isUniqueViolation(error) ? changedMeanwhile() : error;
      });
    const stored = await storedPayingAccount(deps.db, target);
    if (stored === undefined) throw new Error('the paying account just written is not there');
    return stored;
  });
}
