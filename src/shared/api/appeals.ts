import { type Static, Type } from 'typebox';
import { PurposeQuery } from './params.js';

/**
 * Answers of "my benefits" and appeals (issue #13, point 7), shared by the server's routes and
 * the console. The response schema is the presenter: a field not here is never sent.
 */
const Text = Type.Object({ es: Type.String(), en: Type.String() });
const Outcome = Type.Union([Type.Literal('true'), Type.Literal('false'), Type.Literal('unknown')]);

export const ClauseSchema = Type.Object({
  source: Type.String({ description: 'The clause as written in the rule' }),
  text: Text,
  outcome: Outcome,
  facts: Type.Record(Type.String(), Type.Union([Type.String(), Type.Boolean(), Type.Null()]), {
    description: "The facts the clause read, as the person's record has them (null: unknown)",
  }),
  factWords: Type.Array(Text, {
    description: 'The same facts in plain Spanish and English, as the person reads them',
  }),
});
export type Clause = Static<typeof ClauseSchema>;

/**
 * The short reference of an appeal that the person's text message and the console show, so
 * the message names the appeal without saying anything about it.
 *
 * @example
 *   appealReference('1a2b3c4d-…'); // 'AP-1A2B3C4D'
 */
export function appealReference(appealId: string): string {
  return `AP-${appealId.slice(0, 8).toUpperCase()}`;
}

export const BenefitLineSchema = Type.Object({
  programId: Type.String(),
  code: Type.String(),
  name: Text,
  kind: Type.String(),
  unit: Type.String(),
  version: Type.Integer({ description: 'The rule version explained' }),
  basis: Type.Union([Type.Literal('cycle'), Type.Literal('rule_today')]),
  cycle: Type.Union([
    Type.Object({ id: Type.String(), referenceDate: Type.String(), status: Type.String() }),
    Type.Null(),
  ]),
  included: Type.Boolean(),
  entitlement: Type.Union([
    Type.Object({ basis: Type.String(), status: Type.String() }),
    Type.Null(),
  ]),
  outcome: Outcome,
  clauses: Type.Array(ClauseSchema),
  failedClause: Type.Union([ClauseSchema, Type.Null()]),
  appealable: Type.Boolean(),
  appealId: Type.Union([Type.String(), Type.Null()]),
});
export type BenefitLineAnswer = Static<typeof BenefitLineSchema>;

export const BenefitsResponse = Type.Object({ benefits: Type.Array(BenefitLineSchema) });

export const AppealSchema = Type.Object({
  id: Type.String(),
  reference: Type.String({ description: 'AP- and 8 characters: named in the text message' }),
  personId: Type.String(),
  program: Type.Object({ id: Type.String(), code: Type.String(), name: Text }),
  cycle: Type.Object({ id: Type.String(), referenceDate: Type.String(), status: Type.String() }),
  version: Type.Integer(),
  status: Type.Union([
    Type.Literal('filed'),
    Type.Literal('assigned'),
    Type.Literal('awaiting_correction'),
    Type.Literal('decided'),
    Type.Literal('closed'),
  ]),
  statement: Type.String(),
  filedBy: Type.Union([Type.Literal('citizen'), Type.Literal('operator')]),
  filedAt: Type.String(),
  assigned: Type.Boolean(),
  assignedToCaller: Type.Boolean(),
  assignDueAt: Type.String(),
  decideDueAt: Type.String(),
  overdue: Type.Boolean(),
  outcome: Type.Union([Type.Literal('upheld'), Type.Literal('rejected'), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  dataErrorFields: Type.Array(Type.String()),
  correctionVersion: Type.Union([Type.Integer(), Type.Null()]),
  decidedAt: Type.Union([Type.String(), Type.Null()]),
  entitlementId: Type.Union([Type.String(), Type.Null()]),
  closedReason: Type.Union([Type.String(), Type.Null()]),
  steps: Type.Array(
    Type.Object({
      step: Type.Integer(),
      kind: Type.String(),
      actorKind: Type.String(),
      actorRole: Type.Union([Type.String(), Type.Null()]),
      at: Type.String(),
    }),
  ),
});
export type AppealAnswer = Static<typeof AppealSchema>;

export const AppealDetailSchema = Type.Object({
  ...AppealSchema.properties,
  explanation: Type.Object({
    outcome: Outcome,
    clauses: Type.Array(ClauseSchema),
    failedClause: Type.Union([ClauseSchema, Type.Null()]),
  }),
});
export type AppealDetailAnswer = Static<typeof AppealDetailSchema>;

export const AppealsResponse = Type.Object({ appeals: Type.Array(AppealSchema) });

export const FileAppealBody = Type.Object(
  {
    programId: Type.String({ format: 'uuid' }),
    statement: Type.String({ minLength: 1, maxLength: 2000 }),
  },
  { additionalProperties: false },
);

export const DecideAppealBody = Type.Object(
  {
    outcome: Type.Union([
      Type.Literal('upheld'),
      Type.Literal('rejected'),
      Type.Literal('data_error'),
    ]),
    reason: Type.String({ minLength: 1, maxLength: 2000 }),
    fields: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 20 })),
  },
  { additionalProperties: false },
);
export type DecideAppealInput = Static<typeof DecideAppealBody>;

export const AppealQueueQuery = Type.Object(
  {
    purpose: PurposeQuery.properties.purpose,
    view: Type.Optional(
      Type.Union([
        Type.Literal('open'),
        Type.Literal('mine'),
        Type.Literal('overdue'),
        Type.Literal('decided'),
      ]),
    ),
  },
  { additionalProperties: false },
);
