import { access } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AmparoError } from '../../../platform/errors.js';
import { refusalLanguageOf } from '../../../shared/import/refusals.js';
import {
  errorFilePath,
  type ImportServiceDependencies,
  importReader,
  importStarter,
} from './import-service.js';
import { refusedRowsCsv } from './refused-rows.js';
import {
  ImportErrorsQuery,
  ImportIdParams,
  ImportJobSchema,
  ImportStartedSchema,
  ImportStartQuery,
  RefusedRowsCsvSchema,
} from './schema.js';

/** What `app.ts` passes: everything but the logger, which comes from the app. */
export type ImportRouteOptions = Omit<ImportServiceDependencies, 'log' | 'directory'> & {
  /** Where uploads and error files are kept; a folder under the system temp by default. */
  directory?: string;
};

const mediaTypes = { 'text/csv': 'csv', 'application/x-ndjson': 'ndjson' } as const;

/**
 * POST /api/imports (the file as the raw body, `text/csv` or `application/x-ndjson`),
 * GET /api/imports/:id (progress and counts), GET /api/imports/:id/errors (the error file).
 *
 * @example
 *   await app.register(importRoutes, { db, databaseKind: 'postgres', masterKey, audit: auditLog });
 *   // curl -X POST --data-binary @people.csv -H 'content-type: text/csv' \
 *   //   -H "authorization: Bearer $SESSION" '/api/imports?purpose=enrolment&name=people.csv'
 *   // (a cookie-signed request must be JSON, the CSRF guard: uploads use the bearer form)
 */
export const importRoutes: FastifyPluginAsyncTypebox<ImportRouteOptions> = async (app, options) => {
  const deps: ImportServiceDependencies = {
    ...options,
    directory: options.directory ?? path.join(os.tmpdir(), 'amparo-imports'),
    log: app.log,
  };
  // The body is left as a stream: the upload goes to a file, never into memory.
  app.addContentTypeParser(Object.keys(mediaTypes), (_request, payload, done) =>
    done(null, payload),
  );

  app.post(
    '/imports',
    {
      schema: {
        tags: ['registry'],
        summary:
          'Import persons from a CSV or NDJSON file (registry supervisor, purpose enrolment)',
        querystring: ImportStartQuery,
        response: { 202: ImportStartedSchema },
      },
    },
    async (request, reply) => {
      const mediaType = (request.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
      const format = mediaTypes[mediaType as keyof typeof mediaTypes];
      if (format === undefined) {
        throw new AmparoError('AMP_UNSUPPORTED_MEDIA_TYPE', {
          detail: 'Send the file as text/csv or application/x-ndjson',
        });
      }
      const started = await importStarter(deps, {
        actor: request.actor,
        purpose: request.query.purpose,
        // Safe: the content-type parser above hands over the raw request stream.
        body: request.body as Readable,
        format,
        fileName: request.query.name ?? `upload.${format}`,
        requestId: request.id,
      });
      return reply.code(202).send({ id: started.jobId, status: started.status });
    },
  );

  app.get(
    '/imports/:id',
    {
      schema: {
        tags: ['registry'],
        summary: 'Progress and counts of an import',
        params: ImportIdParams,
        response: { 200: ImportJobSchema },
      },
    },
    async (request) =>
      (await importReader(deps, { actor: request.actor, jobId: request.params.id })).view,
  );

  app.get(
    '/imports/:id/errors',
    {
      schema: {
        tags: ['registry'],
        summary:
          'The refused rows of a finished import (CSV: line, record_id, field, reason), each reason in the language of `lang` or Accept-Language (Spanish by default)',
        params: ImportIdParams,
        querystring: ImportErrorsQuery,
        response: { 200: RefusedRowsCsvSchema },
      },
    },
    async (request, reply) => {
      const { job } = await importReader(deps, { actor: request.actor, jobId: request.params.id });
      if (job.status !== 'finished') {
        throw new AmparoError('AMP_CONFLICT', {
          detail: 'The error file is ready once the import finishes',
        });
      }
      const file = errorFilePath(deps, job.file_sha256);
      await access(file).catch(() => {
        throw new AmparoError('AMP_NOT_FOUND', { detail: 'The error file is no longer kept' });
      });
      const language = refusalLanguageOf(request.query.lang, request.headers['accept-language']);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-language', language)
        .header('content-disposition', `attachment; filename="refused-rows-${language}.csv"`)
        .send(Readable.from(refusedRowsCsv(file, language)));
    },
  );
};
