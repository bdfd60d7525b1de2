import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AmparoError } from '../errors.js';
import { sendProblem } from './problem-handler.js';

/**
 * Admission control: at most a bounded number of requests in flight, and the rest answered at
 * once with 503 `AMP_NOT_READY` and Retry-After, never queued (BENCHMARKS.md, Distribution:
 * without it an overload made every request wait out the pool's connection wait and the few
 * served wait 30 s). Installed as the first `onRequest` hook after the security headers, so a
 * refused request is counted nowhere: not by the per-address rate limit, not by a session's
 * last use, a read quota, an idempotency key or the audit log, since none of them has run.
 *
 * Which requests are bounded, by path:
 * - `api`: every `/api/…` request (the work that takes database connections), bounded by
 *   `inFlightMax`, sized from the database pool so that an admitted request waits behind at
 *   most one round of the others for a connection (pg's pool hands connections out in order
 *   of asking), well within the pool's connection wait: it is not refused later for overload;
 * - `signIn`: operator and citizen sign-in, bounded apart (`signInInFlightMax`), so that an
 *   overload of work does not shut operators out of signing in, and a flood of sign-ins (each
 *   a password hash) does not take the work's places;
 * - none: health and readiness probes (`/healthz`, `/readyz`, which must answer an overloaded
 *   server truthfully), the console's files and the API's documentation (`/api/docs`,
 *   `/api/openapi.json`), none of which touches the database.
 *
 * A request leaves when its answer is sent or its connection closes, whichever is first.
 *
 * @example
 *   const admission = installAdmission(app, limits.http.admission);
 *   admission.inFlight(); // { api: 3, signIn: 0 }
 */
export interface AdmissionOptions {
  /** `/api/…` requests in flight at once, sign-in excepted. */
  readonly inFlightMax: number;
  /** Sign-in requests in flight at once. */
  readonly signInInFlightMax: number;
  /** What a refused client is told to wait before retrying. */
  readonly retryAfterSeconds: number;
}

export type AdmissionGate = 'api' | 'signIn';

export interface Admission {
  /** Requests in flight now, per gate. */
  inFlight(): Record<AdmissionGate, number>;
}

const signInPaths: readonly RegExp[] = [/^\/api\/auth\/sign-in$/, /^\/api\/citizen\/sign-in\//];
const exemptApiPaths: readonly RegExp[] = [/^\/api\/docs(\/|$)/, /^\/api\/openapi\.json$/];

/** Whether a request's path is the API's (`/api` and below); the rest is the console's files. */
export function isApiPath(url: string): boolean {
  const pathname = url.split('?')[0] ?? '';
  return pathname === '/api' || pathname.startsWith('/api/');
}

/** The gate a request passes, from its path; `undefined` for requests that are not bounded. */
export function admissionGateOf(url: string): AdmissionGate | undefined {
  if (!isApiPath(url)) return undefined;
  const pathname = url.split('?')[0] ?? '';
  if (exemptApiPaths.some((pattern) => pattern.test(pathname))) return undefined;
  if (signInPaths.some((pattern) => pattern.test(pathname))) return 'signIn';
  return 'api';
}

export function installAdmission(app: FastifyInstance, options: AdmissionOptions): Admission {
  if (!(options.inFlightMax >= 1 && options.signInInFlightMax >= 1)) {
    throw new Error('admission: the in-flight bounds must be at least 1');
  }
  const inFlight: Record<AdmissionGate, number> = { api: 0, signIn: 0 };
  const bound: Record<AdmissionGate, number> = {
    api: options.inFlightMax,
    signIn: options.signInInFlightMax,
  };

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const gate = admissionGateOf(request.url);
    if (gate === undefined) return;
    if (inFlight[gate] >= bound[gate]) {
      // Answered here, not thrown: the problem handler logs every 5xx as an error with its
      // stack, which under an overload would be thousands of lines a second.
      request.log.debug({ gate }, 'request shed');
      return sendProblem(
        reply,
        request,
        new AmparoError('AMP_NOT_READY', {
          detail: 'The server is serving as many requests as it can; retry shortly',
          retryAfterSeconds: options.retryAfterSeconds,
        }),
      );
    }
    inFlight[gate] += 1;
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      inFlight[gate] -= 1;
    };
    // 'finish' when the answer is sent; 'close' also when the client goes away first.
    reply.raw.once('finish', leave);
    reply.raw.once('close', leave);
  });

  return { inFlight: () => ({ ...inFlight }) };
}
