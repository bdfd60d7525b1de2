import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { personsInArea, type ResidenceArea } from '../../registry/index.js';
import type { BasketItem, ProgramKind, ProgramStatus } from '../tables.js';

/**
 * What another module may learn of an entitlement (issue #15): the program, the cycle, whether
 * it is open, and the benefit it grants (the basket, or an amount). Distribution reads
 * entitlements only through this, and keeps its own redemption state in its own tables.
 */
export interface EntitlementForRedemption {
  entitlementId: string;
  personId: string;
  programId: string;
  programCode: string;
  programNameEs: string;
  programNameEn: string;
  kind: ProgramKind;
  cycleId: string;
  cycleStatus: 'computing' | 'computed' | 'approved' | 'published' | 'closed';
  /** While `suspended`, nothing of the program is handed over or paid (docs/DISTRIBUTION.md). */
  programStatus: ProgramStatus;
  /** When the program was last suspended, while it is; null otherwise. */
  suspendedAt: Date | null;
  referenceDate: string;
  status: 'open' | 'ended';
  endedReason: 'death' | 'merge' | 'erasure' | 'cycle_closed' | null;
  /** When it ended (a late offline receipt made before it still counts); null while open. */
  endedAt: Date | null;
  /** In-kind and service programs: what one entitlement grants. Null for cash and vouchers. */
  basket: BasketItem[] | null;
  amountMinor: bigint | null;
}

/** When a suspended program was suspended (a subquery only for a suspended one). */
const suspendedAt = sql<Date | null>`case when p.status = 'suspended' then (select max(s.changed_at)
  from program_status_change s where s.program_id = p.id and s.status_to = 'suspended') end`;

function query(db: Kysely<Database>) {
  return db
    .selectFrom('entitlement as e')
    .innerJoin('program as p', 'p.id', 'e.program_id')
    .innerJoin('program_cycle as c', 'c.id', 'e.cycle_id')
    .innerJoin('program_version as v', (join) =>
      join.onRef('v.program_id', '=', 'c.program_id').onRef('v.version', '=', 'c.version'),
    )
    .select([
      'e.id',
      'e.person_id',
      'e.program_id',
      'p.code',
      'v.name_es',
      'v.name_en',
      'v.kind',
      'e.cycle_id',
      'c.status as cycle_status',
      'p.status as program_status',
      suspendedAt.as('suspended_at'),
      'c.reference_date',
      'e.status',
      'e.ended_reason',
      'e.ended_at',
      'v.benefit_basket',
      'e.amount_minor',
    ]);
}

type Row = Awaited<ReturnType<ReturnType<typeof query>['execute']>>[number];

/** A row of `entitlementForRedemptionRelation`: map it with `entitlementFromRelation`. */
export type EntitlementRelationRow = Row;

/**
 * `entitlementForRedemption` as a relation another module's statement reads in a CTE (one round
 * trip where there were two on a hot path: distribution locks the entitlement's state in the
 * same statement). Same columns and joins as the query above.
 *
 * @example
 *   sql`with e as (${entitlementForRedemptionRelation(id)}) select e.* from e`
 */
export function entitlementForRedemptionRelation(entitlementId: string): RawBuilder<Row> {
  return sql`${relationColumns} where e.id = ${entitlementId}`;
}

/**
 * `entitlementForRedemptionRelation` for several entitlements at once (distribution's batch of
 * concurrent redemptions: one statement for all of them).
 *
 * @example
 *   sql`with e as (${entitlementsForRedemptionRelation([a, b])}) select e.* from e`
 */
export function entitlementsForRedemptionRelation(
  entitlementIds: readonly string[],
): RawBuilder<Row> {
  return sql`${relationColumns} where e.id = any(${[...entitlementIds]}::uuid[])`;
}

