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
import { readEntriesAt, readPersonEntries } from './audit-repository.js';
import { parseEntry } from './canonical-entry.js';
import { auditLimits } from './limits.js';
import { treeHeadView } from './routes.js';

/** The log, and the ports `src/app.ts` injects: the access guard and the person's region. */
export interface AccessHistoryDependencies {
  db: Kysely<Database>;
  auditLog: AuditLog;
  guard: AccessGuard;
  personRegion: PersonRegionLookup;
  /** Entries not about the person that still concern them (a port; below). */
  offlineLists?: OfflineListSource;
}

/**
 * The entries of the offline lists (a distribution point's snapshot for a device) that held the
 * person: each is one entry on the point, read by leaf index, shown in the person's history with
 * the point and the device (distribution's `offlineListLinesOf`, wired in `src/app.ts`; audit
 * imports no module). Newest first, leaf index below `beforeIndex`, at most `limit`.
 */
export interface OfflineListSource {
  linesOf(
    db: Kysely<Database>,
    props: { personId: string; beforeIndex: number | undefined; limit: number },
  ): Promise<({ leafIndex: number } & OfflineListView)[]>;
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
  /** Present when the entry is an offline list that held the person (not an entry on them). */
  offlineList?: OfflineListView;
}

/** An offline list as the person's history names it: the point, the device, when it was built. */
export interface OfflineListView {
  pointCode: string;
  pointName: string;
  deviceLabel: string;
  snapshotIssuedAt: string;
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
  const rows = await historyRows(deps, props.personId, props.cursor, limit);
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
      ...(row.offlineList === undefined ? {} : { offlineList: row.offlineList }),
    });
  }
  const last = rows.at(-1);
  return {
    treeHead: treeHeadView(head),
    entries: lines,
    nextCursor: rows.length === limit && last ? last.leafIndex : null,
  };
}

type HistoryRow = Awaited<ReturnType<typeof readPersonEntries>>[number] & {
  offlineList?: AccessHistoryLine['offlineList'];
};

/**
 * The page's entries: those on the person and, merged by leaf index, the offline lists that held
 * them (their entries read from the log here, not taken from the port).
 */
async function historyRows(
  deps: AccessHistoryDependencies,
  personId: string,
  cursor: number | undefined,
  limit: number,
): Promise<HistoryRow[]> {
  const own: HistoryRow[] = await readPersonEntries(deps.db, personId, cursor, limit);
  if (deps.offlineLists === undefined) return own;
  const lists = await deps.offlineLists.linesOf(deps.db, {
    personId,
    beforeIndex: cursor,
    limit,
  });
  if (lists.length === 0) return own;
  const texts = await readEntriesAt(
    deps.db,
    lists.map((line) => line.leafIndex),
  );
  const listed: HistoryRow[] = lists.flatMap((line) => {
    const entry = texts.get(line.leafIndex);
    if (entry === undefined) return [];
    const { leafIndex, ...offlineList } = line;
    return [{ leafIndex, entry, offlineList }];
  });
  return [...own, ...listed].sort((a, b) => b.leafIndex - a.leafIndex).slice(0, limit);
}
