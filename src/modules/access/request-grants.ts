import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { AuditEntryInput } from '../../shared/audit/audit-entry.js';
import { accessLimits } from './limits.js';
import { raiseSecurityAlert } from './security-alerts.js';

/** The part of the audit log an unfinished grant is recorded through. */
interface DeniedRecorder {
  append(entry: AuditEntryInput): Promise<unknown>;
}

/**
 * A grant the gate made in this request whose action has not been recorded as done. `written`
 * holds the entries for the same request, action and resource that another writer put in a
 * transaction: each answers whether its transaction committed.
 */
interface UnfinishedGrant {
  /** The entry the gate would have written had it refused: outcome denied, no fields. */
  readonly denied: AuditEntryInput;
  readonly audit: DeniedRecorder;
  done: boolean;
  readonly written: (() => Promise<boolean>)[];
}

/** The grants of one HTTP request. */
interface RequestGrants {
  readonly unfinished: UnfinishedGrant[];
}

/**
 * The grants of the requests in flight, by request id (a random UUID per request, app.ts):
 * the gate and the audit log are handed the request id, not the request. A map rather than
 * AsyncLocalStorage, which on Node.js 20 costs a hook on every promise of every request.
 * Each app's scope (`installGrantScope`) counts and forgets its own requests only: another app
 * in the same process (a test file's, a CLI's) never pushes this app's requests out.
 */
const inFlight = new Map<string, RequestGrants>();

/** Requests forgotten to keep the record of grants within its cap. */
export interface ForgottenRequests {
  requests: number;
  /** Grants of theirs not yet recorded: refusals after them would go unaudited. */
  unfinishedGrants: number;
}

export interface GrantScopeOptions {
  /** At most this many requests remembered at once; `limits.access.grantRequestsTrackedMax`. */
  trackedMax?: number;
  /**
   * Told each time the oldest request is forgotten to stay within the cap (the access plugin
   * raises a security alert: `grantEvictionAlerter`). Its failure is logged, not answered.
   */
  onForgotten?: (forgotten: ForgottenRequests) => Promise<void>;
}

/**
 * Opens each request's record of grants before its handler runs (after the body is parsed and
 * validated, so no grant can precede it). A `fastify-plugin` hook: it reaches every route
 * registered after it. Grants made outside a request (CLI, jobs) are not remembered.
 *
 * @example
 *   installGrantScope(app, { onForgotten: grantEvictionAlerter(db) }); // in the access plugin
 */
export function installGrantScope(app: FastifyInstance, options: GrantScopeOptions = {}): void {
  const trackedMax = options.trackedMax ?? accessLimits.grantRequestsTrackedMax;
  /** This app's requests in the record, oldest first. */
  const own = new Set<string>();
  const forget = (requestId: string) => {
    own.delete(requestId);
    inFlight.delete(requestId);
  };
  app.addHook('preHandler', async (request) => {
    // Bounded: requests in flight are few (admission control), and each is forgotten once
    // answered; should an answer go unseen (a client gone), the oldest are forgotten first —
    // never silently: a forgotten request may still be live, and a refusal after one of its
    // grants would then go unaudited, so auditors are told.
    if (own.size >= trackedMax) {
      const oldest: string | undefined = own.values().next().value;
      const grants = oldest === undefined ? undefined : inFlight.get(oldest);
      if (oldest !== undefined) forget(oldest);
      const unfinishedGrants = grants?.unfinished.filter((grant) => !grant.done).length ?? 0;
      try {
        await options.onForgotten?.({ requests: 1, unfinishedGrants });
      } catch (error) {
        request.log.error({ err: error }, 'a forgotten request could not be reported');
      }
    }
    own.add(request.id);
    inFlight.set(request.id, { unfinished: [] });
  });
  // Not on a client's abort: the handler may still be refused or fail, and be audited.
  app.addHook('onResponse', async (request) => {
    forget(request.id);
  });
  // An app closed with requests never answered leaves nothing behind in the process.
  app.addHook('onClose', async () => {
    for (const requestId of own) inFlight.delete(requestId);
    own.clear();
  });
}

/**
 * The security alert for requests forgotten by the record of grants
 * (`grant_tracking_evicted`, `GET /api/alerts`): the first forgotten raises it at once; those
 * after are counted and raised together at most once every `intervalMs` (one a minute), so a
 * flood of lost requests cannot flood the alerts table. Details are counts only.
 *
 * @example
 *   installGrantScope(app, { onForgotten: grantEvictionAlerter(db) });
 */
