import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { limits } from '../../../limits.js';
import type { Database } from '../../../platform/db/schema.js';
import type { Actor } from '../../../shared/access/actor.js';
import type { Action } from '../../../shared/access/policy.js';
import type {
  EntitlementHold,
  EntitlementHoldReason,
  EntitlementHoldStatus,
  HoldObjectionStanding,
  HoldObjectionStatus,
  PersonEntitlementHold,
} from '../../../shared/api/entitlement-holds.js';
import { writeAuditEntry } from '../../../shared/audit/write-audit-entry.js';
import { guardPersonAccess, guardRegionalAccess } from '../../access/index.js';
import { localDate } from '../../notifications/index.js';
import { entitlementForRedemption, entitlementsForRedemption } from '../../programs/index.js';
import {
  type DistributionContext,
  type DistributionDependencies,
  nowOf,
  settingsOf,
} from '../distribution-context.js';
import { DistributionError } from '../distribution-error.js';
import { type RequestWrite, refuseAudited } from '../point-gate.js';
import { operatorIdOf } from '../points/point-service.js';
import { holdsInForce } from './hold-reads.js';

/**
 * A supervisor's hold on one entitlement (docs/DISTRIBUTION.md, "Holds"): the voucher state
 * `blocked`. Placed with a reason from the closed list and a note, it is in force until lifted
 * or until it lapses by itself (`AMPARO_ENTITLEMENT_HOLD_DAYS`); the person is texted, sees it
 * and its reason code, and both the hold and its lift are audited on the person.
 *
 * @example
 *   const { holdId } = await entitlementHolder(deps, context, {
 *     entitlementId, reason: 'suspected_fraud_report', note: 'Report 2026-114' });
 */
export async function entitlementHolder(
  deps: DistributionDependencies,
  context: DistributionContext,
  props: { entitlementId: string; reason: EntitlementHoldReason; note: string },
): Promise<{ holdId: string; lapsesAt: string }> {
  const entitlement = await entitlementForRedemption(deps.db, props.entitlementId);
  const person =
    entitlement === undefined ? undefined : await deps.personRegion?.(entitlement.personId);
  const resource = { type: 'person' as const, id: entitlement?.personId ?? null };
  const grant = await guardPersonAccess(deps, {
    actor: context.actor,
    action: 'distribution.entitlement_hold',
    resource,
    regionCode: person?.regionCode ?? null,
    personId: entitlement?.personId ?? null,
    exists: entitlement !== undefined && person !== undefined,
    purpose: context.purpose,
    requestId: context.requestId,
    countsAsPersonRead: false,
  });
  // Safe: the guard refused a missing entitlement or person, and a missing actor.
  const found = entitlement as NonNullable<typeof entitlement>;
  const regionCode = (person as NonNullable<typeof person>).regionCode;
  const write = holdWrite(context, regionCode, grant);
  if (found.status !== 'open') {
    await refuseAudited(deps, write, resource, 'AMP_ENTITLEMENT_HOLD_ENDED', 'It has ended');
  }
  const now = nowOf(deps);
  const holdId = randomUUID();
  const lapsesAt = new Date(now.getTime() + settingsOf(deps).entitlementHoldMaxMs);
  // Refused and audited outside any transaction (on PGlite the one connection would wait for
  // itself). Two supervisors holding at the same instant may both write: two holds, both shown.
  if ((await holdsInForce(deps.db, [found.entitlementId], now)).size > 0) {
    await refuseAudited(deps, write, resource, 'AMP_ENTITLEMENT_HOLD_EXISTS', 'Held already');
  }
  await deps.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('entitlement_hold')
      .values({
        id: holdId,
        entitlement_id: found.entitlementId,
        person_id: found.personId,
        program_id: found.programId,
        region_code: regionCode,
        reason: props.reason,
        note: props.note,
        placed_by: operatorIdOf(write.actor) as string, // Safe: only operators hold a rule.
        placed_at: now,
        lapses_at: lapsesAt,
      })
      .execute();
    await deps.audit.appendInTransaction(trx, [
      writeAuditEntry(write, resource, [], context.requestId),
    ]);
    await deps.notifier?.notify(trx, found.personId, {
      event: 'entitlement_held',
      date: localDate(now),
      until: localDate(lapsesAt),
    });
  });
  return { holdId, lapsesAt: lapsesAt.toISOString() };
}

/**
 * A hold (by its id, or by the id of its objection) and the guard's decision on an action
 * about its holder, in the hold's region: a missing one, or a malformed id, is refused 404.
 */
