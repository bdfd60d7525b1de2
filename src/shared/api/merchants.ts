import { type Static, Type } from 'typebox';
import { AssistedMethodSchema, AssistedReasonSchema } from './distribution.js';

/**
 * Answers of the merchant payment routes (issue #16, points 5 and 6) that the console reads:
 * a merchant, a signed payment request, a receipt (never the payer), the PIN's state, a wallet.
 * A field not in a schema is never sent.
 */

const Currency = Type.Union([Type.Literal('VES'), Type.Literal('USD')]);
const Uuid = Type.String({ format: 'uuid' });

export const MerchantSchema = Type.Object({
  merchantId: Uuid,
  name: Type.String(),
  stateCode: Type.String(),
  currency: Currency,
  accountId: Uuid,
  balanceMinor: Type.Optional(Type.String()),
  replayed: Type.Optional(Type.Boolean()),
  /** A second finance officer's approval of the registration; null: not yet, it is paid nothing. */
  approvedAt: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
});

export const RequestSchema = Type.Object({
  requestId: Uuid,
  merchantId: Uuid,
  merchantName: Type.String(),
  amountMinor: Type.String(),
  currency: Currency,
  reference: Type.String(),
  programId: Type.Union([Uuid, Type.Null()]),
  expiresAt: Type.String(),
  token: Type.String(),
});

export const ReceiptSchema = Type.Object({
  requestId: Uuid,
  merchantId: Uuid,
  merchantName: Type.String(),
  reference: Type.String(),
  currency: Currency,
  amountMinor: Type.String(),
  payerMinor: Type.String(),
  subsidyMinor: Type.String(),
  programId: Type.Union([Uuid, Type.Null()]),
  channel: Type.Union([Type.Literal('wallet'), Type.Literal('counter'), Type.Literal('assisted')]),
  paidAt: Type.String(),
  refundedAt: Type.Union([Type.String(), Type.Null()]),
  refundedMinor: Type.String(),
  refunds: Type.Array(
    Type.Object({
      refundId: Uuid,
      amountMinor: Type.String(),
      payerMinor: Type.String(),
      subsidyMinor: Type.String(),
      refundedAt: Type.String(),
    }),
  ),
});

export const ReceiptsSchema = Type.Object({ payments: Type.Array(ReceiptSchema) });

export const PinState = Type.Object({
  set: Type.Boolean(),
  locked: Type.Boolean(),
  attemptsLeft: Type.Integer(),
  /** A held PIN pays nothing before this (ISO time); null when it is not held (or no longer). */
  heldUntil: Type.Union([Type.String(), Type.Null()]),
  /**
   * Why it is held (docs/PAYMENTS-PIN.md): set by staff without the texted code, the first PIN set
   * in the app, or set soon after a change of the phone on file; null when not held.
   */
  heldReason: Type.Union([
    Type.Literal('staff_two_person'),
    Type.Literal('first_pin'),
    Type.Literal('phone_changed'),
    Type.Null(),
  ]),
});

/**
 * A second check before staff set a person's PIN (docs/PAYMENTS-PIN.md): a code texted to the
 * phone on file (`phone_code`), or the photo checked and a second operator's approval
 * (`two_person`, `approved` once given). `startedBy` is the starting operator's user name.
 */
export const PinCheckSchema = Type.Object({
  checkId: Uuid,
  personId: Uuid,
  method: Type.Union([Type.Literal('phone_code'), Type.Literal('two_person')]),
  approved: Type.Boolean(),
  startedBy: Type.String(),
  createdAt: Type.String(),
  expiresAt: Type.String(),
});

export const PinChecksSchema = Type.Object({ checks: Type.Array(PinCheckSchema) });

export const WalletSchema = Type.Object({
  personId: Uuid,
  frozen: Type.Boolean(),
  frozenReason: Type.Union([Type.String(), Type.Null()]),
  wallets: Type.Array(
    Type.Object({
      currency: Currency,
      accountId: Uuid,
      balanceMinor: Type.String(),
      reservedMinor: Type.String(),
    }),
  ),
  currency: Currency,
  history: Type.Array(
    Type.Object({
      transferId: Uuid,
      seq: Type.String(),
      direction: Type.Union([Type.Literal('credit'), Type.Literal('debit')]),
      amountMinor: Type.String(),
      currency: Currency,
      reason: Type.String(),
      at: Type.String(),
    }),
  ),
  nextBefore: Type.Union([Type.String(), Type.Null()]),
});

export const SettlementLinesSchema = Type.Object({
  settlements: Type.Array(
    Type.Object({
      settlementDate: Type.String(),
      currency: Currency,
      merchantId: Uuid,
      merchantName: Type.String(),
      amountMinor: Type.String(),
      payments: Type.Integer(),
    }),
  ),
});

/** What a merchant's registration chooses from: programs by name (`merchant.manage`). */
export const MerchantChoicesSchema = Type.Object({
  programs: Type.Array(
    Type.Object({
      programId: Uuid,
      code: Type.String(),
      name: Type.Object({ es: Type.String(), en: Type.String() }),
      currency: Type.Union([Currency, Type.Null()]),
    }),
  ),
});

/**
 * A payment at the counter without the card, started (ID number and PIN passed): the code was
 * texted to the phone on file, or the photo on file is shown to the merchant.
 */
export const CounterAssistedStartSchema = Type.Object({
  assistedId: Uuid,
  method: AssistedMethodSchema,
  reason: AssistedReasonSchema,
  codeExpiresAt: Type.Union([Type.String(), Type.Null()]),
  photo: Type.Union([Type.String(), Type.Null()]),
});

/** The supervisor's list of a merchant's tries at paying without the card on a local day (America/Caracas). */
export const CounterAssistedListSchema = Type.Object({
  day: Type.String(),
  triesMax: Type.Integer(),
  tries: Type.Array(
    Type.Object({
      assistedId: Uuid,
      operatorId: Uuid,
      reason: AssistedReasonSchema,
      method: AssistedMethodSchema,
      startedAt: Type.String(),
      outcome: Type.Union([
        Type.Literal('refused'),
        Type.Literal('started'),
        Type.Literal('failed'),
        Type.Literal('verified'),
        Type.Literal('paid'),
      ]),
      codeAttempts: Type.Integer(),
      amountMinor: Type.String(),
      currency: Currency,
    }),
  ),
});

export type CounterAssistedStartAnswer = Static<typeof CounterAssistedStartSchema>;
export type CounterAssistedListAnswer = Static<typeof CounterAssistedListSchema>;
export type MerchantAnswer = Static<typeof MerchantSchema>;
export type MerchantChoicesAnswer = Static<typeof MerchantChoicesSchema>;
export type PaymentRequestAnswer = Static<typeof RequestSchema>;
export type ReceiptAnswer = Static<typeof ReceiptSchema>;
export type ReceiptsAnswer = Static<typeof ReceiptsSchema>;
export type PinStateAnswer = Static<typeof PinState>;
export type PinCheckAnswer = Static<typeof PinCheckSchema>;
export type PinChecksAnswer = Static<typeof PinChecksSchema>;
export type WalletAnswer = Static<typeof WalletSchema>;
export type SettlementLinesAnswer = Static<typeof SettlementLinesSchema>;