const relationColumns = sql`select e.id, e.person_id, e.program_id, p.code, v.name_es, v.name_en, v.kind,
      e.cycle_id, c.status as cycle_status, p.status as program_status,
      ${suspendedAt} as suspended_at, c.reference_date, e.status, e.ended_reason,
      e.ended_at, v.benefit_basket, e.amount_minor
    from entitlement e
    join program p on p.id = e.program_id
    join program_cycle c on c.id = e.cycle_id
    join program_version v on v.program_id = c.program_id and v.version = c.version`;

/** The entitlement a row of `entitlementForRedemptionRelation` describes. */
export function entitlementFromRelation(row: Row): EntitlementForRedemption {
  return toEntitlement(row);
}

function toEntitlement(row: Row): EntitlementForRedemption {
  const basket = row.benefit_basket;
  return {
    entitlementId: row.id,
    personId: row.person_id,
    programId: row.program_id,
    programCode: row.code,
    programNameEs: row.name_es,
    programNameEn: row.name_en,
    kind: row.kind,
    cycleId: row.cycle_id,
    cycleStatus: row.cycle_status,
    programStatus: row.program_status,
    suspendedAt: row.suspended_at === null ? null : new Date(row.suspended_at),
    referenceDate: String(row.reference_date),
    status: row.status,
    endedReason: row.ended_reason,
    endedAt: row.ended_at === null ? null : new Date(row.ended_at),
    // Safe: the column holds JSON written by programs from BasketItem values (text on PGlite).
    basket:
      basket === null
        ? null
        : ((typeof basket === 'string' ? JSON.parse(basket) : basket) as BasketItem[]),
    amountMinor: row.amount_minor,
  };
}

/**
 * A person's open entitlements in the given programs, oldest cycle first.
 *
 * @example
 *   const open = await openEntitlementsOf(db, { personId, programIds: [foodBoxId] });
 */
export async function openEntitlementsOf(
  db: Kysely<Database>,
  props: { personId: string; programIds: readonly string[] },
): Promise<EntitlementForRedemption[]> {
  if (props.programIds.length === 0) return [];
  const rows = await query(db)
    .where('e.person_id', '=', props.personId)
    .where('e.program_id', 'in', props.programIds)
    .where('e.status', '=', 'open')
    .orderBy('c.reference_date')
    .orderBy('e.id')
    .execute();
  return rows.map(toEntitlement);
}

/**
 * Every entitlement a person holds or held (open or ended), with when it was created: a
 * distribution point's offline snapshot can only have held an entitlement created before it was
 * built, so the person's access history looks for snapshots from then on
 * (distribution's snapshot-history.ts).
 *
 * @example
 *   const held = await entitlementsEverOf(db, personId); // [{ entitlementId, createdAt }]
 */
export async function entitlementsEverOf(
  db: Kysely<Database>,
  personId: string,
): Promise<{ entitlementId: string; createdAt: Date }[]> {
  const rows = await db
    .selectFrom('entitlement')
    .select(['id', 'created_at'])
    .where('person_id', '=', personId)
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ entitlementId: row.id, createdAt: row.created_at }));
}

/** One entitlement, open or ended, or undefined. */
export async function entitlementForRedemption(
  db: Kysely<Database>,
  entitlementId: string,
): Promise<EntitlementForRedemption | undefined> {
  const row = await query(db).where('e.id', '=', entitlementId).executeTakeFirst();
  return row === undefined ? undefined : toEntitlement(row);
}

/**
 * One page of a cycle's open entitlements, by id after `afterId` (keyset), for a subscriber
 * that settles them when the cycle closes (distribution's carry-over).
 *
 * @example
 *   const page = await openEntitlementsOfCycle(trx, { cycleId, afterId: null, limit: 500 });
 */
export async function openEntitlementsOfCycle(
  db: Kysely<Database>,
  props: { cycleId: string; afterId: string | null; limit: number },
): Promise<EntitlementForRedemption[]> {
  let select = query(db).where('e.cycle_id', '=', props.cycleId).where('e.status', '=', 'open');
  if (props.afterId !== null) select = select.where('e.id', '>', props.afterId);
  const rows = await select.orderBy('e.id').limit(props.limit).execute();
  return rows.map(toEntitlement);
}

