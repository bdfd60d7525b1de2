import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';

/**
 * The hold `h` (a query over `entitlement_hold as h`) was never lifted: a lifted hold ended by its
 * lift, whatever its `lapses_at` says.
 */
export const notLifted = sql<boolean>`not exists (select 1 from entitlement_hold_lift l
  where l.hold_id = h.id)`;

/**
 * When the hold in force on the entitlement `entitlementId` (a column reference or a value) was
 * placed, or null when none is: a hold is in force from `placed_at` until it is lifted or
 * `lapses_at` passes — the lapse is read here, at `now`, so no job has to end it
 * (docs/DISTRIBUTION.md, "Holds"). A subquery for a redemption's locking statement, so the hot
 * path reads it without a round trip of its own.
 *
 * @example
 *   sql`select ${heldSinceColumn(sql.ref('e.id'), now)} as held_since from e`
 */
export function heldSinceColumn(
  entitlementId: RawBuilder<unknown> | string,
  now: Date,
): RawBuilder<Date | null> {
  return sql`(select max(h.placed_at) from entitlement_hold h
    where h.entitlement_id = ${entitlementId} and h.placed_at <= ${now} and h.lapses_at > ${now}
      and not exists (select 1 from entitlement_hold_lift l where l.hold_id = h.id))`;
}

/** Of the entitlements given, those under a hold at `now`, each with when it was placed. */
export async function holdsInForce(
  db: Kysely<Database>,
  entitlementIds: readonly string[],
  now: Date,
): Promise<Map<string, Date>> {
  if (entitlementIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('entitlement_hold as h')
    .select(['h.entitlement_id', (eb) => eb.fn.max('h.placed_at').as('placed_at')])
    .where('h.entitlement_id', 'in', [...entitlementIds])
    .where('h.placed_at', '<=', now)
    .where('h.lapses_at', '>', now)
    .where(notLifted)
    .groupBy('h.entitlement_id')
    .execute();
  return new Map(rows.map((row) => [row.entitlement_id, new Date(row.placed_at)]));
}

/** The time a hold was in force: from its placing until its lift or its lapse. */
export interface HoldWindow {
  fromMs: number;
  untilMs: number;
}

/**
 * Every hold ever placed on the entitlements given, as the windows they were in force: an
 * offline receipt made inside one is refused at sync, whether or not the hold has ended since
 * (the goods left while the entitlement was held); one made before it counts as usual.
 */
export async function holdWindows(
  db: Kysely<Database>,
  entitlementIds: readonly string[],
): Promise<Map<string, HoldWindow[]>> {
  if (entitlementIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('entitlement_hold as h')
    .leftJoin('entitlement_hold_lift as l', 'l.hold_id', 'h.id')
    .select(['h.entitlement_id', 'h.placed_at', 'h.lapses_at', 'l.lifted_at'])
    .where('h.entitlement_id', 'in', [...entitlementIds])
    .execute();
  const windows = new Map<string, HoldWindow[]>();
  for (const row of rows) {
    const lapses = new Date(row.lapses_at).getTime();
    const lifted = row.lifted_at === null ? lapses : new Date(row.lifted_at).getTime();
    const list = windows.get(row.entitlement_id) ?? [];
    list.push({ fromMs: new Date(row.placed_at).getTime(), untilMs: Math.min(lapses, lifted) });
    windows.set(row.entitlement_id, list);
  }
  return windows;
}

/** Whether a receipt made at `deviceTimeMs` falls inside one of the windows. */
export function madeWhileHeld(windows: readonly HoldWindow[] | undefined, deviceTimeMs: number) {
  return (windows ?? []).some(
    (window) => deviceTimeMs >= window.fromMs && deviceTimeMs < window.untilMs,
  );
}
