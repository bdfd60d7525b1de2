import type { Readable } from 'node:stream';
import { Type } from 'typebox';

/** Request and response schemas of /api/imports; the response schema is the presenter. */
export const ImportIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const ImportStartQuery = Type.Object({
  /** Imports are for enrolment; the purpose is stated like every person-level write. */
  purpose: Type.Literal('enrolment'),
  /** The file's name, for the job record (no directory). */
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: '^[^/\\\\]+$' })),
});

/** The language of the reasons in the refused-rows file; Accept-Language when absent. */
export const ImportErrorsQuery = Type.Object({
  lang: Type.Optional(Type.Union([Type.Literal('es'), Type.Literal('en')])),
});

/**
 * The refused-rows CSV, sent as a stream. Fastify pipes a stream without serialising it, so
 * the schema only documents the body; `Unsafe` lets the handler send the stream it is.
 */
export const RefusedRowsCsvSchema = Type.Unsafe<Readable>({
  type: 'string',
  description: 'CSV: line,record_id,field,reason',
});

/** One refused field: the reason as a code and parameters, for the reader to say it. */
export const RefusedRowSchema = Type.Object({
  line: Type.Integer(),
  recordId: Type.String(),
  field: Type.String(),
  code: Type.String(),
  params: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])),
});

export const ImportStartedSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  status: Type.Union([Type.Literal('running'), Type.Literal('finished')]),
});

export const ImportJobSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  status: Type.Union([Type.Literal('running'), Type.Literal('finished'), Type.Literal('failed')]),
  fileName: Type.String(),
  fileBytes: Type.Integer(),
  format: Type.Union([Type.Literal('csv'), Type.Literal('ndjson')]),
  linesTotal: Type.Union([Type.Integer(), Type.Null()]),
  personsImported: Type.Integer(),
  householdsImported: Type.Integer(),
  batchesCommitted: Type.Integer(),
  /** Known once the whole file has been read. */
  rowsInvalid: Type.Union([Type.Integer(), Type.Null()]),
  startedAt: Type.String({ format: 'date-time' }),
  finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  failure: Type.Union([Type.String(), Type.Null()]),
  /** The first refused fields of a finished import (the error file has them all). */
  refusedRows: Type.Array(RefusedRowSchema),
});
