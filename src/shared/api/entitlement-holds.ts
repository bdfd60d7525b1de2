import { type Static, Type } from 'typebox';

/**
 * Why a supervisor may hold one entitlement (docs/DISTRIBUTION.md, "Holds"): a closed list, each
 * about the entitlement's record, never about what the person did, said or believes
 * (safeguard 1). A stolen card is not among them: the card is revoked and the person collects
 * without it (safeguard 9); holding the benefit would punish the one robbed.
 */
export const entitlementHoldReasons = [
  'suspected_fraud_report',
  'identity_dispute',
  'duplicate_record_under_review',
  'data_error_under_review',
] as const;
export type EntitlementHoldReason = (typeof entitlementHoldReasons)[number];

export const EntitlementHoldReasonSchema = Type.Union([
  Type.Literal('suspected_fraud_report'),
  Type.Literal('identity_dispute'),
  Type.Literal('duplicate_record_under_review'),
  Type.Literal('data_error_under_review'),
]);

/** Where a hold stands: in force, lifted by a supervisor, or lapsed at its maximum length. */
export const EntitlementHoldStatusSchema = Type.Union([
  Type.Literal('in_force'),
  Type.Literal('lifted'),
  Type.Literal('lapsed'),
]);
export type EntitlementHoldStatus = 'in_force' | 'lifted' | 'lapsed';

export const EntitlementHoldBody = Type.Object(
  {
    entitlementId: Type.String({ format: 'uuid' }),
    reason: EntitlementHoldReasonSchema,
    note: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);

export const EntitlementHoldLiftBody = Type.Object(
  { note: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

/**
 * Where an objection stands: `open` (its hold in force, no decision yet), `upheld`, `rejected`,
 * or `hold_ended` — its hold was lifted otherwise or lapsed before anyone decided, so nothing is
 * left to decide. `hold_ended` is read, not written (as the hold's lapse is): the objection's
 * status at `now` follows its hold's.
 */
export const HoldObjectionStatusSchema = Type.Union([
  Type.Literal('open'),
  Type.Literal('upheld'),
  Type.Literal('rejected'),
  Type.Literal('hold_ended'),
]);
export type HoldObjectionStatus = Static<typeof HoldObjectionStatusSchema>;

/** Where the person's objection to one hold stands, in the person's own view of their holds. */
export const HoldObjectionStandingSchema = Type.Object({
  objectionId: Type.String(),
  status: HoldObjectionStatusSchema,
  filedAt: Type.String({ format: 'date-time' }),
  decideDueAt: Type.String({ format: 'date-time' }),
  decidedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** The officer's reason: required when rejected, may be empty when upheld. */
  reason: Type.Union([Type.String(), Type.Null()]),
});
export type HoldObjectionStanding = Static<typeof HoldObjectionStandingSchema>;

const personHoldProperties = {
  holdId: Type.String(),
  entitlementId: Type.String(),
  programCode: Type.String(),
  reason: EntitlementHoldReasonSchema,
  status: EntitlementHoldStatusSchema,
  placedAt: Type.String({ format: 'date-time' }),
  lapsesAt: Type.String({ format: 'date-time' }),
  liftedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** The person's objection to the hold and where it stands; null when none was filed. */
  objection: Type.Union([HoldObjectionStandingSchema, Type.Null()]),
};

/** What the person sees of a hold on their entitlement: the reason code, never the note. */
export const PersonEntitlementHoldSchema = Type.Object(personHoldProperties);

/** What a supervisor sees of a hold: the person's view, whose it is, and the notes. */
export const EntitlementHoldSchema = Type.Object({
  ...personHoldProperties,
  personId: Type.String(),
  regionCode: Type.String(),
  note: Type.String(),
  placedBy: Type.String(),
  liftedBy: Type.Union([Type.String(), Type.Null()]),
  liftNote: Type.Union([Type.String(), Type.Null()]),
});

export const EntitlementHoldListSchema = Type.Object({
  holds: Type.Array(EntitlementHoldSchema),
});

export const PersonEntitlementHoldListSchema = Type.Object({
  holds: Type.Array(PersonEntitlementHoldSchema),
});

export type EntitlementHold = Static<typeof EntitlementHoldSchema>;
export type PersonEntitlementHold = Static<typeof PersonEntitlementHoldSchema>;
