import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { type ClaimedKey, claimIdempotencyKeys } from '../../../platform/db/idempotency.js';
import type { Database } from '../../../platform/db/schema.js';
import type { OperatorActor } from '../../../shared/access/actor.js';
import type { AuditEntryInput } from '../../../shared/audit/audit-entry.js';
import { writeAuditEntry } from '../../../shared/audit/write-audit-entry.js';
import {
  auditInTransaction,
  countPersonReadsOfMany,
  foldedAudit,
  takeBackPersonReads,
} from '../../access/index.js';
import type { DistributionDependencies } from '../distribution-context.js';
import { nowOf } from '../distribution-context.js';
import { distributionLimits } from '../limits.js';
import { operatorIdOf } from '../points/point-service.js';
import { redeemableStates } from '../tables.js';
import {
  answerAfter,
  lockManyForRedemption,
  preActivated,
  stateAfter,
} from './entitlement-state.js';
import {
  linesAfter,
  type RedemptionAnswer,
  signedReceiptOf,
  takeLines,
} from './redemption-answer.js';
import type { BatchedRedemption } from './redemption-batch-item.js';
import { type ReadyRedemption, redemptionWrite } from './redemption-batch-write.js';
import { redemptionNoticeStatement } from './redemption-notice.js';

/**
 * Card redemptions that arrive while a batch is in flight are written together (issue #15, the
 * throughput work): one transaction and a fixed handful of set-based statements for N
 * redemptions — the idempotency keys claimed, the operators' read quotas counted, the
 * entitlements' state rows locked with their remaining quantities, and one write that locks
 * and moves the points' stock rows — where one redemption alone sends seven. Each redemption keeps its own
 * answer, its own audit entry, receipt, notice and idempotency record.
 *
 * The points' stock rows are locked and moved by the write itself, which moves a row only if it
 * stays at zero or more: when one is missing or too low, the batch rolls back and runs again
 * the way it did before, its stock rows locked and read first (in (point, item) order), so
 * that those with enough are written and the others answered alone. A batch that finds
 * enough stock, the common case, saves that statement.
 *
 * Only the plain case is batched. A redemption the batch cannot simply write — a key already
 * answered (a retry, or the key reused with another body), an operator past their read quota,
 * an entitlement that is not this person's, not served here, not in kind, not redeemable, or
 * with less left than asked, a stock row missing or too low — is left out of the write (its
 * read is not counted) and answered alone afterwards by `redeemFor`, which replays, refuses and
 * audits it exactly as it always did. A batch never holds two redemptions with the same key or
 * the same entitlement: the later one waits for the next batch, so "the same entitlement at the
 * same moment from two points" is decided by the entitlement's state row lock as before.
 * Locks are taken in the one-at-a-time path's order (key, read quota, entitlement, stock), each
 * kind in key order, so batches and single redemptions queue rather than deadlock.
 *
 * @example
 *   const batcher = new RedemptionBatcher(deps);
 *   const answer = await batcher.submit(redemption); // undefined: answer it with `redeemFor`
 */
/** The batch's answer, or undefined: the redemption is to be answered alone. */
export type { BatchedRedemption } from './redemption-batch-item.js';

export type BatchOutcome = { status: number; body: RedemptionAnswer } | undefined;

interface Waiting {
  redemption: BatchedRedemption;
  resolve(outcome: BatchOutcome): void;
  reject(error: unknown): void;
}

export class RedemptionBatcher {
  readonly #deps: DistributionDependencies;
  #waiting: Waiting[] = [];
  #inFlight = 0;
  #scheduled = false;

  constructor(deps: DistributionDependencies) {
    this.#deps = deps;
  }

