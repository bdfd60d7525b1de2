import { Type } from 'typebox';
import { limits } from '../../../limits.js';
import { PurposeQuery } from '../../../shared/api/params.js';

const Amount = Type.String({
  pattern: '^[1-9][0-9]{0,17}$',
  description: 'Minor units, as a decimal integer string',
});
/** Why a batch leaves an entitlement out (`payout_exclusion.reason`). */
export const ExclusionReason = Type.Union(
  [
    Type.Literal('no_payee_account'),
    Type.Literal('payee_account_held'),
    Type.Literal('payee_account_phone_changed'),
  ],
  {
    description:
      'no_payee_account (none set), payee_account_held (set without the texted code, held) or payee_account_phone_changed (set soon after a change of the phone on file, held)',
  },
);
const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
const Bank = Type.Object(
  {
    bankCode: Type.Optional(Type.String({ pattern: '^[0-9]{4}$' })),
    bic: Type.Optional(Type.String({ pattern: '^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$' })),
  },
  { additionalProperties: false },
);

const Account = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('bank_account'),
      accountNumber: Type.String({
        pattern: '^[0-9]{20}$',
        description: 'A Venezuelan 20-digit account (its first four digits are the bank code)',
      }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('mobile_money'),
      phoneNumber: Type.String({ pattern: '^\\+58[0-9]{10}$', description: 'Pago Móvil number' }),
    },
    { additionalProperties: false },
  ),
]);

/**
 * One payment of a batch: the entitlement paid, nothing about where. The payee account is the
 * entitlement holder's stored one (`payee-account.ts`); an instruction naming a creditor, an
 * account or a bank is refused by this schema (no additional properties).
 */
export const PayoutInstructionBody = Type.Object(
  {
    referenceKind: Type.Literal('entitlement'),
    referenceId: Type.String({
      format: 'uuid',
      description:
        "An open cash entitlement of the batch's program, in a published cycle: " +
        "the person paid is its holder, into their stored payee account; the amount must be the entitlement's",
    }),
    amountMinor: Amount,
    remittance: Type.Optional(Text(140)),
  },
  { additionalProperties: false },
);

/** A paying (debtor) account as a request names it: the holder, 20 digits, bank code, BIC. */
export const DebtorFields = {
  name: Text(140),
  accountNumber: Type.String({ pattern: '^[0-9]{20}$' }),
  bankCode: Type.Optional(Type.String({ pattern: '^[0-9]{4}$' })),
  bic: Type.Optional(Type.String({ pattern: '^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$' })),
};

export const PayoutBatchBody = Type.Object(
  {
    clientId: Type.String({ format: 'uuid', description: 'Idempotency key of the batch' }),
    programId: Type.String({
      format: 'uuid',
      description: 'The program whose funding account pays',
    }),
    currency: Type.Union([Type.Literal('VES'), Type.Literal('USD')]),
    requestedExecutionDate: Type.String({ format: 'date' }),
    debtor: Type.Optional(
      Type.Object(DebtorFields, {
        additionalProperties: false,
        description:
          "The program's paying account: omitted, the one stored (payment.paying_account_set); named, it must be that one (409 AMP_PAYING_ACCOUNT_MISMATCH); with none stored, this one",
      }),
    ),
    instructions: Type.Array(PayoutInstructionBody, {
      minItems: 1,
      maxItems: limits.payouts.paymentsPerFileMax,
    }),
  },
  { additionalProperties: false },
);

const Status = Type.Union([
  Type.Literal('pending'),
  Type.Literal('refused'),
  Type.Literal('accepted'),
  Type.Literal('rejected'),
  Type.Literal('settled'),
  Type.Literal('return_pending'),
  Type.Literal('returned'),
  Type.Literal('cancelled'),
]);

const Moment = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

