import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import type { CycleStatus, ProgramKind } from '../tables.js';
import { entitlementGranter } from './entitlement-granter.js';

/**
 * What the payments module (issue #16) may learn of a cycle's cash entitlements, to pay them:
 * the cycle and its program's currency, the open entitlements cut into ranges of person ids,
 * and one range's entitlements. Ranges follow the unique index (program, cycle, person), so a
 * range is one index scan however large the cycle.
 */
export interface CycleForDisbursement {
  cycleId: string;
  programId: string;
  status: CycleStatus;
  kind: ProgramKind;
  /** The program version's currency; null for benefits that are not money. */
  currency: 'VES' | 'USD' | null;
  referenceDate: string;
}

/** The cycle with its program's kind and currency, or undefined. */
export async function cycleForDisbursement(
  db: Kysely<Database>,
  cycleId: string,
): Promise<CycleForDisbursement | undefined> {
  // An approval whose chunked grant stopped halfway (a crash) is completed first, as
  // publication does: a disbursement sees every entitlement of the approved round.
  await entitlementGranter(db, { cycleId }).catch((error: unknown) => {
    if (!(error instanceof AmparoError && error.code === 'AMP_NOT_FOUND')) throw error;
  });
  const row = await db
    .selectFrom('program_cycle as c')
    .innerJoin('program_version as v', (join) =>
      join.onRef('v.program_id', '=', 'c.program_id').onRef('v.version', '=', 'c.version'),
    )
    .select(['c.id', 'c.program_id', 'c.status', 'v.kind', 'v.currency', 'c.reference_date'])
    .where('c.id', '=', cycleId)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  return {
    cycleId: row.id,
    programId: row.program_id,
    status: row.status,
    kind: row.kind,
    currency: row.currency,
    referenceDate: String(row.reference_date),
  };
}

/**
 * The cycle's open entitlements with an amount above zero (id, person id, amount as text) as a
 * relation another module's statement reads, to count or page a cycle of any size in SQL
 * (payments' batch preview) instead of holding it in memory.
 *
 * @example
 *   sql`with open_cash as (${openCashEntitlementsRelation({ programId, cycleId })})
 *       select count(*) from open_cash`
 */
export function openCashEntitlementsRelation(props: {
  programId: string;
  cycleId: string;
}): RawBuilder<{ id: string; person_id: string; amount_minor: string }> {
  return sql`select id, person_id, amount_minor from entitlement
     where program_id = ${props.programId} and cycle_id = ${props.cycleId}
       and status = 'open' and amount_minor > 0`;
}

/** A range of a cycle's open cash entitlements, by person id (both ends included). */
export interface CashEntitlementRange {
  firstPersonId: string;
  lastPersonId: string;
  entitlements: number;
  amountMinor: bigint;
}

/**
 * The cycle's open entitlements with an amount above zero, cut into ranges of at most
 * `rangeSize` in person-id order.
 *
 * @example
 *   const ranges = await cashEntitlementRanges(db, { programId, cycleId, rangeSize: 2000 });
 */
export async function cashEntitlementRanges(
  db: Kysely<Database>,
  props: { programId: string; cycleId: string; rangeSize: number },
): Promise<CashEntitlementRange[]> {
  // PostgreSQL has no min() over uuid: the text of a lowercase UUID sorts the same way in the
  // C collation.
  const { rows } = await sql<{
    first: string;
    last: string;
    entitlements: string;
    amount: string;
  }>`select min(person_id::text collate "C") as first, max(person_id::text collate "C") as last,
        count(*) as entitlements, sum(amount_minor) as amount
      from (select person_id, amount_minor,
                   (row_number() over (order by person_id) - 1) / ${props.rangeSize} as range
              from (${openCashEntitlementsRelation(props)}) as e) as open_cash
     group by range
     order by range`.execute(db);
  return rows.map((row) => ({
    firstPersonId: row.first,
    lastPersonId: row.last,
    entitlements: Number(row.entitlements),
    amountMinor: BigInt(row.amount),
  }));
}

/** One open cash entitlement to pay. */
export interface CashEntitlement {
  entitlementId: string;
  personId: string;
  amountMinor: bigint;
}

