import type { Options as HashOptions } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import { limits } from '../../../limits.js';
import type { Database } from '../../../platform/db/schema.js';
import { raiseSecurityAlert } from '../../access/index.js';
import {
  type AccountState,
  isModifiedRequest,
  type LedgerCurrency,
  ledgerCurrencies,
  lookupAccounts,
  type TransferInput,
  type TransferOutcome,
  transferCreatorInTransaction,
  transferFlags,
  transfersOfReference,
} from '../../ledger/index.js';
import { amountText, localDate, type PersonNotifier } from '../../notifications/index.js';
import { openEntitlementsOf } from '../../programs/index.js';
import {
  fundingAccountId,
  merchantAccountId,
  merchantPaymentTransferIds,
  walletAccountId,
} from '../accounts/account-ids.js';
import { refuseFrozenInTransaction, walletFreezeOf } from '../accounts/wallet-freeze.js';
import { refuseOverDailyLimit } from '../controls/wallet-limits.js';
import { PaymentsError } from '../payments-error.js';
import type { PaymentChannel } from './merchant-tables.js';
import { pinChecker, refuseMerchantOverPinBound } from './payment-pin.js';
import { type PaymentReceipt, receiptOf } from './payment-receipts.js';
import { merchantNotApproved } from './payment-request-maker.js';
import { type PaymentRequestFields, readPaymentRequestToken } from './payment-request-token.js';
import { passwordHashOptionsOf } from './pin-hash-options.js';
import { type SubsidyDraw, subsidyDrawer, subsidyDrawOf } from './subsidy-allowance.js';

/**
 * Pays a merchant's payment request from a person's wallet (issue #16, point 5): in the
 * payment app (the person's session and PIN), or at the counter (the card's QR and the PIN on
 * the merchant's device). With a subsidised price, the program's share moves from its funding
 * account in the same linked ledger transfer: both or neither.
 *
 * Everything refusable is refused before anything is posted: a forged, expired or already
 * paid request, a wrong or locked PIN, a frozen or missing wallet, a payer without the
 * subsidising program's entitlement (or with one of a cycle not published yet), a share past what is left of the payer's allowance for the
 * cycle (`subsidy-allowance.ts`: drawn in the ledger transaction, under a lock on the
 * entitlement, so two payments cannot both spend it), a share of the whole price, too little
 * money, a payment past the wallet's daily limit (the ledger's own check, in its batch). The transfer ids derive from the
 * request id, so the ledger pays a request at most once whoever presents it and however often;
 * a request presented again is `AMP_PAYMENT_REQUEST_USED`. A request whose ledger transfer was
 * refused (the wallet emptied by a payment at the same moment) can be paid again: the next try
 * sends the next attempt's ids (`attemptOf`).
 *
 * @example
 *   const receipt = await merchantPayer(db, masterKey, { token, pin: '4821',
 *     payerPersonId, channel: 'wallet', now });
 */
export async function merchantPayer(
  db: Kysely<Database>,
  masterKey: Buffer,
  props: {
    token: string;
    pin: string;
    payerPersonId: string;
    channel: PaymentChannel;
    /** At the counter: the merchant whose device took the payment; the request must be its. */
    merchantId?: string;
    now: Date;
    /** The PIN's argon2id parameters (a version 1 hash is upgraded with them). */
    hashOptions?: HashOptions;
    /** Texts the payer "a payment left your wallet", or "your PIN locked" (docs/PAYMENTS-PIN.md). */
    notifier?: PersonNotifier;
    /** Wrong PINs a merchant's counter may type in a local day (America/Caracas) (`limits` by default). */
    merchantWrongPinsPerDay?: number;
  },
): Promise<PaymentReceipt> {
  const request = await requestToPay(db, masterKey, props);
  if (props.merchantId !== undefined) {
    await refuseMerchantOverPinBound(db, {
      merchantId: props.merchantId,
      now: props.now,
      wrongPinsPerDay:
        props.merchantWrongPinsPerDay ?? limits.merchants.pinGuard.merchantWrongPinsPerDay,
    });
  }
  await pinChecker(db, {
    personId: props.payerPersonId,
    pin: props.pin,
    masterKey,
    hashOptions: props.hashOptions ?? passwordHashOptionsOf({}),
    now: props.now,
    ...(props.merchantId === undefined ? {} : { merchantId: props.merchantId }),
    ...(props.notifier === undefined ? {} : { notifier: props.notifier }),
  });
  return walletPayment(db, request, props);
}

