import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type { EntitlementForRedemption } from '../../programs/index.js';
import { type DistributionDependencies, settingsOf } from '../distribution-context.js';
import { type HoldWindow, holdWindows, madeWhileHeld } from '../holds/hold-reads.js';
import { operatorIdOf } from '../points/point-service.js';
import { lockEntitlementState, preActivated } from '../redemption/entitlement-state.js';
import { notReversed } from '../redemption/reversal.js';
import { redeemableStates, type VoucherState } from '../tables.js';
import { redeemableWhenEnded, settleLateReceipts } from './late-receipt.js';
import { type Balance, type Candidate, dayOf, type Entitled } from './offline-batch.js';
import { BatchWrites } from './offline-batch-write.js';
import type { ActiveDevice } from './offline-device.js';
import type { OfflineReceiptInput } from './offline-receipt.js';
import type { OfflineLine } from './offline-tables.js';
import { waitingCarryOvers } from './snapshot-builder.js';
import type { SyncGate, SyncResult } from './sync-result.js';

/** States after which a shortfall is another device's redemption: a conflict, not an error. */
const takenStates: readonly VoucherState[] = ['consumed', 'conflict_flagged'];

/**
 * Counts a batch of checked offline receipts in one transaction, in the documented order —
 * **the earlier device time first, ties by receipt id** — after the receipts synced before
 * them. The entitlements' state rows are created if absent and locked (in id order) first, so
 * an online redemption or another device's sync waits, and what each receipt sees is what the
 * one before it left. A receipt that fits what remains is **counted**: a redemption with its
 * lines and signed server receipt, the stock movement, the person's text. One that no longer
 * fits (another device or point took it first) but fitted what remained when its snapshot was
 * made is a **conflict**: kept, counted nowhere, for the supervisor — and it **holds** only what
 * is in dispute (migration 0140): per item it names, what it asks of what still remains leaves
 * the balance and is kept on the receipt (`held`), while the entitlement keeps the state its
 * balances imply, so the rest is still handed over, online and offline. One that asks more
 * than the snapshot showed is refused (`AMP_QUANTITY_ABOVE_REMAINING`). Stock and entitlement
 * are therefore never counted twice.
 */
export async function offlineApplier(
  deps: DistributionDependencies,
  gate: SyncGate,
  device: ActiveDevice,
  candidates: readonly Candidate[],
  now: Date,
): Promise<{ results: Map<string, SyncResult> }> {
  const deviceId = device.id;
  const results = new Map<string, SyncResult>();
  if (candidates.length === 0) return { results };
  const ordered = [...candidates].sort(
    (a, b) =>
      a.receipt.deviceTime - b.receipt.deviceTime ||
      (a.receipt.receiptId < b.receipt.receiptId ? -1 : 1),
  );
  const operatorId = operatorIdOf(gate.write.actor) as string; // Safe: only operators redeem.
  await deps.db.transaction().execute(async (trx) => {
    const allowance = await allowanceUsed(trx, device, ordered);
    const entitled = await lockedEntitlements(trx, ordered);
    // Read after the state rows are locked: a hold placed before this sync began is seen.
    const windows = await holdWindows(trx, [...entitled.keys()]);
    const takenSince = takenSinceSnapshots(trx, ordered);
    const bound = await assistedBound(trx, ordered, settingsOf(deps).assistedPerOperatorPerDay);
    const writes = new BatchWrites();
    for (const candidate of ordered) {
      const target = entitled.get(candidate.entitlement.entitlementId) as Entitled;
      const { receipt } = candidate;
      const { held, ...result }: Decided = !allowance.admits(receipt)
        ? refusedAs(receipt.receiptId, 'AMP_OFFLINE_ALLOWANCE_EXCEEDED')
        : !bound.admits(receipt)
          ? refusedAs(receipt.receiptId, 'AMP_ASSISTED_LIMIT_REACHED')
          : await decide(candidate, target, takenSince, windows);
      if (result.outcome !== 'refused') {
        allowance.use(receipt);
        bound.use(receipt);
      }
      results.set(receipt.receiptId, result);
      if (result.outcome !== 'refused') writes.add(candidate, target, result, held ?? null);
    }
    await writes.flush(trx, deps, gate, { deviceId, operatorId, now }, entitled.values());
    await settleLateReceipts(trx, ordered, now);
  });
  return { results };
}

