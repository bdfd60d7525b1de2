import { type Kysely, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import {
  type AccountInput,
  accountFlags,
  type TransferInput,
  transferCreator,
  type WalletCreditHook,
} from '../../ledger/index.js';
import { type CashEntitlement, cashEntitlementsInRange } from '../../programs/index.js';
import { disbursementTransferId, walletAccountId } from '../accounts/account-ids.js';
import { frozenAmong } from '../accounts/wallet-freeze.js';
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

interface ChunkFigures {
  credited: number;
  creditedMinor: bigint;
  skipped: number;
  refused: number;
  /** The two largest single credits (0 when fewer): statistics' p % dominance rule needs them. */
  largestMinor: bigint;
  secondMinor: bigint;
}

/**
 * Pays a disbursement's pending chunks (issue #16, point 4), several at once. Each chunk sends
 * its transfers, opening the wallets it credits in the same transaction (`openAccounts`) — funding account → wallet, one per
 * entitlement, the transfer id derived from the entitlement id — as one ledger batch, whose
 * funding-account debit is one aggregated update made last (docs/LEDGER.md, the hot funding
 * account), and then counts the chunk done. A run killed anywhere resumes by running again:
 * a chunk whose transfers committed but was not counted is sent again and the ledger answers
 * every transfer `replayed` — counted then, never paid twice.
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
        const figures = await payChunk(db, disbursement, next, options.onWalletCredited);
        const progress = await countChunk(db, disbursement.id, next.chunk, figures);
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

async function payChunk(
  db: Kysely<Database>,
  disbursement: DisbursementProgress,
  chunk: Chunk,
  onWalletCredited: WalletCreditHook | undefined,
): Promise<ChunkFigures> {
  const entitlements = await cashEntitlementsInRange(db, {
    programId: disbursement.programId,
    cycleId: disbursement.cycleId,
    firstPersonId: chunk.firstPersonId,
    lastPersonId: chunk.lastPersonId,
  });
  const frozen = await frozenAmong(
    db,
    entitlements.map((entitlement) => entitlement.personId),
  );
  // Claimed for the wallet first (committed): an entitlement a payout holds is not credited,
  // and a payout batch written at the same instant cannot take one the wallet holds.
  const unfrozen = entitlements.filter((entitlement) => !frozen.has(entitlement.personId));
  const claimed = await claimForWallets(
    db,
    unfrozen.map((entitlement) => entitlement.entitlementId),
  );
  const payable = unfrozen.filter((entitlement) => claimed.has(entitlement.entitlementId));
  if (payable.length === 0) {
    return {
      credited: 0,
      creditedMinor: 0n,
      skipped: entitlements.length,
      refused: 0,
      largestMinor: 0n,
      secondMinor: 0n,
    };
  }
  const transfers = payable.map(
    (entitlement): TransferInput => ({
      id: disbursementTransferId(entitlement.entitlementId),
      debitAccountId: disbursement.fundingAccountId,
      creditAccountId: walletAccountId(entitlement.personId, disbursement.currency),
      amountMinor: entitlement.amountMinor,
      flags: 0,
      currency: disbursement.currency,
      reason: 'disbursement',
      referenceKind: 'entitlement',
      referenceId: entitlement.entitlementId,
    }),
  );
  // The wallets are opened in the batch's transaction, written once with their first credit.
  const outcomes = await transferCreator(db, transfers, {
    openAccounts: walletsOf(payable, disbursement.currency),
    ...(onWalletCredited ? { onWalletCredited } : {}),
  });
  const figures: ChunkFigures = {
    credited: 0,
    creditedMinor: 0n,
    skipped: entitlements.length - payable.length,
    refused: 0,
    largestMinor: 0n,
    secondMinor: 0n,
  };
  const refused: string[] = [];
  outcomes.forEach((outcome, index) => {
    if (outcome.result === 'ok') {
      const amount = transfers[index]?.amountMinor ?? 0n;
      figures.credited += 1;
      figures.creditedMinor += amount;
      if (amount > figures.largestMinor) {
        figures.secondMinor = figures.largestMinor;
        figures.largestMinor = amount;
      } else if (amount > figures.secondMinor) figures.secondMinor = amount;
    } else {
      figures.refused += 1;
      refused.push(payable[index]?.entitlementId ?? '');
    }
  });
  // A refused credit's id stays failed: the wallet can never pay it, a payout may.
  await releaseWalletClaims(db, refused);
  return figures;
}

/** The wallets of the persons paid (opened on first credit; an open one is kept). */
function walletsOf(payable: readonly CashEntitlement[], currency: 'VES' | 'USD'): AccountInput[] {
  return payable.map((entitlement) => ({
    id: walletAccountId(entitlement.personId, currency),
    currency,
    kind: 'beneficiary_wallet',
    flags: accountFlags.debitsMustNotExceedCredits,
    referenceId: entitlement.personId,
  }));
}

/**
 * Counts a paid chunk once: the chunk turns done and its figures are added to the
 * disbursement's in one transaction; a chunk counted already (another run) adds nothing.
 */
async function countChunk(
  db: Kysely<Database>,
  disbursementId: string,
  chunk: number,
  figures: ChunkFigures,
): Promise<{ chunksDone: number; chunksTotal: number }> {
  return db.transaction().execute(async (trx) => {
    const now = new Date();
    const counted = await trx
      .updateTable('payment_disbursement_chunk')
      .set({
        status: 'done',
        credited_count: figures.credited,
        credited_minor: figures.creditedMinor,
        skipped_count: figures.skipped,
        refused_count: figures.refused,
        done_at: now,
      })
      .where('disbursement_id', '=', disbursementId)
      .where('chunk', '=', chunk)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    const add = counted.numUpdatedRows === 1n;
    if (add) {
      // The chunk's two largest credits, for statistics' p % dominance rule (issue #17).
      await trx
        .insertInto('payment_chunk_largest_credits')
        .values({
          disbursement_id: disbursementId,
          chunk,
          largest_minor: figures.largestMinor,
          second_minor: figures.secondMinor,
        })
        .execute();
    }
    const row = await trx
      .updateTable('payment_disbursement')
      .set({
        chunks_done: sql`chunks_done + ${add ? 1 : 0}`,
        credited_count: sql`credited_count + ${add ? figures.credited : 0}`,
        credited_minor: sql`credited_minor + ${add ? figures.creditedMinor : 0n}`,
        skipped_count: sql`skipped_count + ${add ? figures.skipped : 0}`,
        refused_count: sql`refused_count + ${add ? figures.refused : 0}`,
        updated_at: now,
        status: sql`case when chunks_done + ${add ? 1 : 0} = chunks_total then 'finished' else status end`,
        finished_at: sql`case when chunks_done + ${add ? 1 : 0} = chunks_total then ${now}::timestamptz else finished_at end`,
      })
      .where('id', '=', disbursementId)
      .returning(['chunks_done', 'chunks_total'])
      .executeTakeFirstOrThrow();
    return { chunksDone: row.chunks_done, chunksTotal: row.chunks_total };
  });
}