  submit(redemption: BatchedRedemption): Promise<BatchOutcome> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ redemption, resolve, reject });
      this.#schedule();
    });
  }

  /** Starts a batch on the next turn of the event loop, so the requests of this one join it. */
  #schedule(): void {
    if (this.#scheduled || this.#waiting.length === 0) return;
    if (this.#inFlight >= distributionLimits.redemptionBatchesInFlightMax) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#start();
    });
  }

  #start(): void {
    while (
      this.#inFlight < distributionLimits.redemptionBatchesInFlightMax &&
      this.#waiting.length > 0
    ) {
      const batch = this.#take();
      this.#inFlight += 1;
      runBatch(
        this.#deps,
        batch.map((each) => each.redemption),
      )
        .then(
          (outcomes) => {
            batch.forEach((each, index) => {
              each.resolve(outcomes[index]);
            });
          },
          (error: unknown) => {
            for (const each of batch) each.reject(error);
          },
        )
        .finally(() => {
          this.#inFlight -= 1;
          this.#schedule();
        });
    }
  }

  /** The next batch: distinct keys and entitlements, at most the bound; the rest wait. */
  #take(): Waiting[] {
    const keys = new Set<string>();
    const entitlements = new Set<string>();
    const taken: Waiting[] = [];
    const left: Waiting[] = [];
    for (const each of this.#waiting) {
      const { clientId, entitlementId } = each.redemption;
      if (
        taken.length < distributionLimits.redemptionBatchMax &&
        !keys.has(clientId) &&
        !entitlements.has(entitlementId)
      ) {
        taken.push(each);
        keys.add(clientId);
        entitlements.add(entitlementId);
      } else {
        left.push(each);
      }
    }
    this.#waiting = left;
    return taken;
  }
}

interface Candidate {
  index: number;
  redemption: BatchedRedemption;
  claim: ClaimedKey<RedemptionAnswer>;
}

/** Raised inside a batch's transaction whose write found a stock row short: it rolls back. */
class StockShort extends Error {
  override readonly name = 'StockShort';
}

async function runBatch(
  deps: DistributionDependencies,
  redemptions: readonly BatchedRedemption[],
): Promise<BatchOutcome[]> {
  try {
    return await attemptBatch(deps, redemptions, { stockLockedFirst: false });
  } catch (error) {
    if (!(error instanceof StockShort)) throw error;
    return attemptBatch(deps, redemptions, { stockLockedFirst: true });
  }
}

/**
 * One attempt at the batch in its own transaction. Without `stockLockedFirst` the stock rows
 * are left to the write (`StockShort` if one is short); with it they are locked and read first,
 * and the redemptions they cannot cover are left out.
 */
async function attemptBatch(
  deps: DistributionDependencies,
  redemptions: readonly BatchedRedemption[],
  attempt: { stockLockedFirst: boolean },
): Promise<BatchOutcome[]> {
  const outcomes: BatchOutcome[] = redemptions.map(() => undefined);
  let settle: () => Promise<void> = async () => undefined;
  await deps.db.transaction().execute(async (trx) => {
    const claims = await claimIdempotencyKeys<RedemptionAnswer>(
      trx,
      'distribution.redeem',
      redemptions,
    );
    const fresh = redemptions.flatMap((redemption, index) => {
      const claim = claims[index] as ClaimedKey<RedemptionAnswer>;
      return claim.previous === undefined ? [{ index, redemption, claim }] : [];
    });
    const quotaNow = new Date();
    const over = new Set(
      (await countPersonReadsOfMany(trx, readersOf(fresh), quotaNow)).map(
        (actor) => actor.operatorId,
      ),
    );
    const counted = fresh.filter((each) => !over.has(each.redemption.reader.operatorId));
    const taking = await redeemable(trx, counted, nowOf(deps));
    const ready = attempt.stockLockedFirst ? await withStock(trx, taking) : taking;
    const readyIndexes = new Set(ready.map((each) => each.index));
    await takeBackPersonReads(
      trx,
      readersOf(counted.filter((each) => !readyIndexes.has(each.index))),
      quotaNow,
    );
    if (ready.length === 0) return;
    settle = await writeReady(deps, trx, ready, outcomes, attempt);
  });
  await settle();
  return outcomes;
}

/** One entry per operator: how many of the batch's reads are theirs. */
function readersOf(candidates: readonly Candidate[]): { actor: OperatorActor; count: number }[] {
  const byOperator = new Map<string, { actor: OperatorActor; count: number }>();
  for (const { redemption } of candidates) {
    const known = byOperator.get(redemption.reader.operatorId);
    if (known !== undefined) known.count += 1;
    else byOperator.set(redemption.reader.operatorId, { actor: redemption.reader, count: 1 });
  }
  return [...byOperator.values()];
}

type Taking = Candidate & Omit<ReadyRedemption, 'redemption' | 'claim'>;

/**
 * The entitlements locked in one statement, and those the batch may write: what
 * `redeemableEntitlement`, the state check and `takeLines` let through one at a time.
 */
