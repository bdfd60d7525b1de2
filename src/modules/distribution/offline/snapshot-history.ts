import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { entitlementsEverOf } from '../../programs/index.js';

/**
 * "Included in the offline list of point X on date, for device Y" in each person's access
 * history (review finding F6): the persons a snapshot held see its build without one audit entry
 * per person. The snapshot's one audit entry (on the point) names the snapshot and the SHA-256
 * of its kept scope (`entitlement_scope`, the last 6 bytes of each entitlement id, migration
 * 0139); its leaf index is kept on the snapshot's row (migration 0148). A person's history joins
 * the two: a snapshot is listed when its scope holds one of the person's entitlements. The line
 * is that entry, with its inclusion proof, so the person's browser checks it like any other.
 *
 * What is proven and what is derived: the entry (who built which snapshot for which device, when,
 * with which scope digest) is in the tamper-evident log; that the person was in it is the
 * server's reading of the scope, which an auditor can redo from the row — and a scope changed or
 * emptied afterwards no longer matches the digest the log holds. Compact, not exact: an
 * entitlement matches another's 48 bits about once in 5.6 billion per snapshot, as at sync.
 *
 * @example
 *   const lines = await offlineListLinesOf(db, areas, { personId, beforeIndex: undefined, limit: 50 });
 *   // [{ leafIndex: 812, pointCode: 'KIO-1', pointName: 'Kiosco', deviceLabel: 'Tablet 2',
 *   //    snapshotIssuedAt: '2026-12-01T09:30:00.000Z' }]
 */
export interface OfflineListLine {
  leafIndex: number;
  pointCode: string;
  pointName: string;
  deviceLabel: string;
  /** When the snapshot was built (ISO 8601): the list the person was in is of that moment. */
  snapshotIssuedAt: string;
}

/** Every area one person's record has named: the registry's `personAreas().areasEverOf`. */
export interface PersonAreasEver {
  areasEverOf(
    db: Kysely<Database>,
    personId: string,
  ): Promise<{ regionCode: string; municipalityCode: string | null }[]>;
}

/**
 * The audit module's `OfflineListSource` port, as `src/app.ts` wires it.
 *
 * @example
 *   await app.register(auditPlugin, { …, offlineLists: offlineListSource(personAreas()) });
 */
export function offlineListSource(areas: PersonAreasEver): {
  linesOf(
    db: Kysely<Database>,
    props: { personId: string; beforeIndex: number | undefined; limit: number },
  ): Promise<OfflineListLine[]>;
} {
  return { linesOf: (db, props) => offlineListLinesOf(db, areas, props) };
}

/**
 * The audit check's `SnapshotCommitments` (`amparo audit verify`): every snapshot as kept, a page
 * at a time, with the digest field of its kept scope.
 *
 * @example
 *   await checkChangeTrail(db, keys, { snapshots: snapshotCommitments() });
 */
export function snapshotCommitments(pageRows = 500): {
  snapshotsOf(db: Kysely<Database>): AsyncIterable<{
    snapshotId: string;
    pointId: string;
    leafIndex: number | null;
    scopeDigestField: string | null;
  }>;
} {
  return {
    async *snapshotsOf(db) {
      let after: string | undefined;
      for (;;) {
        const rows = await db
          .selectFrom('distribution_snapshot')
          .select(['id', 'point_id', 'audit_leaf_index', 'entitlement_scope'])
          .$if(after !== undefined, (query) => query.where('id', '>', after as string))
          .orderBy('id')
          .limit(pageRows)
          .execute();
        for (const row of rows) {
          yield {
            snapshotId: row.id,
            pointId: row.point_id,
            leafIndex: row.audit_leaf_index === null ? null : Number(row.audit_leaf_index),
            scopeDigestField:
              row.entitlement_scope === null
                ? null
                : scopeDigestField(Buffer.from(row.entitlement_scope)),
          };
        }
        const last = rows.at(-1);
        if (last === undefined || rows.length < pageRows) return;
        after = last.id;
      }
    },
  };
}

