import { hash } from 'node:crypto';
import type { LedgerCurrency } from '../../ledger/index.js';

/**
 * Ledger ids that payments derives instead of storing: the same inputs always give the same
 * id, so opening a wallet on its first credit, or paying an entitlement, is idempotent by
 * construction — two runs that race, or a run resumed after `kill -9`, name the same account
 * and the same transfer, and the ledger answers the second `replayed`.
 *
 * A derived id is a UUIDv8 (RFC 9562: custom) over SHA-256 of a namespaced text.
 *
 * @example
 *   walletAccountId(personId, 'VES'); // always the same id for this person and currency
 */
export function derivedId(namespace: string, ...parts: readonly string[]): string {
  // One-shot `hash` (not `createHash`): a disbursement of a million derives three million ids,
  // and the hasher object per id was a sixth of its Node time (bench/payments-disburse.ts).
  const hex = hash('sha256', ['amparo', namespace, ...parts].join('|'), 'hex');
  // The version nibble (byte 6's high half) is 8, the variant bits (byte 8's top two) are 10.
  const variant = ((Number.parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A person's wallet in one currency (the ledger account's reference is the person id). */
export const walletAccountId = (personId: string, currency: LedgerCurrency): string =>
  derivedId('wallet', personId, currency);

/** A program's funding account in one currency (its reference is the program id). */
export const fundingAccountId = (programId: string, currency: LedgerCurrency): string =>
  derivedId('funding', programId, currency);

/**
 * The settlement (bank) account of a currency: where money enters and leaves Amparo. Payouts,
 * bank statements and merchant settlement post here; it is also the first of the currency's
 * settlement sub-accounts (`settlementAccountIds`).
 */
export const settlementAccountId = (currency: LedgerCurrency): string =>
  derivedId('settlement', currency);

/**
 * Sub-accounts of a currency's settlement account (docs/LEDGER.md, "The settlement account's
 * sub-accounts"). Each funding request debits one of them, chosen by its transfer id, so
 * concurrent requests rarely wait for one balance row; the currency's settlement is their sum
 * (the trial balance's `settlement` line sums them). Part of the ids' derivation, like a
 * namespace: changing it would send a retried funding request to another account, which the
 * ledger refuses as a modified request.
 */
export const settlementSubAccounts = 16;

/** Every settlement sub-account of a currency, the first being `settlementAccountId`. */
export const settlementAccountIds = (currency: LedgerCurrency): string[] =>
  Array.from({ length: settlementSubAccounts }, (_, shard) =>
    shard === 0 ? settlementAccountId(currency) : derivedId('settlement', currency, String(shard)),
  );

/**
 * The settlement sub-account a funding transfer debits: fixed by its id (a hash, whatever kind
 * of UUID the client sent), so the same request sent again names the same account.
 */
export function fundingSettlementAccountId(currency: LedgerCurrency, transferId: string): string {
  const shard = Number.parseInt(derivedId('settlement-shard', transferId).slice(0, 8), 16);
  const ids = settlementAccountIds(currency);
  // Safe: the index is below the array's length.
  return ids[shard % ids.length] as string;
}

/** The transfer that pays one entitlement: one id per entitlement, so it is paid once. */
export const disbursementTransferId = (entitlementId: string): string =>
  derivedId('disbursement', entitlementId);

/** A merchant's account in its currency (its reference is the merchant id). */
export const merchantAccountId = (merchantId: string, currency: LedgerCurrency): string =>
  derivedId('merchant', merchantId, currency);

/**
 * The transfers that pay one payment request: the payer's share and the program's. One pair per
 * request, so a request is paid at most once whoever presents it and however often.
 */
export const merchantPaymentTransferIds = (requestId: string, attempt = 0) =>
  attempt === 0
    ? {
        payer: derivedId('merchant-payment', requestId),
        subsidy: derivedId('merchant-subsidy', requestId),
      }
    : {
        payer: derivedId('merchant-payment', requestId, String(attempt)),
        subsidy: derivedId('merchant-subsidy', requestId, String(attempt)),
      };

/**
 * The transfers of one refund (to the wallet, to the funding account): one pair per refund id,
 * so the same refund sent again moves nothing more. A refund made before partial refunds
 * (migration 0086) derived its pair from the request alone (`refundId` absent).
 */
export const merchantRefundTransferIds = (requestId: string, refundId?: string) =>
  refundId === undefined
    ? {
        payer: derivedId('merchant-refund', requestId),
        subsidy: derivedId('merchant-refund-subsidy', requestId),
      }
    : {
        payer: derivedId('merchant-refund', requestId, refundId),
        subsidy: derivedId('merchant-refund-subsidy', requestId, refundId),
      };
