import { Type } from 'typebox';
import { pinPattern } from './payment-pin.js';
import type { PaymentReceipt } from './payment-receipts.js';

export {
  MerchantChoicesSchema,
  MerchantSchema,
  PinState,
  ReceiptSchema,
  ReceiptsSchema,
  RequestSchema,
  SettlementLinesSchema,
} from '../../../shared/api/merchants.js';

// The ledger's currencies, spelt out so the answer types keep them.
export const Currency = Type.Union([Type.Literal('VES'), Type.Literal('USD')]);
export const Uuid = Type.String({ format: 'uuid' });
const Minor = Type.String({ pattern: '^-?[0-9]{1,40}$', description: 'minor units, as text' });
export const Pin = Type.String({ pattern: pinPattern, description: '4 to 6 digits' });
export const Token = Type.String({
  minLength: 1,
  maxLength: 1000,
  description: "the payment request's signed text, as its QR holds it",
});

export const RegistrationBody = Type.Object(
  {
    merchantId: Type.String({ format: 'uuid', description: 'idempotency key: the merchant id' }),
    name: Type.String({ minLength: 1, maxLength: 70 }),
    stateCode: Type.String({ pattern: '^VE-[A-Z]$' }),
    currency: Type.String({ minLength: 3, maxLength: 3 }),
    settlement: Type.Object(
      {
        bankCode: Type.String({ pattern: '^[0-9]{4}$' }),
        accountNumber: Type.String({ pattern: '^[0-9]{20}$' }),
        holder: Type.Union([Type.Literal('person'), Type.Literal('organisation')]),
      },
      { additionalProperties: false },
    ),
    staffOperatorIds: Type.Array(Uuid, { maxItems: 50 }),
    staffUsernames: Type.Optional(
      Type.Array(
        Type.String({ minLength: 3, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$' }),
        {
          maxItems: 50,
          description:
            'staff named by the username they sign in with; each must hold the role merchant',
        },
      ),
    ),
    subsidies: Type.Array(
      Type.Object(
        {
          programId: Uuid,
          // Strictly below the whole price: the payer always pays part (limits.merchants).
          shareBasisPoints: Type.Integer({ minimum: 1, maximum: 9_999 }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 20 },
    ),
  },
  { additionalProperties: false },
);

export const RefundBody = Type.Object(
  {
    refundId: Type.String({ format: 'uuid', description: 'idempotency key: the refund id' }),
    amountMinor: Type.Optional(Minor),
    currency: Type.Optional(Type.String({ minLength: 3, maxLength: 3 })),
  },
  { additionalProperties: false },
);

export const RequestBody = Type.Object(
  {
    amountMinor: Minor,
    reference: Type.String({ minLength: 1, maxLength: 35 }),
    programId: Type.Optional(Uuid),
    expiresInSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
  },
  { additionalProperties: false },
);

export function receiptAnswer(receipt: PaymentReceipt) {
  return {
    ...receipt,
    amountMinor: receipt.amountMinor.toString(),
    payerMinor: receipt.payerMinor.toString(),
    subsidyMinor: receipt.subsidyMinor.toString(),
    paidAt: receipt.paidAt.toISOString(),
    refundedAt: receipt.refundedAt?.toISOString() ?? null,
    refundedMinor: receipt.refundedMinor.toString(),
    refunds: receipt.refunds.map((refund) => ({
      ...refund,
      amountMinor: refund.amountMinor.toString(),
      payerMinor: refund.payerMinor.toString(),
      subsidyMinor: refund.subsidyMinor.toString(),
      refundedAt: refund.refundedAt.toISOString(),
    })),
  };
}
