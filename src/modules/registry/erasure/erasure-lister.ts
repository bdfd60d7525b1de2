import { AmparoError } from '../../../platform/errors.js';
import type { Actor } from '../../../shared/access/actor.js';
import { authorize } from '../../../shared/access/policy.js';
import { entry } from './erasure-audit.js';
import {
  type ErasureDependencies,
  type ErasureRequestView,
  erasurePurpose,
  view,
} from './erasure-view.js';
import { erasureLimits } from './limits.js';
import { listErasureRequests } from './repository.js';
import type { ErasureStatus } from './tables.js';

export interface ErasureListProps {
  actor: Actor | null;
  status: ErasureStatus;
  limit: number | null;
  requestId: string;
}

/**
 * Requests in a status about persons of the administrator's regions, oldest first. Shows
 * the ID number so the approver can check it against the order or request on file, and no
 * attribute of the person. Each row passes the same policy as approving it; the listing
 * itself is audited.
 *
 * @example
 *   const pending = await erasureLister(deps, { actor, status: 'pending', limit: null, requestId });
 */
export async function erasureLister(
  deps: ErasureDependencies,
  props: ErasureListProps,
): Promise<ErasureRequestView[]> {
  const { actor } = props;
  if (actor === null) throw new AmparoError('AMP_UNAUTHENTICATED');
  const mayApprove = (regionCode: string | null) =>
    authorize(actor, 'person.erasure_approve', { regionCode, personId: null }, erasurePurpose);
  const decision = mayApprove(null);
  // With no record named, an administrator is refused only for scope; anyone else for role.
  if (actor.kind !== 'operator' || (!decision.allowed && decision.refusal !== 'outside_scope')) {
    throw new AmparoError('AMP_FORBIDDEN', { detail: 'Only administrators see erasure requests' });
  }
  const rows = await listErasureRequests(deps.db, {
    status: props.status,
    regionCodes: actor.regions,
    limit: Math.min(
      props.limit ?? erasureLimits.listPageSizeDefault,
      erasureLimits.listPageSizeMax,
    ),
  });
  const visible = rows.filter((row) => mayApprove(row.regionCode).allowed);
  await deps.audit.append(
    entry(actor, {
      action: 'person.erasure_list',
      resource: { type: 'erasure', id: null },
      regionCode: null,
      purpose: erasurePurpose,
      requestId: props.requestId,
    }),
  );
  return visible.map(view);
}