/**
 * Pays a request at the counter for a person who has no card with them (channel `assisted`):
 * the caller has checked the ID number, the PIN and a second check (`counter-assisted.ts`);
 * everything after the PIN is `merchantPayer`'s own path, the daily limit and split unchanged.
 */
export async function assistedCounterPayer(
  db: Kysely<Database>,
  masterKey: Buffer,
  props: {
    token: string;
    payerPersonId: string;
    merchantId: string;
    requestId: string;
    now: Date;
    notifier?: PersonNotifier;
  },
): Promise<PaymentReceipt> {
  const request = await requestToPay(db, masterKey, props);
  if (request.requestId !== props.requestId) {
    throw new PaymentsError(
      'AMP_PAYMENT_REQUEST_INVALID',
      'Not the payment request this check was started for',
    );
  }
  return walletPayment(db, request, { ...props, channel: 'assisted' });
}

/** The payment once the payer is known to be who pays: the wallet, the split, the ledger. */
async function walletPayment(
  db: Kysely<Database>,
  request: PaymentRequestFields,
  props: { payerPersonId: string; channel: PaymentChannel; now: Date; notifier?: PersonNotifier },
): Promise<PaymentReceipt> {
  if ((await walletFreezeOf(db, props.payerPersonId)) !== undefined) {
    throw new PaymentsError('AMP_WALLET_FROZEN', 'The wallet is frozen');
  }
  await refuseOtherCurrency(db, props.payerPersonId, request.currency);
  const split = await splitOf(db, request, props.payerPersonId);
  const attempt = await attemptOf(db, request.requestId);
  const transfers = transfersOf(request, split, props.payerPersonId, attempt);
  await checkFunds(db, transfers);
  const outcomes = await postPayment(
    db,
    { ...props, requestId: request.requestId },
    split,
    transfers,
  );
  // The ledger refuses a debit past the wallet's daily limit inside its batch (not written, the
  // chain with the subsidy failed with it): answered as the controls' AMP_WALLET_DAILY_LIMIT.
  refuseOverDailyLimit(outcomes);
  const replayed = settledOutcome(outcomes);
  if (replayed) {
    const paid = await paymentOf(db, request.requestId);
    if (paid !== undefined) throw used();
  }
  await recordPayment(db, request, split, attempt, props);
  await alertLargeSubsidy(db, request, split);
  const receipt = await receiptOf(db, request.requestId);
  // Safe: the row was written just above (or by the run that posted the same transfers).
  return receipt as PaymentReceipt;
}

/**
 * Writes the payment's row and, when this run wrote it, the text to the payer that money left
 * their wallet ("if it was not you, tell the office"), in one transaction: queued for the
 * outbox worker, which reads the phone (`notifyLater`, as a redemption's receipt is).
 */
async function recordPayment(
  db: Kysely<Database>,
  request: PaymentRequestFields,
  split: Split,
  attempt: number,
  props: { payerPersonId: string; channel: PaymentChannel; now: Date; notifier?: PersonNotifier },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const written = await trx
      .insertInto('merchant_payment')
      .values({
        request_id: request.requestId,
        merchant_id: request.merchantId,
        payer_person_id: props.payerPersonId,
        channel: props.channel,
        currency: request.currency,
        amount_minor: request.amountMinor,
        payer_minor: split.payerMinor,
        subsidy_minor: split.subsidyMinor,
        program_id: split.subsidyMinor > 0n ? request.programId : null,
        payer_transfer_id:
          split.payerMinor > 0n
            ? merchantPaymentTransferIds(request.requestId, attempt).payer
            : null,
        subsidy_transfer_id:
          split.subsidyMinor > 0n
            ? merchantPaymentTransferIds(request.requestId, attempt).subsidy
            : null,
        paid_at: props.now,
      })
      .onConflict((conflict) => conflict.column('request_id').doNothing())
      .executeTakeFirst();
    if (written.numInsertedOrUpdatedRows !== 1n || split.payerMinor === 0n) return;
    await props.notifier?.notifyLater(trx, props.payerPersonId, {
      event: 'wallet_paid',
      amount: amountText(split.payerMinor, request.currency),
      date: localDate(props.now),
    });
  });
}

