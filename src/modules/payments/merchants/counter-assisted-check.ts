import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import { limits } from '../../../limits.js';
import type { Grant } from '../../access/index.js';
import { householdCardCheck, oneTimeCodeVerdict } from '../../credentials/index.js';
import { assistedIdentities } from '../../registry/index.js';
import { nowOf, type PaymentsContext, type PaymentsDependencies } from '../payments-context.js';
import { counterCheckRefusal, counterCodeLabel, personEntry } from './counter-assisted-parts.js';
import { keysOf } from './merchant-keys.js';
import { assistedCounterPayer } from './merchant-payer.js';
import type { MerchantSummary } from './merchant-registry.js';
import type { MerchantTables } from './merchant-tables.js';
import type { PaymentReceipt } from './payment-receipts.js';

type Row = Selectable<MerchantTables['counter_assisted_payment']>;

/** The second check's proof: the code, the merchant's attestation, or a member's card. */
export interface CounterProof {
  code?: string | undefined;
  attestation?: boolean | undefined;
  householdQrText?: string | undefined;
}

/**
 * Passes the second check of a started payment without the card and pays the request under it
 * (channel `assisted`: the same wallet, split, daily limit and ledger batch as with the card).
 * Refused, and audited on the person: a try of another merchant or staff member, or one whose
 * ID number and PIN were refused (`unknown`, one answer); a wrong, expired or used code; no
 * attestation; a refused card, the person's own card, a card from outside the household; a
 * check passed more than `counterAssistedPayWindowMs` ago (`stale`). A wrong code is counted
 * (committed) before the refusal; at the bound the check fails for good. A payment refused after
 * the check (too little money, the daily limit) may be tried again under the same check.
 *
 * @example
 *   const receipt = await counterAssistedPayer(deps, context, grant, assistedId, { token, code });
 */
export async function counterAssistedPayer(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  grant: Grant & { merchant: MerchantSummary },
  assistedId: string,
  props: CounterProof & { token: string },
): Promise<PaymentReceipt> {
  const row = await ownTry(deps, context, grant, assistedId);
  const personId = row.person_id as string; // Safe: ownTry refuses a try without a person.
  const refuse = async (message: string, code: string): Promise<never> => {
    await deps.audit.append(personEntry(context, grant, personId, [], 'AMP_COUNTER_CHECK_FAILED'));
    throw counterCheckRefusal(message, code);
  };
  if (row.paid_at !== null) return refuse('This check was already used', 'used');
  if (row.failed_at !== null) return refuse('This check failed: start a new one', 'failed');
  const now = nowOf(deps);
  if (row.verified_at === null) {
    const failure = await proofFailure(deps, row, props, now);
    if (failure !== null && !Buffer.isBuffer(failure)) return refuse(failure.message, failure.code);
    const passed = await deps.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('counter_assisted_payment')
        .set({ verified_at: now, household_credential_id: failure })
        .where('id', '=', row.id)
        .where('verified_at', 'is', null)
        .where('failed_at', 'is', null)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) return false;
      await deps.audit.appendInTransaction(trx, [
        personEntry(context, grant, personId, ['second_check'], null),
      ]);
      return true;
    });
    // Two screens entering the same right code at once: one passes.
    if (!passed) return refuse('This check was already used', 'used');
  } else if (
    now.getTime() - row.verified_at.getTime() >
    limits.merchants.counterAssistedPayWindowMs
  ) {
    return refuse('The check passed too long ago: start a new one', 'stale');
  }
  const receipt = await assistedCounterPayer(deps.db, keysOf(deps).masterKey, {
    token: props.token,
    payerPersonId: personId,
    merchantId: grant.merchant.merchantId,
    requestId: row.request_id,
    now,
    ...(deps.notifier === undefined ? {} : { notifier: deps.notifier }),
  });
  await deps.db
    .updateTable('counter_assisted_payment')
    .set({ paid_at: now })
    .where('id', '=', row.id)
    .where('paid_at', 'is', null)
    .execute();
  // The person sees, in their access history, that a merchant took a payment from them.
  await deps.audit.append(personEntry(context, grant, personId, ['wallet_balance'], null));
  return receipt;
}

/**
 * The try as this merchant's staff member started it, with ID number and PIN passed; any other
 * is answered alike (`unknown`), so a try id tells nothing of whose it is or why it was refused.
 */
async function ownTry(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  grant: Grant & { merchant: MerchantSummary },
  assistedId: string,
): Promise<Row> {
  const row = await deps.db
    .selectFrom('counter_assisted_payment')
    .selectAll()
    .where('id', '=', assistedId)
    .executeTakeFirst();
  const operatorId = context.actor?.kind === 'operator' ? context.actor.operatorId : null;
  if (
    row === undefined ||
    row.merchant_id !== grant.merchant.merchantId ||
    row.operator_id !== operatorId ||
    row.person_id === null
  ) {
    await deps.audit.append(
      personEntry(context, grant, row?.person_id ?? null, [], 'AMP_COUNTER_CHECK_FAILED'),
    );
    throw counterCheckRefusal('No such check was started at this merchant by you', 'unknown');
  }
  return row;
}

/**
 * Null when the proof passes (with the household card's id for method `household_card`, kept on
 * the row), else why not. A wrong code is counted; an expired one fails the check for good.
 */
async function proofFailure(
  deps: PaymentsDependencies,
  row: Row,
  proof: CounterProof,
  now: Date,
): Promise<{ message: string; code: string } | null | Buffer> {
  if (row.method === 'photo_attested') {
    return proof.attestation === true
      ? null
      : { message: 'Attest that the photo is of the person paying', code: 'attestation' };
  }
  if (row.method === 'household_card') {
    const card = await householdCardCheck(
      { db: deps.db, keys: keysOf(deps) },
      assistedIdentities(keysOf(deps).masterKey).sameHousehold,
      { personId: row.person_id as string, qrText: proof.householdQrText ?? '', now },
    );
    return 'refusal' in card ? card.refusal : card.credentialId;
  }
  const verdict = oneTimeCodeVerdict(
    keysOf(deps).masterKey,
    counterCodeLabel,
    row,
    proof.code,
    now,
  );
  if (verdict === 'right') return null;
  const attemptsMax = limits.merchants.counterAssistedCodeAttemptsMax;
  await deps.db
    .updateTable('counter_assisted_payment')
    .set((eb) =>
      verdict === 'expired'
        ? { failed_at: now }
        : {
            code_attempts: eb('code_attempts', '+', 1),
            failed_at: sql<Date | null>`case when code_attempts + 1 >= ${attemptsMax} then ${now}::timestamptz else null end`,
          },
    )
    .where('id', '=', row.id)
    .where('verified_at', 'is', null)
    .where('failed_at', 'is', null)
    .execute();
  return verdict === 'expired'
    ? { message: 'The code expired: start a new check', code: 'expired' }
    : { message: 'The code is wrong', code: 'wrong_code' };
}
