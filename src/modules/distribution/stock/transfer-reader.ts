import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type {
  Transfer,
  TransferListing,
  TransferState,
} from '../../../shared/api/stock-transfers.js';
import type { DistributionContext, DistributionDependencies } from '../distribution-context.js';
import { distributionLimits } from '../limits.js';
import { guardPoint } from '../point-gate.js';

type Reader = Kysely<Database> | Transaction<Database>;

/**
 * Transfers as a point sees them (issue #15, point 2): those it sent and those sent to it, with
 * their outcome when there is one (the receiving point's decision or the sender's cancellation);
 * what is still in transit, per item, both ways. Points are places: their codes and names are shown, no person is.
 *
 * @example
 *   const { transfers, inTransit } = await transfersLister(deps, context, pointId, { state: 'in_transit' });
 */
function transfersOf(db: Reader) {
  return db
    .selectFrom('stock_transfer as t')
    .innerJoin('distribution_point as f', 'f.id', 't.from_point_id')
    .innerJoin('distribution_point as r', 'r.id', 't.to_point_id')
    .leftJoin('stock_transfer_outcome as o', 'o.transfer_id', 't.id')
    .select([
      't.id',
      't.item',
      't.quantity_sent',
      't.sent_by',
      't.sent_at',
      'f.id as from_id',
      'f.code as from_code',
      'f.name as from_name',
      'r.id as to_id',
      'r.code as to_code',
      'r.name as to_name',
      'o.outcome',
      'o.quantity_received',
      'o.shortfall',
      'o.shortfall_reason',
      'o.cancel_reason',
      'o.note',
      'o.decided_by',
      'o.decided_at',
    ]);
}

type TransferRow = Awaited<ReturnType<ReturnType<typeof transfersOf>['executeTakeFirstOrThrow']>>;

function transferView(row: TransferRow, pointId: string): Transfer {
  return {
    id: row.id,
    direction: row.from_id === pointId ? 'outgoing' : 'incoming',
    fromPoint: { id: row.from_id, code: row.from_code, name: row.from_name },
    toPoint: { id: row.to_id, code: row.to_code, name: row.to_name },
    item: row.item,
    quantitySent: row.quantity_sent,
    sentAt: row.sent_at.toISOString(),
    sentBy: row.sent_by,
    state: row.outcome ?? 'in_transit',
    quantityReceived: row.quantity_received,
    shortfall: row.shortfall,
    shortfallReason: row.shortfall_reason,
    cancelReason: row.cancel_reason,
    note: row.note,
    decidedAt: row.decided_at?.toISOString() ?? null,
    decidedBy: row.decided_by,
  };
}

/** One transfer sent by or to this point; undefined when it is neither. */
export async function transferById(
  db: Reader,
  transferId: string,
  pointId: string,
): Promise<Transfer | undefined> {
  const row = await transfersOf(db)
    .where('t.id', '=', transferId)
    .where((eb) => eb.or([eb('t.from_point_id', '=', pointId), eb('t.to_point_id', '=', pointId)]))
    .executeTakeFirst();
  return row === undefined ? undefined : transferView(row, pointId);
}

export async function transfersLister(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  query: { state?: TransferState | undefined; limit?: number | undefined },
): Promise<TransferListing> {
  const { grant } = await guardPoint(deps, context, 'distribution.point_read', pointId);
  let select = transfersOf(deps.db)
    .where((eb) => eb.or([eb('t.from_point_id', '=', pointId), eb('t.to_point_id', '=', pointId)]))
    .orderBy('t.sent_at', 'desc')
    .orderBy('t.id', 'desc')
    .limit(Math.min(query.limit ?? 50, distributionLimits.listPageSizeMax));
  if (query.state === 'in_transit') {
    select = select.where('o.transfer_id', 'is', null);
  } else if (query.state !== undefined) select = select.where('o.outcome', '=', query.state);
  const rows = await select.execute();
  const inTransit = await inTransitAt(deps.db, pointId);
  await grant.record([]);
  return { transfers: rows.map((row) => transferView(row, pointId)), inTransit };
}

/** Per item, the units in transit from this point and to it (no outcome yet). */
export async function inTransitAt(
  db: Reader,
  pointId: string,
): Promise<TransferListing['inTransit']> {
  const rows = await db
    .selectFrom('stock_transfer as t')
    .leftJoin('stock_transfer_outcome as o', 'o.transfer_id', 't.id')
    .select((eb) => [
      't.item',
      eb.fn
        .sum<string>(
          eb
            .case()
            .when('t.from_point_id', '=', pointId)
            .then(eb.ref('t.quantity_sent'))
            .else(0)
            .end(),
        )
        .as('outgoing'),
      eb.fn
        .sum<string>(
          eb
            .case()
            .when('t.to_point_id', '=', pointId)
            .then(eb.ref('t.quantity_sent'))
            .else(0)
            .end(),
        )
        .as('incoming'),
    ])
    .where('o.transfer_id', 'is', null)
    .where((eb) => eb.or([eb('t.from_point_id', '=', pointId), eb('t.to_point_id', '=', pointId)]))
    .groupBy('t.item')
    .orderBy('t.item')
    .execute();
  return rows.map((row) => ({
    item: row.item,
    outgoing: Number(row.outgoing),
    incoming: Number(row.incoming),
  }));
}