const batchFields = {
  id: Type.String({ format: 'uuid' }),
  status: Type.Union([Type.Literal('preparing'), Type.Literal('ready'), Type.Literal('cancelled')]),
  messageId: Type.String(),
  programId: Type.String({ format: 'uuid' }),
  cycleIds: Type.Array(Type.String({ format: 'uuid' }), {
    description: 'The cycles of the entitlements paid (empty for batches made before 0104)',
  }),
  currency: Type.String(),
  requestedExecutionDate: Type.String(),
  paymentsCount: Type.Integer(),
  amountTotalMinor: Type.String(),
  fileSha256: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  sentAt: Moment,
  cancelledAt: Moment,
  approvedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: "A second finance officer's approval: the file is downloaded only after it",
  }),
  excludedCount: Type.Integer({
    minimum: 0,
    description:
      'Instructions of the request left out: their person had no usable payee account (listed by GET …/exclusions)',
  }),
  byStatus: Type.Array(
    Type.Object({ status: Status, count: Type.Integer(), amountMinor: Type.String() }),
  ),
  resumable: Type.Boolean({
    description:
      'Still preparing and no run holds its preparation (the one that made it died): POST …/resumption finishes it',
  }),
};

export const PayoutBatchSchema = Type.Object(batchFields);

export const PayoutBatchListSchema = Type.Object({
  batches: Type.Array(
    Type.Object({
      ...batchFields,
      programName: Type.Union([Type.Object({ es: Type.String(), en: Type.String() }), Type.Null()]),
    }),
  ),
});

export const BatchPaymentsQuery = Type.Object(
  {
    ...PurposeQuery.properties,
    afterSeq: Type.Optional(
      Type.Integer({ minimum: -1, default: -1, description: 'The last seq of the page before' }),
    ),
  },
  { additionalProperties: false },
);

export const BatchPaymentsSchema = Type.Object({
  payments: Type.Array(
    Type.Object({
      seq: Type.Integer(),
      endToEndId: Type.String(),
      accountKind: Type.Union([Type.Literal('bank_account'), Type.Literal('mobile_money')]),
      bankCode: Type.Union([Type.String(), Type.Null()]),
      amountMinor: Type.String(),
      status: Status,
      statusReason: Type.Union([Type.String(), Type.Null()]),
      updatedAt: Type.String({ format: 'date-time' }),
    }),
  ),
  nextAfterSeq: Type.Union([Type.Integer(), Type.Null()]),
});

export const BankFileBody = Type.Object(
  {
    format: Type.Union([
      Type.Literal('pain.002'),
      Type.Literal('camt.053'),
      Type.Literal('camt.054'),
      Type.Literal('mt940'),
    ]),
    content: Type.String({ minLength: 1, maxLength: limits.payouts.bankFileBytesMax }),
  },
  { additionalProperties: false },
);

const Count = Type.Integer({ minimum: 0 });
export const BankFileSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  format: Type.String(),
  messageId: Type.String(),
  replayed: Type.Boolean(),
  summary: Type.Object({
    accepted: Count,
    rejected: Count,
    settled: Count,
    returned: Count,
    suspense: Count,
    unchanged: Count,
    refused: Count,
  }),
});

export const BatchIdParams = Type.Object({ batchId: Type.String({ format: 'uuid' }) });

export const FlaggedPayoutsSchema = Type.Object({
  payouts: Type.Array(
    Type.Object({
      instructionId: Type.String({ format: 'uuid' }),
      endToEndId: Type.String(),
      batchId: Type.String({ format: 'uuid' }),
      messageId: Type.String(),
      currency: Type.String(),
      amountMinor: Type.String(),
      status: Status,
      reason: Type.Union([Type.Literal('death'), Type.Literal('merge'), Type.Literal('erasure')]),
      statusWhenFlagged: Type.String(),
      flaggedAt: Type.String(),
    }),
  ),
});

export const BatchApprovalBody = Type.Object(
  {
    confirmedEndToEndIds: Type.Array(Type.String({ minLength: 1, maxLength: 35 }), {
      maxItems: limits.payouts.paymentsPerFileMax,
      description:
        "The payments to an account other than the person's last paid one, each confirmed by the approver",
    }),
  },
  { additionalProperties: false },
);

export const PayeeChangesSchema = Type.Object({
  changes: Type.Array(
    Type.Object({
      endToEndId: Type.String(),
      amountMinor: Type.String(),
      accountKind: Type.Union([Type.Literal('bank_account'), Type.Literal('mobile_money')]),
      bankCode: Type.Union([Type.String(), Type.Null()]),
      accountEnding: Type.String({ description: 'the last four characters of the account' }),
      previousAccountEnding: Type.Union([Type.String(), Type.Null()], {
        description: "the last four of the person's last paid account; null if never paid by bank",
      }),
    }),
  ),
});

