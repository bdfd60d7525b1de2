import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AmparoError, type ErrorCode, type FieldError, toProblem } from '../errors.js';

/**
 * Turns every error into RFC 9457 problem+json with a stable AMP_* code. Unexpected errors
 * become AMP_INTERNAL with no detail: internals are logged, never sent.
 */
export function installProblemHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const amparoError = toAmparoError(error);
    if (amparoError.status >= 500) {
      request.log.error({ err: error }, 'request failed');
    } else {
      request.log.info(
        { code: amparoError.code, statusCode: amparoError.status },
        'request refused',
      );
    }
    sendProblem(reply, request, amparoError);
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
  error: AmparoError,
): FastifyReply {
  if (error.retryAfterSeconds !== undefined) {
    reply.header('retry-after', String(error.retryAfterSeconds));
  }
  return reply
    .code(error.status)
    .type('application/problem+json')
    .send(toProblem(error, request.routeOptions?.url));
}

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