/** A cycle as a point's reconciliation names it, with how many entitlements it holds. */
export interface CycleForReconciliation {
  cycleId: string;
  programId: string;
  programCode: string;
  referenceDate: string;
  status: 'computing' | 'computed' | 'approved' | 'published' | 'closed';
  /** All the cycle's entitlements (open or ended), whichever point hands them over. */
  entitled: number;
  /**
   * The cycle's window for what is not tied to a cycle (a point's stock): from its reference date
   * (UTC midnight) — or from the close of the program's previous cycle, when that came later — to
   * its close; `to` is null while the cycle is not closed (up to now), `from` null while the
   * previous cycle is still open (the window has not begun: the open cycle before it keeps what
   * moves). So two cycles of a program never count the same movement.
   */
  window: { from: Date | null; to: Date | null };
}

/**
 * The cycle, its number of entitlements (open or ended) and its window, or undefined: what
 * distribution's reconciliation reports. A closed cycle's `updated_at` is its close: nothing
 * changes a cycle's status or round once it is closed (cycle-service.ts), and it is the
 * database's clock, as the stock ledger's timestamps the window bounds are.
 *
 * @example
 *   const cycle = await cycleForReconciliation(db, cycleId); // { entitled: 1840, window, … }
 */
export async function cycleForReconciliation(
  db: Kysely<Database>,
  cycleId: string,
): Promise<CycleForReconciliation | undefined> {
  const cycle = await db
    .selectFrom('program_cycle as c')
    .innerJoin('program as p', 'p.id', 'c.program_id')
    .select(['c.id', 'c.program_id', 'p.code', 'c.reference_date', 'c.status', 'c.updated_at'])
    .where('c.id', '=', cycleId)
    .executeTakeFirst();
  if (cycle === undefined) return undefined;
  const counted = await db
    .selectFrom('entitlement')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('cycle_id', '=', cycleId)
    .executeTakeFirstOrThrow();
  const previous = await db
    .selectFrom('program_cycle')
    .select(['status', 'updated_at'])
    .where('program_id', '=', cycle.program_id)
    .where('reference_date', '<', cycle.reference_date)
    .orderBy('reference_date', 'desc')
    .limit(1)
    .executeTakeFirst();
  const referenceDate = String(cycle.reference_date);
  const start = new Date(`${referenceDate}T00:00:00Z`);
  const previousEnd =
    previous === undefined ? start : previous.status === 'closed' ? previous.updated_at : null;
  return {
    cycleId: cycle.id,
    programId: cycle.program_id,
    programCode: cycle.code,
    referenceDate,
    status: cycle.status,
    entitled: Number(counted.count),
    window: {
      from: previousEnd === null ? null : previousEnd > start ? previousEnd : start,
      to: cycle.status === 'closed' ? cycle.updated_at : null,
    },
  };
}

/**
 * How many of a cycle's entitlements (open or ended) are a point's: those of persons registered
 * in its area (the registry's `personsInArea`, as the point's offline snapshot takes them) and
 * those `alsoEntitlementIds` names (the ones the point served, whoever's they are).
 *
 * @example
 *   const n = await cycleEntitledAt(db, { cycleId, area, alsoEntitlementIds: servedHere });
 */
