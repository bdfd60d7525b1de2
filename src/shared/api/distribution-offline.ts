import { type Static, Type } from 'typebox';

/**
 * Answers of the offline routes of distribution (issue #15, point 5) that the point-of-service
 * app reads. The snapshot is a signed document: every field of its payload is in the schema,
 * since a field the serialiser dropped would break the signature.
 */

const SignatureSchema = Type.Object({
  alg: Type.Literal('EdDSA'),
  kid: Type.String(),
  value: Type.String(),
});

/** A trust or revocation list as the credentials module signs it, passed through whole. */
const SignedListSchema = Type.Object({ payload: Type.Unknown(), signature: SignatureSchema });

export const SnapshotEntrySchema = Type.Tuple([
  Type.String({
    description:
      "The card's tag: first 16 bytes of HMAC-SHA256(salt, label, credential id), base64url",
  }),
  Type.String({ description: 'The entitlement id: its 16 bytes, base64url' }),
  Type.Integer({ description: 'Index of its program in programs' }),
  Type.Array(Type.Integer(), {
    description: 'What remains: pairs of (index in items, quantity)',
  }),
]);

export const SnapshotPayloadSchema = Type.Object({
  format: Type.Literal('amparo.point-snapshot.v2'),
  snapshotId: Type.String(),
  pointId: Type.String(),
  pointCode: Type.String(),
  deviceId: Type.String(),
  issuedAt: Type.Integer(),
  expiresAt: Type.Integer(),
  warnAfter: Type.Integer(),
  receiptsMax: Type.Integer(),
  unitsMax: Type.Integer(),
  trustAnchor: Type.String(),
  trustList: SignedListSchema,
  revocations: SignedListSchema,
  programs: Type.Array(
    Type.Object({ code: Type.String(), nameEs: Type.String(), nameEn: Type.String() }),
  ),
  items: Type.Array(Type.Object({ item: Type.String(), unit: Type.String() })),
  entries: Type.Array(SnapshotEntrySchema),
  salt: Type.String({ description: "This snapshot's random 16 bytes, base64url: keys its tags" }),
  proofKey: Type.Optional(
    Type.String({
      description:
        "The server's P-256 key (uncompressed point, base64url) a receipt v5 seals its card proof to",
    }),
  ),
  proofKeyVersion: Type.Optional(
    Type.Integer({
      minimum: 1,
      description:
        'The version of proofKey: each rotation (amparo keys rotate-card-proof) raises it; the sealed proof names its key by id',
    }),
  ),
  assisted: Type.Optional(
    Type.Object(
      {
        bindings: Type.String({
          description:
            'Household bindings, 8-byte records sorted, base64url: a 5-byte tag of HMAC-SHA256(salt, label, member card key, ID number) and the 3-byte index of the first entry XOR the next 3 bytes',
        }),
        operatorId: Type.String({ description: 'The operator the snapshot was issued to' }),
        receiptsMax: Type.Integer({
          description: 'Hand-overs without the card the device may record with this snapshot',
        }),
      },
      {
        description:
          "Hand-overs without the card offline: an ID number plus a household member's card",
      },
    ),
  ),
});

export const SignedSnapshotSchema = Type.Object({
  payload: SnapshotPayloadSchema,
  signature: SignatureSchema,
});
export type SignedSnapshotAnswer = Static<typeof SignedSnapshotSchema>;

export const SnapshotKeySchema = Type.Object({
  alg: Type.Literal('EdDSA'),
  kid: Type.String(),
  publicKey: Type.String({ description: 'Raw Ed25519 public key, hex' }),
});

export const SyncResultSchema = Type.Object({
  receiptId: Type.String(),
  outcome: Type.Union([Type.Literal('counted'), Type.Literal('conflict'), Type.Literal('refused')]),
  code: Type.Union([Type.String(), Type.Null()]),
  redemptionId: Type.Union([Type.String(), Type.Null()]),
  replayed: Type.Boolean(),
});
export type SyncResultAnswer = Static<typeof SyncResultSchema>;

export const SyncAnswerSchema = Type.Object({ results: Type.Array(SyncResultSchema) });

