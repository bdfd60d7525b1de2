import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type { PhoneChange } from '../../registry/index.js';
import { PaymentsError } from '../payments-error.js';
import { type Creditor, openCreditors, payeeAccountPlace, sealCreditors } from './creditor-seal.js';
import {
  creditorProblems,
  type PayoutAccount,
  type PayoutBank,
} from './iso20022/pain001-writer.js';
import type { PayeeHoldReason, PayoutExclusionReason } from './payout-tables.js';

/**
 * A person's payee account for bank payouts (migration 0116): where the bank pays them, and the
 * holder's name and cédula as the bank needs them. Kept in `payee_account`, one row per change
 * (the latest is in use), the name, cédula and account sealed under the person's data key.
 */
export interface PayeeAccountInput {
  holderName: string;
  holderNationalId?: string | undefined;
  account: PayoutAccount;
  bank: PayoutBank;
}

/** How a payee account was set: always by staff under a second check (`pin-second-check.ts`). */
export type PayeeSetMethod = 'staff_phone_code' | 'staff_two_person';

/** The account's number or phone, as the sealed box keeps it. */
function accountText(account: PayoutAccount): string {
  return account.kind === 'bank_account' ? account.accountNumber : account.phoneNumber;
}

/** The last four digits: all a notice, a list or the approver ever shows of an account. */
export function accountEnding(accountNumber: string): string {
  return accountNumber.slice(-4);
}

/**
 * Refuses an account the bank would refuse (`AMP_PAYEE_ACCOUNT_INVALID`, naming each field): a
 * 20-digit account whose first four digits are not its bank's code, a bank named by neither
 * code nor BIC, a name or cédula a pain.001 cannot carry. A bank account with no bank code
 * takes it from its first four digits.
 */
export function checkedPayeeInput(input: PayeeAccountInput): PayeeAccountInput {
  const bank: PayoutBank =
    input.account.kind === 'bank_account' && input.bank.bankCode === undefined
      ? { ...input.bank, bankCode: input.account.accountNumber.slice(0, 4) }
      : input.bank;
  const checked = { ...input, bank };
  const problems = creditorProblems({
    creditorName: checked.holderName,
    creditorNationalId: checked.holderNationalId,
    account: checked.account,
    bank: checked.bank,
  });
  if (problems.length > 0) {
    throw new PaymentsError(
      'AMP_PAYEE_ACCOUNT_INVALID',
      `${problems.length} problem(s) with the payee account`,
      problems,
    );
  }
  return checked;
}

/**
 * Appends the person's new payee account in the caller's transaction (the one that spends the
 * check and queues the notice). Refused when the person has no live data key (erased).
 */
export async function payeeAccountWriter(
  trx: Kysely<Database>,
  masterKey: Buffer,
  props: {
    personId: string;
    input: PayeeAccountInput;
    setMethod: PayeeSetMethod;
    setBy: string;
    approvedBy: string | null;
    checkId: string;
    setAt: Date;
    /** Until when and why the change is held (`payeeHoldOf`); both null when not held. */
    heldUntil: Date | null;
    holdReason: PayeeHoldReason | null;
    /** The latest change of the phone on file within the window before the set, if any. */
    phoneChange?: PhoneChange | undefined;
  },
): Promise<{ id: string }> {
  const id = randomUUID();
  const creditor: Creditor = {
    name: props.input.holderName,
    nationalId: props.input.holderNationalId,
    accountNumber: accountText(props.input.account),
  };
  const [sealed] = await sealCreditors(
    trx,
    masterKey,
    [{ recordId: id, personId: props.personId, creditor }],
    payeeAccountPlace,
  );
  if (sealed == null) {
    throw new PaymentsError('AMP_PAYEE_ACCOUNT_INVALID', "The person's data cannot be kept", [
      { field: '/personId', reason: 'has no data key (their data was erased)' },
    ]);
  }
  await trx
    .insertInto('payee_account')
    .values({
      id,
      person_id: props.personId,
      account_kind: props.input.account.kind,
      bank_code: props.input.bank.bankCode ?? null,
      bank_bic: props.input.bank.bic ?? null,
      payee_sealed: sealed,
      set_method: props.setMethod,
      set_by: props.setBy,
      approved_by: props.approvedBy,
      check_id: props.checkId,
      set_at: props.setAt,
      held_until: props.heldUntil,
      hold_reason: props.holdReason,
      phone_changed_at: props.phoneChange?.changedAt ?? null,
      phone_changed_by: props.phoneChange?.changedBy ?? null,
    })
    .execute();
  return { id };
}