export async function cycleEntitledAt(
  db: Kysely<Database>,
  props: { cycleId: string; area: ResidenceArea; alsoEntitlementIds: RawBuilder<string> },
): Promise<number> {
  const row = await db
    .selectFrom('entitlement as e')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('e.cycle_id', '=', props.cycleId)
    .where((eb) =>
      eb.or([
        eb('e.person_id', 'in', personsInArea(props.area)),
        eb('e.id', 'in', props.alsoEntitlementIds),
      ]),
    )
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** One page of a cycle's holders of open entitlements, and whether the benefit is in kind. */
export interface CycleHolderPage {
  personIds: string[];
  /** True when the benefit is a basket (collected at a point); false for cash and vouchers. */
  inKind: boolean;
  /**
   * The program's names when the cycle's version opted into being named in texts
   * (`program_text_naming`, issue 14 point 4); absent otherwise: texts never name it.
   */
  namedProgram?: { es: string; en: string };
}

/**
 * The holders of a cycle's open entitlements, by person id after `afterPersonId`, at most
 * `limit` (a published cycle can hold hundreds of thousands: the caller pages through it).
 *
 * @example
 *   let page = await cycleHolders(trx, { cycleId, limit: 500 });
 *   page = await cycleHolders(trx, { cycleId, afterPersonId: page.personIds.at(-1), limit: 500 });
 */
export async function cycleHolders(
  db: Kysely<Database>,
  props: { cycleId: string; afterPersonId?: string | undefined; limit: number },
): Promise<CycleHolderPage> {
  let select = db
    .selectFrom('entitlement as e')
    .innerJoin('program_cycle as c', 'c.id', 'e.cycle_id')
    .innerJoin('program_version as v', (join) =>
      join.onRef('v.program_id', '=', 'c.program_id').onRef('v.version', '=', 'c.version'),
    )
    .leftJoin('program_text_naming as n', (join) =>
      join.onRef('n.program_id', '=', 'v.program_id').onRef('n.version', '=', 'v.version'),
    )
    .select(['e.person_id', 'v.benefit_basket', 'v.name_es', 'v.name_en', 'n.version as named'])
    .where('e.cycle_id', '=', props.cycleId)
    .where('e.status', '=', 'open');
  if (props.afterPersonId !== undefined)
    select = select.where('e.person_id', '>', props.afterPersonId);
  const rows = await select.orderBy('e.person_id').limit(props.limit).execute();
  const named = rows.find((row) => row.named !== null);
  return {
    personIds: rows.map((row) => row.person_id),
    inKind: rows.some((row) => row.benefit_basket !== null),
    ...(named === undefined ? {} : { namedProgram: { es: named.name_es, en: named.name_en } }),
  };
}

/**
 * Several entitlements at once (open or ended), by id: a device's offline receipts are synced in
 * batches. Ids that are not entitlements are simply absent from the map.
 *
 * @example
 *   const byId = await entitlementsForRedemption(db, ['0c9f…', '5d1e…']);
 */
export async function entitlementsForRedemption(
  db: Kysely<Database>,
  entitlementIds: readonly string[],
): Promise<Map<string, EntitlementForRedemption>> {
  const valid = entitlementIds.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  if (valid.length === 0) return new Map();
  const rows = await query(db).where('e.id', 'in', valid).execute();
  return new Map(rows.map((row) => [row.id, toEntitlement(row)]));
}

/**
 * One page of the open in-kind entitlements (a basket, not cash) of the given programs, by id
 * after `afterId` (keyset): what a distribution point's offline snapshot holds. `area` keeps
 * the holders registered in it (the registry's `personsInArea`); `personIds` keeps those
 * persons only (at most a page of them: the caller chunks).
 *
 * @example
 *   const page = await openInKindEntitlementsOf(db, {
 *     programIds, afterId: null, limit: 5000, area: { regionCode: 'VE-A', municipalityCode: null } });
 */
export async function openInKindEntitlementsOf(
  db: Kysely<Database>,
  props: {
    programIds: readonly string[];
    afterId: string | null;
    limit: number;
    area?: ResidenceArea | undefined;
    personIds?: readonly string[] | undefined;
  },
): Promise<EntitlementForRedemption[]> {
  if (props.programIds.length === 0 || props.personIds?.length === 0) return [];
  let select = query(db)
    .where('e.program_id', 'in', props.programIds)
    .where('e.status', '=', 'open')
    .where('v.benefit_basket', 'is not', null);
  if (props.area !== undefined)
    select = select.where('e.person_id', 'in', personsInArea(props.area));
  if (props.personIds !== undefined) select = select.where('e.person_id', 'in', props.personIds);
  if (props.afterId !== null) select = select.where('e.id', '>', props.afterId);
  const rows = await select.orderBy('e.id').limit(props.limit).execute();
  return rows.map(toEntitlement);
}
