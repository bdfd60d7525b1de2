import { type Static, Type } from 'typebox';
import {
  EntitlementHoldReasonSchema,
  EntitlementHoldStatusSchema,
  HoldObjectionStatusSchema,
} from './entitlement-holds.js';

export {
  type HoldObjectionStanding,
  HoldObjectionStandingSchema,
  type HoldObjectionStatus,
  HoldObjectionStatusSchema,
} from './entitlement-holds.js';

/**
 * A person's objection to a hold on their entitlement (docs/DISTRIBUTION.md, "Holds",
 * "Objecting to a hold"), shared by the server's routes and the console. The response schema is
 * the presenter: a field not here is never sent.
 */
export const FileHoldObjectionBody = Type.Object(
  { statement: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);

export const DecideHoldObjectionBody = Type.Union([
  Type.Object(
    { outcome: Type.Literal('upheld'), reason: Type.Optional(Type.String({ maxLength: 500 })) },
    { additionalProperties: false },
  ),
  Type.Object(
    { outcome: Type.Literal('rejected'), reason: Type.String({ minLength: 1, maxLength: 500 }) },
    { additionalProperties: false },
  ),
]);
export type HoldObjectionDecision = Static<typeof DecideHoldObjectionBody>;

/**
 * An objection in the program officers' queue: as the appeals queue shows an appeal, no name
 * and no statement (the officer opens it to read them, audited as a read of the person).
 */
export const HoldObjectionQueueItemSchema = Type.Object({
  objectionId: Type.String(),
  holdId: Type.String(),
  personId: Type.String(),
  regionCode: Type.String(),
  programCode: Type.String(),
  holdReason: EntitlementHoldReasonSchema,
  holdStatus: EntitlementHoldStatusSchema,
  lapsesAt: Type.String({ format: 'date-time' }),
  status: HoldObjectionStatusSchema,
  filedBy: Type.Union([Type.Literal('citizen'), Type.Literal('operator')]),
  filedAt: Type.String({ format: 'date-time' }),
  decideDueAt: Type.String({ format: 'date-time' }),
  overdue: Type.Boolean(),
});
export type HoldObjectionQueueItem = Static<typeof HoldObjectionQueueItemSchema>;

export const HoldObjectionQueueSchema = Type.Object({
  objections: Type.Array(HoldObjectionQueueItemSchema),
});

/** One objection opened to decide it: the person's words and the supervisor's note. */
export const HoldObjectionDetailSchema = Type.Object({
  ...HoldObjectionQueueItemSchema.properties,
  statement: Type.String(),
  holdNote: Type.String(),
  placedAt: Type.String({ format: 'date-time' }),
});
export type HoldObjectionDetail = Static<typeof HoldObjectionDetailSchema>;

export const HoldObjectionAnswer = Type.Object({
  objectionId: Type.String(),
  status: HoldObjectionStatusSchema,
});
