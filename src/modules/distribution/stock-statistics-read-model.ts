import { type Kysely, sql } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { StockGroup } from '../../shared/statistics/aggregate-groups.js';

export type { StockGroup };

/**
 * The distribution module's stock aggregate for statistics (issue #17, point 2: stock
 * movements by point): per point, item, kind of movement and month, how many movements, the
 * units moved and the two largest movements (the p % rule). Reads only this module's stock
 * ledger and points; no operator, redemption or person leaves the query.
 *
 * @example
 *   const groups = await stockMovementsByPointMonth(db);
 *   groups[0]; // { pointCode: 'caracas-01', stateCode: 'VE-A', item: 'rice_kg', kind: 'redemption', month: '2026-11', movements: 412, units: 824, largest: [2, 2] }
 */
export async function stockMovementsByPointMonth(db: Kysely<Database>): Promise<StockGroup[]> {
  const result = await sql<{
    point_code: string;
    region_code: string;
    item: string;
    kind: StockGroup['kind'];
    month: string;
    movements: string | number;
    units: string | number;
    largest: string | number | null;
    second: string | number | null;
  }>`
    select p.code as point_code, p.region_code, m.item, m.kind,
           to_char(m.recorded_at at time zone 'UTC', 'YYYY-MM') as month,
           count(*) as movements, sum(abs(m.quantity_delta)) as units,
           (array_agg(abs(m.quantity_delta) order by abs(m.quantity_delta) desc))[1] as largest,
           (array_agg(abs(m.quantity_delta) order by abs(m.quantity_delta) desc))[2] as second
      from stock_movement m
      join distribution_point p on p.id = m.point_id
     group by 1, 2, 3, 4, 5`.execute(db);
  return result.rows.map((row) => ({
    pointCode: row.point_code,
    stateCode: row.region_code,
    item: row.item,
    kind: row.kind,
    month: row.month,
    movements: Number(row.movements),
    units: Number(row.units),
    largest: [Number(row.largest ?? 0), Number(row.second ?? 0)],
  }));
}
