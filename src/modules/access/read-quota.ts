import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import { AmparoError } from '../../platform/errors.js';
import type { OperatorActor } from '../../shared/access/actor.js';
import type { Role } from '../../shared/access/roles.js';
import { accessLimits } from './limits.js';

const { windowMs, bucketMs, personReadsPerHour } = accessLimits.readQuota;

/**
 * The hourly person-read quota of an operator: the largest among their roles
 * (`limits.access.readQuota.personReadsPerHour`).
 *
 * @example
 *   readQuotaFor(['enrolment_clerk', 'distribution_operator']); // 1200
 */
export function readQuotaFor(roles: readonly Role[]): number {
  return roles.reduce((largest, role) => Math.max(largest, personReadsPerHour[role]), 0);
}

/**
 * Counts person reads per operator in a sliding hour and refuses reads beyond the quota of
 * the operator's roles (safeguard 10). Reads are counted in one-minute buckets
 * (`operator_read_window`, migration 0025) and a read is allowed when the buckets of the
 * last hour, this one included, hold at most the quota, so no 59 minutes ever hold more than
 * the quota (a clock hour let an operator read it at 10:59 and again at 11:00). A refused
 * read is answered 429 AMP_QUOTA_EXCEEDED with `Retry-After`: the seconds until enough of
 * the oldest buckets leave the window. It is not counted (its increment is taken back), so
 * the hint stays true. Crossing the quota raises one alert per operator per window.
 *
 * Counting happens before the read, so a refused read reveals nothing, and in the
 * database, so several server processes share one count.
 *
 * @example
 *   await consumePersonReads(db, actor, 1); // throws AMP_QUOTA_EXCEEDED past the quota
 */
export async function consumePersonReads(
  db: Kysely<Database>,
  actor: OperatorActor,
  count: number,
  now: Date = new Date(),
): Promise<void> {
  const reading = await bumpReads(db, actor, count, now);
  if (reading.reads <= reading.quota) return;
  await db
    .updateTable('operator_read_window')
    .set((eb) => ({ reads: eb('reads', '-', count) }))
    .where('operator_id', '=', actor.operatorId)
    .where('window_start', '=', reading.bucketStart)
    .execute();
  throw await quotaRefusal(db, actor, reading);
}

/** Where an operator's count stood once bumped. */
interface QuotaReading {
  quota: number;
  reads: number;
  bucketStart: Date;
  windowFloor: Date;
  now: Date;
}

/**
 * Thrown by `countPersonReadsInTransaction` past the quota: the caller lets the transaction roll
 * back (which takes the increment back) and then turns it into the refusal with
 * `personReadsRefusal`, outside the transaction, so the alert it raises is kept.
 */
export class PersonReadsOverrun extends Error {
  override readonly name = 'PersonReadsOverrun';
  constructor(readonly reading: QuotaReading) {
    super('the read quota is used up');
  }
}

/**
 * `consumePersonReads` inside a write's own transaction (a card redemption: one commit where
 * the bump was a second one), as its first statement, so nothing the transaction finds out is
 * answered uncounted. Past the quota it throws `PersonReadsOverrun`.
 *
 * @example
 *   try { await db.transaction().execute(async (trx) => {
 *     await countPersonReadsInTransaction(trx, actor, 1); … }) }
 *   catch (error) { if (error instanceof PersonReadsOverrun)
 *     throw await personReadsRefusal(db, actor, error); throw error; }
 */
export async function countPersonReadsInTransaction(
  trx: Transaction<Database>,
  actor: OperatorActor,
  count: number,
  now: Date = new Date(),
): Promise<void> {
  const reading = await bumpReads(trx, actor, count, now);
  if (reading.reads > reading.quota) throw new PersonReadsOverrun(reading);
}

/**
 * `countPersonReadsInTransaction` for several operators at once (a batch of concurrent card
 * redemptions): one statement bumps each operator's bucket by their count, in operator order
 * (two batches lock the same buckets in the same order). An operator the bump takes past their
 * quota has it taken back in the same transaction and is returned: nothing of theirs may be
 * answered in this transaction (the caller answers them one by one, which refuses them as
 * `countPersonReadsInTransaction` does). Every other count stands with the transaction.
 *
 * @example
 *   const over = await countPersonReadsOfMany(trx, [{ actor, count: 2 }]); // [] within quota
 */
