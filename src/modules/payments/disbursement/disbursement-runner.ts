import assert from 'node:assert/strict';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import {
  type AccountInput,
  accountFlags,
  type TransferInput,
  type TransferOutcome,
  transferCreator,
  type WalletCreditHook,
} from '../../ledger/index.js';
import { type CashEntitlement, cashEntitlementsInRange } from '../../programs/index.js';
import { disbursementTransferId, walletAccountId } from '../accounts/account-ids.js';
import { paymentLimits } from '../limits.js';
import { claimForWallets, releaseWalletClaims } from '../payouts/entitlement-claims.js';
import { type DisbursementProgress, disbursementProgress } from './disbursement-progress.js';

export interface RunOptions {
  disbursementId: string;
  /** Chunks paid at once (default `limits.payments.disbursementWorkers`). */
  workers?: number;
  /** "Payment received", queued in each chunk's ledger transaction (notifications). */
  onWalletCredited?: WalletCreditHook;
  /** Told after each chunk is counted. */
  onProgress?: (progress: { chunksDone: number; chunksTotal: number }) => void | Promise<void>;
  /** Stops after this many chunks (tests interrupt a run to resume it). */
  chunksMax?: number;
}

interface Chunk {
  chunk: number;
  firstPersonId: string;
  lastPersonId: string;
}

/** An entitlement of the chunk with the id of the wallet it credits. */
interface WalletEntitlement extends CashEntitlement {
  walletId: string;
}

interface ChunkFigures {
  credited: number;
  creditedMinor: bigint;
  skipped: number;
  refused: number;
  /** The two largest single credits (0 when fewer): statistics' p % dominance rule needs them. */
  largestMinor: bigint;
  secondMinor: bigint;
  /** The entitlements whose credit the ledger refused: their wallet claims are released. */
  refusedEntitlementIds: string[];
}

/**
 * Pays a disbursement's pending chunks (issue #16, point 4), several at once. Each chunk is one
 * ledger batch — funding account → wallet, one per entitlement, the transfer id derived from
 * the entitlement id — whose transaction also claims the entitlements for the wallet, opens
 * the wallets it credits (`openAccounts`) and counts the chunk done; its funding-account debit
 * is one aggregated update made last (docs/LEDGER.md, the hot funding account). A run killed
 * anywhere resumes by running again: a chunk is paid and counted in one commit or not at all,
 * and a chunk sent twice finds its transfers answered `replayed`, never paid twice.
 *
 * @example
 *   await disbursementRunner(db, { disbursementId, onWalletCredited: paymentNotices(notifier) });
 */
