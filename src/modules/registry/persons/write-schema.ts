import { Type } from 'typebox';
import { limits } from '../../../limits.js';
import { PurposeQuery } from '../../../shared/api/params.js';
import { PersonStatusSchema } from '../../../shared/api/registry.js';
import { type Relationship, relationships } from '../households/household-membership.js';
import { registryAnswers } from '../schema.js';
import { type CorrectionReason, correctionReasons } from '../tables.js';

/**
 * Request and response schemas of the registry's write side, search and review queue.
 * Attributes are accepted as an open object here and checked by the catalogue validator,
 * which names each bad field (`body/attributes/birth_date`) and answers a forbidden name
 * 403; the `forbiddenAttributeHook` runs before this schema on every such route.
 */

const Uuid = Type.String({ format: 'uuid' });
const ClientId = Type.String({
  format: 'uuid',
  description: 'Client-generated id of this write: a retry with the same id gets the first answer',
});
const RelationshipSchema = Type.Unsafe<Relationship>(
  Type.Union(
    relationships.map((relationship) => Type.Literal(relationship)),
    { description: 'Relationship to the head of household' },
  ),
);
const Attributes = Type.Unsafe<Record<string, unknown>>(
  Type.Object(
    {},
    {
      additionalProperties: true,
      description: 'Person attributes from the published catalogue (GET /api/catalogue)',
    },
  ),
);

export const HouseholdTargetSchema = Type.Union([
  Type.Object(
    { householdId: Uuid, relationship: RelationshipSchema },
    { additionalProperties: false },
  ),
  Type.Object(
    { new: Type.Literal(true), relationship: RelationshipSchema },
    { additionalProperties: false },
  ),
]);

export const EnrolBody = Type.Object(
  {
    clientId: ClientId,
    attributes: Attributes,
    household: Type.Optional(HouseholdTargetSchema),
    documents: Type.Optional(
      Type.Array(
        Type.Object(
          {
            type: Type.String({ maxLength: 40 }),
            number: Type.Optional(Type.String({ maxLength: 60 })),
            country: Type.Optional(Type.String({ maxLength: 2 })),
          },
          { additionalProperties: false },
        ),
        { maxItems: 1, description: 'The identity document held, if any' },
      ),
    ),
  },
  { additionalProperties: false },
);

export const CorrectionBody = Type.Object(
  {
    clientId: ClientId,
    attributes: Attributes,
    reason: Type.Unsafe<CorrectionReason>(
      Type.Union(correctionReasons.map((reason) => Type.Literal(reason))),
    ),
  },
  { additionalProperties: false },
);

export const DeathBody = Type.Object(
  { clientId: ClientId, dateOfDeath: Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' }) },
  { additionalProperties: false },
);

export const MergeBody = Type.Object(
  { clientId: ClientId, survivorId: Uuid },
  { additionalProperties: false },
);

export const MoveBody = Type.Union([
  Type.Object(
    { clientId: ClientId, householdId: Uuid, relationship: RelationshipSchema },
    { additionalProperties: false },
  ),
  Type.Object(
    { clientId: ClientId, new: Type.Literal(true), relationship: RelationshipSchema },
    { additionalProperties: false },
  ),
]);

export const VersionAnswerSchema = Type.Object({
  personId: Uuid,
  status: PersonStatusSchema,
  version: Type.Integer(),
  mergedInto: Type.Optional(Uuid),
});

export const MoveAnswerSchema = Type.Object({
  personId: Uuid,
  householdId: Uuid,
  relationship: Type.String(),
});

export const SearchQuerySchema = Type.Object(
  {
    purpose: PurposeQuery.properties.purpose,
    uin: Type.Optional(Type.String({ maxLength: 20 })),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    householdId: Type.Optional(Uuid),
    phone: Type.Optional(Type.String({ maxLength: 20 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: limits.pagination.pageSizeMax })),
  },
  { additionalProperties: false },
);

export const {
  EnrolledSchema,
  HeldSchema,
  SearchAnswerSchema,
  HouseholdViewSchema,
  ReviewListSchema,
} = registryAnswers;

export const ReviewDecisionBody = Type.Object(
  {
    decision: Type.Union([Type.Literal('new'), Type.Literal('merge')]),
    survivorId: Type.Optional(Uuid),
  },
  { additionalProperties: false },
);

export const ReviewDecisionSchema = Type.Object({
  reviewId: Uuid,
  decision: Type.Union([Type.Literal('new'), Type.Literal('merge')]),
  personId: Type.Union([Uuid, Type.Null()]),
  survivorId: Type.Union([Uuid, Type.Null()]),
});

export const HouseholdIdParams = Type.Object({ householdId: Uuid });
export const ReviewIdParams = Type.Object({ reviewId: Uuid });

export const ReviewListQuery = Type.Object(
  {
    purpose: PurposeQuery.properties.purpose,
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
