import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { AmparoError } from '../../../platform/errors.js';
import type { CarryOverDisputeAnswer } from '../../../shared/api/distribution-offline.js';
import { writeAuditEntry } from '../../../shared/audit/write-audit-entry.js';
import {
  type CycleForReconciliation,
  cycleEntitledAt,
  cycleForReconciliation,
} from '../../programs/index.js';
import {
  type DistributionContext,
  type DistributionDependencies,
  nowOf,
} from '../distribution-context.js';
import { distributionLimits } from '../limits.js';
import { carryOverDisputesOf } from '../offline/carry-over-disputes.js';
import { type RefusedReceipt, refusedReceiptsOf } from '../offline/refused-receipts.js';
import { guardPoint, type PointGrant, type PointRow, refusalEntry } from '../point-gate.js';
import { operatorIdOf } from '../points/point-service.js';
import { notReversed } from '../redemption/reversal.js';
import { inTransitAt } from '../stock/transfer-reader.js';
import { handedOverAt, refuseOwnHandOvers } from './own-hand-overs.js';

/**
 * Reconciliation per point and cycle (issue #15, point 7): what the cycle entitled at the point
 * (the entitlements of persons registered in its area, as its offline snapshot takes them, and
 * those it served; beside it the program-wide figure), what this point handed over of it — with
 * the card and without, the entitlements it touched that have an offline conflict open — and per
 * item the quantities redeemed beside the stock that left for those redemptions (their difference
 * is an integrity check of the ledger: zero, a redemption and its stock movement being one
 * transaction), the stock that came in and went out otherwise within the cycle's window (from its
 * reference date to its close; `CycleForReconciliation.window`), and the latest physical count of
 * the item within the window: what was counted, what the ledger said was on hand then, their
 * discrepancy, and how much of it the adjustments of reason `count_correction` recorded after the
 * count explain. Stock in
 * transit is on hand at neither point: what this point sent is in `transferredOut` from the moment
 * it left, comes back in `transferReturned` if the receiver refused it, shows in
 * `transferShortfall` if it did not all arrive, and, until the receiver decides, in `inTransitOut`
 * here and `inTransitIn` at the receiver; only what the receiver accepted is its `transferredIn`. No
 * person appears. A supervisor signs the figures off; each sign-off keeps the figures and their
 * SHA-256, so a later change shows.
 *
 * @example
 *   const report = await reconciliationReader(deps, context, pointId, cycleId);
 *   await reconciliationSigner(deps, context, pointId, cycleId, { note: 'Counted on site' });
 */
export interface ReconciliationFigures {
  pointCode: string;
  cycleId: string;
  programCode: string;
  referenceDate: string;
  cycleStatus: CycleForReconciliation['status'];
  /** The stock figures' window (ISO): `from` null while the previous cycle is open, `to` while this one is. */
  stockWindow: { from: string | null; to: string | null };
  /** The point's: entitlements of persons in its area, and those it served. */
  entitled: number;
  /** The cycle's, whichever point hands them over. */
  entitledProgramWide: number;
  entitlementsRedeemed: number;
  redemptions: number;
  assisted: number;
  conflicts: number;
  /**
   * Redemptions of this point and cycle reversed when a supervisor cleared an offline conflict in
   * favour of the later receipt (migration 0074): left out of the counts above.
   */
  reversed: number;
  /**
   * Offline receipts the sync refused for this point and cycle (migration 0149), counted nowhere:
   * present only when there are some, so figures signed before they existed keep their digest.
   */
  refusedOffline?: number;
  refusedOfflineByReason?: { reason: string; count: number }[];
  items: ItemFigures[];
}

export interface ItemFigures {
  item: string;
  redeemed: number;
  stockOutForRedemptions: number;
  /** Stock out for redemptions minus redeemed: an integrity check of the ledger, always 0. */
  integrityGap: number;
  /** What reversed redemptions had handed over (not in `redeemed`). */
  reversed: number;
  /** The stock that left for them (not in `stockOutForRedemptions`). */
  reversedStockOut: number;
  /** What came back of it, their goods not having left the point (part of `adjusted`). */
  reversedReturned: number;
  delivered: number;
  /** Accepted by this point from transfers (what arrived). */
  transferredIn: number;
  /** Sent by this point, whatever became of it: arrived, short, returned or still in transit. */
  transferredOut: number;
  /** Of what it sent, what came back when the receiver refused it. */
  transferReturned: number;
  /** Of what it sent, what the receiver recorded as not arrived (with a reason). */
  transferShortfall: number;
  adjusted: number;
  onHand: number;
  /** Sent by this point and not yet decided on by the receiver, now: on hand nowhere. */
  inTransitOut: number;
  /** Sent to this point and not yet accepted or refused by it, now. */
  inTransitIn: number;
  /**
   * The latest physical count of the item within the cycle's window (migration 0156); present
   * only when there is one, so figures signed before counts existed keep their digest.
   */
  count?: CountFigures;
}

