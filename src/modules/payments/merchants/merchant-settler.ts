import { type Kysely, sql } from 'kysely';
import { open } from '../../../platform/crypto/envelope.js';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import {
  type LedgerCurrency,
  lookupAccounts,
  postedBalance,
  transferCreator,
} from '../../ledger/index.js';
import { derivedId, merchantAccountId, settlementAccountId } from '../accounts/account-ids.js';
import { settlementAccountsOpener } from '../accounts/settlement-accounts.js';
import { PaymentsError } from '../payments-error.js';
import { writePain001 } from '../payouts/iso20022/pain001-writer.js';
import { validatePain001 } from '../payouts/iso20022/xsd-validator.js';
import { settlementAccountSealing } from './merchant-registry.js';

export interface SettlementLine {
  settlementDate: string;
  currency: LedgerCurrency;
  merchantId: string;
  merchantName: string;
  amountMinor: bigint;
  payments: number;
}

/**
 * Settles one day's merchant balances in one currency (issue #16, point 5): each merchant's
 * whole posted balance moves to the settlement (bank) account by one transfer whose id derives
 * from the merchant, the day and the currency, so a day is settled once however often it is
 * run; a run interrupted half-way is finished by running it again.
 *
 * @example
 *   await merchantSettler(db, { settlementDate: '2026-12-05', currency: 'VES', debtor, operatorId, now });
 */
export async function merchantSettler(
  db: Kysely<Database>,
  props: {
    settlementDate: string;
    currency: LedgerCurrency;
    debtor: { name: string; accountNumber: string; bankCode: string };
    operatorId: string;
    now: Date;
  },
): Promise<SettlementLine[]> {
  const { settlementDate, currency } = props;
  await db
    .insertInto('merchant_settlement_run')
    .values({
      settlement_date: settlementDate,
      currency,
      debtor_name: props.debtor.name,
      debtor_account: props.debtor.accountNumber,
      debtor_bank_code: props.debtor.bankCode,
      created_by: props.operatorId,
      created_at: props.now,
    })
    .onConflict((conflict) => conflict.columns(['settlement_date', 'currency']).doNothing())
    .execute();
  const settlement = settlementAccountId(currency);
  await settlementAccountsOpener(db, currency);
  const merchants = await db
    .selectFrom('merchant as m')
    .leftJoin('merchant_settlement as s', (join) =>
      join
        .onRef('s.merchant_id', '=', 'm.id')
        .on('s.settlement_date', '=', settlementDate)
        .on('s.currency', '=', currency),
    )
    .select(['m.id'])
    .where('m.currency', '=', currency)
    .where('s.merchant_id', 'is', null)
    .execute();
  for (const { id: merchantId } of merchants) {
    const [account] = await lookupAccounts(db, [merchantAccountId(merchantId, currency)]);
    const balance = account === undefined ? 0n : postedBalance(account) - account.debitsPending;
    if (balance <= 0n) continue;
    const transferId = derivedId('merchant-settlement', merchantId, settlementDate, currency);
    const [outcome] = await transferCreator(
      db,
      [
        {
          id: transferId,
          debitAccountId: merchantAccountId(merchantId, currency),
          creditAccountId: settlement,
          amountMinor: balance,
          flags: 0,
          currency,
          reason: 'settlement',
          referenceKind: 'statement',
          referenceId: merchantId,
        },
      ],
      { now: props.now },
    );
    if (outcome?.result !== 'ok') {
      throw new PaymentsError(
        'AMP_TRANSFER_REFUSED',
        `The ledger refused a settlement: ${outcome?.result}`,
      );
    }
    const payments = await paymentsSinceLastSettlement(db, merchantId, props.now);
    await db
      .insertInto('merchant_settlement')
      .values({
        settlement_date: settlementDate,
        currency,
        merchant_id: merchantId,
        amount_minor: balance,
        payments,
        transfer_id: transferId,
        created_at: props.now,
      })
      .onConflict((conflict) =>
        conflict.columns(['settlement_date', 'currency', 'merchant_id']).doNothing(),
      )
      .execute();
  }
  return settlementLines(db, { settlementDate, currency });
}