export async function countPersonReadsOfMany(
  trx: Transaction<Database>,
  readers: readonly { actor: OperatorActor; count: number }[],
  now: Date = new Date(),
): Promise<OperatorActor[]> {
  if (readers.length === 0) return [];
  assert.equal(
    new Set(readers.map((each) => each.actor.operatorId)).size,
    readers.length,
    'one entry per operator',
  );
  const bucketStart = new Date(Math.floor(now.getTime() / bucketMs) * bucketMs);
  const windowFloor = new Date(now.getTime() - windowMs);
  const sorted = [...readers].sort((a, b) =>
    a.actor.operatorId < b.actor.operatorId ? -1 : a.actor.operatorId > b.actor.operatorId ? 1 : 0,
  );
  const counted = await sql<{ operator_id: string; reads: number; bucket: number }>`
    with bumped as (
      insert into operator_read_window as w (operator_id, window_start, reads)
      select i.operator_id, ${bucketStart}::timestamptz, i.n
      from unnest(${sorted.map((each) => each.actor.operatorId)}::uuid[],
        ${sorted.map((each) => each.count)}::int[]) with ordinality as i (operator_id, n, ord)
      order by i.ord
      on conflict (operator_id, window_start) do update set reads = w.reads + excluded.reads
      returning operator_id, reads
    )
    select bumped.operator_id, bumped.reads as bucket, (bumped.reads + coalesce((
      select sum(other.reads) from operator_read_window other
      where other.operator_id = bumped.operator_id
        and other.window_start > ${windowFloor} and other.window_start <> ${bucketStart}
    ), 0))::int as reads
    from bumped`.execute(trx);
  const byOperator = new Map(counted.rows.map((row) => [row.operator_id, row]));
  const over: { actor: OperatorActor; count: number }[] = [];
  for (const reader of sorted) {
    const row = byOperator.get(reader.actor.operatorId);
    if (row === undefined) throw new Error('the read counter returned no row');
    if (row.reads > readQuotaFor(reader.actor.roles)) over.push(reader);
    // A bucket just begun: the operator's buckets that left the window are no longer needed.
    else if (row.bucket === reader.count) {
      await pruneBuckets(trx, reader.actor.operatorId, windowFloor);
    }
  }
  await takeBackPersonReads(trx, over, now);
  return over.map((each) => each.actor);
}

/**
 * Takes back reads `countPersonReadsOfMany` counted at `now` in this same transaction (its
 * buckets are locked by it already): reads the caller will not answer in it after all.
 */
export async function takeBackPersonReads(
  trx: Transaction<Database>,
  readers: readonly { actor: OperatorActor; count: number }[],
  now: Date,
): Promise<void> {
  if (readers.length === 0) return;
  const bucketStart = new Date(Math.floor(now.getTime() / bucketMs) * bucketMs);
  await sql`
    update operator_read_window w set reads = w.reads - i.n
    from unnest(${readers.map((each) => each.actor.operatorId)}::uuid[],
      ${readers.map((each) => each.count)}::int[]) as i (operator_id, n)
    where w.operator_id = i.operator_id and w.window_start = ${bucketStart}`.execute(trx);
}

/** The 429 for an overrun whose transaction rolled back: raises the alert, says when to retry. */
export function personReadsRefusal(
  db: Kysely<Database>,
  actor: OperatorActor,
  overrun: PersonReadsOverrun,
): Promise<AmparoError> {
  return quotaRefusal(db, actor, overrun.reading);
}