/** The fields of a snapshot's audit entry: what it is, which snapshot, and its scope's digest. */
export function snapshotAuditFields(
  snapshotId: string,
  scope: Buffer,
  householdBindings: boolean,
): string[] {
  return [
    'snapshot',
    `snapshot_id:${snapshotId}`,
    scopeDigestField(scope),
    ...(householdBindings ? ['household_bindings'] : []),
  ];
}

/**
 * The leaf index the audit log gave the snapshot's entry (`AuditLog.appendInTransaction` answers
 * one per entry); null from a recorder that reports none, and the snapshot is then listed in no
 * one's history.
 */
export function appendedLeafIndex(appended: unknown): number | null {
  const first: unknown = Array.isArray(appended) ? appended[0] : undefined;
  if (typeof first !== 'object' || first === null) return null;
  const leafIndex: unknown = Reflect.get(first, 'leafIndex');
  return typeof leafIndex === 'number' ? leafIndex : null;
}

/** `entitlement_scope_sha256:<hex>`: the field that commits a snapshot's scope to the log. */
export function scopeDigestField(scope: Buffer): string {
  return `entitlement_scope_sha256:${createHash('sha256').update(scope).digest('hex')}`;
}

/**
 * The snapshots that held one of the person's entitlements, newest first, with a leaf index
 * below `beforeIndex`. Only snapshots that could have held them are read: of the points of the
 * areas the person's record ever named (a state-wide point's state, a point's municipality) and
 * of the points that ever served them, built after their first entitlement; within those, the
 * scope is searched in the database (`position`, at a 6-byte boundary), not sent here.
 */
export async function offlineListLinesOf(
  db: Kysely<Database>,
  areas: PersonAreasEver,
  props: { personId: string; beforeIndex: number | undefined; limit: number },
): Promise<OfflineListLine[]> {
  const entitlements = await entitlementsEverOf(db, props.personId);
  if (entitlements.length === 0) return [];
  const keys = entitlements.map((each) => each.entitlementId.replaceAll('-', '').slice(-12));
  const since = new Date(Math.min(...entitlements.map((each) => each.createdAt.getTime())));
  const everAreas = await areas.areasEverOf(db, props.personId);
  const before = props.beforeIndex ?? Number.MAX_SAFE_INTEGER;
  const held = sql<boolean>`exists (select 1 from unnest(${keys}::text[]) as k (hex)
      where mod(position(decode(k.hex, 'hex') in s.entitlement_scope) - 1, 6) = 0)`;
  const page = (where: ReturnType<typeof sql>) => sql`(
      select s.id, s.audit_leaf_index from distribution_snapshot s
       where s.audit_leaf_index is not null and s.audit_leaf_index < ${before}
         and s.issued_at >= ${since} and ${where} and ${held}
       order by s.audit_leaf_index desc limit ${props.limit})`;
  const regions = everAreas.map((area) => area.regionCode);
  const municipalities = everAreas.map((area) => area.municipalityCode ?? '');
  const { rows } = await sql<{
    leaf: string | number | bigint;
    point_code: string;
    point_name: string;
    device_label: string;
    issued_at: Date | string;
  }>`
    with found as (
      ${page(sql`s.point_id in (select r.point_id from redemption r where r.person_id = ${props.personId})`)}
      union
      ${page(sql`exists (select 1 from unnest(${regions}::text[], ${municipalities}::text[]) as a (region, municipality)
        where s.region_code = a.region
          and (s.municipality_code is null or s.municipality_code = a.municipality))`)}
    )
    select found.audit_leaf_index as leaf, p.code as point_code, p.name as point_name,
      d.label as device_label, s.issued_at
    from found
    join distribution_snapshot s on s.id = found.id
    join distribution_point p on p.id = s.point_id
    join distribution_device d on d.id = s.device_id
    order by found.audit_leaf_index desc
    limit ${props.limit}
  `.execute(db);
  return rows.map((row) => ({
    leafIndex: Number(row.leaf),
    pointCode: row.point_code,
    pointName: row.point_name,
    deviceLabel: row.device_label,
    snapshotIssuedAt: new Date(row.issued_at).toISOString(),
  }));
}