export interface CountFigures {
  countedAt: string;
  /** On hand in the stock ledger when the count was recorded. */
  expected: number;
  counted: number;
  /** Counted minus expected: negative when less was on the shelf than the ledger said. */
  discrepancy: number;
  /** The adjustments of reason `count_correction` recorded after the count (and before the next). */
  corrected: number;
  /** The discrepancy the corrections do not explain: discrepancy minus corrected. */
  unexplained: number;
}

export interface SignOff {
  id: string;
  signedBy: string;
  signedAt: string;
  figuresSha256: string;
  note: string | null;
  /** Whether the figures are still those that were signed. */
  current: boolean;
}

export interface Reconciliation {
  figures: ReconciliationFigures;
  figuresSha256: string;
  signOffs: SignOff[];
  /** The refused offline receipts, newest first (at most `offline.refusedListedMax`). */
  refusedReceipts: RefusedReceipt[];
  /**
   * The carry-over disputes of late receipts synced here that count in this cycle, with their
   * decision or none yet (migrations 0154, 0155): beside the figures, not signed with them.
   */
  carryOverDisputes: CarryOverDisputeAnswer[];
}

async function cycleOrNotFound(
  deps: DistributionDependencies,
  gate: PointGrant,
  cycleId: string,
): Promise<CycleForReconciliation> {
  const cycle = /^[0-9a-f-]{36}$/i.test(cycleId)
    ? await cycleForReconciliation(deps.db, cycleId)
    : undefined;
  if (cycle === undefined) {
    await deps.audit.append(
      refusalEntry(gate.write, { type: 'distribution_point', id: gate.point.id }, 'AMP_NOT_FOUND'),
    );
    throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such cycle' });
  }
  return cycle;
}

export async function reconciliationReader(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  cycleId: string,
): Promise<Reconciliation> {
  const gate = await guardPoint(deps, context, 'distribution.point_read', pointId);
  const cycle = await cycleOrNotFound(deps, gate, cycleId);
  const refused = await refusedOf(deps, gate.point, cycle);
  const figures = await figuresOf(deps, gate.point, cycle, refused);
  const figuresSha256 = digest(figures);
  const carryOverDisputes = await carryOverDisputesOf(deps.db, gate.point.id, cycle.cycleId);
  const rows = await deps.db
    .selectFrom('reconciliation_sign_off')
    .select(['id', 'signed_by', 'signed_at', 'figures_sha256', 'figures_version', 'note'])
    .where('point_id', '=', gate.point.id)
    .where('cycle_id', '=', cycle.cycleId)
    .orderBy('signed_at', 'desc')
    .execute();
  await gate.grant.record([]);
  return {
    figures,
    figuresSha256,
    refusedReceipts: refused.list,
    carryOverDisputes,
    signOffs: rows.map((row) => ({
      id: row.id,
      signedBy: row.signed_by,
      signedAt: row.signed_at.toISOString(),
      figuresSha256: row.figures_sha256.toString('hex'),
      note: row.note,
      current: row.figures_sha256.toString('hex') === figuresSha256,
      ...(row.figures_version < reconciliationFiguresVersion
        ? { earlierDefinition: true as const }
        : {}),
    })),
  };
}

/**
 * Signs the figures as they are now (append-only, audited); answers the sign-off. Refused,
 * audited, to a supervisor who handed goods over at the point in the cycle
 * (`AMP_SIGN_OFF_SAME_OPERATOR`, own-hand-overs.ts).
 */
