import { type Static, Type } from 'typebox';
import { CarryOverDisputeSchema } from './distribution-offline.js';

/**
 * Answers of the distribution routes (issue #15) that the console reads: points, stock,
 * entitlement answers at a point and receipts. A field not in a schema is never sent. An
 * entitlement answer says what a person may take and what remains, never the person's file
 * (safeguard 7).
 */

export const pointKindValues = ['kiosk', 'shop', 'warehouse', 'pharmacy', 'fuel_station'] as const;

export const PointKindSchema = Type.Union([
  Type.Literal('kiosk'),
  Type.Literal('shop'),
  Type.Literal('warehouse'),
  Type.Literal('pharmacy'),
  Type.Literal('fuel_station'),
]);

export const PointStatusSchema = Type.Union([Type.Literal('open'), Type.Literal('closed')]);

export const PointSchema = Type.Object({
  id: Type.String(),
  code: Type.String(),
  name: Type.String(),
  kind: PointKindSchema,
  regionCode: Type.String(),
  municipalityCode: Type.Union([Type.String(), Type.Null()]),
  status: PointStatusSchema,
});

export const PointSummarySchema = Type.Object({
  ...PointSchema.properties,
  assigned: Type.Boolean({ description: 'Whether you are assigned to this point' }),
});
export type PointSummary = Static<typeof PointSummarySchema>;

export const StockLineSchema = Type.Object({ item: Type.String(), quantity: Type.Integer() });

export const PointDetailSchema = Type.Object({
  ...PointSchema.properties,
  programIds: Type.Array(Type.String()),
  operatorIds: Type.Array(Type.String()),
  /** The assigned operators by the name they sign in with (staff, not person data). */
  operators: Type.Array(
    Type.Object({ operatorId: Type.String(), username: Type.String(), displayName: Type.String() }),
  ),
  stock: Type.Array(StockLineSchema),
});
export type PointDetail = Static<typeof PointDetailSchema>;

export const StockAnswerSchema = Type.Object({
  movementIds: Type.Array(Type.String()),
  item: Type.String(),
  balanceAfter: Type.Integer(),
});

/** A physical count recorded at a point: what was found beside what the ledger said. */
export const StockCountAnswerSchema = Type.Object({
  countId: Type.String(),
  item: Type.String(),
  counted: Type.Integer(),
  expected: Type.Integer({
    description: 'On hand in the stock ledger when the count was recorded',
  }),
  discrepancy: Type.Integer({ description: 'Counted minus expected' }),
  countedAt: Type.String(),
});
export type StockCountAnswer = Static<typeof StockCountAnswerSchema>;

export const MovementSchema = Type.Object({
  id: Type.String(),
  item: Type.String(),
  kind: Type.Union([
    Type.Literal('delivery'),
    Type.Literal('redemption'),
    Type.Literal('transfer_out'),
    Type.Literal('transfer_in'),
    Type.Literal('transfer_return'),
    Type.Literal('adjustment'),
  ]),
  quantityDelta: Type.Integer(),
  balanceAfter: Type.Integer(),
  reason: Type.Union([Type.String(), Type.Null()]),
  note: Type.Union([Type.String(), Type.Null()]),
  overrideNegative: Type.Boolean(),
  transferId: Type.Union([Type.String(), Type.Null()]),
  redemptionId: Type.Union([Type.String(), Type.Null()]),
  recordedBy: Type.Union([Type.String(), Type.Null()]),
  recordedAt: Type.String({ format: 'date-time' }),
});

export const voucherStateValues = [
  'pre_activated',
  'activated',
  'partially_consumed',
  'consumed',
  'suspended',
  'blocked',
  'cancelled',
  'expired',
  'conflict_flagged',
] as const;
export type VoucherStateValue = (typeof voucherStateValues)[number];