function refusedAs(receiptId: string, code: string): SyncResult {
  return { receiptId, replayed: false, redemptionId: null, outcome: 'refused', code };
}

/**
 * The operators' daily bound on hand-overs without the card (`max`, the setting the online start
 * counts against): for each operator named by an assisted receipt of the batch, and each local day of
 * those receipts, the assisted redemptions already recorded (online or synced). Read under the
 * operator's advisory lock, the one the online start takes, so neither passes the bound.
 */
async function assistedBound(
  trx: Transaction<Database>,
  ordered: readonly Candidate[],
  max: number,
): Promise<{
  admits(receipt: OfflineReceiptInput): boolean;
  use(receipt: OfflineReceiptInput): void;
}> {
  const keyOf = (receipt: OfflineReceiptInput) =>
    `${receipt.assisted?.operatorId}|${dayOf(receipt)}`;
  const assisted = ordered.map((each) => each.receipt).filter((r) => r.assisted !== undefined);
  const used = new Map<string, number>();
  const operators = [...new Set(assisted.map((r) => r.assisted?.operatorId as string))].sort();
  for (const operatorId of operators) {
    await sql`select pg_advisory_xact_lock(hashtext(${operatorId}))`.execute(trx);
  }
  if (operators.length > 0) {
    const rows = await trx
      .selectFrom('assisted_redemption')
      .select((eb) => ['operator_id', 'started_day', eb.fn.countAll<string>().as('count')])
      .where('operator_id', 'in', operators)
      .where('started_day', 'in', [...new Set(assisted.map(dayOf))])
      .groupBy(['operator_id', 'started_day'])
      .execute();
    for (const row of rows) {
      used.set(`${row.operator_id}|${row.started_day}`, Number(row.count));
    }
  }
  return {
    admits: (receipt) =>
      receipt.assisted === undefined || (used.get(keyOf(receipt)) ?? 0) + 1 <= max,
    use: (receipt) => {
      if (receipt.assisted !== undefined) {
        used.set(keyOf(receipt), (used.get(keyOf(receipt)) ?? 0) + 1);
      }
    },
  };
}

const unitsOf = (receipt: OfflineReceiptInput) =>
  receipt.lines.reduce((sum, line) => sum + line.quantity, 0);

/** When a snapshot was in force: from its issue to its expiry. */
interface SnapshotWindow {
  issuedAt: Date;
  expiresAt: Date;
}

const overlap = (a: SnapshotWindow, b: SnapshotWindow) =>
  a.issuedAt < b.expiresAt && b.issuedAt < a.expiresAt;

/**
 * The device's offline allowance (issue #15, point 5): what a device may hand over before the
 * server hears of it. For each snapshot of this batch: the receipts already kept (counted or
 * conflict) made with it, plus those made with **any other snapshot of the same device in force
 * at the same time** that the server **had not heard of when this one was issued** (synced
 * at or after its issue, kept to the millisecond), and their units. Then, in the documented order, a receipt that
 * would pass `receiptsMax` receipts or `unitsMax` units of its snapshot is refused
 * (`AMP_OFFLINE_ALLOWANCE_EXCEEDED`): nothing is counted for it, whatever the device did. Read
 * under a lock on the device, so two syncs of one device at once count each other. A device
 * that downloads several snapshots before going offline gets one allowance, not one per
 * snapshot; a device that syncs and then downloads a new snapshot starts afresh (what it synced
 * was heard of).
 */
