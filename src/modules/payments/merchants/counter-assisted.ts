import { randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { type Kysely, sql } from 'kysely';
import { limits } from '../../../limits.js';
import type { Database } from '../../../platform/db/schema.js';
import type { Grant } from '../../access/index.js';
import { newOneTimeCode, oneTimeCodeHash } from '../../credentials/index.js';
import { lookupAccounts } from '../../ledger/index.js';
import { amountText, localDate } from '../../notifications/index.js';
import { assistedIdentities } from '../../registry/index.js';
import { walletAccountId } from '../accounts/account-ids.js';
import { walletFreezeOf } from '../accounts/wallet-freeze.js';
import { nowOf, type PaymentsContext, type PaymentsDependencies } from '../payments-context.js';
import { PaymentsError } from '../payments-error.js';
import { counterCheckRefusal, counterCodeLabel, personEntry } from './counter-assisted-parts.js';
import { keysOf } from './merchant-keys.js';
import { payerShareOf, requestToPay } from './merchant-payer.js';
import type { MerchantSummary } from './merchant-registry.js';
import type { MerchantTables } from './merchant-tables.js';
import { pinChecker, refuseMerchantOverPinBound } from './payment-pin.js';
import { pinGuardOf } from './pin-guard-settings.js';
import { passwordHashOptionsOf } from './pin-hash-options.js';

/**
 * Paying at a merchant's counter without the card (issue #16, point 5; safeguard 9): for a
 * person with neither a phone nor the card. The merchant's staff types the person's ID number,
 * the person types their payment PIN on the merchant's device, the staff says why there is no
 * card and picks one second check — the same as a redemption without the card (credentials'
 * `second-check.ts`): a code texted to the phone on file, the photo on file compared with the
 * face in front of them, or a household member's card. `counter-assisted-check.ts` passes the
 * check and pays through `merchantPayer`'s own path (channel `assisted`).
 *
 * The merchant learns nothing of a person who cannot pay there: an unknown ID number, a PIN not
 * set, wrong or locked, no wallet in the request's currency and a frozen wallet all answer
 * `AMP_COUNTER_PAYMENT_REFUSED` with one body, each after one argon2 verification, and before any
 * code is texted or photo shown. A wrong PIN counts toward the PIN's lock as at the card counter.
 * Every try, refused ones too, is a row counted against the merchant's daily bound (taken before
 * any PIN is tried, under a lock on the merchant), and audited on the person it names.
 *
 * @example
 *   const started = await counterAssistedStarter(deps, context, grant, {
 *     token, uin: '4839201756', pin: '4821', reason: 'lost', method: 'photo_attested' });
 */
export interface CounterAssistedStart {
  assistedId: string;
  method: CounterAssistedRow['method'];
  reason: CounterAssistedRow['reason'];
  codeExpiresAt: string | null;
  /** The photo on file (base64), for method `photo_attested` only. */
  photo: string | null;
}

type CounterAssistedRow = MerchantTables['counter_assisted_payment'];
type MerchantGrant = Grant & { merchant: MerchantSummary };

export async function counterAssistedStarter(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  grant: MerchantGrant,
  props: {
    token: string;
    uin: string;
    pin: string;
    reason: CounterAssistedRow['reason'];
    method: CounterAssistedRow['method'];
  },
): Promise<CounterAssistedStart> {
  const keys = keysOf(deps);
  const now = nowOf(deps);
  const merchantId = grant.merchant.merchantId;
  // The merchant's own request first: whether it is valid says nothing about anyone.
  const request = await requestToPay(deps.db, keys.masterKey, {
    token: props.token,
    merchantId,
    now,
  });
  // A counter past its day's wrong PINs (card or ID number alike) types no more: pinguard's bound.
  await refuseMerchantOverPinBound(deps.db, {
    merchantId,
    now,
    wrongPinsPerDay: pinGuardOf(deps).merchantWrongPinsPerDay,
  });
  const assistedId = await reserveTry(deps, context, grant, {
    requestId: request.requestId,
    reason: props.reason,
    method: props.method,
    now,
  });
  const identities = assistedIdentities(keys.masterKey);
  const person = await identities.activePersonByUin(deps.db, props.uin);
  const passed = await idAndPinPass(deps, person?.personId, props.pin, {
    currency: request.currency,
    merchantId,
    now,
  });
  if (!passed) {
    // One answer for every reason, audited on the person the number names (in their history).
    await deps.audit.append(
      personEntry(context, grant, person?.personId ?? null, [], 'AMP_COUNTER_PAYMENT_REFUSED'),
    );
    throw new PaymentsError(
      'AMP_COUNTER_PAYMENT_REFUSED',
      'This ID number and PIN cannot pay here: the person may pay with their card, or set a new PIN at an enrolment office',
    );
  }
  const personId = person?.personId as string; // Safe: idAndPinPass is false without a person.
  // The text names what leaves the person's wallet: their share after the program's subsidy.
  const texted =
    props.method === 'phone_code'
      ? {
          code: newOneTimeCode(),
          amount: amountText(await payerShareOf(deps.db, request, personId), request.currency),
          expiresAt: new Date(now.getTime() + limits.merchants.counterAssistedCodeTtlMs),
        }
      : null;
  try {
    return await startedTry(deps, context, grant, {
      ...props,
      assistedId,
      personId,
      texted,
    });
  } catch (error) {
    if (!(error instanceof CheckUnavailable)) throw error;
    // The try stays refused and listed, but does not count against the merchant's bound: ID
    // number and PIN passed, and the check chosen could not be tried (migration 0120).
    await deps.db
      .updateTable('counter_assisted_payment')
      .set({ check_unavailable: error.reason })
      .where('id', '=', assistedId)
      .where('refused_at', 'is not', null)
      .execute();
    throw error.reason === 'no_phone'
      ? counterCheckRefusal('There is no phone on file: choose another check', 'no_phone')
      : counterCheckRefusal('There is no photo on file: choose another check', 'no_photo');
  }
}

/** The chosen check cannot be done for this person; thrown to roll the try's start back. */
class CheckUnavailable extends Error {
  constructor(readonly reason: 'no_phone' | 'no_photo') {
    super(`second check unavailable: ${reason}`);
  }
}

/**
 * The try started, in one transaction: the person and the code's hash written, the code texted
 * or the photo read, the person's audit entry. A check that cannot be done rolls it back.
 */
async function startedTry(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  grant: MerchantGrant,
  props: {
    assistedId: string;
    personId: string;
    reason: CounterAssistedRow['reason'];
    method: CounterAssistedRow['method'];
    /** The code texted, the amount it names and its expiry; null for another check. */
    texted: { code: string; amount: string; expiresAt: Date } | null;
  },
): Promise<CounterAssistedStart> {
  const { assistedId, personId, texted } = props;
  const codeExpiresAt = texted?.expiresAt ?? null;
  const keys = keysOf(deps);
  const identities = assistedIdentities(keys.masterKey);
  return deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('counter_assisted_payment')
      .set({
        person_id: personId,
        refused_at: null,
        code_hash:
          texted === null
            ? null
            : oneTimeCodeHash(keys.masterKey, counterCodeLabel, assistedId, texted.code),
        code_expires_at: codeExpiresAt,
      })
      .where('id', '=', assistedId)
      .execute();
    if (texted !== null) {
      const messageId = await deps.notifier?.notify(trx, personId, {
        event: 'payment_code',
        code: texted.code,
        amount: texted.amount,
        validMinutes: String(Math.round(limits.merchants.counterAssistedCodeTtlMs / 60_000)),
      });
      if (messageId == null) throw new CheckUnavailable('no_phone');
    }
    const photo =
      props.method === 'photo_attested' ? await identities.photoOf(trx, personId) : null;
    if (props.method === 'photo_attested' && photo === null) throw new CheckUnavailable('no_photo');
    await deps.audit.appendInTransaction(trx, [
      personEntry(context, grant, personId, photo === null ? [] : ['photo'], null),
    ]);
    return {
      assistedId,
      method: props.method,
      reason: props.reason,
      codeExpiresAt: codeExpiresAt?.toISOString() ?? null,
      photo,
    };
  });
}

