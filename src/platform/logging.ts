import type { FastifyReply, FastifyRequest } from 'fastify';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/**
 * Structured JSON logs that never carry personal data. Requests are logged by route
 * pattern (`/api/persons/:id`), never by raw URL, because a query string can hold a name or
 * an ID number; bodies and headers are never logged; anything that slips into a known
 * sensitive key is censored by pino's redaction as a second line of defence.
 */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.totp',
  '*.token',
  '*.secret',
  '*.uin',
  '*.phone',
  '*.name',
  '*.fullName',
  '*.givenNames',
  '*.firstSurname',
  '*.secondSurname',
  '*.birthDate',
  '*.email',
  '*.address',
];

export function loggerOptions(level: LoggerOptions['level']): LoggerOptions {
  return {
    level,
    base: { service: 'amparo' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    serializers: {
      req: serializeRequest,
      res: serializeReply,
      err: serializeError,
    },
  };
}

export function createLogger(
  level: LoggerOptions['level'],
  destination?: DestinationStream,
): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}

function serializeRequest(request: FastifyRequest): Record<string, unknown> {
  return {
    id: request.id,
    method: request.method,
    // The route pattern, not the URL: the URL may carry personal data in its path or query.
    route: request.routeOptions?.url ?? '(no route)',
  };
}

function serializeReply(reply: FastifyReply): Record<string, unknown> {
  return { statusCode: reply.statusCode };
}

/** Errors keep their type and code; messages from validation name fields, never values. */
function serializeError(
  error: Error & { code?: unknown; statusCode?: unknown },
): Record<string, unknown> {
  return {
    type: error.name,
    code: error.code,
    statusCode: error.statusCode,
    message: error.message,
    stack: error.stack,
  };
}