async function allowanceUsed(
  trx: Transaction<Database>,
  device: ActiveDevice,
  ordered: readonly Candidate[],
): Promise<{
  admits(receipt: OfflineReceiptInput): boolean;
  use(receipt: OfflineReceiptInput): void;
}> {
  await sql`select pg_advisory_xact_lock(hashtext(${`offline device ${device.id}`}))`.execute(trx);
  const windows = new Map<string, SnapshotWindow>();
  for (const each of ordered) {
    windows.set(each.receipt.snapshotId, {
      issuedAt: each.snapshotIssuedAt,
      expiresAt: each.snapshotExpiresAt,
    });
  }
  const rows = await sql<{ snapshot_id: string; receipts: number; units: number }>`
    select s.id as snapshot_id, count(*)::int as receipts, coalesce(sum(u.units), 0)::int as units
    from distribution_snapshot s
    join distribution_snapshot o
      on o.device_id = s.device_id and o.issued_at < s.expires_at and o.expires_at > s.issued_at
    join offline_receipt r
      on r.snapshot_id = o.id
      and (o.id = s.id or r.synced_at >= s.issued_at)
    cross join lateral (
      select coalesce(sum((l ->> 'quantity')::int), 0) as units from jsonb_array_elements(r.lines) l
    ) u
    where s.id in (${sql.join([...windows.keys()])}) and s.device_id = ${device.id}
    group by s.id
  `.execute(trx);
  const used = new Map<string, { receipts: number; units: number }>();
  for (const row of rows.rows)
    used.set(row.snapshot_id, { receipts: row.receipts, units: row.units });
  const usedOf = (snapshotId: string) => used.get(snapshotId) ?? { receipts: 0, units: 0 };
  return {
    admits: (receipt) => {
      const entry = usedOf(receipt.snapshotId);
      return (
        entry.receipts + 1 <= device.receiptsMax &&
        entry.units + unitsOf(receipt) <= device.unitsMax
      );
    },
    // Kept now, so heard of only now: it counts for every snapshot of the batch in force with its own.
    use: (receipt) => {
      const own = windows.get(receipt.snapshotId) as SnapshotWindow; // Safe: from the batch.
      for (const [snapshotId, window] of windows) {
        if (!overlap(own, window)) continue;
        const entry = usedOf(snapshotId);
        used.set(snapshotId, {
          receipts: entry.receipts + 1,
          units: entry.units + unitsOf(receipt),
        });
      }
    },
  };
}

/** A receipt's result, and for a conflict what it holds of the entitlement. */
type Decided = SyncResult & { held?: OfflineLine[] };

async function decide(
  candidate: Candidate,
  target: Entitled,
  takenSince: TakenSinceSnapshot,
  windows: ReadonlyMap<string, readonly HoldWindow[]>,
): Promise<Decided> {
  const { receipt } = candidate;
  const base = { receiptId: receipt.receiptId, replayed: false, redemptionId: null };
  // Made after the program was suspended: refused, nothing counted. A receipt made before the
  // suspension is counted as usual — the goods left the point while the program was in force.
  const { suspendedAt } = candidate.entitlement;
  if (suspendedAt !== null && receipt.deviceTime >= suspendedAt.getTime()) {
    return { ...base, outcome: 'refused', code: 'AMP_PROGRAM_SUSPENDED' };
  }
  // A cycle not published yet hands nothing over; no snapshot carried it.
  if (preActivated(candidate.entitlement)) {
    return { ...base, outcome: 'refused', code: 'AMP_ENTITLEMENT_PRE_ACTIVATED' };
  }
  // Made while a supervisor's hold was in force: refused, nothing counted. Made before the hold,
  // it counts as usual (the goods left before it), as before a suspension or an ending.
  if (madeWhileHeld(windows.get(candidate.entitlement.entitlementId), receipt.deviceTime)) {
    return { ...base, outcome: 'refused', code: 'AMP_ENTITLEMENT_BLOCKED' };
  }
  const redeemable =
    redeemableStates.includes(target.state) ||
    redeemableWhenEnded(candidate.entitlement, target.state);
  if (!redeemable && !takenStates.includes(target.state)) {
    return { ...base, outcome: 'refused', code: 'AMP_ENTITLEMENT_NOT_REDEEMABLE' };
  }
  // An item named twice, or one the entitlement does not hold, is never redeemable.
  const distinct = new Set(receipt.lines.map((line) => line.item)).size === receipt.lines.length;
  const fits = receipt.lines.every(
    (line) => line.quantity <= (target.items.get(line.item)?.remaining ?? -1),
  );
  if (redeemable && fits && distinct) {
    for (const line of receipt.lines) {
      const balance = target.items.get(line.item) as Balance;
      balance.remaining -= line.quantity;
      target.takenHere.set(line.item, (target.takenHere.get(line.item) ?? 0) + line.quantity);
    }
    target.state = [...target.items.values()].every((item) => item.remaining === 0)
      ? 'consumed'
      : 'partially_consumed';
    target.changed = true;
    return { ...base, outcome: 'counted', code: null, redemptionId: randomUUID() };
  }
  const atSnapshot = remainingAtSnapshot(target, await takenSince(candidate));
  const withinSnapshot =
    distinct && receipt.lines.every((line) => line.quantity <= (atSnapshot.get(line.item) ?? 0));
  if (!withinSnapshot) {
    return { ...base, outcome: 'refused', code: 'AMP_QUANTITY_ABOVE_REMAINING' };
  }
  return { ...base, outcome: 'conflict', code: null, held: hold(target, receipt.lines) };
}

