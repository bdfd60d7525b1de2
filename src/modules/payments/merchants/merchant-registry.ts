import type { Kysely } from 'kysely';
import { seal } from '../../../platform/crypto/envelope.js';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import type { Action } from '../../../shared/access/policy.js';
import { type Grant, guardPersonAccess } from '../../access/index.js';
import { accountCreator, accountFlags, type LedgerCurrency } from '../../ledger/index.js';
import { programForFunding } from '../../programs/index.js';
import { merchantAccountId } from '../accounts/account-ids.js';
import { currencyFrom } from '../money-input.js';
import { contextOf, type PaymentsContext, type PaymentsDependencies } from '../payments-context.js';
import { PaymentsError } from '../payments-error.js';

export interface MerchantRegistration {
  merchantId: string;
  name: string;
  stateCode: string;
  currency: string;
  settlement: { bankCode: string; accountNumber: string; holder: 'person' | 'organisation' };
  staffOperatorIds: readonly string[];
  subsidies: ReadonlyArray<{ programId: string; shareBasisPoints: number }>;
  registeredBy: string;
}

/** What the payer's app and the merchant screen show about a merchant: never its account. */
export interface MerchantSummary {
  merchantId: string;
  name: string;
  stateCode: string;
  currency: LedgerCurrency;
  accountId: string;
}

/** The associated data of a person's sealed settlement account. */
export const settlementAccountSealing = (merchantId: string) => ({
  table: 'merchant',
  column: 'settlement_account',
  recordId: merchantId,
});

/**
 * Registers a merchant, its staff and the programs that subsidise its prices, and opens its
 * ledger account (debits never above credits). The client's merchant id is the idempotency
 * key: registering the same id again changes nothing and answers the merchant.
 *
 * @example
 *   await merchantRegistrar(db, masterKey, { merchantId, name: 'Bodega La Esquina', … });
 */
export async function merchantRegistrar(
  db: Kysely<Database>,
  masterKey: Buffer,
  props: MerchantRegistration,
): Promise<MerchantSummary & { replayed: boolean }> {
  const currency = currencyFrom(props.currency);
  for (const subsidy of props.subsidies) {
    const program = await programForFunding(db, subsidy.programId);
    if (program?.currency !== currency) {
      throw new PaymentsError(
        'AMP_CURRENCY_MISMATCH',
        `Program ${subsidy.programId} does not pay in ${currency}`,
        [{ field: '/subsidies', reason: `each program must pay in ${currency}` }],
      );
    }
  }
  const known = await merchantById(db, props.merchantId);
  if (known !== undefined) return { ...known, replayed: true };
  const personal = props.settlement.holder === 'person';
  const accountText = Buffer.from(props.settlement.accountNumber);
  try {
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('merchant')
        .values({
          id: props.merchantId,
          name: props.name,
          state_code: props.stateCode,
          currency,
          settlement_bank_code: props.settlement.bankCode,
          settlement_holder_kind: props.settlement.holder,
          settlement_account_clear: personal ? null : props.settlement.accountNumber,
          settlement_account_sealed: personal
            ? seal(masterKey, accountText, settlementAccountSealing(props.merchantId))
            : null,
          registered_by: props.registeredBy,
        })
        .execute();
      if (props.staffOperatorIds.length > 0) {
        await trx
          .insertInto('merchant_staff')
          .values(
            props.staffOperatorIds.map((operatorId) => ({
              merchant_id: props.merchantId,
              operator_id: operatorId,
            })),
          )
          .execute();
      }
      if (props.subsidies.length > 0) {
        await trx
          .insertInto('merchant_subsidy')
          .values(
            props.subsidies.map((subsidy) => ({
              merchant_id: props.merchantId,
              program_id: subsidy.programId,
              share_basis_points: subsidy.shareBasisPoints,
            })),
          )
          .execute();
      }
    });
  } catch (error) {
    // 23503: a staff operator that does not exist.
    if (error instanceof Error && 'code' in error && error.code === '23503') {
      throw new AmparoError('AMP_VALIDATION', {
        detail: 'A staff operator does not exist',
        errors: [{ field: '/staffOperatorIds', reason: 'no such operator' }],
      });
    }
    throw error;
  }
  const accountId = merchantAccountId(props.merchantId, currency);
  const [opened] = await accountCreator(db, [
    {
      id: accountId,
      currency,
      kind: 'merchant',
      flags: accountFlags.debitsMustNotExceedCredits,
      referenceId: props.merchantId,
    },
  ]);
  if (opened?.result !== 'ok')
    throw new Error(`derived merchant account refused: ${opened?.result}`);
  return {
    merchantId: props.merchantId,
    name: props.name,
    stateCode: props.stateCode,
    currency,
    accountId,
    replayed: false,
  };
}

/** A merchant by id, or undefined. */
export async function merchantById(
  db: Kysely<Database>,
  merchantId: string,
): Promise<MerchantSummary | undefined> {
  const row = await db
    .selectFrom('merchant')
    .select(['id', 'name', 'state_code', 'currency'])
    .where('id', '=', merchantId)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  return {
    merchantId: row.id,
    name: row.name,
    stateCode: row.state_code,
    currency: row.currency,
    accountId: merchantAccountId(row.id, row.currency),
  };
}

/** The merchants an operator is staff of (the merchant screen's choice). */
export async function merchantsOfStaff(
  db: Kysely<Database>,
  operatorId: string,
): Promise<MerchantSummary[]> {
  const rows = await db
    .selectFrom('merchant as m')
    .innerJoin('merchant_staff as s', 's.merchant_id', 'm.id')
    .select(['m.id', 'm.name', 'm.state_code', 'm.currency'])
    .where('s.operator_id', '=', operatorId)
    .orderBy('m.name')
    .execute();
  return rows.map((row) => ({
    merchantId: row.id,
    name: row.name,
    stateCode: row.state_code,
    currency: row.currency,
    accountId: merchantAccountId(row.id, row.currency),
  }));
}

/**
 * The gate in front of one merchant (docs/ACCESS.md, scope `merchant`): its staff, or a role
 * of scope `any`. A merchant that does not exist, or is not the operator's, is 404; every
 * attempt is audited on the merchant.
 */
export async function guardMerchant(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  action: Action,
  merchantId: string,
): Promise<Grant & { merchant: MerchantSummary }> {
  const merchant = await merchantById(deps.db, merchantId);
  const staff = await deps.db
    .selectFrom('merchant_staff')
    .select('operator_id')
    .where('merchant_id', '=', merchantId)
    .execute();
  const grant = await guardPersonAccess(deps, {
    actor: context.actor,
    action,
    resource: { type: 'merchant', id: merchantId },
    regionCode: merchant?.stateCode ?? null,
    personId: null,
    staffOperatorIds: staff.map((row) => row.operator_id),
    exists: merchant !== undefined,
    purpose: context.purpose,
    requestId: context.requestId,
    countsAsPersonRead: false,
  });
  // Safe: the guard refused a merchant that does not exist.
  return { ...grant, merchant: merchant as MerchantSummary };
}

/** `guardMerchant` for a route whose path names the merchant (`:merchantId`). */
export function guardMerchantOfRequest(
  deps: PaymentsDependencies,
  request: Parameters<typeof contextOf>[0] & { params: { merchantId: string } },
  action: Action,
): Promise<Grant & { merchant: MerchantSummary }> {
  return guardMerchant(deps, contextOf(request), action, request.params.merchantId);
}
