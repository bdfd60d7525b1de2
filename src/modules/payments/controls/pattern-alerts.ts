import { type Kysely, sql } from 'kysely';
import { limits } from '../../../limits.js';
import type { Database } from '../../../platform/db/schema.js';
import { raiseSecurityAlert } from '../../access/index.js';
import { paymentLimits } from '../limits.js';
import type { PinGuardSettings } from '../merchants/pin-guard-settings.js';
import { payeeCollusionScan, payeeTakeoverScan } from './payee-alerts.js';
import { pinSprayScan, staffTakeoverScan } from './pin-alerts.js';

/** One merchant account that many wallets paid within the window. */
export interface MerchantFanIn {
  accountId: string;
  currency: string;
  distinctWallets: number;
  transfers: number;
  amountMinor: string;
}

/**
 * Alerts to auditors on payment patterns (issue #16, point 7): a merchant account that at
 * least `merchantFanInWallets` distinct beneficiary wallets paid within the last
 * `merchantFanInWindowMs` (a merchant collecting cards and PINs, or a scripted drain). Computed
 * over the ledger itself — applied payments from accounts of kind `beneficiary_wallet` into
 * accounts of kind `merchant`, read by time through an index (`fanInQuery`) — so it holds whatever the merchants code does. Raises one
 * `payment_merchant_fan_in` security alert per account per window (auditors see them at
 * `GET /api/alerts`); details hold the ledger account, counts and the window, never a person.
 * Answers the accounts it raised an alert for.
 *
 * @example
 *   await merchantFanInScan(db, new Date()); // the server runs it every minute
 */
export async function merchantFanInScan(
  db: Kysely<Database>,
  now: Date,
  props: { wallets?: number; windowMs?: number } = {},
): Promise<MerchantFanIn[]> {
  const wallets = props.wallets ?? paymentLimits.merchantFanInWallets;
  const windowMs = props.windowMs ?? paymentLimits.merchantFanInWindowMs;
  const since = new Date(now.getTime() - windowMs);
  const found = await fanInQuery(since, now, wallets).execute(db);
  const raised: MerchantFanIn[] = [];
  for (const pattern of found.rows) {
    const recent = await db
      .selectFrom('security_alert')
      .select('id')
      .where('kind', '=', 'payment_merchant_fan_in')
      .where('created_at', '>', since)
      .where(sql<string>`details->>'accountId'`, '=', pattern.accountId)
      .executeTakeFirst();
    if (recent !== undefined) continue;
    await raiseSecurityAlert(db, 'payment_merchant_fan_in', null, {
      ...pattern,
      windowMinutes: Math.round(windowMs / 60_000),
      threshold: wallets,
      windowStart: since.toISOString(),
    });
    raised.push(pattern);
  }
  return raised;
}

/**
 * The merchant accounts paid by at least `wallets` distinct wallets in (since, now]: payments
 * only (reason `payment`, the wallet's leg of a merchant payment), read through the partial
 * index on their time (migration 0072), so a scan reads the window, never the whole ledger.
 */
export function fanInQuery(since: Date, now: Date, wallets: number) {
  // The window first, on its own (materialized): read by the time index whatever the grouping.
  return sql<MerchantFanIn>`
    with recent as materialized (
      select credit_account_id, debit_account_id, currency, amount from ledger_transfer
       where reason = 'payment' and result = 'ok'
         and created_at > ${since} and created_at <= ${now})
    select t.credit_account_id as "accountId", t.currency,
           count(distinct t.debit_account_id)::int as "distinctWallets",
           count(*)::int as transfers, sum(t.amount)::text as "amountMinor"
      from recent t
      join ledger_account merchant on merchant.id = t.credit_account_id and merchant.kind = 'merchant'
      join ledger_account wallet on wallet.id = t.debit_account_id and wallet.kind = 'beneficiary_wallet'
     group by t.credit_account_id, t.currency
    having count(distinct t.debit_account_id) >= ${wallets}
     order by 3 desc`;
}

/**
 * Runs `merchantFanInScan`, `staffTakeoverScan` and `pinSprayScan` (PINs), `payeeCollusionScan`
 * (payee accounts and batches) and `payeeTakeoverScan` (payee accounts after a change of phone)
 * every `patternScanIntervalMs` (the server does, beside the audit signing timer); a failed scan
 * is logged and the next one runs. Answers the stop function.
 */
export function startPatternScan(
  db: Kysely<Database>,
  log: { error(details: object, message: string): void },
  pinGuard: PinGuardSettings = limits.merchants.pinGuard,
): () => void {
  const timer = setInterval(() => {
    const now = new Date();
    Promise.all([
      merchantFanInScan(db, now),
      staffTakeoverScan(db, now, pinGuard),
      pinSprayScan(db, now, pinGuard),
      payeeCollusionScan(db, now),
      payeeTakeoverScan(db, now, pinGuard),
    ]).catch((error: unknown) => log.error({ err: error }, 'the payment pattern scan failed'));
  }, paymentLimits.patternScanIntervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