async function redeemable(
  trx: Transaction<Database>,
  candidates: readonly Candidate[],
  now: Date,
): Promise<Taking[]> {
  if (candidates.length === 0) return [];
  const locked = await lockManyForRedemption(
    trx,
    candidates.map(({ redemption }) => ({
      entitlementId: redemption.entitlementId,
      personId: redemption.personId,
      servedProgramIds: redemption.gate.servedProgramIds,
    })),
    now,
  );
  return candidates.flatMap((candidate, index) => {
    const found = locked[index];
    const { redemption } = candidate;
    const entitlement = found?.entitlement;
    if (
      found?.items === undefined ||
      entitlement === undefined ||
      entitlement.personId !== redemption.personId ||
      !redemption.gate.servedProgramIds.includes(entitlement.programId) ||
      entitlement.programStatus === 'suspended' ||
      preActivated(entitlement) ||
      found.heldSince !== null ||
      entitlement.basket === null ||
      !redeemableStates.includes(found.state)
    ) {
      return [];
    }
    const balance = found.items.find((each) => each.item === redemption.line.item);
    if (balance === undefined || balance.remaining < redemption.line.quantity) return [];
    const itemsAfter = takeLines(found.items, [redemption.line]);
    return [{ ...candidate, entitlement, state: stateAfter(itemsAfter), itemsAfter }];
  });
}

/**
 * The points' stock rows locked in (point, item) order, and the redemptions they cover in the
 * batch's order; one whose row is missing or too low is left to be refused alone.
 */
async function withStock(trx: Transaction<Database>, taking: readonly Taking[]): Promise<Taking[]> {
  if (taking.length === 0) return [];
  const rows = await sql<{ point_id: string; item: string; quantity: number }>`
    select point_id, item, quantity from stock_balance
    where (point_id, item) in (
      select * from unnest(${taking.map((each) => each.redemption.gate.point.id)}::uuid[],
        ${taking.map((each) => each.redemption.line.item)}::text[]))
    order by point_id, item
    for update`.execute(trx);
  const onHand = new Map(rows.rows.map((row) => [`${row.point_id}|${row.item}`, row.quantity]));
  return taking.flatMap((each) => {
    const key = `${each.redemption.gate.point.id}|${each.redemption.line.item}`;
    const quantity = onHand.get(key);
    if (quantity === undefined || quantity - each.redemption.line.quantity < 0) return [];
    onHand.set(key, quantity - each.redemption.line.quantity);
    return [each];
  });
}

/** Signs each receipt, builds each answer and writes the batch; returns the audit's settle. */
async function writeReady(
  deps: DistributionDependencies,
  trx: Transaction<Database>,
  ready: readonly Taking[],
  outcomes: BatchOutcome[],
  attempt: { stockLockedFirst: boolean },
): Promise<() => Promise<void>> {
  const redeemedAt = nowOf(deps);
  const written = ready.map((each) => {
    const { redemption, entitlement } = each;
    const redemptionId = randomUUID();
    const receipt = signedReceiptOf(deps, redemption.gate.point, {
      redemptionId,
      entitlement,
      mode: 'card',
      lines: linesAfter([redemption.line], each.itemsAfter),
      redeemedAt,
    });
    const result = {
      status: 201,
      body: {
        redemptionId,
        entitlement: answerAfter(entitlement, each.state, each.itemsAfter),
        ...receipt,
      },
    };
    outcomes[each.index] = result;
    return { ...each, redemptionId, receipt, answerRow: each.claim.row(result) };
  });
  const entries: AuditEntryInput[] = ready.map(({ redemption }) =>
    writeAuditEntry(
      redemption.gate.write,
      { type: 'person', id: redemption.personId },
      [],
      redemption.requestId,
    ),
  );
  const folded = foldedAudit(deps.audit, entries);
  const notices = ready.flatMap(({ redemption }, index) => {
    const notice = redemptionNoticeStatement(deps, {
      personId: redemption.personId,
      point: redemption.gate.point,
      receiptId: written[index]?.redemptionId ?? '',
      redeemedAt,
    });
    return notice === undefined ? [] : [notice];
  });
  const stock = await redemptionWrite(trx, {
    written: written.map((each) => ({ ...each, operatorId: operatorIdOf(each.redemption.reader) })),
    redeemedAt,
    alsoWritten: [...notices, ...(folded === undefined ? [] : [folded.statement])],
  });
  if (stock.stockShort) {
    // Rows locked and checked first cannot be short: that would be a broken invariant.
    assert.ok(!attempt.stockLockedFirst, 'stock locked first covers the batch');
    throw new StockShort();
  }
  assert.equal(stock.movements, ready.length, 'every redemption of the batch moved its stock');
  if (folded !== undefined) return folded.settle;
  return auditInTransaction(deps.audit, trx, entries);
}
