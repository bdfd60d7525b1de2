import { Type } from 'typebox';

export const HealthResponse = Type.Object({ status: Type.Literal('ok') });

export const ReadinessResponse = Type.Object({
  /** `degraded` (HTTP 200): serving, but audit tree heads cannot be signed (`auditSigning`). */
  status: Type.Union([Type.Literal('ready'), Type.Literal('degraded'), Type.Literal('not_ready')]),
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
  /**
   * Background signing of audit tree heads. While `failing`, entries are still appended but no
   * new head covers them; it is retried with backoff and auditors see an alert.
   */
  auditSigning: Type.Optional(
    Type.Object({
      state: Type.Union([Type.Literal('ok'), Type.Literal('failing')]),
      consecutiveFailures: Type.Integer({ minimum: 0 }),
      failedStep: Type.Union([Type.Literal('sign'), Type.Literal('witness'), Type.Null()]),
      lastErrorCode: Type.Union([Type.String(), Type.Null()]),
      failingSince: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
      nextRetryAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
      latestTreeHeadSize: Type.Integer({ minimum: 0 }),
      witnessedTreeHeadSize: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
    }),
  ),
});
