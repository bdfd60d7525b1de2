import { Type } from 'typebox';

/** Request and response schemas of /api/imports; the response schema is the presenter. */
export const ImportIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const ImportStartQuery = Type.Object({
  /** Imports are for enrolment; the purpose is stated like every person-level write. */
  purpose: Type.Literal('enrolment'),
  /** The file's name, for the job record (no directory). */
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: '^[^/\\\\]+$' })),
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
});