export const OfflineConflictSchema = Type.Object({
  receiptId: Type.String(),
  deviceId: Type.String(),
  deviceLabel: Type.String(),
  entitlementId: Type.String(),
  deviceTime: Type.String(),
  syncedAt: Type.String(),
  lines: Type.Array(Type.Object({ item: Type.String(), quantity: Type.Integer() })),
  /** The receipts counted for the same entitlement (what was handed over first). */
  countedRedemptions: Type.Integer(),
  /**
   * What this conflict holds of the entitlement until it is cleared (migration 0140): per item,
   * what it asks of what remained when it was synced; the rest of the entitlement is handed over
   * as usual. Empty when nothing remained of what it asks; null for a conflict synced before
   * 0140, which holds the whole entitlement (`conflict_flagged`).
   */
  held: Type.Union([
    Type.Array(Type.Object({ item: Type.String(), quantity: Type.Integer() })),
    Type.Null(),
  ]),
  /**
   * What the cycle's close held back from carrying over while the entitlement waits for this
   * review (migration 0103): per item, the most that may carry. Empty when nothing is held; the
   * clearing of the entitlement's last conflict carries what then remains and empties it.
   */
  carryOverHeld: Type.Array(
    Type.Object({ item: Type.String(), unit: Type.String(), quantityMax: Type.Integer() }),
  ),
  /** Set once a supervisor cleared it. */
  resolution: Type.Union([
    Type.Object({
      decision: Type.Union([Type.Literal('counted_stands'), Type.Literal('later_stands')]),
      goodsLeft: Type.Boolean(),
      resolvedAt: Type.String(),
    }),
    Type.Null(),
  ]),
});

export const ConflictResolutionSchema = Type.Object({
  receiptId: Type.String(),
  decision: Type.Union([Type.Literal('counted_stands'), Type.Literal('later_stands')]),
  goodsLeft: Type.Boolean(),
  /** later_stands: the redemption counted for this receipt, and the redemptions reversed. */
  redemptionId: Type.Union([Type.String(), Type.Null()]),
  reversedRedemptionIds: Type.Array(Type.String()),
  entitlementState: Type.String(),
});
export type OfflineConflictAnswer = Static<typeof OfflineConflictSchema>;

/**
 * A late offline receipt (made before its cycle closed, synced after) whose withdrawal of the
 * carry-over found part of it handed out already from the person's next entitlement (migration
 * 0154): `withdrawn` units of `item` came off the carry-over, `takenBack` of them off the next
 * entitlement's remaining balance, and `disputed` had been handed over twice, for review.
 */
/** A carry-over dispute's one decision (migration 0155). */
export const CarryOverDisputeDecisionSchema = Type.Object({
  outcome: Type.Union([Type.Literal('written_off'), Type.Literal('returned')]),
  quantityReturned: Type.Integer(),
  quantityWrittenOff: Type.Integer(),
  reason: Type.String(),
  decidedBy: Type.String(),
  decidedAt: Type.String(),
});

export const CarryOverDisputeSchema = Type.Object({
  receiptId: Type.String(),
  deviceTime: Type.String(),
  syncedAt: Type.String(),
  fromEntitlementId: Type.String(),
  intoEntitlementId: Type.String(),
  item: Type.String(),
  unit: Type.String(),
  withdrawn: Type.Integer(),
  takenBack: Type.Integer(),
  disputed: Type.Integer(),
  /** Migration 0155: the supervisor's one decision, null while it waits. */
  decision: Type.Union([Type.Null(), CarryOverDisputeDecisionSchema]),
});

export type CarryOverDisputeAnswer = Static<typeof CarryOverDisputeSchema>;
export type CarryOverDisputeDecision = Static<typeof CarryOverDisputeDecisionSchema>;

/**
 * A carry-over dispute decided by the supervisor (migration 0155): `written_off` — the overlap is
 * a loss of the program, nothing is asked of the person — or `returned` — the person chose to
 * bring `quantityReturned` back (put back on the shelf), the rest written off. Amparo never takes
 * anything back from the person.
 */
export const CarryOverDisputeDecisionBody = Type.Object(
  {
    item: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$', description: 'The disputed item' }),
    outcome: Type.Union(
      [
        Type.Literal('written_off', {
          description: 'A loss of the program: nothing is asked of the person',
        }),
        Type.Literal('returned', {
          description:
            'The person brought some back of their own accord: those units go back on the shelf',
        }),
      ],
      { description: 'What the overlap is on record as' },
    ),
    quantityReturned: Type.Optional(
      Type.Integer({ minimum: 1, description: 'returned: the units brought back' }),
    ),
    reason: Type.String({ minLength: 1, maxLength: 500, description: 'Why, in a few words' }),
  },
  { additionalProperties: false },
);
export type CarryOverDisputeDecisionInput = Static<typeof CarryOverDisputeDecisionBody>;
