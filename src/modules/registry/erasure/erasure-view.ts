import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type { Purpose } from '../../../shared/access/actor.js';
import type { AuditLog } from '../../audit/index.js';
import type { RegistryEvents } from '../registry-events.js';
import type { DuplicateChecker } from '../review/duplicate-checker.js';
import { type ErasureRequestRow, findErasureRequest } from './repository.js';
import type { ErasureReasonCode, ErasureStatus } from './tables.js';

/** What the erasure verbs need. */
export interface ErasureDependencies {
  db: Kysely<Database>;
  /** The audit log: refusals are appended on their own, decisions inside their transaction. */
  audit: Pick<AuditLog, 'append' | 'appendInTransaction'>;
  /** Time of requests and erasures; the wall clock when absent. */
  clock?: () => Date;
  /** The enrolment-time duplicate index, told to forget erased records. */
  duplicates?: Pick<DuplicateChecker, 'forgetPerson'>;
  /** An executed erasure is published here, inside its transaction (registry-events.ts). */
  events: RegistryEvents;
}

/** The only purpose erasure is decided for (docs/ACCESS.md). */
export const erasurePurpose: Purpose = 'appeal';

/** A request as shown to administrators: identifiers, ground and dates, no attributes. */
export interface ErasureRequestView {
  id: string;
  personId: string;
  uin: string;
  regionCode: string;
  reasonCode: ErasureReasonCode;
  reference: string | null;
  status: ErasureStatus;
  requestedBy: { id: string; username: string };
  requestedAt: string;
  approvedBy: string | null;
  approvedAt: string | null;
  executedAt: string | null;
  withdrawnBy: string | null;
  withdrawnAt: string | null;
}

export function now(deps: ErasureDependencies): Date {
  return deps.clock?.() ?? new Date();
}

/** Reads back a request this process has just written. */
export async function mustFind(db: Kysely<Database>, id: string): Promise<ErasureRequestRow> {
  const row = await findErasureRequest(db, id);
  if (!row) throw new Error(`erasure request ${id} vanished after it was written`);
  return row;
}

/**
 * The view of a stored request.
 *
 * @example
 *   view(await mustFind(db, id)).status; // 'pending'
 */
export function view(row: ErasureRequestRow): ErasureRequestView {
  return {
    id: row.id,
    personId: row.personId,
    uin: row.uin,
    regionCode: row.regionCode,
    reasonCode: row.reasonCode,
    reference: row.reference,
    status: row.status,
    requestedBy: { id: row.requestedBy, username: row.requestedByUsername },
    requestedAt: row.requestedAt.toISOString(),
    approvedBy: row.approvedBy,
    approvedAt: row.approvedAt?.toISOString() ?? null,
    executedAt: row.executedAt?.toISOString() ?? null,
    withdrawnBy: row.withdrawnBy,
    withdrawnAt: row.withdrawnAt?.toISOString() ?? null,
  };
}