export async function requestToPay(
  db: Kysely<Database>,
  masterKey: Buffer,
  props: { token: string; merchantId?: string; now: Date },
): Promise<PaymentRequestFields> {
  const fields = readPaymentRequestToken(masterKey, props.token, props.now);
  const row = await db
    .selectFrom('payment_request')
    .select(['merchant_id', 'amount_minor', 'currency', 'program_id'])
    .where('id', '=', fields.requestId)
    .executeTakeFirst();
  if (
    row === undefined ||
    row.merchant_id !== fields.merchantId ||
    row.amount_minor !== fields.amountMinor ||
    row.currency !== fields.currency ||
    row.program_id !== fields.programId ||
    (props.merchantId !== undefined && props.merchantId !== fields.merchantId)
  ) {
    throw new PaymentsError(
      'AMP_PAYMENT_REQUEST_INVALID',
      'Not a valid payment request: it does not match one this merchant made',
    );
  }
  if ((await paymentOf(db, fields.requestId)) !== undefined) throw used();
  const merchant = await db
    .selectFrom('merchant')
    .select('approved_at')
    .where('id', '=', fields.merchantId)
    .executeTakeFirst();
  if (merchant?.approved_at == null) throw merchantNotApproved();
  return fields;
}

interface Split {
  payerMinor: bigint;
  subsidyMinor: bigint;
  /** The allowance the program's share is drawn from; null without a share. */
  draw: SubsidyDraw | null;
}

/** A ledger refusal inside the payment's transaction: it rolls back, the draw with it. */
class LedgerRefusal extends Error {
  constructor(readonly outcomes: TransferOutcome[]) {
    super('the ledger refused the payment');
  }
}

/**
 * One transaction: the freeze read again under the lock a freeze takes (a death recorded after
 * the first check is caught), the program's share drawn from the allowance, the transfers. A
 * transfer the ledger refuses rolls the whole transaction back, so the allowance is not spent
 * on money that did not move and the same ids can be sent again.
 */
async function postPayment(
  db: Kysely<Database>,
  props: { payerPersonId: string; requestId: string; now: Date },
  split: Split,
  transfers: TransferInput[],
): Promise<TransferOutcome[]> {
  try {
    return await db.transaction().execute(async (trx) => {
      await refuseFrozenInTransaction(trx, props.payerPersonId);
      if (split.draw !== null)
        await subsidyDrawer(trx, { ...split.draw, requestId: props.requestId });
      const outcomes = await transferCreatorInTransaction(trx, transfers, { now: props.now });
      if (outcomes.some((outcome) => outcome.result !== 'ok')) throw new LedgerRefusal(outcomes);
      return outcomes;
    });
  } catch (error) {
    if (error instanceof LedgerRefusal) return error.outcomes;
    throw error;
  }
}

/**
 * A program's share beyond `limits.merchants.subsidyAlertMinor` alerts auditors: the allowance
 * bounds it, but a large share is what a merchant draining a program would make. Details name
 * the merchant, the program and the request, never the payer.
 */
async function alertLargeSubsidy(
  db: Kysely<Database>,
  request: PaymentRequestFields,
  split: Split,
): Promise<void> {
  if (split.subsidyMinor <= BigInt(limits.merchants.subsidyAlertMinor)) return;
  await raiseSecurityAlert(db, 'payment_subsidy_large', null, {
    merchantId: request.merchantId,
    programId: request.programId,
    requestId: request.requestId,
    currency: request.currency,
    amountMinor: request.amountMinor.toString(),
    subsidyMinor: split.subsidyMinor.toString(),
    threshold: limits.merchants.subsidyAlertMinor,
  });
}

/**
 * What the payer pays of a request: the price less the program's share (`splitOf`), refused as
 * the payment would be (not entitled, the program suspended, the allowance spent). The counter
 * without the card texts it with the code, so the person confirms what leaves their wallet.
 *
 * @example
 *   const payerMinor = await payerShareOf(db, request, personId);
 */
