import { randomUUID } from 'node:crypto';
import { type RawBuilder, sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { writeAuditEntry } from '../../../shared/audit/write-audit-entry.js';
import { localDate } from '../../notifications/index.js';
import type { DistributionDependencies } from '../distribution-context.js';
import type { PointRow } from '../point-gate.js';
import { placeText } from '../points/collection-notices.js';
import { receiptKeyFrom, type SignedReceipt, signReceiptOffThread } from '../redemption/receipt.js';
import { receiptReference } from '../redemption/redemption-notice.js';
import { type Balance, type Candidate, dayOf, type Entitled } from './offline-batch.js';
import { moveStockInBulk } from './offline-stock.js';
import type { OfflineLine } from './offline-tables.js';
import type { SyncGate, SyncResult } from './sync-result.js';

interface Written {
  candidate: Candidate;
  target: Entitled;
  result: SyncResult;
  /** A conflict's hold (possibly empty; migration 0140); null for a counted receipt. */
  held: OfflineLine[] | null;
  remainingAfter: Map<string, number>;
  /** The assisted redemption a hand-over without the card records (counted or conflict). */
  assistedId: string | null;
}

interface WriteMeta {
  deviceId: string;
  operatorId: string;
  now: Date;
}

/**
 * The rows of a batch, written at its end with one statement per table, the rows' columns sent
 * as arrays (`insert … select from unnest(…)`: a few parameters instead of thousands, nothing
 * spliced into SQL), joined where they can into one round trip (`together`). The server receipts of the counted ones are signed on the thread pool
 * while the entitlements, texts and assisted redemptions are written; the audit entries come
 * last, since the appender lock they take is held until the commit.
 *
 * @example
 *   const writes = new BatchWrites();
 *   writes.add(candidate, target, result, held); // each receipt kept, in the documented order
 *   await writes.flush(trx, deps, gate, { deviceId, operatorId, now }, entitled.values());
 */
export class BatchWrites {
  readonly #written: Written[] = [];

  add(
    candidate: Candidate,
    target: Entitled,
    result: SyncResult,
    held: OfflineLine[] | null,
  ): void {
    const remainingAfter = new Map(
      [...target.items].map(([item, balance]) => [item, balance.remaining]),
    );
    const assistedId = candidate.receipt.assisted === undefined ? null : randomUUID();
    this.#written.push({ candidate, target, result, held, remainingAfter, assistedId });
  }

  /** Writes the batch: every entitlement it locked, then what each kept receipt records. */
  async flush(
    trx: Transaction<Database>,
    deps: DistributionDependencies,
    gate: SyncGate,
    meta: WriteMeta,
    entitled: Iterable<Entitled>,
  ): Promise<void> {
    const counted = this.#written.filter((each) => each.result.outcome === 'counted');
    const signing = signedReceipts(deps, gate, counted, meta.now);
    // Awaited below; if a write fails first, the transaction fails with that error instead.
    signing.catch(() => undefined);
    await together(trx, entitlementWrites([...entitled], meta.now));
    if (this.#written.length === 0) return;
    await queueReceiptTexts(trx, deps, gate.point, counted);
    await insertAssisted(trx, gate, this.#written);
    await together(trx, [
      ...redemptionInserts(gate, counted, await signing, meta),
      offlineReceiptInsert(gate, this.#written, meta),
    ]);
    await moveStockInBulk(trx, gate.point.id, counted, meta.operatorId);
    await deps.audit.appendInTransaction(
      trx,
      this.#written.map((each) => {
        // Without the card: the assisted action, so the person's history says so, as online.
        const write = each.assistedId !== null && gate.assisted ? gate.assisted.write : gate.write;
        const fields = [
          ...(each.assistedId === null ? [] : ['second_check']),
          ...(each.result.outcome === 'conflict' ? ['offline_conflict'] : []),
        ];
        return writeAuditEntry(
          write,
          { type: 'person', id: each.candidate.entitlement.personId },
          fields,
          gate.write.requestId,
        );
      }),
    );
  }
}

/**
 * Runs statements as one (each a data-modifying `with` part, run once and to completion;
 * constraints are checked at the statement's end): one round trip instead of one each.
 */
async function together(
  trx: Transaction<Database>,
  statements: readonly RawBuilder<unknown>[],
): Promise<void> {
  const [first, ...others] = statements;
  if (first === undefined) return;
  if (others.length === 0) {
    await first.execute(trx);
    return;
  }
  const parts = statements.map(
    (statement, index) => sql`${sql.raw(`w${index}`)} as (${statement})`,
  );
  await sql`with ${sql.join(parts)} select 1`.execute(trx);
}

/**
 * What remains of each entitlement of the batch and its state: the item balances of those whose
 * state row the batch created (inserted once, with what remains), the balances of the others
 * that changed, and the state of every one that changed.
 */
function entitlementWrites(targets: readonly Entitled[], now: Date): RawBuilder<unknown>[] {
  const statements: RawBuilder<unknown>[] = [];
  const created = targets
    .filter((target) => target.created)
    .flatMap((target) =>
      (target.entitlement.basket ?? []).map((line) => ({
        id: target.entitlement.entitlementId,
        item: line.item,
        unit: line.unit,
        granted: line.quantity,
        remaining: (target.items.get(line.item) as Balance).remaining, // Safe: from the basket.
      })),
    );
  if (created.length > 0) {
    statements.push(sql`insert into entitlement_item_balance
        (entitlement_id, item, unit, quantity_granted, quantity_remaining)
      select * from unnest(${created.map((row) => row.id)}::uuid[],
        ${created.map((row) => row.item)}::text[], ${created.map((row) => row.unit)}::text[],
        ${created.map((row) => row.granted)}::int[], ${created.map((row) => row.remaining)}::int[])`);
  }
  const changed = targets.filter((target) => target.changed);
  const moved = changed
    .filter((target) => !target.created)
    .flatMap((target) =>
      [...target.items].map(([item, balance]) => ({
        id: target.entitlement.entitlementId,
        item,
        remaining: balance.remaining,
      })),
    );
  if (moved.length > 0) {
    statements.push(sql`update entitlement_item_balance as b set quantity_remaining = v.remaining
      from unnest(${moved.map((row) => row.id)}::uuid[], ${moved.map((row) => row.item)}::text[],
        ${moved.map((row) => row.remaining)}::int[]) as v (entitlement_id, item, remaining)
      where b.entitlement_id = v.entitlement_id and b.item = v.item`);
  }
  if (changed.length > 0) {
    statements.push(sql`update entitlement_redemption_state as s
      set state = v.state, state_reason = v.reason, updated_at = ${now}
      from unnest(${changed.map((target) => target.entitlement.entitlementId)}::uuid[],
        ${changed.map((target) => target.state)}::text[],
        ${changed.map((target) => (target.state === 'conflict_flagged' ? 'offline_conflict' : null))}::text[])
        as v (entitlement_id, state, reason)
      where s.entitlement_id = v.entitlement_id`);
  }
  return statements;
}

/** The signed server receipts of the counted receipts, in their order (thread pool). */
function signedReceipts(
  deps: DistributionDependencies,
  gate: SyncGate,
  counted: readonly Written[],
  now: Date,
): Promise<SignedReceipt[]> {
  if (counted.length === 0) return Promise.resolve([]);
  const key = receiptKeyFrom(deps.keys.masterKey);
  return Promise.all(
    counted.map(({ candidate, result, target, remainingAfter, assistedId }) =>
      signReceiptOffThread(key, {
        v: 1,
        receiptId: result.redemptionId as string, // Safe: a counted receipt has its redemption.
        pointCode: gate.point.code,
        programCode: candidate.entitlement.programCode,
        entitlementId: candidate.entitlement.entitlementId,
        mode: assistedId === null ? 'card' : 'assisted',
        redeemedAt: now.toISOString(),
        lines: candidate.receipt.lines.map((line) => ({
          item: line.item,
          unit: (target.items.get(line.item) as Balance).unit, // Safe: decide checked the item.
          quantity: line.quantity,
          remainingAfter: remainingAfter.get(line.item) ?? 0,
        })),
      }),
    ),
  );
}

/**
 * The assisted redemptions of the hand-overs without the card of a batch (counted or kept as a
 * conflict: the goods left the point either way): method `household_card`, the member's card,
 * the operator the receipt names, started and passed at the device's time, counted on that UTC
 * day. The supervisor's list, the bound and the reconciliation read these rows.
 */
async function insertAssisted(
  trx: Transaction<Database>,
  gate: SyncGate,
  written: readonly Written[],
): Promise<void> {
  const rows = written.flatMap(({ candidate, assistedId }) => {
    const { receipt, entitlement } = candidate;
    if (assistedId === null || receipt.assisted === undefined) return [];
    const at = new Date(receipt.deviceTime);
    return [
      {
        id: assistedId,
        point_id: gate.point.id,
        operator_id: receipt.assisted.operatorId,
        person_id: entitlement.personId,
        reason: receipt.assisted.reason,
        method: 'household_card' as const,
        code_hash: null,
        code_expires_at: null,
        household_credential_id: Buffer.from(receipt.credentialId, 'hex'),
        started_at: at,
        started_day: dayOf(receipt),
        verified_at: at,
        failed_at: null,
      },
    ];
  });
  // At most a sync's 500 receipts: 6,500 parameters, far below PostgreSQL's 65,535.
  if (rows.length > 0) await trx.insertInto('assisted_redemption').values(rows).execute();
}

/** The redemptions of the counted receipts with their signed receipts, and their lines. */
function redemptionInserts(
  gate: SyncGate,
  counted: readonly Written[],
  signed: readonly SignedReceipt[],
  meta: WriteMeta,
): RawBuilder<unknown>[] {
  if (counted.length === 0) return [];
  const column = <T>(pick: (each: Written) => T): T[] => counted.map(pick);
  const lines = counted.flatMap((each, index) =>
    (signed[index] as SignedReceipt).receipt.lines.map((line) => ({
      redemptionId: each.result.redemptionId as string,
      ...line,
    })),
  );
  return [
    sql`insert into redemption (id, entitlement_id, person_id, program_id, cycle_id, point_id,
        operator_id, mode, credential_id, assisted_id, redeemed_at, receipt_signature)
      select r.id, r.entitlement_id, r.person_id, r.program_id, r.cycle_id, ${gate.point.id}::uuid,
        r.operator_id, r.mode, decode(r.credential_hex, 'hex'), r.assisted_id,
        ${meta.now}::timestamptz, r.signature
      from unnest(${column((each) => each.result.redemptionId)}::uuid[],
        ${column((each) => each.candidate.entitlement.entitlementId)}::uuid[],
        ${column((each) => each.candidate.entitlement.personId)}::uuid[],
        ${column((each) => each.candidate.entitlement.programId)}::uuid[],
        ${column((each) => each.candidate.entitlement.cycleId)}::uuid[],
        ${column((each) => each.candidate.receipt.assisted?.operatorId ?? meta.operatorId)}::uuid[],
        ${column((each) => (each.assistedId === null ? 'card' : 'assisted'))}::text[],
        ${column((each) => (each.assistedId === null ? each.candidate.receipt.credentialId : null))}::text[],
        ${column((each) => each.assistedId)}::uuid[],
        ${signed.map((each) => each.signature)}::text[])
        as r (id, entitlement_id, person_id, program_id, cycle_id, operator_id, mode,
          credential_hex, assisted_id, signature)`,
    sql`insert into redemption_line (redemption_id, item, unit, quantity, remaining_after)
      select * from unnest(${lines.map((line) => line.redemptionId)}::uuid[],
        ${lines.map((line) => line.item)}::text[], ${lines.map((line) => line.unit)}::text[],
        ${lines.map((line) => line.quantity)}::int[],
        ${lines.map((line) => line.remainingAfter)}::int[])`,
  ];
}

/** Every kept receipt (counted or conflict) as the device sent it: its id is exactly-once. */
function offlineReceiptInsert(
  gate: SyncGate,
  written: readonly Written[],
  meta: WriteMeta,
): RawBuilder<unknown> {
  const column = <T>(pick: (each: Written) => T): T[] => written.map(pick);
  return sql`insert into offline_receipt (id, device_id, point_id, snapshot_id, entitlement_id,
      cycle_id, device_time, lines, signature, synced_at, synced_by, outcome, redemption_id,
      credential_id, assisted_id, held, served_by)
    select r.id, ${meta.deviceId}::uuid, ${gate.point.id}::uuid, r.snapshot_id, r.entitlement_id,
      r.cycle_id, r.device_time, r.lines::jsonb, r.signature, ${meta.now}::timestamptz,
      ${meta.operatorId}::uuid, r.outcome, r.redemption_id, decode(r.credential_hex, 'hex'),
      r.assisted_id, r.held::jsonb, r.served_by
    from unnest(${column((each) => each.candidate.receipt.receiptId)}::uuid[],
      ${column((each) => each.candidate.receipt.snapshotId)}::uuid[],
      ${column((each) => each.candidate.entitlement.entitlementId)}::uuid[],
      ${column((each) => each.candidate.entitlement.cycleId)}::uuid[],
      ${column((each) => new Date(each.candidate.receipt.deviceTime).toISOString())}::timestamptz[],
      ${column((each) => JSON.stringify(each.candidate.receipt.lines))}::text[],
      ${column((each) => each.candidate.receipt.signature)}::text[],
      ${column((each) => each.result.outcome)}::text[],
      ${column((each) => each.result.redemptionId)}::uuid[],
      ${column((each) => each.candidate.receipt.credentialId)}::text[],
      ${column((each) => each.assistedId)}::uuid[],
      ${column((each) => (each.result.outcome === 'conflict' ? JSON.stringify(each.held ?? []) : null))}::text[],
      ${column((each) => each.candidate.receipt.servedBy ?? null)}::uuid[])
      as r (id, snapshot_id, entitlement_id, cycle_id, device_time, lines, signature, outcome,
        redemption_id, credential_hex, assisted_id, held, served_by)`;
}

/**
 * The person's text for each counted receipt, as an online redemption queues it ("a collection
 * was recorded here, on this day, with this receipt"), dated by the device's clock, and queued
 * for the batch at once (`notifyEach`) instead of a phone read per receipt.
 */
async function queueReceiptTexts(
  trx: Transaction<Database>,
  deps: DistributionDependencies,
  point: PointRow,
  counted: readonly Written[],
): Promise<void> {
  const notifier = deps.notifier;
  if (notifier === undefined || counted.length === 0) return;
  const place = placeText(point.name) ?? placeText(point.code) ?? 'Amparo';
  const notices = counted.map((each) => ({
    personId: each.candidate.entitlement.personId,
    notice: {
      event: 'redemption_receipt' as const,
      place,
      date: localDate(new Date(each.candidate.receipt.deviceTime)),
      reference: receiptReference(each.result.redemptionId as string),
    },
  }));
  if (notifier.notifyEach !== undefined) {
    await notifier.notifyEach(trx, notices);
    return;
  }
  for (const each of notices) await notifier.notify(trx, each.personId, each.notice);
}