export const PayoutExclusionsSchema = Type.Object({
  nextAfterSeq: Type.Union([Type.Integer(), Type.Null()]),
  exclusions: Type.Array(
    Type.Object({
      seq: Type.Integer({ description: "The instruction's place in the request" }),
      entitlementId: Type.String({ format: 'uuid' }),
      personId: Type.String({ format: 'uuid', description: 'Whose payee account is to be set' }),
      amountMinor: Type.String(),
      reason: ExclusionReason,
      heldUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    }),
  ),
});

export const PayeeAccountBody = Type.Object(
  {
    checkId: Type.String({ format: 'uuid', description: 'The passed second check' }),
    code: Type.Optional(
      Type.String({ pattern: '^[0-9]{6}$', description: 'The code texted to the phone on file' }),
    ),
    holderName: Type.String({
      minLength: 1,
      maxLength: 140,
      description: "The account holder's name as the bank has it",
    }),
    holderNationalId: Type.Optional(Type.String({ pattern: '^[VEJGP][0-9]{5,10}$' })),
    account: Account,
    bank: Bank,
  },
  { additionalProperties: false },
);

const PayeeVersion = Type.Object({
  accountKind: Type.Union([Type.Literal('bank_account'), Type.Literal('mobile_money')]),
  bankCode: Type.Union([Type.String(), Type.Null()]),
  accountEnding: Type.String({ description: 'The last four digits only' }),
  holderName: Type.String(),
  setMethod: Type.Union([Type.Literal('staff_phone_code'), Type.Literal('staff_two_person')]),
  setBy: Type.String({ format: 'uuid' }),
  approvedBy: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  setAt: Type.String({ format: 'date-time' }),
  heldUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  holdReason: Type.Union(
    [Type.Literal('staff_two_person'), Type.Literal('phone_changed'), Type.Null()],
    {
      description:
        'Why it is (or was) held: staff_two_person (set without the texted code) or phone_changed (set soon after a change of the phone on file)',
    },
  ),
  held: Type.Boolean({ description: 'Held and the hold not over: not paid yet' }),
  stoppedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'When the person stopped this held change (never the account in use); null if not',
  }),
});

/** The person stops a held change: their ID number and the stop code texted to them. */
export const PayeeStopBody = Type.Object(
  {
    uin: Type.String({ pattern: '^[0-9]{10}$' }),
    code: Type.String({ pattern: '^[0-9]{6}$' }),
  },
  { additionalProperties: false },
);

export const PayeeAccountSchema = Type.Object({
  current: Type.Union([PayeeVersion, Type.Null()]),
  history: Type.Array(PayeeVersion, { description: 'Newest first (empty after a set)' }),
});

export const InstructionIdParams = Type.Object({
  instructionId: Type.String({ format: 'uuid' }),
});

export const PendingReturnsSchema = Type.Object({
  returns: Type.Array(
    Type.Object({
      instructionId: Type.String({ format: 'uuid' }),
      endToEndId: Type.String(),
      batchId: Type.String({ format: 'uuid' }),
      currency: Type.String(),
      amountMinor: Type.String(),
      reason: Type.Union([Type.String(), Type.Null()]),
      bookingDate: Type.Union([Type.String(), Type.Null()]),
      bankReference: Type.Union([Type.String(), Type.Null()], {
        description:
          "the bank's own reference of the movement, if the statement gave one: to check the return with the bank",
      }),
      fileFormat: Type.String(),
      reportedAt: Type.String({ format: 'date-time' }),
      reportedByYou: Type.Boolean({
        description: 'the reader uploaded the statement that reported it, so cannot confirm it',
      }),
    }),
  ),
});

export const ReturnConfirmationSchema = Type.Object({
  instructionId: Type.String({ format: 'uuid' }),
  status: Type.Literal('returned'),
});

/** Why a second finance officer rejects a return (the bank did not give the payment back). */
export const ReturnRejectionBody = Type.Object(
  {
    reason: Type.String({
      minLength: 1,
      maxLength: 500,
      pattern: '\\S',
      description: 'for example: the bank does not know the reference',
    }),
  },
  { additionalProperties: false },
);

export const ReturnRejectionSchema = Type.Object({
  instructionId: Type.String({ format: 'uuid' }),
  status: Type.Union([Type.Literal('settled'), Type.Literal('accepted')], {
    description: 'the status the payment had when the statement reported the return, restored',
  }),
});