export const VoucherStateSchema = Type.Union([
  Type.Literal('pre_activated'),
  Type.Literal('activated'),
  Type.Literal('partially_consumed'),
  Type.Literal('consumed'),
  Type.Literal('suspended'),
  Type.Literal('blocked'),
  Type.Literal('cancelled'),
  Type.Literal('expired'),
  Type.Literal('conflict_flagged'),
]);

/** What a point learns of one entitlement: what may be taken and what remains. */
export const EntitlementAnswerSchema = Type.Object({
  entitlementId: Type.String(),
  programCode: Type.String(),
  programNameEs: Type.String(),
  programNameEn: Type.String(),
  referenceDate: Type.String(),
  state: VoucherStateSchema,
  items: Type.Array(
    Type.Object({
      item: Type.String(),
      unit: Type.String(),
      granted: Type.Integer(),
      remaining: Type.Integer(),
      /**
       * Held by offline conflicts under review (a device's receipt that no longer fitted): not
       * in `remaining` until a supervisor decides. Absent when nothing is held.
       */
      inDispute: Type.Optional(Type.Integer({ minimum: 1 })),
    }),
  ),
});
export type EntitlementAnswer = Static<typeof EntitlementAnswerSchema>;

export const LookupAnswerSchema = Type.Object({
  card: Type.Object({ expiresAt: Type.String() }),
  entitlements: Type.Array(EntitlementAnswerSchema),
});
export type LookupAnswer = Static<typeof LookupAnswerSchema>;

export const ReceiptSchema = Type.Object({
  v: Type.Literal(1),
  receiptId: Type.String(),
  pointCode: Type.String(),
  programCode: Type.String(),
  entitlementId: Type.String(),
  mode: Type.Union([Type.Literal('card'), Type.Literal('assisted')]),
  redeemedAt: Type.String(),
  lines: Type.Array(
    Type.Object({
      item: Type.String(),
      unit: Type.String(),
      quantity: Type.Integer(),
      remainingAfter: Type.Integer(),
    }),
  ),
});

export const RedemptionAnswerSchema = Type.Object({
  redemptionId: Type.String(),
  entitlement: EntitlementAnswerSchema,
  receipt: ReceiptSchema,
  signature: Type.String({ description: 'Ed25519 over the canonical receipt, base64url' }),
  qrText: Type.String({ description: 'AMPR1.<receipt>.<signature>: the QR the person keeps' }),
});
export type RedemptionAnswer = Static<typeof RedemptionAnswerSchema>;

export const AssistedReasonSchema = Type.Union([
  Type.Literal('lost'),
  Type.Literal('not_yet_issued'),
  Type.Literal('damaged'),
  Type.Literal('never_had'),
]);
export type AssistedReasonValue = Static<typeof AssistedReasonSchema>;

export const AssistedMethodSchema = Type.Union([
  Type.Literal('phone_code'),
  Type.Literal('photo_attested'),
  Type.Literal('household_card'),
]);
export type AssistedMethodValue = Static<typeof AssistedMethodSchema>;

/**
 * Why a redemption without the card is refused at its second check: the `code` of the field
 * problem of `AMP_SECOND_CHECK_FAILED` (a household member's card that is refused carries the
 * verifier's status instead: `revoked`, `expired`, …). The console says each in words; the
 * server's checks are typed with this list, so a new reason cannot reach it unsaid.
 */
export const secondCheckRefusalCodes = [
  'no_phone',
  'no_photo',
  'wrong_code',
  'expired',
  'used',
  'failed',
  'attestation',
  'own_card',
  'not_household',
  'unknown',
  'not_verified',
  'stale',
] as const;
export type SecondCheckRefusalCode = (typeof secondCheckRefusalCodes)[number];

/** A redemption without the card, started: the code was texted, or the photo is shown. */
export const AssistedStartAnswerSchema = Type.Object({
  assistedId: Type.String(),
  method: AssistedMethodSchema,
  reason: AssistedReasonSchema,
  codeExpiresAt: Type.Union([Type.String(), Type.Null()]),
  photo: Type.Union([Type.String({ description: 'The photo on file, base64' }), Type.Null()]),
});
export type AssistedStartAnswer = Static<typeof AssistedStartAnswerSchema>;

