import { type TSchema, Type } from 'typebox';

/**
 * The registry's answers that carry a person's attributes: a person, a search page, a
 * household, an enrolment (enrolled or held) and the duplicate-review queue. The attributes
 * schema is a parameter because the server builds it from its catalogue (exactly the declared
 * person attributes, so a stored key outside the catalogue can never be sent); the console
 * reads the same shapes with attributes as a plain record (`RegistryAnswers`).
 *
 * @example
 *   const { PersonViewSchema } = registryAnswerSchemas(PersonAttributes); // the server
 *   type PersonRecord = Static<RegistryAnswers['PersonViewSchema']>; // the console
 */
export function registryAnswerSchemas<Attributes extends TSchema>(attributes: Attributes) {
  const Candidate = Type.Object({
    personId: Uuid,
    uin: Type.String(),
    score: Type.Number(),
    decision: Type.Union([Type.Literal('auto'), Type.Literal('review')]),
    fieldLevels: Type.Record(Type.String(), Type.String()),
    attributes: Type.Optional(attributes),
  });
  return {
    PersonViewSchema: Type.Object({
      id: Type.String({ format: 'uuid' }),
      uin: Type.String(),
      status: PersonStatusSchema,
      mergedInto: Type.Union([Type.String(), Type.Null()]),
      regionCode: Type.String(),
      version: Type.Integer(),
      updatedAt: Type.String({ format: 'date-time' }),
      household: Type.Union([
        Type.Object({ id: Type.String(), relationship: Type.String() }),
        Type.Null(),
      ]),
      attributes,
    }),
    EnrolledSchema: Type.Object({
      status: Type.Literal('enrolled'),
      personId: Uuid,
      uin: Type.String(),
      version: Type.Integer(),
      householdId: Type.Union([Uuid, Type.Null()]),
      reviewId: Type.Union([Uuid, Type.Null()]),
    }),
    HeldSchema: Type.Object({
      status: Type.Literal('held'),
      reviewId: Uuid,
      reference: Type.String({
        pattern: reviewReferencePattern,
        description:
          'The review as a short reference the person can ask about (not personal data; it never changes)',
      }),
      candidates: Type.Array(Candidate),
      otherCandidates: Type.Integer({ description: 'Candidates outside your regions (not shown)' }),
    }),
    SearchAnswerSchema: Type.Object({
      items: Type.Array(
        Type.Object({
          id: Uuid,
          uin: Type.String(),
          status: PersonStatusSchema,
          regionCode: Type.String(),
          score: Type.Union([Type.Number(), Type.Null()]),
          attributes,
        }),
      ),
      nextCursor: Type.Union([Type.String(), Type.Null()]),
      truncated: Type.Boolean(),
    }),
    HouseholdViewSchema: Type.Object({
      id: Uuid,
      regionCode: Type.String(),
      members: Type.Array(
        Type.Object({
          personId: Uuid,
          uin: Type.String(),
          status: PersonStatusSchema,
          relationship: Type.String(),
          attributes,
        }),
      ),
    }),
    ReviewListSchema: Type.Object({
      items: Type.Array(
        Type.Object({
          id: Uuid,
          kind: Type.Union([Type.Literal('review'), Type.Literal('held')]),
          reference: Type.String({
            pattern: reviewReferencePattern,
            description:
              'The review as a short reference the person can ask about (not personal data; it never changes)',
          }),
          regionCode: Type.String(),
          personId: Type.Union([Uuid, Type.Null()]),
          openedAt: Type.String({ format: 'date-time' }),
          candidates: Type.Array(StoredCandidate),
          heldAttributes: Type.Union([attributes, Type.Null()]),
        }),
      ),
      nextCursor: Type.Union([Type.String(), Type.Null()]),
    }),
  };
}

/** A held enrolment's reference, as `reviewReference` in the registry writes it. */
export const reviewReferencePattern = '^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$';

const Uuid = Type.String({ format: 'uuid' });

export const PersonStatusSchema = Type.Union([
  Type.Literal('active'),
  Type.Literal('deceased'),
  Type.Literal('merged'),
  Type.Literal('erased'),
]);

const StoredCandidate = Type.Object({
  personId: Uuid,
  score: Type.Number(),
  decision: Type.Union([Type.Literal('auto'), Type.Literal('review')]),
  fieldLevels: Type.Record(Type.String(), Type.String()),
});

/** Attributes as the console reads them: whatever the catalogue declared, by name. */
export const AnyAttributes = Type.Record(Type.String(), Type.Unknown());

/** The answer schemas' types with attributes as a plain record. */
export type RegistryAnswers = ReturnType<typeof registryAnswerSchemas<typeof AnyAttributes>>;