type PayeeRow = Database['payee_account'];

/** Each person's latest payee account row (the one in use). */
async function latestRows(
  db: Kysely<Database>,
  personIds: readonly string[],
): Promise<Map<string, PayeeRow>> {
  if (personIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('payee_account')
    .selectAll()
    .distinctOn('person_id')
    .where('person_id', '=', sql<string>`any(${[...personIds]}::uuid[])`)
    // A change the person stopped is never the account in use: the one before it stays.
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('payee_account_stop')
            .select('payee_account_stop.payee_account_id')
            .whereRef('payee_account_stop.payee_account_id', '=', 'payee_account.id')
            .where('payee_account_stop.stopped_at', 'is not', null),
        ),
      ),
    )
    .orderBy('person_id')
    .orderBy('set_at', 'desc')
    .orderBy('id')
    .execute();
  return new Map(rows.map((row) => [row.person_id, row]));
}

/** A payee as a batch pays it: the creditor of its pain.001 payment. */
export interface UsablePayee {
  usable: true;
  creditorName: string;
  creditorNationalId?: string | undefined;
  account: PayoutAccount;
  bank: PayoutBank;
}

/** Why a person is left out of a batch. */
export interface UnusablePayee {
  usable: false;
  reason: PayoutExclusionReason;
  heldUntil: Date | null;
}

/**
 * The payee of each person a batch pays, opened with their data keys, or why they cannot be
 * paid: no account set, or the latest one still held (set without the texted code, or soon after
 * a change of the phone on file). A held change does not fall back to the account before it: the
 * person may have changed it because that one was closed, a held change is one the person has
 * not confirmed, and after a change of phone the account before may be a Pago Móvil number on the
 * phone that was replaced (lost, or in someone else's hands). The person is left out, the
 * entitlement stays payable, and the batch lists them with the reason and the hold's end. The
 * caller audits each person whose account was opened.
 */
export async function payeesForBatch(
  db: Kysely<Database>,
  masterKey: Buffer,
  personIds: readonly string[],
  now: Date,
): Promise<Map<string, UsablePayee | UnusablePayee>> {
  const latest = await latestRows(db, [...new Set(personIds)]);
  const open = [...latest.values()].filter((row) => unusableReason(row, now) === undefined);
  const opened = await openCreditors(
    db,
    masterKey,
    open.map((row) => ({
      id: row.id,
      person_id: row.person_id,
      creditor_sealed: row.payee_sealed,
    })),
    payeeAccountPlace,
  );
  const payees = new Map<string, UsablePayee | UnusablePayee>();
  for (const personId of personIds) {
    const unusable = unusableReason(latest.get(personId), now);
    if (unusable !== undefined) payees.set(personId, unusable);
  }
  open.forEach((row, index) => {
    const creditor = opened[index];
    if (creditor == null) {
      payees.set(row.person_id, noAccount);
      return;
    }
    payees.set(row.person_id, {
      usable: true,
      creditorName: creditor.name,
      creditorNationalId: creditor.nationalId,
      account:
        row.account_kind === 'bank_account'
          ? { kind: 'bank_account', accountNumber: creditor.accountNumber }
          : { kind: 'mobile_money', phoneNumber: creditor.accountNumber },
      bank: { bankCode: row.bank_code ?? undefined, bic: row.bank_bic ?? undefined },
    });
  });
  return payees;
}