export async function reconciliationSigner(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  cycleId: string,
  props: { note?: string | undefined },
): Promise<SignOff> {
  const gate = await guardPoint(deps, context, 'distribution.reconcile_sign', pointId);
  const cycle = await cycleOrNotFound(deps, gate, cycleId);
  const signedBy = operatorIdOf(gate.write.actor) as string; // Safe: only operators hold the action.
  await refuseOwnHandOvers(
    deps,
    gate,
    await handedOverAt(deps.db, gate.point.id, cycle.cycleId, signedBy),
    'AMP_SIGN_OFF_SAME_OPERATOR',
  );
  const signedAt = nowOf(deps);
  const id = randomUUID();
  return deps.db.transaction().execute(async (trx) => {
    const refused = await refusedOf({ ...deps, db: trx }, gate.point, cycle);
    const figures = await figuresOf({ ...deps, db: trx }, gate.point, cycle, refused);
    const hash = Buffer.from(digest(figures), 'hex');
    await trx
      .insertInto('reconciliation_sign_off')
      .values({
        id,
        point_id: gate.point.id,
        cycle_id: cycle.cycleId,
        signed_by: signedBy,
        signed_at: signedAt,
        figures: JSON.stringify(figures),
        figures_sha256: hash,
        figures_version: reconciliationFiguresVersion,
        note: props.note ?? null,
      })
      .execute();
    await deps.audit.appendInTransaction(trx, [
      writeAuditEntry(
        gate.write,
        { type: 'distribution_point', id: gate.point.id },
        ['reconciliation_sign_off'],
        context.requestId,
      ),
    ]);
    return {
      id,
      signedBy,
      signedAt: signedAt.toISOString(),
      figuresSha256: hash.toString('hex'),
      note: props.note ?? null,
      current: true,
    };
  });
}

/**
 * The definition of the figures `figuresOf` makes, kept with each sign-off (migration 0161): 1
 * before session 20, 2 since it redefined them (entitled per point, stock within the cycle's
 * window: `stockWindow` is in every figures since). Raise it with any change that alters the
 * figures of the same data: a sign-off under an earlier definition can never match its digest
 * again, and the supervisor is told so (`earlierDefinition`), not that the figures changed.
 */
export const reconciliationFiguresVersion = 2;

/** SHA-256 of the figures as canonical JSON (their keys are written in one fixed order). */
function digest(figures: ReconciliationFigures): string {
  return createHash('sha256').update(JSON.stringify(figures)).digest('hex');
}

function refusedOf(
  deps: Pick<DistributionDependencies, 'db'>,
  point: PointRow,
  cycle: CycleForReconciliation,
) {
  return refusedReceiptsOf(deps.db, {
    pointId: point.id,
    cycleId: cycle.cycleId,
    referenceDate: cycle.referenceDate,
    limit: distributionLimits.offline.refusedListedMax,
  });
}

async function figuresOf(
  deps: Pick<DistributionDependencies, 'db'>,
  point: PointRow,
  cycle: CycleForReconciliation,
  refused: Awaited<ReturnType<typeof refusedReceiptsOf>>,
): Promise<ReconciliationFigures> {
  const counts = await deps.db
    .selectFrom('redemption as r')
    .leftJoin('entitlement_redemption_state as s', 's.entitlement_id', 'r.entitlement_id')
    .select((eb) => [
      eb.fn.count<string>('r.id').as('redemptions'),
      sql<string>`count(distinct r.entitlement_id)`.as('entitlements'),
      sql<string>`count(*) filter (where r.mode = 'assisted')`.as('assisted'),
      // Flagged whole by a conflict synced before migration 0140, or with a conflict open.
      sql<string>`count(distinct r.entitlement_id) filter (where s.state = 'conflict_flagged'
        or exists (select 1 from offline_receipt o
          where o.entitlement_id = r.entitlement_id and o.outcome = 'conflict'
            and not exists (select 1 from offline_conflict_resolution c where c.receipt_id = o.id)))`.as(
        'conflicts',
      ),
    ])
    .where('r.point_id', '=', point.id)
    .where('r.cycle_id', '=', cycle.cycleId)
    // A redemption reversed when a conflict was cleared for the later receipt no longer counts.
    .where(notReversed('r'))
    .executeTakeFirstOrThrow();
  return {
    pointCode: point.code,
    cycleId: cycle.cycleId,
    programCode: cycle.programCode,
    referenceDate: cycle.referenceDate,
    cycleStatus: cycle.status,
    stockWindow: {
      from: cycle.window.from?.toISOString() ?? null,
      to: cycle.window.to?.toISOString() ?? null,
    },
    entitled: await cycleEntitledAt(deps.db, {
      cycleId: cycle.cycleId,
      area: { regionCode: point.regionCode, municipalityCode: point.municipalityCode },
      alsoEntitlementIds: sql<string>`(select r.entitlement_id from redemption r
        where r.point_id = ${point.id} and r.cycle_id = ${cycle.cycleId})`,
    }),
    entitledProgramWide: cycle.entitled,
    entitlementsRedeemed: Number(counts.entitlements),
    redemptions: Number(counts.redemptions),
    assisted: Number(counts.assisted),
    conflicts: Number(counts.conflicts),
    reversed: await reversedCount(deps, point, cycle),
    ...(refused.byReason.length === 0
      ? {}
      : {
          refusedOffline: refused.byReason.reduce((sum, each) => sum + each.count, 0),
          refusedOfflineByReason: refused.byReason,
        }),
    items: await itemFigures(deps, point, cycle),
  };
}

