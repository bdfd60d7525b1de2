import type { Kysely } from 'kysely';
import type { KeyStore } from '../../platform/crypto/key-store.js';
import type { Database } from '../../platform/db/schema.js';
import { EntryMac } from './entry-mac.js';
import { auditLimits } from './limits.js';

/**
 * The sibling of `verifyAuditLog` for changes made around the application (issue #11, point
 * 3). The database writes `change_trail` itself (migration 0024) for every change of an
 * account's roles, regions or disabled state and of a person's region; an executed erasure is
 * in `erasure_request`. Each must have the audit entry the application writes when it makes
 * that change, and that entry's MAC (keyed outside the database) must verify, so an attacker
 * holding only the application's database password can neither skip nor forge it:
 *
 * - a trail row needs an allowed entry of the same request id about the same record naming
 *   the column in its fields (`state_code` for a person's region), each entry pairing with
 *   at most one row per column;
 * - an executed erasure needs the allowed `person.erasure_request` entry of its requester and
 *   the `person.erasure_approve` entry of its approver, about the same person.
 *
 * Anything else was done outside the application (SQL injection, a stolen password, a database
 * administrator) and is reported. Run it after `verifyAuditLog` has found the log intact.
 *
 * @example
 *   const report = await checkChangeTrail(db, keys);
 *   report.problems[0]; // { kind: 'change_unaudited', table: 'operator', column: 'roles', … }
 */
export interface ChangeTrailProblem {
  kind: 'change_unaudited' | 'erasure_unaudited' | 'snapshot_changed';
  table: 'operator' | 'person' | 'erasure_request' | 'distribution_snapshot';
  recordId: string;
  /** The column changed, or the missing step of an erasure. */
  what: string;
  detail: string;
}

export interface ChangeTrailReport {
  ok: boolean;
  changesChecked: number;
  erasuresChecked: number;
  /** Offline snapshots checked against their audit entry (0 without a `SnapshotCommitments`). */
  snapshotsChecked: number;
  /** The first problems found, at most `auditLimits.changeTrailProblemsMax`. */
  problems: ChangeTrailProblem[];
  /** How many problems there were in all. */
  problemCount: number;
}

/** Audit actions that make the changes the trail records. */
const changingActions = [
  'operator.manage',
  'operator.grant_approve',
  'person.correct',
  'person.erasure_request',
  'person.erasure_approve',
];

/** The audit field that names a trail column: a person's region is their address state. */
const auditField = (column: string) => (column === 'region_code' ? 'state_code' : column);

/**
 * The distribution module's offline snapshots as kept (`src/cli` wires it): each with the point
 * it was built for, the leaf of its audit entry and the digest field of its kept scope, which
 * the entry must name (`entitlement_scope_sha256:…`). A snapshot's entry names it, its point and
 * that digest; a person's access history lists the snapshots whose kept scope holds them, so a
 * scope emptied of someone, a leaf index cleared or a point changed afterwards hides the line
 * from them, and is what this check finds.
 */
export interface SnapshotCommitments {
  snapshotsOf(db: Kysely<Database>): AsyncIterable<SnapshotCommitment>;
}

export interface SnapshotCommitment {
  snapshotId: string;
  pointId: string;
  leafIndex: number | null;
  /** `entitlement_scope_sha256:<hex>` of the kept scope, null when none is kept. */
  scopeDigestField: string | null;
}

export async function checkChangeTrail(
  db: Kysely<Database>,
  keys: Pick<KeyStore, 'masterKey'>,
  sources: { snapshots?: SnapshotCommitments } = {},
): Promise<ChangeTrailReport> {
  const entries = await readChangingEntries(db, new EntryMac(keys.masterKey));
  const problems: ChangeTrailProblem[] = [];
  let changesChecked = 0;
  let afterId = 0n;
  for (;;) {
    const rows = await db
      .selectFrom('change_trail')
      .select(['id', 'table_name', 'record_id', 'column_name', 'request_id', 'session_role'])
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(auditLimits.verifyPageRows)
      .execute();
    for (const row of rows) {
      changesChecked += 1;
      const key = `${row.request_id}|${row.record_id}|${auditField(row.column_name)}`;
      if (row.request_id !== null && take(entries.changes, key)) continue;
      problems.push({
        kind: 'change_unaudited',
        table: row.table_name,
        recordId: row.record_id,
        what: row.column_name,
        detail: `${row.table_name}.${row.column_name} of ${row.record_id} changed by database role ${row.session_role} without an audit entry of the application (request ${row.request_id ?? 'none'})`,
      });
    }
    const last = rows.at(-1);
    if (last === undefined || rows.length < auditLimits.verifyPageRows) break;
    afterId = BigInt(last.id);
  }
  const erasures = await db
    .selectFrom('erasure_request')
    .select(['id', 'person_id', 'requested_by', 'approved_by'])
    .where('status', '=', 'executed')
    .execute();
  for (const erasure of erasures) {
    const steps = [
      ['person.erasure_request', erasure.requested_by],
      ['person.erasure_approve', erasure.approved_by],
    ] as const;
    for (const [action, actor] of steps) {
      if (entries.steps.has(`${action}|${actor}|${erasure.person_id}`)) continue;
      problems.push({
        kind: 'erasure_unaudited',
        table: 'erasure_request',
        recordId: erasure.id,
        what: action,
        detail: `erasure ${erasure.id} is executed, but operator ${actor} has no allowed ${action} entry for person ${erasure.person_id}`,
      });
    }
  }
  const snapshotsChecked = sources.snapshots
    ? await checkSnapshots(db, sources.snapshots, entries.snapshots, problems)
    : 0;
  return {
    ok: problems.length === 0,
    changesChecked,
    erasuresChecked: erasures.length,
    snapshotsChecked,
    problems: problems.slice(0, auditLimits.changeTrailProblemsMax),
    problemCount: problems.length,
  };
}