/**
 * Counts the try against the merchant's bound and writes it, refused until ID number and PIN
 * pass: the bound holds before any PIN is tried, and a try cut short stays refused. One
 * merchant's tries are counted one at a time (an advisory lock), so parallel tries cannot pass it.
 */
async function reserveTry(
  deps: PaymentsDependencies,
  context: PaymentsContext,
  grant: MerchantGrant,
  props: Pick<CounterAssistedRow, 'reason' | 'method'> & { requestId: string; now: Date },
): Promise<string> {
  const assistedId = randomUUID();
  const max = counterAssistedPerDayMaxOf(deps);
  const day = localDate(props.now);
  await deps.db.transaction().execute(async (trx) => {
    const merchantId = grant.merchant.merchantId;
    await sql`select pg_advisory_xact_lock(hashtext(${`counter_assisted:${merchantId}`}))`.execute(
      trx,
    );
    if ((await triesOfDay(trx, merchantId, day)) >= max) {
      throw new PaymentsError(
        'AMP_COUNTER_ASSISTED_LIMIT_REACHED',
        `${max} payments without the card today at this merchant: the supervisor sees them`,
      );
    }
    await trx
      .insertInto('counter_assisted_payment')
      .values({
        id: assistedId,
        merchant_id: merchantId,
        operator_id: operatorIdOf(context),
        request_id: props.requestId,
        person_id: null,
        reason: props.reason,
        method: props.method,
        code_hash: null,
        code_expires_at: null,
        household_credential_id: null,
        started_at: props.now,
        started_day: day,
        refused_at: props.now,
        verified_at: null,
        failed_at: null,
        paid_at: null,
      })
      .execute();
  });
  return assistedId;
}

