import { Type } from 'typebox';

export const HealthResponse = Type.Object({ status: Type.Literal('ok') });

export const ReadinessResponse = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  database: Type.Union([Type.Literal('ok'), Type.Literal('unreachable')]),
  migrations: Type.Union([
    Type.Literal('current'),
    Type.Literal('pending'),
    Type.Literal('unknown'),
  ]),
  /**
   * The enrolment-time duplicate index. While it is warming up the service is ready for
   * everything but enrolment, which answers 503 with Retry-After until the index is built.
   */
  duplicateIndex: Type.Optional(
    Type.Object({
      state: Type.Union([Type.Literal('warming'), Type.Literal('ready'), Type.Literal('failed')]),
      indexedPersons: Type.Integer({ minimum: 0 }),
      retryAfterSeconds: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
    }),
  ),
});
