import type { RouteOptions } from 'fastify';
import { Type } from 'typebox';
import { registeredErrors } from '../errors.js';
import { admissionGateOf } from './admission.js';

/**
 * Declares, in every route's response map, the RFC 9457 problem answers the route can give,
 * so the OpenAPI document (`/api/openapi.json`) lists them with one shared `Problem` schema.
 * Installed once as an `onRoute` hook (`app.addHook('onRoute', declareProblemResponses)`)
 * before any route is registered, so no route has to repeat it. A status a route already
 * declares is left as the route wrote it.
 *
 * Which statuses a route can give follows from its shape, the same way for every route:
 * - 400 when it takes a body, a query string or path parameters (schema validation);
 * - 401 and 403 unless it is public (`publicRoutes`: health, catalogue, published lists and
 *   sign-in), since everything else decides by the caller's session, roles and purpose;
 * - 404 when its path has a parameter (a record that does not exist or is outside the
 *   caller's regions);
 * - 409, 413 and 415 when it takes a body (idempotency keys, state conflicts; body size and
 *   media type);
 * - 429 for all (the per-address rate limit; person reads also have the read quota) and 500;
 * - 503 for every route admission control bounds (admission.ts: shed for overload, or the
 *   database busy), with Retry-After.
 *
 * The schema allows further members (`additionalProperties`), so an extension a module adds
 * to a problem is serialised, not dropped: the response schema is also the serialiser. Its
 * `code` lists every registered code, so it is made when the app is built, once every module
 * has registered its own (`defineErrors`).
 */
export function problemSchema() {
  return Type.Object(
    {
      type: Type.String({ description: 'URI naming the problem type' }),
      title: Type.String(),
      status: Type.Integer({ minimum: 400, maximum: 599 }),
      code: Type.String({
        description: 'Stable Amparo error code',
        enum: registeredErrors().map((entry) => entry.code),
      }),
      detail: Type.Optional(Type.String()),
      instance: Type.Optional(Type.String({ description: 'The route that answered' })),
      errors: Type.Optional(
        Type.Array(
          Type.Object(
            {
              field: Type.String({ description: 'JSON pointer of the field, e.g. body/phone' }),
              reason: Type.String(),
            },
            { additionalProperties: true },
          ),
        ),
      ),
    },
    {
      $id: 'Problem',
      title: 'Problem',
      description: 'RFC 9457 problem details with the AMP_* code',
      additionalProperties: true,
    },
  );
}

/** Routes anyone may call without a session: no 401 or 403 is declared for them. */
const publicRoutes: readonly RegExp[] = [
  /^\/(healthz|readyz)$/,
  /^\/api\/catalogue$/,
  /^\/api\/credentials\/(trust-list|revocation-list|trust-anchor)$/,
  /^\/api\/auth\/sign-in$/,
  /^\/api\/citizen\/sign-in\//,
];

const problemContent = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: Type.Ref('Problem') } },
});

const descriptions: Readonly<Record<number, string>> = {
  400: 'The request is not valid (AMP_VALIDATION, field errors)',
  401: 'Sign-in required (AMP_UNAUTHENTICATED)',
  403: 'Not allowed for these roles, regions or purpose, or a forbidden attribute',
  404: 'No such record, or outside the caller’s regions',
  409: 'Conflict with the current state, or an idempotency key reused',
  413: 'The request body is too large',
  415: 'Unsupported content type',
  429: 'Too many requests or read quota exceeded (Retry-After)',
  500: 'Internal error',
  503: 'Overloaded or the database is busy: retry after Retry-After seconds (AMP_NOT_READY)',
};

/** The problem statuses a route can answer, from its URL, method and schema. */
export function problemStatusesOf(route: Pick<RouteOptions, 'url' | 'schema'>): number[] {
  const schema = route.schema ?? {};
  const takesBody = schema.body !== undefined;
  const hasParams = route.url.includes(':');
  const statuses: number[] = [];
  if (takesBody || schema.querystring !== undefined || hasParams) statuses.push(400);
  if (!publicRoutes.some((pattern) => pattern.test(route.url))) statuses.push(401, 403);
  if (hasParams) statuses.push(404);
  if (takesBody) statuses.push(409, 413, 415);
  statuses.push(429, 500);
  if (admissionGateOf(route.url) !== undefined) statuses.push(503);
  return statuses;
}

/**
 * The `onRoute` hook. Hidden routes (the console's files, the OpenAPI document itself) are
 * left alone.
 */
export function declareProblemResponses(route: RouteOptions): void {
  const schema = route.schema;
  if (schema === undefined || schema.hide === true) return;
  // Safe: a route's response map is an object of schemas keyed by status; the map is
  // created here when the route declared none.
  const responses = { ...((schema.response ?? {}) as Record<string, unknown>) };
  for (const status of problemStatusesOf(route)) {
    if (responses[status] === undefined) {
      responses[status] = problemContent(descriptions[status] ?? 'Problem');
    }
  }
  route.schema = { ...schema, response: responses };
}
