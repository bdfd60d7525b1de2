import { Type } from 'typebox';
import { AssistedReasonSchema } from '../../../shared/api/distribution.js';
import { distributionLimits } from '../limits.js';
import { qrTextLengthMax, RedemptionLines } from '../schema.js';

const Uuid = Type.String({ format: 'uuid' });
const limits = distributionLimits.offline;

export const SnapshotParams = Type.Object({
  pointId: Uuid,
  deviceId: Uuid,
});

export const OfflineReceiptBody = Type.Object(
  {
    receiptId: Type.String({ format: 'uuid', description: "The device's id of the receipt" }),
    snapshotId: Uuid,
    entitlementId: Uuid,
    credentialId: Type.Optional(
      Type.String({
        pattern: '^[0-9a-f]{32}$',
        description: "The card's id, hex (formats v1–v4; v5 seals it in sealedProof)",
      }),
    ),
    sealedProof: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9_-]+$',
        maxLength: 2 * qrTextLengthMax,
        description:
          "Format v5: the card's id and QR text sealed to the snapshot's proofKey (ECDH P-256, HKDF-SHA-256, AES-256-GCM), base64url, its first 8 bytes naming the key version; one sealed to a version the server does not open is refused (AMP_OFFLINE_CARD_PROOF_KEY_UNKNOWN), one that does not open (AMP_OFFLINE_CARD_PROOF_SEALED_INVALID)",
      }),
    ),
    qrText: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: qrTextLengthMax,
        description:
          "The QR text of the card scanned (the person's, or with assisted the household member's), signed with the receipt (format v3); a receipt without it is refused (AMP_OFFLINE_CARD_PROOF_MISSING)",
      }),
    ),
    servedBy: Type.Optional(
      Type.String({
        format: 'uuid',
        description:
          'The operator who unlocked the device and made the hand-over, signed with the receipt (format v4); a receipt without it is refused (AMP_OFFLINE_OPERATOR_MISSING)',
      }),
    ),
    lines: RedemptionLines,
    deviceTime: Type.Integer({ minimum: 0, description: "The device's clock, Unix ms" }),
    signature: Type.String({ pattern: '^[A-Za-z0-9_-]{86}$' }),
    assisted: Type.Optional(
      Type.Object(
        {
          reason: AssistedReasonSchema,
          operatorId: Type.String({
            format: 'uuid',
            description:
              "The operator the snapshot was issued to (the snapshot's assisted.operatorId)",
          }),
        },
        {
          additionalProperties: false,
          description:
            "Without the person's card: credentialId is then a household member's card (formats v2 and v3)",
        },
      ),
    ),
  },
  { additionalProperties: false },
);

export const ConflictParams = Type.Object({
  pointId: Uuid,
  receiptId: Uuid,
});

export const ConflictResolutionBody = Type.Object(
  {
    decision: Type.Union(
      [
        Type.Literal('counted_stands', {
          description: 'The receipt counted first stands; this one is closed, counted nowhere',
        }),
        Type.Literal('later_stands', {
          description:
            'This later receipt counts; the redemptions that took the entitlement first are reversed',
        }),
      ],
      { description: 'Which receipt stands' },
    ),
    goodsLeft: Type.Boolean({
      description:
        "counted_stands: this receipt's goods did leave the point (written off as a loss); later_stands: the reversed hand-overs' goods did leave (they stay out of stock, else they return)",
    }),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const SyncBodySchema = Type.Object(
  {
    deviceId: Uuid,
    deviceNow: Type.Integer({ minimum: 0, description: "The device's clock now, Unix ms" }),
    receipts: Type.Array(OfflineReceiptBody, { minItems: 1, maxItems: limits.syncBatchMax }),
  },
  { additionalProperties: false },
);
