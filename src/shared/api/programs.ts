import { type Static, Type } from 'typebox';

/**
 * The program management API's inputs and answers (issue #13): the server validates and
 * serialises with these schemas and the console reads their `Static<>` types. Money and
 * counts that may exceed 2^53 travel as decimal text.
 *
 * @example
 *   const view: CycleView = await api.get(`/api/program-cycles/${id}?purpose=eligibility_review`);
 */

export const programKindValues = ['in_kind', 'cash', 'voucher', 'service'] as const;
export const benefitUnitValues = ['person', 'household'] as const;
export const cadenceValues = ['monthly', 'quarterly', 'once', 'on_demand'] as const;
export const currencyValues = ['VES', 'USD'] as const;
export const programStatusValues = ['draft', 'published', 'suspended', 'closed'] as const;
export const cycleStatusValues = [
  'computing',
  'computed',
  'approved',
  'published',
  'closed',
] as const;

const Decimal = Type.String({ pattern: '^[0-9]{1,19}$', description: 'A whole number as text' });
const Region = Type.String({ pattern: '^VE-[A-Z]$' });

export const BasketItemSchema = Type.Object(
  {
    item: Type.String({ maxLength: 40 }),
    quantity: Type.Integer({ minimum: 1 }),
    unit: Type.String({ maxLength: 40 }),
    carryOver: Type.Optional(
      Type.Boolean({
        description:
          "What is left of this item at cycle close moves to the next cycle's entitlement (at most one basket's worth); otherwise it expires",
      }),
    ),
  },
  { additionalProperties: false },
);

export const BenefitSchema = Type.Union([
  Type.Object(
    { basket: Type.Array(BasketItemSchema, { maxItems: 30 }) },
    { additionalProperties: false },
  ),
  Type.Object(
    { amountMinor: Decimal, currency: Type.Union([Type.Literal('VES'), Type.Literal('USD')]) },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      formula: Type.String({ maxLength: 4000 }),
      currency: Type.Union([Type.Literal('VES'), Type.Literal('USD')]),
    },
    { additionalProperties: false },
  ),
]);

