import type { AuditEntryInput } from '../../shared/audit/audit-entry.js';
import type { DistributionDependencies } from './distribution-context.js';
import { DistributionError } from './distribution-error.js';
import { type RequestWrite, refusalEntry } from './point-gate.js';

/**
 * Runs a write whose refusals are found inside its transaction (stock below zero, more asked
 * than remains): the transaction rolls back, so the refusal's audit entry is appended after it,
 * outside, and the refusal is thrown on. Nothing was counted; the attempt is in the log.
 *
 * @example
 *   await auditingRefusals(deps, write, resource, () => runIdempotent(deps.db, key, work));
 */
export async function auditingRefusals<T>(
  deps: DistributionDependencies,
  write: RequestWrite,
  resource: AuditEntryInput['resource'],
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DistributionError) {
      await deps.audit.append(refusalEntry(write, resource, error.code));
    }
    throw error;
  }
}