/**
 * What a conflict holds (migration 0140): per item of the receipt, what it asks of what still
 * remains — the quantity it would take if it stands — taken out of the balance until the
 * supervisor decides, and counted as taken in this batch (what later receipts of the batch see
 * as "taken since their snapshot"). The entitlement takes the state its balances then imply;
 * one flagged whole by a conflict synced before 0140 stays flagged.
 */
function hold(target: Entitled, lines: readonly OfflineLine[]): OfflineLine[] {
  const held: OfflineLine[] = [];
  for (const line of lines) {
    const balance = target.items.get(line.item);
    const quantity = Math.min(line.quantity, Math.max(balance?.remaining ?? 0, 0));
    if (balance === undefined || quantity === 0) continue;
    balance.remaining -= quantity;
    target.takenHere.set(line.item, (target.takenHere.get(line.item) ?? 0) + quantity);
    held.push({ item: line.item, quantity });
  }
  if (held.length > 0 && target.state !== 'conflict_flagged') {
    target.state = [...target.items.values()].every((item) => item.remaining === 0)
      ? 'consumed'
      : 'partially_consumed';
    target.changed = true;
  }
  return held;
}

/** What was counted of a candidate's entitlement, by item, since its snapshot was made. */
type TakenSinceSnapshot = (candidate: Candidate) => Promise<Map<string, number>>;

/**
 * What was counted of each entitlement of the batch since each of its snapshots was made — the
 * redemptions not reversed, and what the conflicts synced since still hold — read for the whole
 * batch in one statement the first time a receipt needs it (one that no longer fits what
 * remains: a conflict, or more than the snapshot showed), and not at all when every receipt
 * fits. One read serves the whole batch: the batch writes nothing until `BatchWrites.flush`, so
 * what it reads is what each receipt would have read on its own.
 */
function takenSinceSnapshots(
  trx: Transaction<Database>,
  ordered: readonly Candidate[],
): TakenSinceSnapshot {
  const keyOf = (candidate: Candidate) =>
    `${candidate.entitlement.entitlementId}|${candidate.snapshotIssuedAt.getTime()}`;
  let read: Promise<Map<string, Map<string, number>>> | undefined;
  const readAll = async () => {
    const pairs = [...new Map(ordered.map((each) => [keyOf(each), each])).values()];
    const rows = await sql<{ pair: string; item: string; taken: string }>`
      with w as (
        select * from unnest(${pairs.map((each) => each.entitlement.entitlementId)}::uuid[],
                    ${pairs.map((each) => each.snapshotIssuedAt.toISOString())}::timestamptz[])
             with ordinality as w(entitlement_id, issued_at, pair)
      )
      select pair, item, sum(quantity) as taken from (
        select w.pair, l.item, l.quantity
          from w
          join redemption r on r.entitlement_id = w.entitlement_id and r.redeemed_at > w.issued_at
          join redemption_line l on l.redemption_id = r.id
         where ${notReversed('r')}
        union all
        select w.pair, h.item, h.quantity
          from w
          join offline_receipt o on o.entitlement_id = w.entitlement_id
           and o.synced_at > w.issued_at and o.outcome = 'conflict' and o.held is not null
          cross join lateral jsonb_to_recordset(o.held) as h(item text, quantity integer)
         where not exists (
           select 1 from offline_conflict_resolution c where c.receipt_id = o.id)
      ) taken
       group by pair, item`.execute(trx);
    const taken = new Map<string, Map<string, number>>();
    for (const row of rows.rows) {
      const pair = pairs[Number(row.pair) - 1] as Candidate; // Safe: ordinality counts from 1.
      const items = taken.get(keyOf(pair)) ?? new Map<string, number>();
      items.set(row.item, Number(row.taken));
      taken.set(keyOf(pair), items);
    }
    return taken;
  };
  return async (candidate) => {
    read ??= readAll();
    return (await read).get(keyOf(candidate)) ?? new Map();
  };
}