export async function guardedHold(
  deps: DistributionDependencies,
  context: DistributionContext,
  props: { action: Action; by: 'h.id' | 'o.id'; id: string; countsAsPersonRead: boolean },
) {
  const hold = /^[0-9a-f-]{36}$/i.test(props.id)
    ? await holdRows(deps.db).where(props.by, '=', props.id).executeTakeFirst()
    : undefined;
  const resource = { type: 'person' as const, id: hold?.person_id ?? null };
  const grant = await guardPersonAccess(deps, {
    actor: context.actor,
    action: props.action,
    resource,
    regionCode: hold?.region_code ?? null,
    personId: hold?.person_id ?? null,
    exists: hold !== undefined,
    purpose: context.purpose,
    requestId: context.requestId,
    countsAsPersonRead: props.countsAsPersonRead,
  });
  return { hold, resource, grant };
}

function holdWrite(
  context: DistributionContext,
  regionCode: string,
  grant: RequestWrite['grant'],
): RequestWrite {
  return {
    actor: context.actor as Actor, // Safe: the guard refuses a missing actor.
    action: 'distribution.entitlement_hold',
    regionCode,
    grant,
    requestId: context.requestId,
  };
}

/** Lifts a hold in force: the entitlement is redeemable again as it was. Audited; texted. */
export async function entitlementHoldLifter(
  deps: DistributionDependencies,
  context: DistributionContext,
  holdId: string,
  props: { note?: string | undefined },
): Promise<{ status: EntitlementHoldStatus }> {
  const { hold, resource, grant } = await guardedHold(deps, context, {
    action: 'distribution.entitlement_hold',
    by: 'h.id',
    id: holdId,
    countsAsPersonRead: false,
  });
  const found = hold as NonNullable<typeof hold>; // Safe: the guard refused a missing hold.
  const write = holdWrite(context, found.region_code, grant);
  const now = nowOf(deps);
  if (statusOf(found, now) !== 'in_force') {
    await refuseAudited(deps, write, resource, 'AMP_ENTITLEMENT_HOLD_ENDED', 'Not in force');
  }
  await deps.db.transaction().execute((trx) =>
    liftInTransaction(deps, trx, {
      write,
      resource,
      holdId: found.id,
      personId: found.person_id,
      now,
      note: props.note ?? '',
      fields: [],
    }),
  );
  return { status: 'lifted' };
}

/**
 * The lift of a hold in force, inside the caller's transaction: the lift row, its audit entry on
 * the person and the person's text. A supervisor's lift and an upheld objection (the program
 * officer's write) both end a hold here, so both do all a lift does.
 */
export async function liftInTransaction(
  deps: DistributionDependencies,
  trx: Transaction<Database>,
  lift: {
    write: RequestWrite;
    resource: { type: 'person'; id: string | null };
    holdId: string;
    personId: string;
    now: Date;
    note: string;
    fields: readonly string[];
  },
): Promise<void> {
  const inserted = await trx
    .insertInto('entitlement_hold_lift')
    .values({
      hold_id: lift.holdId,
      lifted_by: operatorIdOf(lift.write.actor) as string, // Safe: only operators hold a rule.
      lifted_at: lift.now,
      note: lift.note,
    })
    .onConflict((conflict) => conflict.column('hold_id').doNothing())
    .executeTakeFirst();
  if (inserted.numInsertedOrUpdatedRows !== 1n) {
    throw new DistributionError('AMP_ENTITLEMENT_HOLD_ENDED', 'Lifted already');
  }
  await deps.audit.appendInTransaction(trx, [
    writeAuditEntry(lift.write, lift.resource, lift.fields, lift.write.requestId),
  ]);
  await deps.notifier?.notify(trx, lift.personId, {
    event: 'entitlement_hold_lifted',
    date: localDate(lift.now),
  });
}

/** The holds placed in the supervisor's regions, newest first (audited as one read). */
export async function entitlementHoldsLister(
  deps: DistributionDependencies,
  context: DistributionContext,
): Promise<EntitlementHold[]> {
  const { grant, regions } = await guardRegionalAccess(deps, {
    actor: context.actor,
    action: 'distribution.entitlement_hold',
    resource: { type: 'person', id: null },
    purpose: context.purpose,
    requestId: context.requestId,
  });
  const rows = await withProgramCodes(
    deps.db,
    regions.length === 0
      ? []
      : await holdRows(deps.db)
          .where('h.region_code', 'in', regions)
          .orderBy('h.placed_at', 'desc')
          .limit(limits.distribution.entitlementHoldListMax)
          .execute(),
  );
  await grant.record([]);
  const now = nowOf(deps);
  return rows.map((row) => ({
    ...personView(row, now),
    personId: row.person_id,
    regionCode: row.region_code,
    note: row.note,
    placedBy: row.placed_by,
    liftedBy: row.lifted_by,
    liftNote: row.lift_note,
  }));
}

/**
 * The holds ever placed on a person's entitlements, as the person sees them: the reason code,
 * never the note (action `person.benefits`: the person themself, or staff for an appeal).
 */