/**
 * Each snapshot against the entry that names it. A snapshot no entry names was built before
 * entries named their snapshot (migration 0148) and has no leaf index: it is counted, not
 * reported.
 */
async function checkSnapshots(
  db: Kysely<Database>,
  source: SnapshotCommitments,
  named: Map<string, SnapshotEntry>,
  problems: ChangeTrailProblem[],
): Promise<number> {
  let checked = 0;
  for await (const snapshot of source.snapshotsOf(db)) {
    checked += 1;
    const entry = named.get(snapshot.snapshotId);
    const changed = (what: string, detail: string) =>
      problems.push({
        kind: 'snapshot_changed',
        table: 'distribution_snapshot',
        recordId: snapshot.snapshotId,
        what,
        detail: `offline snapshot ${snapshot.snapshotId}: ${detail}`,
      });
    if (entry === undefined) {
      if (snapshot.leafIndex !== null)
        changed('audit_leaf_index', `leaf ${snapshot.leafIndex} is not an entry naming it`);
      continue;
    }
    if (snapshot.leafIndex !== entry.leafIndex)
      changed(
        'audit_leaf_index',
        `kept as leaf ${snapshot.leafIndex ?? 'none'}, its entry is leaf ${entry.leafIndex}`,
      );
    if (snapshot.pointId !== entry.pointId)
      changed('point_id', `kept for point ${snapshot.pointId}, built for ${entry.pointId}`);
    if (entry.scopeDigestField !== null && snapshot.scopeDigestField !== entry.scopeDigestField)
      changed(
        'entitlement_scope',
        'its kept scope no longer has the digest its entry committed to (someone was added to or removed from it)',
      );
  }
  return checked;
}

/** Consumes one pairing for `key`; false when none is left. */
function take(counts: Map<string, number>, key: string): boolean {
  const left = counts.get(key) ?? 0;
  if (left === 0) return false;
  counts.set(key, left - 1);
  return true;
}

interface ChangingEntries {
  /** `requestId|resourceId|field` → how many rows it may still pair with. */
  changes: Map<string, number>;
  /** `action|actorId|resourceId` of allowed erasure steps. */
  steps: Set<string>;
  /** Snapshot id → the entry that names it. */
  snapshots: Map<string, SnapshotEntry>;
}

interface SnapshotEntry {
  leafIndex: number;
  pointId: string;
  scopeDigestField: string | null;
}

/** Offline snapshots are built under the redemption action (snapshot-builder.ts). */
const snapshotAction = 'distribution.redeem';

/** Allowed entries of the changing actions whose MAC verifies, a page at a time. */
async function readChangingEntries(db: Kysely<Database>, mac: EntryMac): Promise<ChangingEntries> {
  const found: ChangingEntries = { changes: new Map(), steps: new Set(), snapshots: new Map() };
  let after = -1;
  for (;;) {
    const rows = await db
      .selectFrom('audit_entry')
      .select(['leaf_index', 'entry', 'entry_mac'])
      .where('action', 'in', [...changingActions, snapshotAction])
      .where('leaf_index', '>', after)
      .orderBy('leaf_index')
      .limit(auditLimits.verifyPageRows)
      .execute();
    for (const row of rows) {
      const leafIndex = Number(row.leaf_index);
      if (!mac.verify(leafIndex, Buffer.from(row.entry, 'utf8'), row.entry_mac)) continue;
      addEntry(found, leafIndex, JSON.parse(row.entry));
    }
    const last = rows.at(-1);
    if (last === undefined || rows.length < auditLimits.verifyPageRows) return found;
    after = Number(last.leaf_index);
  }
}

function addEntry(found: ChangingEntries, leafIndex: number, entry: unknown): void {
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  const field = (object: unknown, key: string) =>
    typeof object === 'object' && object !== null ? Reflect.get(object, key) : undefined;
  if (field(entry, 'outcome') !== 'allowed') return;
  const action = text(field(entry, 'action'));
  const resourceId = text(field(field(entry, 'resource'), 'id'));
  const actorId = text(field(field(entry, 'actor'), 'id'));
  const requestId = text(field(entry, 'requestId'));
  const fields = field(entry, 'fields');
  if (action === null || resourceId === null) return;
  if (action === snapshotAction) {
    if (!Array.isArray(fields)) return;
    const names = fields.map(String);
    const snapshotId = names.find((name) => name.startsWith('snapshot_id:'))?.slice(12);
    if (snapshotId === undefined) return;
    found.snapshots.set(snapshotId, {
      leafIndex,
      pointId: resourceId,
      scopeDigestField: names.find((name) => name.startsWith('entitlement_scope_sha256:')) ?? null,
    });
    return;
  }
  found.steps.add(`${action}|${actorId}|${resourceId}`);
  if (requestId === null || !Array.isArray(fields)) return;
  for (const name of fields) {
    const key = `${requestId}|${resourceId}|${String(name)}`;
    found.changes.set(key, (found.changes.get(key) ?? 0) + 1);
  }
}

/** A human-readable report of the change-trail check. */
export function describeChangeTrail(report: ChangeTrailReport): string {
  const checked = `${report.changesChecked} changes of roles, regions, disabled state and person regions, ${report.erasuresChecked} executed erasures and ${report.snapshotsChecked} offline snapshots`;
  if (report.ok) return `Change trail matched: ${checked} each have their audit entry.\n`;
  const lines = report.problems.map((problem) => `  ${problem.kind}: ${problem.detail}`);
  return `CHANGES MADE OUTSIDE THE APPLICATION: ${report.problemCount} of ${checked} do not match an audit entry of the application.\n${lines.join('\n')}\n`;
}
