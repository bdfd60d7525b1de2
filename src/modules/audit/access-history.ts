import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { Actor, Purpose } from '../../shared/access/actor.js';
import {
  type AccessGuard,
  guardPersonRecord,
  type PersonRegionLookup,
} from '../../shared/access/guard-port.js';
import type { AuditLog } from './audit-log.js';
import type { PersonAccessView } from './audit-proofs.js';
import { readPersonEntries } from './audit-repository.js';
import { parseEntry } from './canonical-entry.js';
import { auditLimits } from './limits.js';
import { treeHeadView } from './routes.js';

/** The log, and the ports `src/app.ts` injects: the access guard and the person's region. */
export interface AccessHistoryDependencies {
  db: Kysely<Database>;
  auditLog: AuditLog;
  guard: AccessGuard;
  personRegion: PersonRegionLookup;
}

export interface AccessHistoryProps {
  actor: Actor | null;
  personId: string;
  purpose: Purpose | null;
  cursor: number | undefined;
  limit: number | undefined;
  requestId: string;
}

export interface AccessHistoryLine extends PersonAccessView {
  /** The canonical entry exactly as hashed into the log, so the reader can recompute its leaf. */
  entryText: string;
  /** Inclusion proof (hex) in the tree of `treeHead.treeSize`. */
  proof: string[];
}

/**
 * "Who looked at my record" (safeguard 4): a person's access history, newest first, each
 * line with an inclusion proof against a freshly signed tree head, so the person's own
 * browser can check that what it shows is in the tamper-evident log. Reading the history is
 * itself audited first, so it appears in the history it returns.
 *
 * @example
 *   const history = await accessHistoryReader({ db, auditLog, guard, personRegion },
 *     { actor, personId, purpose: 'self', … });
 */
export async function accessHistoryReader(
  deps: AccessHistoryDependencies,
  props: AccessHistoryProps,
) {
  const grant = await guardPersonRecord(deps, {
    actor: props.actor,
    action: 'person.access_history',
    personId: props.personId,
    purpose: props.purpose,
    requestId: props.requestId,
    countsAsPersonRead: true,
  });
  await grant.record([]);
  const head = await deps.auditLog.signTreeHead();
  const limit = Math.min(
    props.limit ?? auditLimits.personPageSizeDefault,
    auditLimits.personPageSizeMax,
  );
  const rows = await readPersonEntries(deps.db, props.personId, props.cursor, limit);
  const lines: AccessHistoryLine[] = [];
  for (const row of rows.filter((candidate) => candidate.leafIndex < head.treeSize)) {
    const record = parseEntry(row.entry);
    const proof = await deps.auditLog.proofs.inclusionProof(row.leafIndex, head.treeSize);
    lines.push({
      leafIndex: row.leafIndex,
      time: record.time,
      actorKind: record.actor.kind,
      role: record.actor.role,
      region: record.actor.region,
      purpose: record.purpose,
      action: record.action,
      outcome: record.outcome,
      entryText: row.entry,
      proof: proof.proof.map((hash) => Buffer.from(hash).toString('hex')),
    });
  }
  const last = rows.at(-1);
  return {
    treeHead: treeHeadView(head),
    entries: lines,
    nextCursor: rows.length === limit && last ? last.leafIndex : null,
  };
}