async function itemFigures(
  deps: Pick<DistributionDependencies, 'db'>,
  point: PointRow,
  cycle: CycleForReconciliation,
): Promise<ItemFigures[]> {
  const redeemed = await deps.db
    .selectFrom('redemption_line as l')
    .innerJoin('redemption as r', 'r.id', 'l.redemption_id')
    .select(['l.item', sql<string>`sum(l.quantity)`.as('quantity')])
    .where('r.point_id', '=', point.id)
    .where('r.cycle_id', '=', cycle.cycleId)
    .where(notReversed('r'))
    .groupBy('l.item')
    .execute();
  const forRedemptions = await deps.db
    .selectFrom('stock_movement as m')
    .innerJoin('redemption as r', 'r.id', 'm.redemption_id')
    .select(['m.item', sql<string>`sum(-m.quantity_delta)`.as('quantity')])
    .where('m.point_id', '=', point.id)
    .where('r.cycle_id', '=', cycle.cycleId)
    .where(notReversed('r'))
    .groupBy('m.item')
    .execute();
  // Other movements within the cycle's window: stock is not tied to a cycle.
  const { from, to } = cycle.window;
  const movements =
    from === null
      ? []
      : await deps.db
          .selectFrom('stock_movement')
          .select(['item', 'kind', sql<string>`sum(quantity_delta)`.as('quantity')])
          .where('point_id', '=', point.id)
          .where('kind', '!=', 'redemption')
          .where('recorded_at', '>=', from)
          .$if(to !== null, (q) => q.where('recorded_at', '<', to as Date))
          .groupBy(['item', 'kind'])
          .execute();
  const reversed = await reversedItems(deps, point, cycle);
  const shortfalls =
    from === null
      ? []
      : await deps.db
          .selectFrom('stock_transfer as t')
          .innerJoin('stock_transfer_outcome as o', 'o.transfer_id', 't.id')
          .select(['t.item', sql<string>`sum(o.shortfall)`.as('quantity')])
          .where('t.from_point_id', '=', point.id)
          .where('o.decided_at', '>=', from)
          .$if(to !== null, (q) => q.where('o.decided_at', '<', to as Date))
          .groupBy('t.item')
          .execute();
  const counts = await countFigures(deps, point, cycle);
  const inTransit = await inTransitAt(deps.db, point.id);
  const onHand = await deps.db
    .selectFrom('stock_balance')
    .select(['item', 'quantity'])
    .where('point_id', '=', point.id)
    .execute();
  const items = new Set([
    ...redeemed.map((row) => row.item),
    ...forRedemptions.map((row) => row.item),
    ...movements.map((row) => row.item),
    ...reversed.map((row) => row.item),
    ...inTransit.map((row) => row.item),
    ...counts.keys(),
  ]);
  const sumOf = (rows: readonly { item: string; quantity: string }[], item: string) =>
    Number(rows.find((row) => row.item === item)?.quantity ?? 0);
  const kindOf = (item: string, kind: string) =>
    Number(movements.find((row) => row.item === item && row.kind === kind)?.quantity ?? 0);
  return [...items].sort().map((item) => {
    const redeemedQuantity = sumOf(redeemed, item);
    const stockOut = sumOf(forRedemptions, item);
    const reversedOf = reversed.find((row) => row.item === item);
    const transitOf = inTransit.find((row) => row.item === item);
    const count = counts.get(item);
    return {
      item,
      redeemed: redeemedQuantity,
      stockOutForRedemptions: stockOut,
      integrityGap: stockOut - redeemedQuantity,
      reversed: Number(reversedOf?.quantity ?? 0),
      reversedStockOut: Number(reversedOf?.stockOut ?? 0),
      reversedReturned: Number(reversedOf?.returned ?? 0),
      delivered: kindOf(item, 'delivery'),
      transferredIn: kindOf(item, 'transfer_in'),
      transferredOut: -kindOf(item, 'transfer_out'),
      transferReturned: kindOf(item, 'transfer_return'),
      transferShortfall: sumOf(shortfalls, item),
      adjusted: kindOf(item, 'adjustment'),
      onHand: onHand.find((row) => row.item === item)?.quantity ?? 0,
      inTransitOut: transitOf?.outgoing ?? 0,
      inTransitIn: transitOf?.incoming ?? 0,
      ...(count === undefined ? {} : { count }),
    };
  });
}

