import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { Database } from '../../platform/db/schema.js';
import type { AccessGuard } from '../../shared/access/guard-port.js';
import { PurposeQuery } from '../../shared/api/params.js';
import { findTable, listTables, readTable } from './published/table-reader.js';

export interface StatisticsPluginOptions {
  db: Kysely<Database>;
  /** The person-access guard (a port `src/app.ts` fills): decides and audits every request. */
  guard: AccessGuard;
}

const Text = Type.Object({ es: Type.String(), en: Type.String() });
const Summary = Type.Object({
  code: Type.String(),
  public: Type.Boolean(),
  title: Text,
  definition: Text,
  breakdowns: Type.Array(Type.String()),
});
/**
 * The response schema is the presenter: a cell is a key of area, age band, sex, program or
 * cycle codes and a protected count. There is no field a person or household id could be
 * sent in.
 */
const Answer = Type.Object({
  ...Summary.properties,
  refreshedAt: Type.String(),
  by: Type.Array(Type.String()),
  dimensions: Type.Array(Type.String()),
  rules: Type.Object({
    threshold: Type.Integer(),
    protectionLevel: Type.Integer(),
    roundingBase: Type.Integer(),
  }),
  cells: Type.Array(
    Type.Object({
      key: Type.Array(Type.String({ maxLength: 64 })),
      value: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
    }),
  ),
});
const CodeParams = Type.Object({ code: Type.String({ pattern: '^[a-z][a-z0-9_]{1,62}$' }) });
const ByQuery = Type.Object({
  by: Type.Optional(
    Type.String({
      pattern: '^[a-z_.]{1,40}(,[a-z_.]{1,40}){0,7}$',
      description: 'The breakdown, e.g. `region.state,age_band,sex`; default: the first published',
    }),
  ),
});

const splitBy = (by: string | undefined): string[] => (by ? by.split(',') : []);

/**
 * Published statistics (issue #17): the analysts' routes (`statistics.read`, audited by the
 * guard whether allowed or refused) and the open-data routes for tables marked public,
 * readable without signing in. Every answer is a protected table; none lists anyone.
 *
 * @example
 *   await app.register(statisticsPlugin, { prefix: '/api', db, guard });
 */
export const statisticsPlugin: FastifyPluginAsyncTypebox<StatisticsPluginOptions> = async (
  app,
  options,
) => {
  const { db, guard } = options;
  const tags = ['statistics'];
  const allow = async (
    request: {
      actor: Parameters<AccessGuard>[0]['actor'];
      id: string;
      query: { purpose?: string };
    },
    code: string | null,
  ) =>
    guard({
      actor: request.actor,
      action: 'statistics.read',
      resource: { type: 'statistics_table', id: code },
      regionCode: null,
      personId: null,
      exists: true,
      // The schema admits only the declared purposes.
      purpose: (request.query.purpose ?? null) as Parameters<AccessGuard>[0]['purpose'],
      requestId: request.id,
      countsAsPersonRead: false,
    });

  app.get(
    '/statistics/tables',
    {
      schema: {
        tags,
        summary: 'Published statistics tables and their definitions (statistics analysts; audited)',
        querystring: PurposeQuery,
        response: { 200: Type.Object({ tables: Type.Array(Summary) }) },
      },
    },
    async (request) => {
      const grant = await allow(request, null);
      await grant.record([]);
      return { tables: listTables(false) };
    },
  );

  app.get(
    '/statistics/tables/:code',
    {
      schema: {
        tags,
        summary: 'One protected table at a published breakdown (statistics analysts; audited)',
        params: CodeParams,
        querystring: Type.Object({ ...PurposeQuery.properties, ...ByQuery.properties }),
        response: { 200: Answer },
      },
    },
    async (request) => {
      const grant = await allow(request, request.params.code);
      try {
        const table = findTable(request.params.code, false);
        const answer = await readTable(db, table, splitBy(request.query.by));
        await grant.record(['counts']);
        return answer;
      } catch (error) {
        // A refused breakdown or table is logged too: what was asked is itself information.
        await grant.record([]);
        throw error;
      }
    },
  );

  app.get(
    '/open-data/statistics',
    {
      schema: {
        tags,
        summary: 'Open data: the statistics tables marked public (no sign-in)',
        response: { 200: Type.Object({ tables: Type.Array(Summary) }) },
      },
    },
    async () => ({ tables: listTables(true) }),
  );

  app.get(
    '/open-data/statistics/:code',
    {
      schema: {
        tags,
        summary: 'Open data: one public protected table (no sign-in)',
        params: CodeParams,
        querystring: ByQuery,
        response: { 200: Answer },
      },
    },
    async (request) => {
      const answer = await readTable(
        db,
        findTable(request.params.code, true),
        splitBy(request.query.by),
      );
      request.log.info({ table: request.params.code, by: answer.by }, 'open data read');
      return answer;
    },
  );
};
