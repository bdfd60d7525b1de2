import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Kysely } from 'kysely';
import { Type } from 'typebox';
import type { Database } from '../../platform/db/schema.js';
import { isPurpose } from '../../shared/access/actor.js';
import type { AccessGuard } from '../../shared/access/guard-port.js';
import { PurposeQuery } from '../../shared/api/params.js';
import {
  StatisticsRefreshStatusSchema,
  StatisticsSummarySchema,
  StatisticsTableSchema,
} from '../../shared/api/statistics.js';
import { askedResourceId, askedTable } from './published/asked-table.js';
import { refreshStatus } from './published/refresh-schedule.js';
import { tableCsv } from './published/table-csv.js';
import { findTable, listTables, readTable } from './published/table-reader.js';
import { StatisticsError } from './statistics-error.js';

export interface StatisticsPluginOptions {
  db: Kysely<Database>;
  /** The person-access guard (a port `src/app.ts` fills): decides and audits every request. */
  guard: AccessGuard;
  /** This server's refresh interval, shown on the dashboard; null or absent: no schedule here. */
  refreshEverySeconds?: number | null;
}

const Summary = StatisticsSummarySchema;
const Answer = StatisticsTableSchema;
const CodeParams = Type.Object({ code: Type.String({ pattern: '^[a-z][a-z0-9_]{1,62}$' }) });
const ByQuery = Type.Object({
  by: Type.Optional(
    Type.String({
      pattern: '^[a-z_.]{1,40}(,[a-z_.]{1,40}){0,7}$',
      description: 'The breakdown, e.g. `region.state,age_band,sex`; default: the first published',
    }),
  ),
});

const CsvQuery = Type.Object({
  ...ByQuery.properties,
  lang: Type.Optional(Type.Union([Type.Literal('es'), Type.Literal('en')], { default: 'es' })),
});
const CsvAnswer = Type.String({
  description: 'text/csv, spreadsheet-safe; withheld = empty value',
});

/** Sends a table as a CSV download named after its code and breakdown. */
function sendCsv(
  reply: { header: (name: string, value: string) => unknown },
  answer: Parameters<typeof tableCsv>[0],
  language: 'es' | 'en' | undefined,
): string {
  const name = `${answer.code}_${answer.by.join('_').replaceAll('.', '-')}.csv`;
  reply.header('content-type', 'text/csv; charset=utf-8');
  reply.header('content-disposition', `attachment; filename="${name}"`);
  return tableCsv(answer, language ?? 'es');
}

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
      query: { purpose?: unknown };
    },
    resourceId: string | null,
  ) =>
    guard({
      actor: request.actor,
      action: 'statistics.read',
      resource: { type: 'statistics_table', id: resourceId },
      regionCode: null,
      personId: null,
      exists: true,
      // The table routes check their schema after the gate: a purpose they refuse is none.
      purpose: isPurpose(request.query.purpose) ? request.query.purpose : null,
      requestId: request.id,
      countsAsPersonRead: false,
    });

  /**
   * An analyst's read of one table. The gate runs first and the route's schema after it
   * (`attachValidation`), so every request for a table — answered, refused for what it asks
   * (`AMP_STATISTICS_*`) or malformed (`AMP_VALIDATION`) — has one audit entry naming the table
   * and the breakdown asked (`askedResourceId`). A refusal after the gate is audited as denied
   * with its code by the error handler (docs/ACCESS.md, "Audited grants").
   */
  const analystRead = async (request: {
    actor: Parameters<AccessGuard>[0]['actor'];
    id: string;
    params: { code: string };
    query: { purpose?: unknown; by?: string | undefined };
    validationError?: Error | undefined;
  }) => {
    const asked = askedTable(request.params.code, request.query.by);
    const grant = await allow(request, askedResourceId(asked));
    if (request.validationError !== undefined) throw request.validationError;
    const table = findTable(request.params.code, false);
    const answer = await readTable(db, table, splitBy(request.query.by));
    await grant.record(['counts']);
    return answer;
  };

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
    '/statistics/refresh',
    {
      schema: {
        tags,
        summary:
          'The refresh schedule and the last refresh: when and with what outcome (statistics analysts; audited)',
        querystring: PurposeQuery,
        response: { 200: StatisticsRefreshStatusSchema },
      },
    },
    async (request) => {
      // Audited as a read of the statistics tables' refresh (no table is named `refresh`).
      const grant = await allow(request, 'refresh');
      await grant.record([]);
      return refreshStatus(db, options.refreshEverySeconds ?? null);
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
      attachValidation: true,
    },
    async (request) => analystRead(request),
  );

  app.get(
    '/statistics/tables/:code/csv',
    {
      schema: {
        tags,
        summary: 'One protected table as a CSV download (statistics analysts; audited)',
        params: CodeParams,
        querystring: Type.Object({ ...PurposeQuery.properties, ...CsvQuery.properties }),
        response: { 200: CsvAnswer },
      },
      attachValidation: true,
    },
    async (request, reply) => sendCsv(reply, await analystRead(request), request.query.lang),
  );

  /**
   * A public table at a published breakdown. Nobody signs in here, so there is no audit entry
   * to write; a refusal (unknown table or dimension, a breakdown finer than published, a
   * request the route's schema refuses: `attachValidation`) is logged with what was asked,
   * like an answer (issue #17, bad input).
   */
  const openRead = async (request: {
    params: { code: string };
    query: { by?: string | undefined };
    validationError?: Error | undefined;
    log: { info: (fields: object, message: string) => void };
  }) => {
    try {
      if (request.validationError !== undefined) throw request.validationError;
      return await readTable(db, findTable(request.params.code, true), splitBy(request.query.by));
    } catch (error) {
      const refused =
        request.validationError !== undefined && error === request.validationError
          ? 'AMP_VALIDATION'
          : error instanceof StatisticsError
            ? error.code
            : null;
      if (refused !== null) {
        const asked = askedTable(request.params.code, request.query.by);
        request.log.info({ ...asked, refused }, 'open data refused');
      }
      throw error;
    }
  };

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
      attachValidation: true,
    },
    async (request) => {
      const answer = await openRead(request);
      request.log.info({ table: request.params.code, by: answer.by }, 'open data read');
      return answer;
    },
  );

  app.get(
    '/open-data/statistics/:code/csv',
    {
      schema: {
        tags,
        summary: 'Open data: one public protected table as a CSV download (no sign-in)',
        params: CodeParams,
        querystring: CsvQuery,
        response: { 200: CsvAnswer },
      },
      attachValidation: true,
    },
    async (request, reply) => {
      const answer = await openRead(request);
      request.log.info({ table: request.params.code, by: answer.by }, 'open data read (csv)');
      return sendCsv(reply, answer, request.query.lang);
    },
  );
};