/**
 * Per item, the latest physical count at the point within the cycle's window, and the
 * adjustments of reason `count_correction` recorded after it and before the item's next count
 * (if any, whenever): a supervisor corrects the ledger once the count is known, possibly after
 * the cycle closed. A count itself moves no stock.
 */
async function countFigures(
  deps: Pick<DistributionDependencies, 'db'>,
  point: PointRow,
  cycle: CycleForReconciliation,
): Promise<Map<string, CountFigures>> {
  const { from, to } = cycle.window;
  const figures = new Map<string, CountFigures>();
  if (from === null) return figures;
  const counts = await deps.db
    .selectFrom('stock_count')
    .select(['id', 'item', 'counted_quantity', 'expected_quantity', 'counted_at'])
    .where('point_id', '=', point.id)
    .where('counted_at', '>=', from)
    .$if(to !== null, (q) => q.where('counted_at', '<', to as Date))
    .orderBy('counted_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  for (const count of counts) {
    if (figures.has(count.item)) continue;
    // Compared in the database: its timestamps are finer than a JavaScript date.
    const corrected = await sql<{
      quantity: string | null;
    }>`select sum(m.quantity_delta) as quantity
      from stock_count c join stock_movement m on m.point_id = c.point_id and m.item = c.item
      where c.id = ${count.id} and m.kind = 'adjustment' and m.reason = 'count_correction'
        and m.recorded_at > c.counted_at
        and not exists (select 1 from stock_count n where n.point_id = c.point_id
          and n.item = c.item and n.counted_at > c.counted_at and n.counted_at < m.recorded_at)`.execute(
      deps.db,
    );
    const discrepancy = count.counted_quantity - count.expected_quantity;
    const correctedQuantity = Number(corrected.rows[0]?.quantity ?? 0);
    figures.set(count.item, {
      countedAt: count.counted_at.toISOString(),
      expected: count.expected_quantity,
      counted: count.counted_quantity,
      discrepancy,
      corrected: correctedQuantity,
      unexplained: discrepancy - correctedQuantity,
    });
  }
  return figures;
}

async function reversedCount(
  deps: Pick<DistributionDependencies, 'db'>,
  point: PointRow,
  cycle: CycleForReconciliation,
): Promise<number> {
  const row = await deps.db
    .selectFrom('redemption as r')
    .innerJoin('redemption_reversal as x', 'x.redemption_id', 'r.id')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('r.point_id', '=', point.id)
    .where('r.cycle_id', '=', cycle.cycleId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/**
 * Per item, the reversed redemptions of this point and cycle: what they had handed over, what
 * came back as a count correction when their goods had not left the point, and the stock that
 * left for them (their own movements, kept: the ledger is append-only).
 */
async function reversedItems(
  deps: Pick<DistributionDependencies, 'db'>,
  point: PointRow,
  cycle: CycleForReconciliation,
): Promise<{ item: string; quantity: string; stockOut: string; returned: string }[]> {
  const lines = await deps.db
    .selectFrom('redemption_line as l')
    .innerJoin('redemption as r', 'r.id', 'l.redemption_id')
    .innerJoin('redemption_reversal as x', 'x.redemption_id', 'r.id')
    .select([
      'l.item',
      sql<string>`sum(l.quantity)`.as('quantity'),
      sql<string>`sum(case when x.goods_returned then l.quantity else 0 end)`.as('returned'),
    ])
    .where('r.point_id', '=', point.id)
    .where('r.cycle_id', '=', cycle.cycleId)
    .groupBy('l.item')
    .execute();
  const stockOut = await deps.db
    .selectFrom('stock_movement as m')
    .innerJoin('redemption as r', 'r.id', 'm.redemption_id')
    .innerJoin('redemption_reversal as x', 'x.redemption_id', 'r.id')
    .select(['m.item', sql<string>`sum(-m.quantity_delta)`.as('quantity')])
    .where('m.point_id', '=', point.id)
    .where('r.cycle_id', '=', cycle.cycleId)
    .groupBy('m.item')
    .execute();
  const items = new Set([...lines.map((row) => row.item), ...stockOut.map((row) => row.item)]);
  return [...items].map((item) => {
    const line = lines.find((row) => row.item === item);
    return {
      item,
      quantity: line?.quantity ?? '0',
      returned: line?.returned ?? '0',
      stockOut: stockOut.find((row) => row.item === item)?.quantity ?? '0',
    };
  });
}