export function grantEvictionAlerter(
  db: Kysely<Database>,
  options: { intervalMs?: number; now?: () => number; trackedMax?: number } = {},
): (forgotten: ForgottenRequests) => Promise<void> {
  const intervalMs = options.intervalMs ?? 60_000;
  const now = options.now ?? Date.now;
  let counted: ForgottenRequests = { requests: 0, unfinishedGrants: 0 };
  let raisedAt = Number.NEGATIVE_INFINITY;
  return async (forgotten) => {
    counted = {
      requests: counted.requests + forgotten.requests,
      unfinishedGrants: counted.unfinishedGrants + forgotten.unfinishedGrants,
    };
    const at = now();
    if (at - raisedAt < intervalMs) return;
    raisedAt = at;
    const details = {
      ...counted,
      trackedMax: options.trackedMax ?? accessLimits.grantRequestsTrackedMax,
    };
    counted = { requests: 0, unfinishedGrants: 0 };
    await raiseSecurityAlert(db, 'grant_tracking_evicted', null, details);
  };
}

/**
 * Remembers a grant the gate made; the answer marks it done once its action is recorded.
 * Outside a request it does nothing.
 */
export function rememberGrant(denied: AuditEntryInput, audit: DeniedRecorder): () => void {
  const grants = denied.requestId === null ? undefined : inFlight.get(denied.requestId);
  if (grants === undefined) return () => undefined;
  const grant: UnfinishedGrant = { denied, audit, done: false, written: [] };
  grants.unfinished.push(grant);
  return () => {
    grant.done = true;
  };
}

/**
 * Told of every entry the audit log writes (`AuditLog`'s `onWritten`): an entry for the same
 * request, action and resource as an unfinished grant is that grant's record, whoever wrote it
 * (a module writing its allowed entry in its transaction, or its own denied entry). `committed`
 * is null for an entry already in the log (`append`); for an entry written in a transaction it
 * answers, when asked after the transaction ended, whether that transaction committed.
 */
export function noteAuditWritten(
  entries: readonly AuditEntryInput[],
  committed: (() => Promise<boolean>) | null,
): void {
  for (const entry of entries) {
    const grants = entry.requestId === null ? undefined : inFlight.get(entry.requestId);
    const grant = grants?.unfinished.find(
      (candidate) => !candidate.done && sameAccess(candidate.denied, entry),
    );
    if (grant === undefined) continue;
    if (committed === null) grant.done = true;
    else grant.written.push(committed);
  }
}

/**
 * An entry is a grant's record when it names the same request and action and, for an allowed
 * entry, the same resource (any of the type for a grant of no particular record: a new one, a
 * listing). A denied entry of the action is the module's own record of the refusal, whatever
 * resource it names (a redemption refused on the person at a point the gate granted).
 */
function sameAccess(denied: AuditEntryInput, entry: AuditEntryInput): boolean {
  if (entry.requestId !== denied.requestId || entry.action !== denied.action) return false;
  if (entry.outcome === 'denied') return true;
  return (
    entry.resource.type === denied.resource.type &&
    (denied.resource.id === null || entry.resource.id === denied.resource.id)
  );
}

/**
 * The request ends in an error answer with `code` (a refusal after the gate let it through,
 * a conflict, a failure): every grant of the request not recorded as done is audited as denied
 * with that code, once, as the gate audits its own refusals (docs/ACCESS.md, "Audited grants").
 * A grant whose entry was written in a transaction that committed keeps that entry instead.
 * Rejects when an entry could not be written; the caller answers 500.
 *
 * @example
 *   await auditUnfinishedGrants(request, problem.code); // in the error handler, before answering
 */
export async function auditUnfinishedGrants(request: FastifyRequest, code: string): Promise<void> {
  const grants = inFlight.get(request.id);
  if (grants === undefined) return;
  // Taken before any await: a second error answer for the request finds nothing left.
  const unfinished = grants.unfinished.filter((grant) => !grant.done);
  for (const grant of unfinished) grant.done = true;
  const failures: unknown[] = [];
  await Promise.all(
    unfinished.map(async (grant) => {
      try {
        if (await writtenAndCommitted(grant)) return;
        await grant.audit.append({ ...grant.denied, reasonCode: code });
      } catch (error) {
        failures.push(error);
      }
    }),
  );
  if (failures.length > 0)
    throw new AggregateError(failures, 'A refused or failed grant could not be audited');
}

async function writtenAndCommitted(grant: UnfinishedGrant): Promise<boolean> {
  for (const committed of grant.written) if (await committed()) return true;
  return false;
}
