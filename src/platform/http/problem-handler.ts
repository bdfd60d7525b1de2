import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { databaseUnavailable } from '../db/database-unavailable.js';
import {
  AmparoError,
  type ErrorCode,
  type FieldError,
  type ProblemSource,
  registeredProblem,
  toProblem,
} from '../errors.js';

export interface ProblemHandlerOptions {
  /**
   * Awaited before every error answer with the code it will carry (the access module audits
   * the request's unfinished grants as denied). When it rejects, the answer is AMP_INTERNAL:
   * a refusal that could not be recorded is not answered as if it had been.
   */
  beforeAnswer?: (request: FastifyRequest, code: string) => Promise<void>;
}

/**
 * Turns every error into RFC 9457 problem+json with a stable AMP_* code: an `AmparoError`, an
 * error of a class a module registered (`defineErrors`), Fastify's own. Unexpected errors
 * become AMP_INTERNAL with no detail: internals are logged, never sent.
 */
export function installProblemHandler(
  app: FastifyInstance,
  options: ProblemHandlerOptions = {},
): void {
  const beforeAnswer = options.beforeAnswer ?? (async () => undefined);
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    let problem = registeredProblem(error) ?? toAmparoError(error);
    if (problem.status >= 500) {
      request.log.error({ err: error }, 'request failed');
    } else {
      request.log.info({ code: problem.code, statusCode: problem.status }, 'request refused');
    }
    try {
      await beforeAnswer(request, problem.code);
    } catch (failure) {
      request.log.error({ err: failure }, 'could not record the refusal');
      if (problem.status < 500) problem = new AmparoError('AMP_INTERNAL', { cause: failure });
    }
    return sendProblem(reply, request, problem);
  });
  app.setNotFoundHandler((request, reply) => {
    sendProblem(
      reply,
      request,
      new AmparoError('AMP_ROUTE_NOT_FOUND', { detail: `${request.method} has no route here` }),
    );
  });
}

export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  error: ProblemSource,
): FastifyReply {
  if (error.retryAfterSeconds !== undefined) {
    reply.header('retry-after', String(error.retryAfterSeconds));
  }
  return reply
    .code(error.status)
    .type('application/problem+json')
    .send(toProblem(error, request.routeOptions?.url));
}

/** What a client waits before retrying when the database could not serve the request. */
const databaseRetryAfterSeconds = 1;

const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'AMP_PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'AMP_UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'AMP_VALIDATION',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'AMP_VALIDATION',
  FST_ERR_CTP_INVALID_JSON_BODY: 'AMP_VALIDATION',
  FST_ERR_NOT_FOUND: 'AMP_ROUTE_NOT_FOUND',
};

function toAmparoError(error: FastifyError): AmparoError {
  if (error instanceof AmparoError) return error;
  if (error.validation) {
    return new AmparoError('AMP_VALIDATION', {
      detail: 'One or more fields are not valid',
      errors: validationErrors(error),
    });
  }
  const mapped = fastifyCodes[error.code];
  if (mapped)
    return new AmparoError(mapped, {
      detail: mapped === 'AMP_VALIDATION' ? 'The body is not valid JSON' : undefined,
    });
  if (error.statusCode === 429) return new AmparoError('AMP_RATE_LIMITED');
  if (error.statusCode === 413) return new AmparoError('AMP_PAYLOAD_TOO_LARGE');
  if (error.statusCode === 415) return new AmparoError('AMP_UNSUPPORTED_MEDIA_TYPE');
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new AmparoError('AMP_VALIDATION', { detail: 'The request is not valid' });
  }
  // An overloaded or restarting database is no fault of the request: 503, retry shortly.
  if (databaseUnavailable(error) || databaseUnavailable(error.cause)) {
    return new AmparoError('AMP_NOT_READY', {
      detail: 'The database is busy or unreachable; retry shortly',
      retryAfterSeconds: databaseRetryAfterSeconds,
      cause: error,
    });
  }
  return new AmparoError('AMP_INTERNAL', { cause: error });
}

/** Names each offending field as `<part>/<json pointer>`, e.g. `body/phone`. */
function validationErrors(error: FastifyError): FieldError[] {
  const part = error.validationContext ?? 'body';
  return (error.validation ?? []).map((issue) => {
    const params = issue.params as { missingProperty?: string; requiredProperties?: string[] };
    const missing = params?.missingProperty ?? params?.requiredProperties?.[0];
    const pointer = missing ? `${issue.instancePath}/${missing}` : issue.instancePath;
    return { field: `${part}${pointer || ''}`, reason: issue.message ?? 'is not valid' };
  });
}

/**
 * Fastify's `frameworkErrors` option: errors raised by the router before any route runs
 * (a path parameter longer than the router allows, a URL that cannot be decoded) answered as
 * problems like every other error, instead of Fastify's plain JSON.
 */
export function frameworkErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const amparoError =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? new AmparoError('AMP_URI_TOO_LONG', { detail: 'A path segment of the URL is too long' })
      : error.code === 'FST_ERR_BAD_URL'
        ? new AmparoError('AMP_VALIDATION', { detail: 'The URL cannot be decoded' })
        : toAmparoError(error);
  request.log.info({ code: amparoError.code }, 'request refused before routing');
  sendProblem(reply, request, amparoError);
}

/**
 * Fastify's `clientErrorHandler` option: requests Node.js refuses while parsing them, before
 * Fastify sees a request (a request line and headers over `maxHeaderSize`, so also an
 * over-long URL; a request that arrives too slowly; a malformed one). Answered on the raw
 * socket as problem+json, then the connection is closed as Node.js does.
 */
export function clientErrorHandler(
  this: FastifyInstance,
  error: Error & { code?: string },
  socket: Socket,
): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const amparoError =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new AmparoError('AMP_HEADERS_TOO_LARGE', {
          detail: 'The URL and headers together exceed the size the server reads',
        })
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new AmparoError('AMP_REQUEST_TIMEOUT')
        : new AmparoError('AMP_VALIDATION', { detail: 'The request could not be parsed' });
  this.log.debug({ code: amparoError.code, parserCode: error.code }, 'client error');
  if (socket.writable) {
    const body = JSON.stringify(toProblem(amparoError));
    socket.write(
      `HTTP/1.1 ${amparoError.status} ${STATUS_CODES[amparoError.status] ?? 'Error'}\r\n` +
        'Content-Type: application/problem+json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy(error);
}