/** The second check passed: what the person may take at this point. */
export const AssistedCheckAnswerSchema = Type.Object({
  assistedId: Type.String(),
  entitlements: Type.Array(EntitlementAnswerSchema),
});
export type AssistedCheckAnswer = Static<typeof AssistedCheckAnswerSchema>;

/** The supervisor's list of a point's redemptions without the card on one day; no person named. */
export const AssistedListingSchema = Type.Object({
  day: Type.String(),
  perOperatorPerDayMax: Type.Integer(),
  byOperator: Type.Array(Type.Object({ operatorId: Type.String(), count: Type.Integer() })),
  assisted: Type.Array(
    Type.Object({
      id: Type.String(),
      operatorId: Type.String(),
      reason: AssistedReasonSchema,
      method: AssistedMethodSchema,
      startedAt: Type.String(),
      verifiedAt: Type.Union([Type.String(), Type.Null()]),
      failedAt: Type.Union([Type.String(), Type.Null()]),
      codeAttempts: Type.Integer(),
      redemptions: Type.Integer(),
    }),
  ),
});
export type AssistedListing = Static<typeof AssistedListingSchema>;

const CycleStatusSchema = Type.Union([
  Type.Literal('computing'),
  Type.Literal('computed'),
  Type.Literal('approved'),
  Type.Literal('published'),
  Type.Literal('closed'),
]);

/** A point's figures for one cycle (issue #15, point 7); no person appears. */
export const ReconciliationFiguresSchema = Type.Object({
  pointCode: Type.String(),
  cycleId: Type.String(),
  programCode: Type.String(),
  referenceDate: Type.String(),
  cycleStatus: CycleStatusSchema,
  stockWindow: Type.Object(
    {
      from: Type.Union([Type.String(), Type.Null()]),
      to: Type.Union([Type.String(), Type.Null()]),
    },
    {
      description:
        "The stock figures' window: from the reference date (or the previous cycle's close, if later; null while that cycle is open) to the close (null while open: up to now)",
    },
  ),
  entitled: Type.Integer({
    description:
      "The cycle's entitlements of persons registered in the point's area (as its offline snapshot) and those it served",
  }),
  entitledProgramWide: Type.Integer({
    description: "All the cycle's entitlements, whichever point hands them over",
  }),
  entitlementsRedeemed: Type.Integer(),
  redemptions: Type.Integer(),
  assisted: Type.Integer({ description: 'Redemptions without the card' }),
  conflicts: Type.Integer({
    description:
      'Entitlements this point redeemed with an offline conflict open (or flagged whole by one synced before migration 0140)',
  }),
  reversed: Type.Integer({
    description:
      'Redemptions reversed when an offline conflict was cleared for the later receipt; not in the counts above',
  }),
  refusedOffline: Type.Optional(
    Type.Integer({
      description:
        'Offline receipts the sync refused (counted nowhere; their goods may have left); absent when none',
    }),
  ),
  refusedOfflineByReason: Type.Optional(
    Type.Array(Type.Object({ reason: Type.String(), count: Type.Integer() })),
  ),
  items: Type.Array(
    Type.Object({
      item: Type.String(),
      redeemed: Type.Integer(),
      stockOutForRedemptions: Type.Integer(),
      integrityGap: Type.Integer({
        description:
          'Stock out for redemptions minus redeemed: an integrity check of the ledger, always 0',
      }),
      reversed: Type.Integer({ description: 'Handed over by reversed redemptions' }),
      reversedStockOut: Type.Integer({ description: 'Stock that left for reversed redemptions' }),
      reversedReturned: Type.Integer({
        description: 'Of it, returned to stock as a count correction (part of adjusted)',
      }),
      delivered: Type.Integer(),
      transferredIn: Type.Integer({ description: 'Received from other points (accepted)' }),
      transferredOut: Type.Integer({ description: 'Sent to other points, whatever became of it' }),
      transferReturned: Type.Integer({
        description: 'Of what this point sent, what came back when the receiver refused it',
      }),
      transferShortfall: Type.Integer({
        description: 'Of what this point sent, what the receiver recorded as not arrived',
      }),
      adjusted: Type.Integer(),
      onHand: Type.Integer(),
      inTransitOut: Type.Integer({
        description: 'Sent by this point, not yet accepted or refused (now; not on hand anywhere)',
      }),
      inTransitIn: Type.Integer({
        description: 'Sent to this point, not yet accepted or refused (now; not yet on hand)',
      }),
      count: Type.Optional(
        Type.Object(
          {
            countedAt: Type.String(),
            expected: Type.Integer({ description: 'On hand in the ledger at the count' }),
            counted: Type.Integer(),
            discrepancy: Type.Integer({ description: 'Counted minus expected' }),
            corrected: Type.Integer({
              description: 'Adjustments of reason count_correction recorded after the count',
            }),
            unexplained: Type.Integer({ description: 'Discrepancy minus corrected' }),
          },
          { description: "The latest physical count within the cycle's window; absent when none" },
        ),
      ),
    }),
  ),
});