const noAccount: UnusablePayee = { usable: false, reason: 'no_payee_account', heldUntil: null };

/**
 * The one rule of who a batch made at `now` cannot pay, from a person's latest payee account row
 * (undefined: none): no account, or the latest one held until after `now`. `payeesForBatch` and
 * `payeeUsability` both judge by it, so the preview never promises what the batch refuses.
 */
function unusableReason(
  latest: Pick<PayeeRow, 'held_until' | 'hold_reason'> | undefined,
  now: Date,
): UnusablePayee | undefined {
  if (latest === undefined) return noAccount;
  if (latest.held_until !== null && latest.held_until.getTime() > now.getTime()) {
    const reason =
      latest.hold_reason === 'phone_changed' ? 'payee_account_phone_changed' : 'payee_account_held';
    return { usable: false, reason, heldUntil: latest.held_until };
  }
  return undefined;
}

/**
 * Whether a batch made now could pay each person, without opening any account (the batch
 * preview): `unusableReason`, the rule `payeesForBatch` applies, read from the clear columns
 * only. (The batch also leaves out a person whose account it cannot open, their data erased.)
 */
export async function payeeUsability(
  db: Kysely<Database>,
  personIds: readonly string[],
  now: Date,
): Promise<Map<string, { usable: true } | UnusablePayee>> {
  const latest = await latestRows(db, [...new Set(personIds)]);
  const usability = new Map<string, { usable: true } | UnusablePayee>();
  for (const personId of personIds) {
    usability.set(personId, unusableReason(latest.get(personId), now) ?? { usable: true });
  }
  return usability;
}

/** One version of a person's payee account as staff see it: the last four digits only. */
export interface PayeeAccountVersion {
  accountKind: 'bank_account' | 'mobile_money';
  bankCode: string | null;
  accountEnding: string;
  holderName: string;
  setMethod: PayeeSetMethod;
  setBy: string;
  approvedBy: string | null;
  setAt: Date;
  heldUntil: Date | null;
  holdReason: PayeeHoldReason | null;
  /** When the person stopped this held change (it is then never in use). */
  stoppedAt: Date | null;
}

/** Versions read at most, newest first (a person changes their account rarely). */
const historyMax = 50;

/**
 * A person's payee account history, newest first (the first is the one in use), each opened
 * with the person's data key: the holder's name and the account's last four digits. The caller
 * audits the read on the person.
 */
export async function payeeAccountHistory(
  db: Kysely<Database>,
  masterKey: Buffer,
  personId: string,
): Promise<PayeeAccountVersion[]> {
  const rows = await db
    .selectFrom('payee_account')
    .leftJoin('payee_account_stop', 'payee_account_stop.payee_account_id', 'payee_account.id')
    .selectAll('payee_account')
    .select('payee_account_stop.stopped_at')
    .where('payee_account.person_id', '=', personId)
    .orderBy('payee_account.set_at', 'desc')
    .orderBy('payee_account.id')
    .limit(historyMax)
    .execute();
  const opened = await openCreditors(
    db,
    masterKey,
    rows.map((row) => ({
      id: row.id,
      person_id: row.person_id,
      creditor_sealed: row.payee_sealed,
    })),
    payeeAccountPlace,
  );
  return rows.map((row, index) => ({
    accountKind: row.account_kind,
    bankCode: row.bank_code,
    accountEnding: accountEnding(opened[index]?.accountNumber ?? '????'),
    holderName: opened[index]?.name ?? '',
    setMethod: row.set_method,
    setBy: row.set_by,
    approvedBy: row.approved_by,
    setAt: row.set_at,
    heldUntil: row.held_until,
    holdReason: row.hold_reason,
    stoppedAt: row.stopped_at,
  }));
}