export async function payerShareOf(
  db: Kysely<Database>,
  request: PaymentRequestFields,
  payerPersonId: string,
): Promise<bigint> {
  return (await splitOf(db, request, payerPersonId)).payerMinor;
}

async function splitOf(
  db: Kysely<Database>,
  request: PaymentRequestFields,
  payerPersonId: string,
): Promise<Split> {
  if (request.programId === null) {
    return { payerMinor: request.amountMinor, subsidyMinor: 0n, draw: null };
  }
  const subsidy = await db
    .selectFrom('merchant_subsidy')
    .select('share_basis_points')
    .where('merchant_id', '=', request.merchantId)
    .where('program_id', '=', request.programId)
    .executeTakeFirst();
  const open = await openEntitlementsOf(db, {
    personId: payerPersonId,
    programIds: [request.programId],
  });
  if (subsidy === undefined || open.length === 0) {
    throw new PaymentsError(
      'AMP_SUBSIDY_NOT_ENTITLED',
      'This price is subsidised by a program the payer holds no entitlement of',
    );
  }
  // An entitlement of a cycle approved but not published is not handed over yet (pre-activated,
  // docs/DISTRIBUTION.md, "Entitlement states"): it allows no share, as it redeems nothing at a
  // point, until the cycle is published.
  const entitled = open.filter((entitlement) => entitlement.cycleStatus !== 'approved');
  if (entitled.length === 0) {
    throw new PaymentsError(
      'AMP_CYCLE_NOT_PUBLISHED',
      "The payer's entitlements of the subsidising program are of a cycle not published yet",
    );
  }
  // A suspended program pays nothing (docs/DISTRIBUTION.md, "Voucher states"): its share of a
  // subsidised price is refused as a redemption at a point is, until the program resumes.
  if (entitled.every((entitlement) => entitlement.programStatus === 'suspended')) {
    throw new PaymentsError(
      'AMP_SUBSIDY_PROGRAM_SUSPENDED',
      'The program that subsidises this price is suspended: it pays nothing until it resumes',
    );
  }
  // The payer always pays part, so their wallet is debited and its daily limit applies: a share
  // of the whole price (a row written before migration 0113 checked it) is refused.
  if (subsidy.share_basis_points > limits.merchants.subsidyShareBasisPointsMax) {
    throw new PaymentsError(
      'AMP_SUBSIDY_SHARE_INVALID',
      "The merchant's share for this program is the whole price; the payer must pay part of it",
    );
  }
  // Rounded down to the minor unit: the payer never pays less than their share.
  const subsidyMinor = (request.amountMinor * BigInt(subsidy.share_basis_points)) / 10_000n;
  const payerMinor = request.amountMinor - subsidyMinor;
  if (subsidyMinor === 0n) return { payerMinor, subsidyMinor, draw: null };
  const draw = await subsidyDrawOf(db, {
    requestId: request.requestId,
    programId: request.programId,
    currency: request.currency,
    subsidyMinor,
    entitlements: entitled,
  });
  return { payerMinor, subsidyMinor, draw };
}

function transfersOf(
  request: PaymentRequestFields,
  split: Split,
  payerPersonId: string,
  attempt: number,
): TransferInput[] {
  const ids = merchantPaymentTransferIds(request.requestId, attempt);
  const merchant = merchantAccountId(request.merchantId, request.currency);
  const common = {
    creditAccountId: merchant,
    currency: request.currency,
    referenceKind: 'payment_request',
    referenceId: request.requestId,
  };
  const payer: TransferInput = {
    ...common,
    id: ids.payer,
    debitAccountId: walletAccountId(payerPersonId, request.currency),
    amountMinor: split.payerMinor,
    flags: transferFlags.none,
    reason: 'payment',
  };
  if (split.subsidyMinor === 0n) return [payer];
  const subsidy: TransferInput = {
    ...common,
    id: ids.subsidy,
    // Safe: a subsidy exists only with a program (splitOf).
    debitAccountId: fundingAccountId(request.programId as string, request.currency),
    amountMinor: split.subsidyMinor,
    flags: transferFlags.none,
    reason: 'subsidy',
  };
  // Linked: the payer's share and the program's apply together or not at all.
  if (split.payerMinor === 0n) return [subsidy];
  return [{ ...payer, flags: transferFlags.linked }, subsidy];
}