async function paymentsSinceLastSettlement(db: Kysely<Database>, merchantId: string, now: Date) {
  const last = await db
    .selectFrom('merchant_settlement')
    .select(sql<Date | null>`max(created_at)`.as('at'))
    .where('merchant_id', '=', merchantId)
    .executeTakeFirst();
  let query = db
    .selectFrom('merchant_payment as p')
    .select(sql<string>`count(*)`.as('n'))
    .where('p.merchant_id', '=', merchantId)
    .where('p.paid_at', '<=', now)
    // A payment refunded in full is not counted; one refunded in part is.
    .where(
      sql<bigint>`(select coalesce(sum(f.amount_minor), 0) from merchant_refund f
                    where f.request_id = p.request_id)`,
      '<',
      sql<bigint>`p.amount_minor`,
    );
  if (last?.at) query = query.where('p.paid_at', '>', last.at);
  const row = await query.executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** A day's settlement lines, or one merchant's statements (newest first). */
export async function settlementLines(
  db: Kysely<Database>,
  filter: { settlementDate: string; currency: LedgerCurrency } | { merchantId: string },
): Promise<SettlementLine[]> {
  let query = db
    .selectFrom('merchant_settlement as s')
    .innerJoin('merchant as m', 'm.id', 's.merchant_id')
    .select([
      's.settlement_date',
      's.currency',
      's.merchant_id',
      'm.name',
      's.amount_minor',
      's.payments',
    ]);
  query =
    'merchantId' in filter
      ? query.where('s.merchant_id', '=', filter.merchantId).orderBy('s.settlement_date', 'desc')
      : query
          .where('s.settlement_date', '=', filter.settlementDate)
          .where('s.currency', '=', filter.currency)
          .orderBy('m.name');
  const rows = await query.limit(500).execute();
  return rows.map((row) => ({
    settlementDate: row.settlement_date,
    currency: row.currency,
    merchantId: row.merchant_id,
    merchantName: row.name,
    amountMinor: row.amount_minor,
    payments: row.payments,
  }));
}

/**
 * The day's payout file for the agency's bank: one credit transfer per merchant settled, with
 * its settlement account (a person's opened from its seal only here, for the file), written by
 * the payouts' `pain.001.001.09` writer and checked against the official schema before it is
 * answered.
 */
export async function settlementFile(
  db: Kysely<Database>,
  masterKey: Buffer,
  props: { settlementDate: string; currency: LedgerCurrency; now: Date },
): Promise<string> {
  const run = await db
    .selectFrom('merchant_settlement_run')
    .selectAll()
    .where('settlement_date', '=', props.settlementDate)
    .where('currency', '=', props.currency)
    .executeTakeFirst();
  if (run === undefined)
    throw new AmparoError('AMP_NOT_FOUND', { detail: 'No settlement that day' });
  const rows = await db
    .selectFrom('merchant_settlement as s')
    .innerJoin('merchant as m', 'm.id', 's.merchant_id')
    .select([
      's.merchant_id',
      's.amount_minor',
      'm.name',
      'm.settlement_bank_code',
      'm.settlement_account_clear',
      'm.settlement_account_sealed',
    ])
    .where('s.settlement_date', '=', props.settlementDate)
    .where('s.currency', '=', props.currency)
    .orderBy('s.merchant_id')
    .execute();
  if (rows.length === 0) {
    throw new AmparoError('AMP_NOT_FOUND', { detail: 'No merchant was settled that day' });
  }
  const compactDate = props.settlementDate.replaceAll('-', '');
  const xml = writePain001({
    messageId: `AMP-MS-${compactDate}-${props.currency}`,
    createdAt: props.now,
    initiatingPartyName: run.debtor_name,
    paymentInformationId: `MS-${compactDate}-${props.currency}`,
    requestedExecutionDate: props.settlementDate,
    debtorName: run.debtor_name,
    debtorAccountNumber: run.debtor_account,
    debtorBank: { bankCode: run.debtor_bank_code },
    currency: props.currency,
    payments: rows.map((row) => ({
      endToEndId: `S${row.merchant_id.replaceAll('-', '')}`,
      amountMinor: row.amount_minor,
      creditorName: row.name,
      account: {
        kind: 'bank_account' as const,
        accountNumber:
          row.settlement_account_clear ??
          open(
            masterKey,
            // Safe: the table's CHECK holds one of the two.
            row.settlement_account_sealed as Buffer,
            settlementAccountSealing(row.merchant_id),
          ).toString('utf8'),
      },
      bank: { bankCode: row.settlement_bank_code },
      remittance: `Liquidacion ${props.settlementDate}`,
    })),
  });
  const verdict = await validatePain001(xml);
  if (!verdict.valid) throw new Error(`settlement file invalid: ${verdict.errors[0]?.message}`);
  return xml;
}