export const ProgramContentSchema = Type.Object(
  {
    nameEs: Type.String({ maxLength: 120 }),
    nameEn: Type.String({ maxLength: 120 }),
    descriptionEs: Type.String({ maxLength: 2000 }),
    descriptionEn: Type.String({ maxLength: 2000 }),
    kind: Type.Union([
      Type.Literal('in_kind'),
      Type.Literal('cash'),
      Type.Literal('voucher'),
      Type.Literal('service'),
    ]),
    unit: Type.Union([Type.Literal('person'), Type.Literal('household')]),
    regions: Type.Array(Region, { maxItems: 30, description: 'Empty: national' }),
    cadence: Type.Union([
      Type.Literal('monthly'),
      Type.Literal('quarterly'),
      Type.Literal('once'),
      Type.Literal('on_demand'),
    ]),
    benefit: BenefitSchema,
    budgetCap: Decimal,
    eligibilityRule: Type.String({ maxLength: 4000 }),
    nameInTexts: Type.Optional(
      Type.Boolean({
        description:
          'Texts about this program may name it (issue 14, point 4). Absent or false: a text says "something to collect", never the program. Names must then fit a text: at most 40 letters, digits and .,\'()-',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ProgramContentBody = Static<typeof ProgramContentSchema>;

export const CreateProgramSchema = Type.Object(
  {
    code: Type.String({ maxLength: 40 }),
    content: ProgramContentSchema,
  },
  { additionalProperties: false },
);

export const ProgramSummarySchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  code: Type.String(),
  status: Type.Union([
    Type.Literal('draft'),
    Type.Literal('published'),
    Type.Literal('suspended'),
    Type.Literal('closed'),
  ]),
  publishedVersion: Type.Union([Type.Integer(), Type.Null()]),
  latestVersion: Type.Integer(),
  name: Type.Object({ es: Type.String(), en: Type.String() }),
  regions: Type.Array(Type.String(), {
    description: 'States of the latest version; empty: national',
  }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type ProgramSummary = Static<typeof ProgramSummarySchema>;

export const ProgramDetailSchema = Type.Object({
  program: ProgramSummarySchema,
  versions: Type.Array(
    Type.Object({
      version: Type.Integer(),
      content: ProgramContentSchema,
      rulePlan: Type.Object(
        {
          sql: Type.String({ description: 'The condition run in SQL over clear facts, in CEL' }),
          workers: Type.Array(Type.String(), {
            description: 'Clauses decided after decryption in worker threads (sealed facts)',
          }),
          sealedFacts: Type.Array(Type.String()),
        },
        { description: "Where the version's eligibility rule runs" },
      ),
      ruleProblem: Type.Union([
        Type.Null(),
        Type.Object(
          {
            code: Type.String({
              description: 'The checker’s code, e.g. rule_identifying_attribute',
            }),
            field: Type.String({ description: '/eligibilityRule or /benefit/formula' }),
            reason: Type.String(),
            start: Type.Integer(),
            end: Type.Integer(),
          },
          {
            description:
              'Set when the stored version no longer passes the rule checks (stored before a check existed): it needs a new version, and is left out of evaluation and the public list',
          },
        ),
      ]),
      createdBy: Type.Union([Type.String(), Type.Null()]),
      createdAt: Type.String({ format: 'date-time' }),
    }),
  ),
  publications: Type.Array(
    Type.Object({
      id: Type.String({ format: 'uuid' }),
      version: Type.Integer(),
      requestedBy: Type.String(),
      requestedAt: Type.String({ format: 'date-time' }),
      status: Type.Union([
        Type.Literal('pending'),
        Type.Literal('approved'),
        Type.Literal('refused'),
      ]),
      decidedBy: Type.Union([Type.String(), Type.Null()]),
      decidedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    }),
  ),
  statusChanges: Type.Array(
    Type.Object({
      version: Type.Integer(),
      from: Type.Union([
        Type.Literal('draft'),
        Type.Literal('published'),
        Type.Literal('suspended'),
        Type.Literal('closed'),
      ]),
      to: Type.Union([
        Type.Literal('draft'),
        Type.Literal('published'),
        Type.Literal('suspended'),
        Type.Literal('closed'),
      ]),
      changedBy: Type.Union([Type.String(), Type.Null()]),
      changedAt: Type.String({ format: 'date-time' }),
    }),
  ),
});
export type ProgramDetail = Static<typeof ProgramDetailSchema>;

const StateCount = Type.Object({ regionCode: Type.String(), count: Decimal });
export const RoundDiffSchema = Type.Object({
  entered: Type.Array(StateCount),
  left: Type.Array(StateCount),
});
export type RoundDiffView = Static<typeof RoundDiffSchema>;

export const CycleSummarySchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  referenceDate: Type.String(),
  version: Type.Integer(),
  status: Type.Union([
    Type.Literal('computing'),
    Type.Literal('computed'),
    Type.Literal('approved'),
    Type.Literal('published'),
    Type.Literal('closed'),
  ]),
  round: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
});
export type CycleSummary = Static<typeof CycleSummarySchema>;

export const CycleViewSchema = Type.Object({
  cycle: CycleSummarySchema,
  program: Type.Object({
    id: Type.String({ format: 'uuid' }),
    code: Type.String(),
    name: Type.Object({ es: Type.String(), en: Type.String() }),
    kind: Type.Union([
      Type.Literal('in_kind'),
      Type.Literal('cash'),
      Type.Literal('voucher'),
      Type.Literal('service'),
    ]),
    currency: Type.Union([Type.Union([Type.Literal('VES'), Type.Literal('USD')]), Type.Null()]),
  }),
  progress: Type.Object({
    round: Type.Integer(),
    chunksDone: Type.Integer(),
    chunksTotal: Type.Integer(),
    startedAt: Type.String({ format: 'date-time' }),
    finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  }),
  grant: Type.Object(
    {
      chunksDone: Type.Integer(),
      chunksTotal: Type.Integer(),
      finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
      skipped: Type.Object({
        death: Type.Integer(),
        merge: Type.Integer(),
        erasure: Type.Integer(),
      }),
    },
    {
      description:
        'The entitlements written after approval, in chunks (finishedAt: all written); members whose record was no longer active when their chunk was written get none and are counted by reason',
    },
  ),
  summary: Type.Object({
    eligible: Decimal,
    totalMinor: Decimal,
    byState: Type.Array(
      Type.Object({ regionCode: Type.String(), eligible: Decimal, totalMinor: Decimal }),
    ),
  }),
  budget: Type.Object({
    cap: Decimal,
    cost: Decimal,
    exceeded: Type.Boolean(),
    measuredIn: Type.Union([Type.Literal('minor_units'), Type.Literal('benefits')]),
  }),
  approvals: Type.Object({
    required: Type.Integer(),
    given: Type.Array(
      Type.Object({ approvedBy: Type.String(), approvedAt: Type.String({ format: 'date-time' }) }),
    ),
    byViewerAllowed: Type.Boolean({
      description:
        'Whether the operator reading may approve now: the cycle awaits approval, they did not create it and have not approved this round (roles aside)',
    }),
  }),
  diffPreviousRound: Type.Union([RoundDiffSchema, Type.Null()]),
  previousCycle: Type.Union([
    Type.Object({ id: Type.String({ format: 'uuid' }), referenceDate: Type.String() }),
    Type.Null(),
  ]),
  diffPreviousCycle: Type.Union([RoundDiffSchema, Type.Null()]),
  entitlements: Type.Object({ open: Decimal, ended: Decimal }),
});
export type CycleView = Static<typeof CycleViewSchema>;
