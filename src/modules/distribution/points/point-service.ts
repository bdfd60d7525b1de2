import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import type { Actor } from '../../../shared/access/actor.js';
import { writeAuditEntry } from '../../../shared/audit/write-audit-entry.js';
import {
  guardPersonAccess,
  guardRegionalAccess,
  operatorsNamed,
  operatorsWithIds,
} from '../../access/index.js';
import type { DistributionContext, DistributionDependencies } from '../distribution-context.js';
import { distributionLimits } from '../limits.js';
import { guardPoint, type PointRow, pointRowOf, type RequestWrite } from '../point-gate.js';
import { forgetPointGates } from '../point-gate-cache.js';
import type { PointKind, PointStatus } from '../tables.js';

/**
 * Distribution points (issue #15, point 1): registered by a supervisor for a state, with the
 * programs they serve and the operators assigned to them, opened and closed. Every change is
 * one transaction with its audit entry.
 *
 * @example
 *   const { pointId } = await pointCreator(deps, context, {
 *     code: 'kiosk-petare-1', name: 'Kiosco Petare 1', kind: 'kiosk', regionCode: 'VE-M' });
 */
export interface NewPoint {
  code: string;
  name: string;
  kind: PointKind;
  regionCode: string;
  municipalityCode?: string | undefined;
}

export async function pointCreator(
  deps: DistributionDependencies,
  context: DistributionContext,
  props: NewPoint,
): Promise<{ pointId: string }> {
  const pointId = randomUUID();
  const grant = await guardPersonAccess(deps, {
    actor: context.actor,
    action: 'distribution.point_manage',
    resource: { type: 'distribution_point', id: pointId },
    regionCode: props.regionCode,
    personId: null,
    exists: true,
    purpose: context.purpose,
    requestId: context.requestId,
    countsAsPersonRead: false,
  });
  // Safe: the guard refuses a missing actor.
  const actor = context.actor as Actor;
  const write = {
    actor,
    action: 'distribution.point_manage',
    regionCode: props.regionCode,
    grant,
  };
  await deps.db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('distribution_point')
      .values({
        id: pointId,
        code: props.code,
        name: props.name,
        kind: props.kind,
        region_code: props.regionCode,
        municipality_code: props.municipalityCode ?? null,
        created_by: operatorIdOf(actor),
      })
      .onConflict((conflict) => conflict.column('code').doNothing())
      .executeTakeFirst();
    if (inserted.numInsertedOrUpdatedRows !== 1n) {
      throw new AmparoError('AMP_CONFLICT', {
        detail: `A point with code ${props.code} exists`,
        errors: [{ field: '/code', reason: 'already used' }],
      });
    }
    await deps.audit.appendInTransaction(trx, [
      writeAuditEntry(write, { type: 'distribution_point', id: pointId }, [], context.requestId),
    ]);
  });
  forgetPointGates();
  return { pointId };
}

export interface PointChange {
  name?: string | undefined;
  status?: PointStatus | undefined;
  addPrograms?: readonly string[] | undefined;
  removePrograms?: readonly string[] | undefined;
  addOperators?: readonly string[] | undefined;
  removeOperators?: readonly string[] | undefined;
  /** Distribution operators named by username; resolved to ids before the transaction. */
  addOperatorUsernames?: readonly string[] | undefined;
}