export async function disbursementRunner(
  db: Kysely<Database>,
  options: RunOptions,
): Promise<DisbursementProgress> {
  const disbursement = await disbursementProgress(db, { id: options.disbursementId });
  if (disbursement === undefined) {
    throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such disbursement' });
  }
  const pending = await db
    .selectFrom('payment_disbursement_chunk')
    .select(['chunk', 'first_person_id', 'last_person_id'])
    .where('disbursement_id', '=', disbursement.id)
    .where('status', '=', 'pending')
    .orderBy('chunk')
    .execute();
  const queue: Chunk[] = pending.slice(0, options.chunksMax ?? pending.length).map((row) => ({
    chunk: row.chunk,
    firstPersonId: row.first_person_id,
    lastPersonId: row.last_person_id,
  }));
  const workers = Math.max(1, options.workers ?? paymentLimits.disbursementWorkers);
  let failure: unknown;
  const work = async () => {
    for (
      let next = queue.shift();
      next !== undefined && failure === undefined;
      next = queue.shift()
    ) {
      try {
        const progress = await payChunk(db, disbursement, next, options.onWalletCredited);
        await options.onProgress?.(progress);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, work));
  if (failure !== undefined) throw failure;
  // Safe: the disbursement exists (read above) and is never removed.
  return (await disbursementProgress(db, { id: disbursement.id })) as DisbursementProgress;
}

/**
 * Pays one chunk in one transaction: its entitlements are claimed for the wallet (those of
 * frozen wallets, and those a payout holds, left out), credited, opening the wallets, the
 * claims of refused credits released, and the chunk counted, all in one commit. Two runs of
 * one chunk at once: the second waits on the first's claims, then finds its transfers written
 * (answered `replayed`) and the chunk counted.
 */
async function payChunk(
  db: Kysely<Database>,
  disbursement: DisbursementProgress,
  chunk: Chunk,
  onWalletCredited: WalletCreditHook | undefined,
): Promise<{ chunksDone: number; chunksTotal: number }> {
  // Each wallet's id is derived once (a hash), for its credit and for its opening.
  const entitlements = (
    await cashEntitlementsInRange(db, {
      programId: disbursement.programId,
      cycleId: disbursement.cycleId,
      firstPersonId: chunk.firstPersonId,
      lastPersonId: chunk.lastPersonId,
    })
  ).map((entitlement) => ({
    ...entitlement,
    walletId: walletAccountId(entitlement.personId, disbursement.currency),
  }));
  let counted: { chunksDone: number; chunksTotal: number } | undefined;
  await transferCreator(
    db,
    async (trx) => {
      const held = await claimForWallets(trx, entitlements);
      return entitlements
        .filter((entitlement) => held.has(entitlement.entitlementId))
        .map((entitlement) => creditOf(disbursement, entitlement));
    },
    {
      openAccounts: walletsOf(entitlements, disbursement.currency),
      // A chunk is paid and counted in one commit: a pending chunk's credits are new, but for
      // a chunk run twice at once or a credit refused earlier (the ledger then looks again).
      transfersExpectedNew: true,
      ...(onWalletCredited ? { onWalletCredited } : {}),
      onApplied: async (trx, transfers, outcomes) => {
        const figures = figuresOf(entitlements.length, transfers, outcomes);
        // A refused credit's id stays failed: the wallet can never pay it, a payout may.
        await releaseWalletClaims(trx, figures.refusedEntitlementIds);
        counted = await countChunk(trx, disbursement.id, chunk.chunk, figures);
      },
    },
  );
  // Safe: transferCreator resolved, so its last run's onApplied ran to the end.
  return counted as { chunksDone: number; chunksTotal: number };
}

/** The credit of one entitlement: funding account → wallet, its id derived from the entitlement. */
function creditOf(
  disbursement: DisbursementProgress,
  entitlement: WalletEntitlement,
): TransferInput {
  return {
    id: disbursementTransferId(entitlement.entitlementId),
    debitAccountId: disbursement.fundingAccountId,
    creditAccountId: entitlement.walletId,
    amountMinor: entitlement.amountMinor,
    flags: 0,
    currency: disbursement.currency,
    reason: 'disbursement',
    referenceKind: 'entitlement',
    referenceId: entitlement.entitlementId,
  };
}

/** What a chunk's answers add to the disbursement (those not sent were skipped). */
function figuresOf(
  entitlementsCount: number,
  transfers: readonly TransferInput[],
  outcomes: readonly TransferOutcome[],
): ChunkFigures {
  const figures: ChunkFigures = {
    credited: 0,
    creditedMinor: 0n,
    skipped: entitlementsCount - transfers.length,
    refused: 0,
    largestMinor: 0n,
    secondMinor: 0n,
    refusedEntitlementIds: [],
  };
  outcomes.forEach((outcome, index) => {
    const transfer = transfers[index];
    if (transfer === undefined) return;
    if (outcome.result !== 'ok') {
      figures.refused += 1;
      figures.refusedEntitlementIds.push(transfer.referenceId ?? '');
      return;
    }
    const amount = transfer.amountMinor;
    figures.credited += 1;
    figures.creditedMinor += amount;
    if (amount > figures.largestMinor) {
      figures.secondMinor = figures.largestMinor;
      figures.largestMinor = amount;
    } else if (amount > figures.secondMinor) figures.secondMinor = amount;
  });
  return figures;
}

/** The wallets of the persons paid (opened on first credit; an open one is kept). */
function walletsOf(payable: readonly WalletEntitlement[], currency: 'VES' | 'USD'): AccountInput[] {
  return payable.map((entitlement) => ({
    id: entitlement.walletId,
    currency,
    kind: 'beneficiary_wallet',
    flags: accountFlags.debitsMustNotExceedCredits,
    referenceId: entitlement.personId,
  }));
}

/**
 * Counts a paid chunk once, in its batch's transaction and in one statement: the chunk turns
 * done, its two largest credits are kept (statistics' p % dominance rule, issue #17) and its
 * figures added to the disbursement's; a chunk counted already (another run) adds nothing.
 * The disbursement's row is updated last, so it is locked only until the commit.
 */
async function countChunk(
  trx: Transaction<Database>,
  disbursementId: string,
  chunk: number,
  figures: ChunkFigures,
): Promise<{ chunksDone: number; chunksTotal: number }> {
  const now = new Date();
  const { rows } = await sql<{ chunks_done: number; chunks_total: number }>`
    with counted as (
      update payment_disbursement_chunk
         set status = 'done', credited_count = ${figures.credited},
             credited_minor = ${figures.creditedMinor}, skipped_count = ${figures.skipped},
             refused_count = ${figures.refused}, done_at = ${now}
       where disbursement_id = ${disbursementId} and chunk = ${chunk} and status = 'pending'
      returning chunk),
    kept as (
      insert into payment_chunk_largest_credits (disbursement_id, chunk, largest_minor, second_minor)
      select ${disbursementId}, chunk, ${figures.largestMinor}, ${figures.secondMinor} from counted)
    update payment_disbursement d
       set chunks_done = d.chunks_done + c.n,
           credited_count = d.credited_count + c.n * ${figures.credited},
           credited_minor = d.credited_minor + c.n * ${figures.creditedMinor}::bigint,
           skipped_count = d.skipped_count + c.n * ${figures.skipped},
           refused_count = d.refused_count + c.n * ${figures.refused},
           updated_at = ${now},
           status = case when d.chunks_done + c.n = d.chunks_total then 'finished' else d.status end,
           finished_at = case when d.chunks_done + c.n = d.chunks_total then ${now}::timestamptz
                              else d.finished_at end
      from (select count(*)::int as n from counted) c
     where d.id = ${disbursementId}
    returning d.chunks_done, d.chunks_total`.execute(trx);
  const row = rows[0];
  assert.ok(row !== undefined, 'the disbursement exists');
  return { chunksDone: row.chunks_done, chunksTotal: row.chunks_total };
}