/** The open cash entitlements of the cycle whose person ids lie in the range. */
export async function cashEntitlementsInRange(
  db: Kysely<Database>,
  props: { programId: string; cycleId: string; firstPersonId: string; lastPersonId: string },
): Promise<CashEntitlement[]> {
  const rows = await db
    .selectFrom('entitlement')
    .select(['id', 'person_id', 'amount_minor'])
    .where('program_id', '=', props.programId)
    .where('cycle_id', '=', props.cycleId)
    .where('person_id', '>=', props.firstPersonId)
    .where('person_id', '<=', props.lastPersonId)
    .where('status', '=', 'open')
    .where('amount_minor', '>', 0n)
    .orderBy('person_id')
    .execute();
  return rows.map((row) => ({
    entitlementId: row.id,
    personId: row.person_id,
    // Safe: the query keeps amounts above zero only.
    amountMinor: row.amount_minor as bigint,
  }));
}

/** An open cash entitlement a payout may pay, with the currency of its program version. */
export interface PayableEntitlement extends CashEntitlement {
  cycleId: string;
  /** `approved` (pre-activated: payments refuses to pay it yet) or `published`. */
  cycleStatus: CycleStatus;
  currency: 'VES' | 'USD' | null;
}

/**
 * Of `entitlementIds`, those that are open cash entitlements (amount above zero) of the
 * program in an approved or published cycle, with the cycle's status: what a payout
 * instruction may pay once the cycle is published (issue #13, point 5: the person paid comes
 * from the entitlement, never from the payer; an approved cycle's are answered so the payer can
 * say why it refuses them). One query by primary key over an array, however long the list.
 */
export async function payableEntitlements(
  db: Kysely<Database>,
  props: { programId: string; entitlementIds: readonly string[] },
): Promise<PayableEntitlement[]> {
  if (props.entitlementIds.length === 0) return [];
  const { rows } = await sql<{
    id: string;
    person_id: string;
    cycle_id: string;
    cycle_status: CycleStatus;
    amount_minor: string;
    currency: 'VES' | 'USD' | null;
  }>`select e.id, e.person_id, e.cycle_id, c.status as cycle_status, e.amount_minor, v.currency
       from entitlement e
       join program_cycle c on c.id = e.cycle_id and c.program_id = e.program_id
       join program_version v on v.program_id = c.program_id and v.version = c.version
      where e.id = any(${[...props.entitlementIds]}::uuid[])
        and e.program_id = ${props.programId}
        and e.status = 'open' and e.amount_minor > 0
        and c.status in ('approved', 'published')`.execute(db);
  return rows.map((row) => ({
    entitlementId: row.id,
    personId: row.person_id,
    cycleId: row.cycle_id,
    cycleStatus: row.cycle_status,
    amountMinor: BigInt(row.amount_minor),
    currency: row.currency,
  }));
}

/** A program's kind and its published (or latest) version's currency, or undefined. */
export async function programForFunding(
  db: Kysely<Database>,
  programId: string,
): Promise<{ programId: string; kind: ProgramKind; currency: 'VES' | 'USD' | null } | undefined> {
  const row = await db
    .selectFrom('program as p')
    .innerJoin('program_version as v', 'v.program_id', 'p.id')
    .select(['p.id', 'v.kind', 'v.currency'])
    .where('p.id', '=', programId)
    .orderBy(sql`v.version = p.published_version`, 'desc')
    .orderBy('v.version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined
    ? undefined
    : { programId: row.id, kind: row.kind, currency: row.currency };
}

/** An approved or published cycle of a cash program: previewed for a payout batch, paid once published. */
export interface PayableCashCycle {
  cycleId: string;
  programId: string;
  status: CycleStatus;
  referenceDate: string;
  currency: 'VES' | 'USD';
}

/**
 * The approved and published cycles of cash programs with a currency, newest reference date
 * first, at most `limit`: what a finance officer chooses from to preview a payout batch, and to
 * make one once the cycle is published (the entitlements themselves are read by
 * `cashEntitlementRanges`/`cashEntitlementsInRange`).
 *
 * @example
 *   const cycles = await payableCashCycles(db, 200);
 */
export async function payableCashCycles(
  db: Kysely<Database>,
  limit: number,
): Promise<PayableCashCycle[]> {
  const rows = await db
    .selectFrom('program_cycle as c')
    .innerJoin('program_version as v', (join) =>
      join.onRef('v.program_id', '=', 'c.program_id').onRef('v.version', '=', 'c.version'),
    )
    .select(['c.id', 'c.program_id', 'c.status', 'c.reference_date', 'v.currency'])
    .where('c.status', 'in', ['approved', 'published'])
    .where('v.kind', '=', 'cash')
    .where('v.currency', 'is not', null)
    .orderBy('c.reference_date', 'desc')
    .orderBy('c.id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    cycleId: row.id,
    programId: row.program_id,
    status: row.status,
    referenceDate: String(row.reference_date),
    currency: row.currency as 'VES' | 'USD',
  }));
}
