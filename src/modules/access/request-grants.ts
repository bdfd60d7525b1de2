import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditEntryInput } from '../../shared/audit/audit-entry.js';
import { accessLimits } from './limits.js';

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
 */
const inFlight = new Map<string, RequestGrants>();

/**
 * Opens each request's record of grants before its handler runs (after the body is parsed and
 * validated, so no grant can precede it). A `fastify-plugin` hook: it reaches every route
 * registered after it. Grants made outside a request (CLI, jobs) are not remembered.
 *
 * @example
 *   installGrantScope(app); // in the access plugin, before any module's routes
 */
export function installGrantScope(app: FastifyInstance): void {
  app.addHook('preHandler', async (request) => {
    // Bounded: requests in flight are few (admission control), and each is forgotten once
    // answered; should an answer go unseen (a client gone), the oldest are forgotten first.
    if (inFlight.size >= accessLimits.grantRequestsTrackedMax) {
      const oldest = inFlight.keys().next().value;
      if (oldest !== undefined) inFlight.delete(oldest);
    }
    inFlight.set(request.id, { unfinished: [] });
  });
  // Not on a client's abort: the handler may still be refused or fail, and be audited.
  app.addHook('onResponse', async (request) => {
    inFlight.delete(request.id);
  });
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
