import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { Database } from '../../platform/db/schema.js';
import {
  type PublishedProgram,
  PublishedProgramSchema,
  RuleCheckAnswerSchema,
} from '../../shared/api/program-rules.js';
import { eligibilityFacts } from '../registry/index.js';
import { programLimits } from './limits.js';
import { checkRule } from './rules/rule-checker.js';
import { describeRule } from './rules/rule-explainer.js';
import { type ProblemLog, storedVersion } from './stored-version.js';

export { type PublishedProgram, PublishedProgramSchema };

/**
 * `GET /programs` under `/api`: every published or suspended program with the version in
 * force — names, benefit, regions, cadence and the eligibility rule itself. Public and
 * without sign-in, like the attribute catalogue: a program is a published rule that is the
 * same for everyone, and anyone may read it. No person data. Also public, for the program
 * editor's live checking and for anyone who wants to verify a rule: `GET
 * /programs/eligibility-facts` (every name a rule may use) and `POST /programs/rule-check`
 * (type-checks a rule or formula and says its clauses in plain Spanish and English; refused
 * with `AMP_RULE_INVALID` and the position). Each published rule comes with its clauses in the
 * same plain words a denial uses.
 *
 * @example
 *   await app.register(publicProgramRoutes, { prefix: '/api', db });
 */

export const publicProgramRoutes: FastifyPluginAsyncTypebox<{ db: Kysely<Database> }> = async (
  app,
  { db },
) => {
  app.get(
    '/programs',
    {
      schema: {
        tags: ['programs'],
        summary: 'Published benefit programs and their eligibility rules (public)',
        response: { 200: Type.Object({ programs: Type.Array(PublishedProgramSchema) }) },
      },
    },
    async (request) => ({ programs: await listPublishedPrograms(db, request.log) }),
  );
  const facts = eligibilityFacts().map((fact) => ({
    name: fact.name,
    type: fact.type,
    sealed: fact.sealed,
    declared: fact.declared,
    description: { ...fact.description },
  }));
  app.get(
    '/programs/eligibility-facts',
    {
      schema: {
        tags: ['programs'],
        summary: 'Every fact an eligibility rule may name (public)',
        response: { 200: Type.Object({ facts: Type.Array(EligibilityFactSchema) }) },
      },
    },
    async () => ({ facts }),
  );
  app.post(
    '/programs/rule-check',
    {
      schema: {
        tags: ['programs'],
        summary: 'Type-checks an eligibility rule or benefit formula (public)',
        body: Type.Object(
          {
            source: Type.String({ maxLength: programLimits.ruleLengthMax * 2 }),
            yields: Type.Union([Type.Literal('bool'), Type.Literal('int')]),
          },
          { additionalProperties: false },
        ),
        response: { 200: RuleCheckAnswerSchema },
      },
    },
    async (request) => {
      const { source, yields } = request.body;
      const field = yields === 'bool' ? '/eligibilityRule' : '/benefit/formula';
      const checked = checkRule(source, yields, field);
      return {
        variables: [...checked.variables],
        sealedVariables: [...checked.sealedVariables],
        clauses: describeRule(checked),
      };
    },
  );
};

const EligibilityFactSchema = Type.Object({
  name: Type.String(),
  type: Type.Union([Type.Literal('int'), Type.Literal('bool'), Type.Literal('string')]),
  sealed: Type.Boolean(),
  declared: Type.Boolean(),
  description: Type.Object({ es: Type.String(), en: Type.String() }),
});

/**
 * The published and suspended programs with the version in force. A version that no longer
 * passes the rule checks (stored before a check existed, `stored-version.ts`) is left out and
 * logged: one such program never stops the list from answering for the others.
 */
export async function listPublishedPrograms(
  db: Kysely<Database>,
  log?: ProblemLog,
): Promise<PublishedProgram[]> {
  const rows = await db
    .selectFrom('program as p')
    .innerJoin('program_version as v', (join) =>
      join.onRef('v.program_id', '=', 'p.id').onRef('v.version', '=', 'p.published_version'),
    )
    .select(['p.code', 'p.status', 'p.updated_at'])
    .selectAll('v')
    .where('p.status', 'in', ['published', 'suspended'])
    .orderBy('p.code')
    .limit(programLimits.listPageSizeMax)
    .execute();
  return rows.flatMap((row) => {
    const stored = storedVersion(row, log);
    if (stored.checked === null) return [];
    return [
      {
        code: row.code,
        // Safe: the query keeps only these two statuses.
        status: row.status as 'published' | 'suspended',
        version: row.version,
        name: { es: row.name_es, en: row.name_en },
        description: { es: row.description_es, en: row.description_en },
        kind: row.kind,
        unit: row.unit,
        regions: row.regions,
        cadence: row.cadence,
        benefit: {
          ...(row.benefit_basket === null ? {} : { basket: row.benefit_basket }),
          ...(row.benefit_amount_minor === null
            ? {}
            : { amountMinor: row.benefit_amount_minor.toString() }),
          ...(row.benefit_formula === null ? {} : { formula: row.benefit_formula }),
          ...(row.currency === null ? {} : { currency: row.currency }),
        },
        eligibilityRule: row.eligibility_rule,
        eligibilityClauses: describeRule(stored.checked.rule),
        publishedAt: row.updated_at.toISOString(),
      },
    ];
  });
}