export const SignOffSchema = Type.Object({
  id: Type.String(),
  signedBy: Type.String(),
  signedAt: Type.String(),
  figuresSha256: Type.String(),
  note: Type.Union([Type.String(), Type.Null()]),
  current: Type.Boolean({ description: 'Whether the figures are still those that were signed' }),
  earlierDefinition: Type.Optional(
    Type.Literal(true, {
      description:
        "Signed before session 20 redefined the figures (entitled per point, stock bounded by the cycle's window, physical counts): not current, without anything having changed",
    }),
  ),
});
export type SignOff = Static<typeof SignOffSchema>;

/** An offline receipt the sync refused, as the reconciliation lists it: no person. */
export const RefusedReceiptSchema = Type.Object({
  receiptId: Type.String(),
  deviceId: Type.String(),
  deviceLabel: Type.String(),
  deviceTime: Type.String(),
  syncedAt: Type.String(),
  reason: Type.String({ description: 'The refusal code (AMP_…)' }),
  lines: Type.Array(Type.Object({ item: Type.String(), quantity: Type.Integer() }), {
    description: 'What the device says it handed over',
  }),
});
export type RefusedReceipt = Static<typeof RefusedReceiptSchema>;

export const ReconciliationSchema = Type.Object({
  figures: ReconciliationFiguresSchema,
  figuresSha256: Type.String(),
  signOffs: Type.Array(SignOffSchema),
  /** Newest first, at most `offline.refusedListedMax`; `figures.refusedOffline` counts them all. */
  refusedReceipts: Type.Array(RefusedReceiptSchema),
  /**
   * Carry-over disputes of late receipts synced at the point that count in this cycle, with the
   * supervisor's decision or null (migrations 0154, 0155); not part of the signed figures.
   */
  carryOverDisputes: Type.Array(CarryOverDisputeSchema),
});
export type Reconciliation = Static<typeof ReconciliationSchema>;

/** A point's offline device (issue #15, point 5). */
export const DeviceSchema = Type.Object({
  id: Type.String(),
  label: Type.String(),
  publicKey: Type.String({ description: 'Raw Ed25519 public key, base64url' }),
  registeredBy: Type.String(),
  registeredAt: Type.String(),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
  revocationReason: Type.Union([
    Type.Literal('lost'),
    Type.Literal('stolen'),
    Type.Literal('retired'),
    Type.Literal('compromised'),
    Type.Null(),
  ]),
  receiptsMax: Type.Integer({ description: 'Receipts per snapshot before a sync is needed' }),
  unitsMax: Type.Integer({ description: 'Units per snapshot before a sync is needed' }),
});
export type Device = Static<typeof DeviceSchema>;
