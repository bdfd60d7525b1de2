import { type Static, Type } from 'typebox';

/**
 * Answers about programs' rules that the public page, the program editor and the preview of a
 * rule change share (issue #13, points 6 and 10): a published program with each clause of its
 * rule in plain words, a rule check, and a preview that gives counts by state only.
 *
 * @example
 *   const { programs } = await apiGet<{ programs: PublishedProgram[] }>('/api/programs');
 */
const Text = Type.Object({ es: Type.String(), en: Type.String() });

export const RuleClauseSchema = Type.Object({
  source: Type.String({ description: 'The clause as written in the rule' }),
  text: Type.Object(
    { es: Type.String(), en: Type.String() },
    { description: 'The clause in plain Spanish and English' },
  ),
});
export type RuleClause = Static<typeof RuleClauseSchema>;

export const RuleCheckAnswerSchema = Type.Object({
  variables: Type.Array(Type.String()),
  sealedVariables: Type.Array(Type.String()),
  clauses: Type.Array(RuleClauseSchema, {
    description: 'The clauses joined by && at the top of the rule, in plain words',
  }),
});
export type RuleCheckAnswer = Static<typeof RuleCheckAnswerSchema>;

const BasketItemSchema = Type.Object({
  item: Type.String(),
  quantity: Type.Integer(),
  unit: Type.String(),
});

export const PublishedProgramSchema = Type.Object({
  code: Type.String(),
  status: Type.Union([Type.Literal('published'), Type.Literal('suspended')]),
  version: Type.Integer({ minimum: 1 }),
  name: Text,
  description: Text,
  kind: Type.String(),
  unit: Type.String(),
  regions: Type.Array(Type.String(), { description: 'ISO 3166-2:VE states; empty: national' }),
  cadence: Type.String(),
  benefit: Type.Object({
    basket: Type.Optional(Type.Array(BasketItemSchema)),
    amountMinor: Type.Optional(Type.String({ description: 'Minor units, as decimal text' })),
    formula: Type.Optional(Type.String()),
    currency: Type.Optional(Type.String()),
  }),
  eligibilityRule: Type.String(),
  eligibilityClauses: Type.Array(RuleClauseSchema),
  publishedAt: Type.String({ format: 'date-time' }),
});
export type PublishedProgram = Static<typeof PublishedProgramSchema>;

/** A count in a preview: from 10 up a multiple of 5 (randomly rounded), otherwise only "fewer than 10". */
export const PreviewCountSchema = Type.Union([
  Type.Object(
    { count: Type.Integer({ minimum: 10, multipleOf: 5 }) },
    { additionalProperties: false },
  ),
  Type.Object({ fewerThan: Type.Integer() }, { additionalProperties: false }),
]);
export type PreviewCountView = Static<typeof PreviewCountSchema>;

export const RulePreviewSchema = Type.Object({
  version: Type.Integer({ description: 'The version previewed' }),
  comparedWith: Type.Union([Type.Integer(), Type.Null()], {
    description: 'The version in force it is compared with; null: none published yet',
  }),
  referenceDate: Type.String(),
  byState: Type.Array(
    Type.Object({
      regionCode: Type.String(),
      entering: PreviewCountSchema,
      leaving: PreviewCountSchema,
    }),
  ),
  total: Type.Object(
    {
      entering: Type.Union([PreviewCountSchema, Type.Null()]),
      leaving: Type.Union([PreviewCountSchema, Type.Null()]),
    },
    {
      description:
        'Over every state; null where it would reveal the one state given as fewer than 10',
    },
  ),
});
export type RulePreviewView = Static<typeof RulePreviewSchema>;