/** Renames, opens or closes a point, and edits its programs and operators, in one transaction. */
export async function pointChanger(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  change: PointChange,
): Promise<PointDetail> {
  const { write } = await guardPoint(deps, context, 'distribution.point_manage', pointId);
  const by = operatorIdOf(write.actor);
  const named = await distributionOperatorIds(deps, change.addOperatorUsernames ?? []);
  forgetPointGates();
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('distribution_point')
      .set({
        ...(change.name === undefined ? {} : { name: change.name }),
        ...(change.status === undefined ? {} : { status: change.status }),
        updated_at: new Date(),
      })
      .where('id', '=', pointId)
      .execute();
    await setMembers(trx, 'distribution_point_program', pointId, by, {
      add: change.addPrograms ?? [],
      remove: change.removePrograms ?? [],
      field: 'programs',
    });
    await setMembers(trx, 'distribution_point_operator', pointId, by, {
      add: [...(change.addOperators ?? []), ...named],
      remove: change.removeOperators ?? [],
      field: 'operators',
    });
    await refuseOverBounds(trx, pointId);
    await deps.audit.appendInTransaction(trx, [
      writeAuditEntry(
        write,
        { type: 'distribution_point', id: pointId },
        Object.keys(change).filter((key) => change[key as keyof PointChange] !== undefined),
        context.requestId,
      ),
    ]);
  });
  // Once committed: the next request at this point reads the point, its programs and operators.
  forgetPointGates();
  return pointDetail(deps, pointId);
}

/**
 * The ids of distribution operators named by username; an unknown name, a disabled account or
 * one without the distribution operator's role is refused (nothing is changed).
 */
async function distributionOperatorIds(
  deps: DistributionDependencies,
  usernames: readonly string[],
): Promise<string[]> {
  if (usernames.length === 0) return [];
  const found = await operatorsNamed(deps.db, usernames);
  const usable = new Map(
    found
      .filter((each) => !each.disabled && each.roles.includes('distribution_operator'))
      .map((each) => [each.username, each.operatorId]),
  );
  const missing = usernames.filter((name) => !usable.has(name.trim().toLowerCase()));
  if (missing.length > 0) {
    throw new AmparoError('AMP_VALIDATION', {
      errors: missing.map((name) => ({
        field: '/addOperatorUsernames',
        reason: `${name} is no active distribution operator`,
      })),
    });
  }
  return [...usable.values()];
}

type MemberTable = 'distribution_point_program' | 'distribution_point_operator';

async function setMembers(
  trx: Transaction<Database>,
  table: MemberTable,
  pointId: string,
  by: string | null,
  members: { add: readonly string[]; remove: readonly string[]; field: string },
): Promise<void> {
  const column = table === 'distribution_point_program' ? 'program_id' : 'operator_id';
  for (const id of members.add) {
    try {
      await trx
        .insertInto(table)
        .values({ point_id: pointId, [column]: id, changed_by: by } as never)
        .onConflict((conflict) =>
          conflict
            .columns(['point_id', column] as never)
            .doUpdateSet({ active: true, changed_by: by, changed_at: new Date() }),
        )
        .execute();
    } catch (error) {
      // A foreign-key violation: the id names no program or operator (the transaction ends).
      if ((error as { code?: string }).code === '23503') {
        throw new AmparoError('AMP_VALIDATION', {
          errors: [{ field: `/add${capitalised(members.field)}`, reason: `${id} names nothing` }],
        });
      }
      throw error;
    }
  }
  if (members.remove.length > 0) {
    await trx
      .updateTable(table)
      .set({ active: false, changed_by: by, changed_at: new Date() })
      .where('point_id', '=', pointId)
      .where(column as never, 'in', members.remove as never)
      .execute();
  }
}

async function refuseOverBounds(trx: Transaction<Database>, pointId: string): Promise<void> {
  const counts = await Promise.all(
    (['distribution_point_program', 'distribution_point_operator'] as const).map((table) =>
      trx
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .where('point_id', '=', pointId)
        .where('active', '=', true)
        .executeTakeFirstOrThrow(),
    ),
  );
  const [programs, operators] = counts.map((row) => Number(row.count));
  if ((programs ?? 0) > distributionLimits.pointProgramsMax) {
    throw new AmparoError('AMP_VALIDATION', {
      errors: [{ field: '/addPrograms', reason: `at most ${distributionLimits.pointProgramsMax}` }],
    });
  }
  if ((operators ?? 0) > distributionLimits.pointOperatorsMax) {
    throw new AmparoError('AMP_VALIDATION', {
      errors: [
        { field: '/addOperators', reason: `at most ${distributionLimits.pointOperatorsMax}` },
      ],
    });
  }
}