/**
 * Tries a merchant started on a local day (America/Caracas), refused ones included, but not those whose chosen
 * check could not be done (no phone, no photo on file: nothing was tried).
 */
export async function triesOfDay(
  db: Kysely<Database>,
  merchantId: string,
  day: string,
): Promise<number> {
  const counted = await db
    .selectFrom('counter_assisted_payment')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('merchant_id', '=', merchantId)
    .where('started_day', '=', day)
    .where('check_unavailable', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(counted.count);
}

export function counterAssistedPerDayMaxOf(deps: PaymentsDependencies): number {
  return deps.counterAssistedPerDayMax ?? limits.merchants.counterAssistedPerMerchantPerDayDefault;
}

/**
 * Whether the ID number names a person whose PIN is this one and whose wallet in the currency
 * exists and is not frozen. Each answer costs one argon2 verification, so the time taken does
 * not tell an unknown number from a wrong PIN.
 */
async function idAndPinPass(
  deps: PaymentsDependencies,
  personId: string | undefined,
  pin: string,
  at: { currency: 'VES' | 'USD'; merchantId: string; now: Date },
): Promise<boolean> {
  if (personId === undefined) {
    await verifyAgainstNothing(deps, pin);
    return false;
  }
  try {
    // The PIN guard's own check: peppered, a staff-set PIN's hold refused (answered as any other
    // refusal), a wrong PIN kept against this merchant's daily bound and the spray alert.
    await pinChecker(deps.db, {
      personId,
      pin,
      masterKey: keysOf(deps).masterKey,
      hashOptions: passwordHashOptionsOf(deps),
      now: at.now,
      merchantId: at.merchantId,
      ...(deps.notifier === undefined ? {} : { notifier: deps.notifier }),
    });
  } catch (error) {
    if (!(error instanceof PaymentsError)) throw error;
    if (error.code !== 'AMP_PIN_WRONG') await verifyAgainstNothing(deps, pin);
    return false;
  }
  if ((await walletFreezeOf(deps.db, personId)) !== undefined) return false;
  const [wallet] = await lookupAccounts(deps.db, [walletAccountId(personId, at.currency)]);
  return wallet !== undefined;
}

const nothingHashes = new Map<string, Promise<string>>();

/** One argon2 verification that never passes, with the PINs' own parameters. */
async function verifyAgainstNothing(deps: PaymentsDependencies, pin: string): Promise<void> {
  const options = passwordHashOptionsOf(deps);
  const key = JSON.stringify(options);
  let nothing = nothingHashes.get(key);
  if (nothing === undefined) {
    nothing = hash(randomUUID(), options);
    nothingHashes.set(key, nothing);
  }
  await verify(await nothing, pin).catch(() => false);
}

function operatorIdOf(context: PaymentsContext): string {
  // Safe: the gate allowed a merchant action, which only operators (the staff) hold.
  return (context.actor as { operatorId: string }).operatorId;
}