export async function personEntitlementHolds(
  deps: DistributionDependencies,
  context: DistributionContext,
  personId: string,
): Promise<PersonEntitlementHold[]> {
  const person = await deps.personRegion?.(personId);
  const grant = await guardPersonAccess(deps, {
    actor: context.actor,
    action: 'person.benefits',
    resource: { type: 'person', id: personId },
    regionCode: person?.regionCode ?? null,
    personId,
    exists: person !== undefined,
    purpose: context.purpose,
    requestId: context.requestId,
    countsAsPersonRead: true,
  });
  const rows = await withProgramCodes(
    deps.db,
    await holdRows(deps.db)
      .where('h.person_id', '=', personId)
      .orderBy('h.placed_at', 'desc')
      .limit(limits.distribution.entitlementHoldListMax)
      .execute(),
  );
  await grant.record([]);
  const now = nowOf(deps);
  return rows.map((row) => personView(row, now));
}

export function holdRows(db: Kysely<Database>) {
  return db
    .selectFrom('entitlement_hold as h')
    .leftJoin('entitlement_hold_lift as l', 'l.hold_id', 'h.id')
    .leftJoin('entitlement_hold_objection as o', 'o.hold_id', 'h.id')
    .leftJoin('entitlement_hold_objection_decision as d', 'd.objection_id', 'o.id')
    .select([
      'h.id',
      'h.entitlement_id',
      'h.person_id',
      'h.region_code',
      'h.reason',
      'h.note',
      'h.placed_by',
      'h.placed_at',
      'h.lapses_at',
      'l.lifted_by',
      'l.lifted_at',
      'l.note as lift_note',
      'o.id as objection_id',
      'o.filed_by_kind as objection_filed_by_kind',
      'o.filed_by as objection_filed_by',
      'o.filed_at as objection_filed_at',
      'o.decide_due_at as objection_due_at',
      'd.outcome as objection_outcome',
      'd.reason as objection_reason',
      'd.decided_at as objection_decided_at',
    ]);
}

export type HoldRow = Awaited<ReturnType<ReturnType<typeof holdRows>['execute']>>[number];

/** In force, lifted, or lapsed: the lapse is read here, at `now` (no job ends a hold). */
export function statusOf(row: HoldRow, now: Date): EntitlementHoldStatus {
  if (row.lifted_at !== null) return 'lifted';
  return new Date(row.lapses_at).getTime() <= now.getTime() ? 'lapsed' : 'in_force';
}

/**
 * Where the hold's objection stands at `now`: its decision, or — undecided — `open` while the
 * hold is in force and `hold_ended` once it was lifted otherwise or lapsed (nothing is left to
 * decide). Read, like the lapse, so no job has to close an objection.
 */
export function objectionStatusOf(row: HoldRow, now: Date): HoldObjectionStatus {
  if (row.objection_outcome !== null) return row.objection_outcome;
  return statusOf(row, now) === 'in_force' ? 'open' : 'hold_ended';
}

/** The rows read, with the program code of each hold's entitlement (programs' reader). */
export async function withProgramCodes(
  db: Kysely<Database>,
  rows: readonly HoldRow[],
): Promise<(HoldRow & { program_code: string })[]> {
  const entitlements = await entitlementsForRedemption(db, [
    ...new Set(rows.map((row) => row.entitlement_id)),
  ]);
  return rows.map((row) => ({
    ...row,
    program_code: entitlements.get(row.entitlement_id)?.programCode ?? '',
  }));
}

function personView(row: HoldRow & { program_code: string }, now: Date): PersonEntitlementHold {
  return {
    holdId: row.id,
    entitlementId: row.entitlement_id,
    programCode: row.program_code,
    reason: row.reason,
    status: statusOf(row, now),
    placedAt: new Date(row.placed_at).toISOString(),
    lapsesAt: new Date(row.lapses_at).toISOString(),
    liftedAt: row.lifted_at === null ? null : new Date(row.lifted_at).toISOString(),
    objection: objectionStanding(row, now),
  };
}

const isoOrNull = (at: Date | string | null) => (at === null ? null : new Date(at).toISOString());

/** The person's objection to the hold and where it stands (null: none filed). */
function objectionStanding(row: HoldRow, now: Date): HoldObjectionStanding | null {
  if (row.objection_id === null || row.objection_filed_at === null) return null;
  return {
    objectionId: row.objection_id,
    status: objectionStatusOf(row, now),
    filedAt: new Date(row.objection_filed_at).toISOString(),
    decideDueAt: new Date(row.objection_due_at ?? row.objection_filed_at).toISOString(),
    decidedAt: isoOrNull(row.objection_decided_at),
    reason: row.objection_reason,
  };
}