async function bumpReads(
  db: Kysely<Database>,
  actor: OperatorActor,
  count: number,
  now: Date,
): Promise<QuotaReading> {
  const quota = readQuotaFor(actor.roles);
  const bucketStart = new Date(Math.floor(now.getTime() / bucketMs) * bucketMs);
  const windowFloor = new Date(now.getTime() - windowMs);
  // One statement: bump this minute's bucket and add the other buckets still in the window
  // (a data-modifying CTE is not visible to the outer query, hence the separate terms).
  const counted = await sql<{ reads: number; bucket: number }>`
    with bumped as (
      insert into operator_read_window as w (operator_id, window_start, reads)
      values (${actor.operatorId}, ${bucketStart}, ${count})
      on conflict (operator_id, window_start) do update set reads = w.reads + excluded.reads
      returning reads
    )
    select (bumped.reads + coalesce((
      select sum(other.reads) from operator_read_window other
      where other.operator_id = ${actor.operatorId}
        and other.window_start > ${windowFloor} and other.window_start <> ${bucketStart}
    ), 0))::int as reads, bumped.reads as bucket
    from bumped`.execute(db);
  const row = counted.rows[0];
  if (row === undefined) throw new Error('the read counter returned no row');
  // A bucket just begun: the operator's buckets that left the window are no longer needed.
  if (row.bucket === count) await pruneBuckets(db, actor.operatorId, windowFloor);
  return { quota, reads: row.reads, bucketStart, windowFloor, now };
}

async function quotaRefusal(
  db: Kysely<Database>,
  actor: OperatorActor,
  reading: QuotaReading,
): Promise<AmparoError> {
  const { quota, reads, windowFloor, now } = reading;
  await raiseAlertOnce(db, actor, { quota, reads, windowFloor, now });
  const retryAfterSeconds = await secondsUntilRoom(db, actor.operatorId, {
    needed: reads - quota,
    windowFloor,
    now,
  });
  return new AmparoError('AMP_QUOTA_EXCEEDED', {
    detail: `The read quota of ${quota} person records per hour is used up; retry in ${retryAfterSeconds} s`,
    retryAfterSeconds,
  });
}

async function pruneBuckets(db: Kysely<Database>, operatorId: string, windowFloor: Date) {
  await db
    .deleteFrom('operator_read_window')
    .where('operator_id', '=', operatorId)
    .where('window_start', '<=', new Date(windowFloor.getTime() - bucketMs))
    .execute();
}

/** The first refusal in a window raises an alert for auditors; later ones do not repeat it. */
async function raiseAlertOnce(
  db: Kysely<Database>,
  actor: OperatorActor,
  reading: { quota: number; reads: number; windowFloor: Date; now: Date },
): Promise<void> {
  const recent = await db
    .selectFrom('security_alert')
    .select('id')
    .where('operator_id', '=', actor.operatorId)
    .where('kind', '=', 'read_quota_exceeded')
    .where('created_at', '>', reading.windowFloor)
    .where('created_at', '<=', reading.now)
    .executeTakeFirst();
  if (recent !== undefined) return;
  await db
    .insertInto('security_alert')
    .values({
      id: randomUUID(),
      kind: 'read_quota_exceeded',
      operator_id: actor.operatorId,
      created_at: reading.now,
      details: {
        quotaPerHour: reading.quota,
        readsThisHour: reading.reads,
        windowStart: reading.windowFloor.toISOString(),
        roles: [...actor.roles],
      },
    })
    .execute();
}

/**
 * Seconds until the oldest buckets leaving the window free `needed` reads: a bucket leaves
 * one window length after it began. At least 1; a request larger than the whole quota never
 * fits and is told to wait a window.
 */
async function secondsUntilRoom(
  db: Kysely<Database>,
  operatorId: string,
  props: { needed: number; windowFloor: Date; now: Date },
): Promise<number> {
  const buckets = await db
    .selectFrom('operator_read_window')
    .select(['window_start', 'reads'])
    .where('operator_id', '=', operatorId)
    .where('window_start', '>', props.windowFloor)
    .orderBy('window_start')
    .execute();
  let freed = 0;
  for (const bucket of buckets) {
    freed += bucket.reads;
    if (freed >= props.needed) {
      const leavesAtMs = bucket.window_start.getTime() + windowMs;
      return Math.max(1, Math.ceil((leavesAtMs - props.now.getTime()) / 1000));
    }
  }
  return Math.ceil(windowMs / 1000);
}
