import type { Kysely } from 'kysely';
import { seal } from '../../../platform/crypto/envelope.js';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import type { OperatorActor } from '../../../shared/access/actor.js';
import { type Action, authorize } from '../../../shared/access/policy.js';
import { type Grant, guardPersonAccess, operatorsNamed } from '../../access/index.js';
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
  /** Staff named by the username they sign in with (the console's form): each must hold `merchant`. */
  staffUsernames?: readonly string[] | undefined;
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
  /** When a second finance officer approved the registration (ISO); null: not yet, paid nothing. */
  approvedAt: string | null;
}

/**
 * The operator ids of staff named by username. Each must be an operator holding the role
 * `merchant` and not disabled; otherwise the registration is refused, naming the field, before
 * anything is written (`AMP_VALIDATION`).
 */
async function staffByUsername(
  db: Kysely<Database>,
  usernames: readonly string[] | undefined,
): Promise<string[]> {
  if (usernames === undefined || usernames.length === 0) return [];
  const found = new Map(
    (await operatorsNamed(db, usernames)).map((operator) => [operator.username, operator]),
  );
  const errors = usernames.flatMap((username, index) => {
    const operator = found.get(username.trim().toLowerCase());
    if (operator?.roles.includes('merchant') && !operator.disabled) return [];
    return [
      {
        field: `/staffUsernames/${index}`,
        reason:
          operator === undefined
            ? 'no operator has this username'
            : 'this operator does not hold the role merchant (or is disabled)',
      },
    ];
  });
  if (errors.length > 0) {
    throw new AmparoError('AMP_VALIDATION', {
      detail: 'A staff member named is not a merchant operator',
      errors,
    });
  }
  return usernames.map(
    // Safe: every username was found above.
    (username) => (found.get(username.trim().toLowerCase()) as { operatorId: string }).operatorId,
  );
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
  for (const [index, subsidy] of props.subsidies.entries()) {
    const field = `/subsidies/${index}/programId`;
    const program = await programForFunding(db, subsidy.programId);
    if (program === undefined) {
      throw new PaymentsError(
        'AMP_SUBSIDY_PROGRAM_UNKNOWN',
        `No program ${subsidy.programId} exists`,
        [{ field, reason: 'no such program' }],
      );
    }
    if (program.currency !== currency) {
      throw new PaymentsError(
        'AMP_CURRENCY_MISMATCH',
        `Program ${subsidy.programId} does not pay in ${currency}`,
        [{ field, reason: `the program must pay in ${currency}` }],
      );
    }
  }
  const staff = [
    ...new Set([...props.staffOperatorIds, ...(await staffByUsername(db, props.staffUsernames))]),
  ];
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
      if (staff.length > 0) {
        await trx
          .insertInto('merchant_staff')
          .values(
            staff.map((operatorId) => ({
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
    approvedAt: null,
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
    .select(['id', 'name', 'state_code', 'currency', 'approved_at'])
    .where('id', '=', merchantId)
    .executeTakeFirst();
  return row === undefined ? undefined : summaryOf(row);
}

/** A merchant row as the routes answer it: its account id derives from its id and currency. */
function summaryOf(row: {
  id: string;
  name: string;
  state_code: string;
  currency: LedgerCurrency;
  approved_at: Date | null;
}): MerchantSummary {
  return {
    merchantId: row.id,
    name: row.name,
    stateCode: row.state_code,
    currency: row.currency,
    accountId: merchantAccountId(row.id, row.currency),
    approvedAt: row.approved_at === null ? null : new Date(row.approved_at).toISOString(),
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
    .select(['m.id', 'm.name', 'm.state_code', 'm.currency', 'm.approved_at'])
    .where('s.operator_id', '=', operatorId)
    .orderBy('m.name')
    .execute();
  return rows.map(summaryOf);
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

/** One page of the merchant list: `next` is the `after` of the page that follows, or null. */
export interface MerchantPage {
  merchants: MerchantSummary[];
  next: string | null;
}

/**
 * The merchants the caller may read, by name (docs/ACCESS.md, `merchant.read`): a role of scope
 * `any` lists the merchants of the states in its regions, a merchant's staff lists its own. The
 * list is audited once, on no merchant; it answers what a merchant's read answers, never the
 * settlement account. Paged by keyset: `after` is the last merchant of the previous page.
 */
export async function merchantLister(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  query: { stateCode?: string | undefined; after?: string | undefined; limit: number },
): Promise<MerchantPage> {
  const actor = context.actor;
  const operatorId = actor?.kind === 'operator' ? actor.operatorId : null;
  const held = actor?.kind === 'operator' ? actor.regions : [];
  const grant = await guardPersonAccess(deps, {
    actor,
    action: 'merchant.read',
    resource: { type: 'merchant', id: null },
    regionCode: held[0] ?? null,
    personId: null,
    // The list is filtered to the caller's own merchants below; the gate decides role and purpose.
    staffOperatorIds: operatorId === null ? [] : [operatorId],
    exists: true,
    purpose: context.purpose,
    requestId: context.requestId,
    countsAsPersonRead: false,
  });
  // Safe: the guard refuses citizens and operators without a rule for merchant.read.
  const operator = actor as OperatorActor;
  const decide = (scope: { regionCode: string | null; staffOperatorIds?: string[] }) =>
    authorize(operator, 'merchant.read', { personId: null, ...scope }, context.purpose).allowed;
  const regions = held.filter(
    (regionCode) =>
      decide({ regionCode }) && (query.stateCode === undefined || regionCode === query.stateCode),
  );
  const asStaff = decide({ regionCode: null, staffOperatorIds: [operator.operatorId] });
  const cursor =
    query.after === undefined
      ? undefined
      : await deps.db
          .selectFrom('merchant')
          .select(['id', 'name'])
          .where('id', '=', query.after)
          .executeTakeFirst();
  if (query.after !== undefined && cursor === undefined) {
    throw new AmparoError('AMP_VALIDATION', {
      detail: 'No such merchant to page after',
      errors: [{ field: '/after', reason: 'no such merchant' }],
    });
  }
  const rows = await deps.db
    .selectFrom('merchant as m')
    .select(['m.id', 'm.name', 'm.state_code', 'm.currency', 'm.approved_at'])
    .where((eb) => {
      const inScope = [];
      if (regions.length > 0) inScope.push(eb('m.state_code', 'in', regions));
      if (asStaff) {
        inScope.push(
          eb(
            'm.id',
            'in',
            eb
              .selectFrom('merchant_staff as s')
              .select('s.merchant_id')
              .where('s.operator_id', '=', operator.operatorId),
          ),
        );
      }
      const scoped = inScope.length === 0 ? eb.val(false) : eb.or(inScope);
      const conditions = [scoped];
      if (query.stateCode !== undefined) conditions.push(eb('m.state_code', '=', query.stateCode));
      if (cursor !== undefined) {
        conditions.push(eb(eb.refTuple('m.name', 'm.id'), '>', eb.tuple(cursor.name, cursor.id)));
      }
      return eb.and(conditions);
    })
    .orderBy('m.name')
    .orderBy('m.id')
    .limit(query.limit + 1)
    .execute();
  await grant.record([]);
  const page = rows.slice(0, query.limit).map(summaryOf);
  return {
    merchants: page,
    next: rows.length > query.limit ? (page.at(-1)?.merchantId ?? null) : null,
  };
}