/** What remained of each item when a snapshot was made: now, plus what was counted since. */
function remainingAtSnapshot(
  target: Entitled,
  takenSince: ReadonlyMap<string, number>,
): Map<string, number> {
  const remaining = new Map<string, number>();
  for (const [item, balance] of target.items) {
    remaining.set(item, balance.remaining + (target.takenHere.get(item) ?? 0));
  }
  for (const [item, taken] of takenSince) {
    remaining.set(item, (remaining.get(item) ?? 0) + taken);
  }
  return remaining;
}

/**
 * Creates the state rows not yet there, then locks every one of the batch, in id order, and
 * reads what remains of each (of those the batch created, their basket in full).
 */
async function lockedEntitlements(
  trx: Transaction<Database>,
  ordered: readonly Candidate[],
): Promise<Map<string, Entitled>> {
  const byId = new Map<string, EntitlementForRedemption>();
  for (const candidate of ordered) {
    byId.set(candidate.entitlement.entitlementId, candidate.entitlement);
  }
  const ids = [...byId.keys()].sort();
  const created = await createMissingStates(trx, [...byId.values()]);
  const states = await trx
    .selectFrom('entitlement_redemption_state')
    .select(['entitlement_id', 'state'])
    .where('entitlement_id', 'in', ids)
    .orderBy('entitlement_id')
    .forUpdate()
    .execute();
  const stored = ids.filter((id) => !created.has(id));
  const balances =
    stored.length === 0
      ? []
      : await trx
          .selectFrom('entitlement_item_balance')
          .select(['entitlement_id', 'item', 'unit', 'quantity_remaining'])
          .where('entitlement_id', 'in', stored)
          .execute();
  const entitled = new Map<string, Entitled>();
  for (const row of states) {
    const entitlement = byId.get(row.entitlement_id) as EntitlementForRedemption;
    const fresh = created.has(row.entitlement_id);
    entitled.set(row.entitlement_id, {
      entitlement,
      state: row.state,
      items: new Map(
        fresh
          ? (entitlement.basket ?? []).map((line) => [
              line.item,
              { unit: line.unit, remaining: line.quantity },
            ])
          : [],
      ),
      changed: false,
      takenHere: new Map(),
      created: fresh,
    });
  }
  for (const row of balances) {
    entitled
      .get(row.entitlement_id)
      ?.items.set(row.item, { unit: row.unit, remaining: row.quantity_remaining });
  }
  return entitled;
}

/**
 * The state rows of entitlements no point has touched yet, as `lockEntitlementState` makes them:
 * one at a time for those a carry-over waits for (it is taken in), in one statement for the
 * others. Answers the ids of the latter that this batch created: their item balances are
 * written with the batch (`BatchWrites`), once, with what remains.
 */
async function createMissingStates(
  trx: Transaction<Database>,
  entitlements: readonly EntitlementForRedemption[],
): Promise<Set<string>> {
  const existing = await trx
    .selectFrom('entitlement_redemption_state')
    .select('entitlement_id')
    .where(
      'entitlement_id',
      'in',
      entitlements.map((e) => e.entitlementId),
    )
    .execute();
  const known = new Set(existing.map((row) => row.entitlement_id));
  const missing = entitlements.filter((e) => !known.has(e.entitlementId));
  if (missing.length === 0) return new Set();
  const carried = await waitingCarryOvers(trx, missing);
  const plain: EntitlementForRedemption[] = [];
  for (const entitlement of missing) {
    const key = `${entitlement.personId}|${entitlement.programId}|${entitlement.cycleId}`;
    if (carried.has(key)) await lockEntitlementState(trx, entitlement);
    else plain.push(entitlement);
  }
  if (plain.length === 0) return new Set();
  const created = await sql<{ entitlement_id: string }>`
    insert into entitlement_redemption_state (entitlement_id, person_id, program_id, state)
    select * from unnest(${plain.map((e) => e.entitlementId)}::uuid[],
      ${plain.map((e) => e.personId)}::uuid[], ${plain.map((e) => e.programId)}::uuid[],
      ${plain.map(() => 'activated')}::text[])
    on conflict (entitlement_id) do nothing
    returning entitlement_id`.execute(trx);
  return new Set(created.rows.map((row) => row.entitlement_id));
}
