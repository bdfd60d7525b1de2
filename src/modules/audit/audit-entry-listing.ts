import { type Kysely, sql } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { Actor, Purpose } from '../../shared/access/actor.js';
import type { AccessGuard } from '../../shared/access/guard-port.js';
import type { AuditEntryInput } from '../../shared/audit/audit-entry.js';
import { toIndex } from './audit-repository.js';
import { parseEntry } from './canonical-entry.js';
import { auditLimits } from './limits.js';

/** Entries in one page of `GET /api/audit/entries` (`limits.audit` in src/limits.ts). */
export const auditEntryPageSizeDefault = auditLimits.entryListPageSizeDefault;
export const auditEntryPageSizeMax = auditLimits.entryListPageSizeMax;

/** One entry as an auditor sees it: the entry itself (ids and field names, never values). */
export interface AuditEntryView extends Omit<AuditEntryInput, 'fields'> {
  leafIndex: number;
  time: string;
  fields: string[];
}

export interface AuditEntryFilter {
  /** Only entries with a leaf index below this one (the previous page's `nextBefore`). */
  before?: number;
  limit?: number;
  action?: string;
  outcome?: 'allowed' | 'denied';
}

/**
 * A page of the audit log for auditors, newest first, optionally only one action or outcome
 * (action `audit.read`, purpose `audit`; the listing is itself audited before it is read, so
 * it shows at the top of its own page). Entries hold ids and field names only, as written.
 *
 * @example
 * const page = await auditEntryLister({ db, guard }, { actor, purpose: 'audit', requestId }, { outcome: 'denied' });
 */
export async function auditEntryLister(
  deps: { db: Kysely<Database>; guard: AccessGuard },
  context: { actor: Actor | null; purpose: Purpose | null; requestId: string },
  filter: AuditEntryFilter,
): Promise<{ entries: AuditEntryView[]; nextBefore: number | null }> {
  const grant = await deps.guard({
    actor: context.actor,
    action: 'audit.read',
    resource: { type: 'audit', id: null },
    regionCode: null,
    personId: null,
    exists: true,
    purpose: context.purpose,
    requestId: context.requestId,
    countsAsPersonRead: false,
  });
  await grant.record([]);
  const limit = Math.min(filter.limit ?? auditEntryPageSizeDefault, auditEntryPageSizeMax);
  const rows = await readEntries(deps.db, filter, limit);
  const entries = rows.map((row) => {
    const { v: _version, ...record } = parseEntry(row.entry);
    return { ...record, fields: [...record.fields], leafIndex: row.leafIndex };
  });
  const last = rows.at(-1);
  return { entries, nextBefore: rows.length === limit && last ? last.leafIndex : null };
}

async function readEntries(
  db: Kysely<Database>,
  filter: AuditEntryFilter,
  limit: number,
): Promise<{ leafIndex: number; entry: string }[]> {
  let query = db.selectFrom('audit_entry').select(['leaf_index', 'entry']);
  if (filter.before !== undefined) query = query.where('leaf_index', '<', filter.before);
  if (filter.action !== undefined) query = query.where('action', '=', filter.action);
  if (filter.outcome !== undefined) {
    query = query.where(sql<string>`entry::json->>'outcome'`, '=', filter.outcome);
  }
  const rows = await query.orderBy('leaf_index', 'desc').limit(limit).execute();
  return rows.map((row) => ({ leafIndex: toIndex(row.leaf_index), entry: row.entry }));
}