/** A payer whose wallet is in another currency than the request's: the currency is wrong. */
async function refuseOtherCurrency(
  db: Kysely<Database>,
  payerPersonId: string,
  currency: LedgerCurrency,
): Promise<void> {
  const others = ledgerCurrencies.filter((each) => each !== currency);
  const wallets = await lookupAccounts(db, [
    walletAccountId(payerPersonId, currency),
    ...others.map((each) => walletAccountId(payerPersonId, each)),
  ]);
  const held = new Set(wallets.map((wallet) => wallet.currency));
  if (!held.has(currency) && held.size > 0) {
    throw new PaymentsError(
      'AMP_CURRENCY_MISMATCH',
      `The request is in ${currency}; the payer's wallet holds ${[...held].join(', ')}`,
    );
  }
}

/**
 * Which attempt at paying the request this is: the first whose transfer ids the ledger has not
 * refused. A refused transfer's id stays failed (the ledger's idempotency), so a payment the
 * ledger refused (the wallet emptied by another payment at the same moment) is tried again
 * under the next ids and the request is not lost. Two payers at once compute the same attempt
 * and send the same ids: the ledger applies them once. An attempt the ledger applied is kept
 * (the payment is then answered as used).
 */
async function attemptOf(db: Kysely<Database>, requestId: string): Promise<number> {
  const written = await transfersOfReference(db, 'payment_request', requestId);
  for (let attempt = 0; ; attempt += 1) {
    const ids = merchantPaymentTransferIds(requestId, attempt);
    const results = [written.get(ids.payer), written.get(ids.subsidy)];
    if (results.every((result) => result === undefined) || results.includes('ok')) return attempt;
  }
}

/** Refuses before posting when an account is missing or too short, so no id is burnt. */
async function checkFunds(db: Kysely<Database>, transfers: readonly TransferInput[]) {
  const accounts = new Map(
    (
      await lookupAccounts(db, [
        ...new Set(transfers.flatMap((each) => [each.debitAccountId, each.creditAccountId])),
      ])
    ).map((account) => [account.id, account]),
  );
  for (const transfer of transfers) {
    const debit = accounts.get(transfer.debitAccountId);
    if (debit === undefined || !accounts.has(transfer.creditAccountId)) {
      throw new PaymentsError(
        'AMP_ACCOUNT_NOT_FOUND',
        transfer.reason === 'subsidy'
          ? "The program's funding account does not exist"
          : 'The payer has no wallet in this currency',
      );
    }
    if (available(debit) < transfer.amountMinor) {
      throw new PaymentsError(
        'AMP_FUNDS_INSUFFICIENT',
        transfer.reason === 'subsidy'
          ? "The program's funding account cannot pay its share"
          : 'The wallet does not hold enough',
      );
    }
  }
}

const available = (account: AccountState): bigint =>
  account.creditsPosted - account.debitsPosted - account.debitsPending;

/** True when the ledger had already posted these transfers; throws on a refusal. */
function settledOutcome(outcomes: readonly TransferOutcome[]): boolean {
  const refused = outcomes.find((outcome) => outcome.result !== 'ok');
  if (refused === undefined) return outcomes.every((outcome) => outcome.replayed);
  if (isModifiedRequest(refused.result) || refused.result === 'linked_event_failed') throw used();
  if (refused.result === 'exceeds_credits') {
    throw new PaymentsError(
      'AMP_FUNDS_INSUFFICIENT',
      'The money was spent by another payment at the same moment; the request can be paid again with enough balance',
    );
  }
  throw new PaymentsError(
    'AMP_TRANSFER_REFUSED',
    `The ledger refused the payment: ${refused.result}`,
  );
}

async function paymentOf(db: Kysely<Database>, requestId: string) {
  return db
    .selectFrom('merchant_payment')
    .select('request_id')
    .where('request_id', '=', requestId)
    .executeTakeFirst();
}

function used(): PaymentsError {
  return new PaymentsError('AMP_PAYMENT_REQUEST_USED', 'This payment request was already paid');
}
