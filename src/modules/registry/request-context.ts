import type { Actor, Purpose } from '../../shared/access/actor.js';
import type { WriteContext } from './persons/person-writer.js';

/**
 * Who asks, why, and for which request, read from a route's request: every registry verb takes
 * it. The purpose is the query's `purpose` (null when absent: the guard then refuses whatever
 * needs one).
 *
 * @example
 *   await personMerger(deps, { ...requestContext(request), personId, request: request.body });
 */
export function requestContext(request: {
  actor: Actor | null;
  id: string;
  query: { purpose?: Purpose };
}): WriteContext {
  return { actor: request.actor, purpose: request.query.purpose ?? null, requestId: request.id };
}