export interface PointDetail {
  id: string;
  code: string;
  name: string;
  kind: PointKind;
  regionCode: string;
  municipalityCode: string | null;
  status: PointStatus;
  programIds: string[];
  operatorIds: string[];
  operators: { operatorId: string; username: string; displayName: string }[];
  stock: { item: string; quantity: number }[];
}

/** One point: its facts, allow-list, operators and stock on hand (no person data). */
export async function pointReader(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
): Promise<PointDetail> {
  const { grant } = await guardPoint(deps, context, 'distribution.point_read', pointId);
  const detail = await pointDetail(deps, pointId);
  await grant.record([]);
  return detail;
}

async function pointDetail(deps: DistributionDependencies, pointId: string): Promise<PointDetail> {
  const { db } = deps;
  const point = await db
    .selectFrom('distribution_point')
    .selectAll()
    .where('id', '=', pointId)
    .executeTakeFirstOrThrow();
  const [programs, operators, stock] = await Promise.all([
    db
      .selectFrom('distribution_point_program')
      .select('program_id')
      .where('point_id', '=', pointId)
      .where('active', '=', true)
      .orderBy('program_id')
      .execute(),
    db
      .selectFrom('distribution_point_operator')
      .select('operator_id')
      .where('point_id', '=', pointId)
      .where('active', '=', true)
      .orderBy('operator_id')
      .execute(),
    db
      .selectFrom('stock_balance')
      .select(['item', 'quantity'])
      .where('point_id', '=', pointId)
      .orderBy('item')
      .execute(),
  ]);
  const operatorIds = operators.map((row) => row.operator_id);
  const named = await operatorsWithIds(db, operatorIds);
  return {
    ...pointRowOf(point),
    programIds: programs.map((row) => row.program_id),
    operatorIds,
    operators: named.map(({ operatorId, username, displayName }) => ({
      operatorId,
      username,
      displayName,
    })),
    stock,
  };
}

export interface PointSummary extends PointRow {
  /** Whether the caller is assigned to the point (for a distribution operator). */
  assigned: boolean;
}

/** Points in the regions where the caller may read them, by code; `assigned` marks the caller's. */
export async function pointsLister(
  deps: DistributionDependencies,
  context: DistributionContext,
  query: { regionCode?: string | undefined; limit?: number | undefined },
): Promise<PointSummary[]> {
  const { grant, operator, regions } = await guardRegionalAccess(deps, {
    actor: context.actor,
    action: 'distribution.point_read',
    resource: { type: 'distribution_point', id: null },
    purpose: context.purpose,
    requestId: context.requestId,
  });
  const wanted =
    query.regionCode === undefined ? regions : regions.filter((r) => r === query.regionCode);
  if (wanted.length === 0) {
    await grant.record([]);
    return [];
  }
  const rows = await deps.db
    .selectFrom('distribution_point as p')
    .leftJoin('distribution_point_operator as o', (join) =>
      join
        .onRef('o.point_id', '=', 'p.id')
        .on('o.operator_id', '=', operator.operatorId)
        .on('o.active', '=', true),
    )
    .select(['p.id', 'p.code', 'p.name', 'p.kind', 'p.region_code', 'p.municipality_code'])
    .select(['p.status', 'o.operator_id'])
    .where('p.region_code', 'in', wanted)
    .orderBy('p.code')
    .limit(
      Math.min(
        query.limit ?? distributionLimits.listPageSizeMax,
        distributionLimits.listPageSizeMax,
      ),
    )
    .execute();
  await grant.record([]);
  return rows.map((row) => ({ ...pointRowOf(row), assigned: row.operator_id !== null }));
}

export function operatorIdOf(actor: Actor): string | null {
  return actor.kind === 'operator' ? actor.operatorId : null;
}

function capitalised(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

export type { RequestWrite };
