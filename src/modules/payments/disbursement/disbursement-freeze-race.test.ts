import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/db.js';
import { buildPerson } from '../../../../test/factories.js';
import { transactionHeldOpen, untilWaitingForALock } from '../../../../test/lock-waits.js';
import {
  ledgerIsSound,
  lookupAccounts,
  postedBalance,
  verifyLedger,
  type WalletCreditHook,
} from '../../ledger/index.js';
import { walletAccountId } from '../accounts/account-ids.js';
import { freezeWallets } from '../accounts/wallet-freeze.js';
import { programFunder } from '../funding/program-funder.js';
import { cashCycle } from '../payments-test-kit.js';
import { disbursementRunner } from './disbursement-runner.js';
import { disbursementStarter } from './disbursement-starter.js';

/**
 * A death (the wallet's freeze) recorded while a disbursement chunk is being posted (issue #16,
 * "wallets of deceased or merged persons frozen"). The chunk reads the freezes in its claim
 * statement; a freeze that had not committed then was not seen, and its credit landed in a
 * wallet frozen by the time it committed. The chunk now takes, first in its transaction, the
 * lock each freeze takes (shared there, exclusive here), so a credit and a freeze are ordered:
 *
 * - a freeze in progress when the chunk begins: the chunk waits for its commit, then leaves the
 *   wallet out — skipped, uncredited, its entitlement unclaimed — exactly as for a wallet frozen
 *   before the chunk (README, "Frozen wallets");
 * - a freeze begun while the chunk posts: it waits for the chunk's commit; the credit is then
 *   money the person held before the death, in the frozen wallet for the documented move.
 *
 * The interleavings need two connections, so PostgreSQL. PGlite runs one transaction at a
 * time: there the freeze commits before the chunk (the only order it allows), and the chunk
 * must answer the same.
 */
const dialects: Array<'pglite' | 'postgres'> =
  inject('testDatabase').kind === 'postgres' ? ['pglite', 'postgres'] : ['pglite'];
const amountMinor = 10_000n;

describe.each(dialects)('a freeze and a disbursement chunk at once (%s)', (kind) => {
  let database: TestDatabase;
  let personIds: string[];

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const kit = { database, masterKey: randomBytes(32) };
    personIds = [];
    for (let index = 0; index < 4; index += 1) personIds.push((await buildPerson(kit)).id);
  });
  afterAll(async () => database?.close());

  /** A funded disbursement of a new cash cycle paying every person, in one chunk. */
  async function startedDisbursement(code: string): Promise<string> {
    const { programId, cycleId } = await cashCycle(database.db, { code, amountMinor });
    await programFunder(database.db, {
      programId,
      currency: 'VES',
      amountMinor: String(amountMinor * 10n),
      transferId: randomUUID(),
    });
    const started = await disbursementStarter(database.db, {
      cycleId,
      operatorId: null,
      chunkEntitlements: 100,
    });
    return started.id;
  }

  const walletBalance = async (personId: string) => {
    const [wallet] = await lookupAccounts(database.db, [walletAccountId(personId, 'VES')]);
    return wallet === undefined ? 0n : postedBalance(wallet);
  };
  const freeze = (personId: string) =>
    database.db.transaction().execute((trx) => freezeWallets(trx, personId, 'death'));

  it('skips a wallet whose freeze is in progress when the chunk begins, as one frozen before', async () => {
    const dead = personIds[0] as string;
    const disbursementId = await startedDisbursement('race_a');
    const run = () => disbursementRunner(database.db, { disbursementId, workers: 1 });
    const done = await whileFreezeUncommitted(database, dead, run);
    expect(done).toMatchObject({
      status: 'finished',
      creditedCount: 3n,
      skippedCount: 1n,
      refusedCount: 0n,
    });
    expect(await walletBalance(dead)).toBe(0n);
    const claims = await database.db
      .selectFrom('payment_entitlement_claim')
      .innerJoin('entitlement', 'entitlement.id', 'payment_entitlement_claim.entitlement_id')
      .select('entitlement.person_id')
      .where('entitlement.person_id', '=', dead)
      .execute();
    expect(claims).toEqual([]);
    expect(ledgerIsSound(await verifyLedger(database.db))).toBe(true);
  });

  // Defined on PostgreSQL only (not a skipped test on PGlite): it needs two connections.
  if (kind === 'postgres')
    it('makes a freeze begun while the chunk posts wait for its commit', async () => {
      // personIds[0] is frozen already (the test above): skipped again.
      const victim = personIds[1] as string;
      const disbursementId = await startedDisbursement('race_b');
      let freezing: Promise<void> | undefined;
      let whenCredited: 'freeze committed' | 'freeze waiting' | undefined;
      // Inside the chunk's transaction, its credits written: the death is recorded now.
      const onWalletCredited: WalletCreditHook = async () => {
        if (freezing !== undefined) return;
        freezing = freeze(victim);
        const stop = new AbortController();
        whenCredited = await Promise.race([
          freezing.then(() => 'freeze committed' as const),
          untilWaitingForALock(database, { stop: stop.signal }).then(
            () => 'freeze waiting' as const,
          ),
        ]).finally(() => stop.abort());
      };
      const done = await disbursementRunner(database.db, {
        disbursementId,
        workers: 1,
        onWalletCredited,
      });
      await freezing;
      // Before: the freeze committed while the chunk was posting, and the chunk's credit then
      // landed in a wallet already frozen.
      expect(whenCredited).toBe('freeze waiting');
      expect(done).toMatchObject({ status: 'finished', creditedCount: 3n, skippedCount: 1n });
      // Credited before the death: the balance waits in the frozen wallet for the move.
      expect(await walletBalance(victim)).toBe(amountMinor * 2n);
      const frozen = await database.db
        .selectFrom('payment_wallet_freeze')
        .select('person_id')
        .where('person_id', '=', victim)
        .execute();
      expect(frozen).toHaveLength(1);
      expect(ledgerIsSound(await verifyLedger(database.db))).toBe(true);
    });
});

/**
 * Runs `work` while a death's freeze of `personId` is written and not yet committed; the freeze
 * commits once `work` has finished or waits for a lock. On PGlite (one transaction at a time)
 * the freeze commits first, then `work` runs.
 */
async function whileFreezeUncommitted<T>(
  database: TestDatabase,
  personId: string,
  work: () => Promise<T>,
): Promise<T> {
  if (database.kind !== 'postgres') {
    await database.db.transaction().execute((trx) => freezeWallets(trx, personId, 'death'));
    return work();
  }
  const freezer = await transactionHeldOpen(database, (trx) =>
    freezeWallets(trx, personId, 'death'),
  );
  const working = work();
  const stop = new AbortController();
  try {
    await Promise.race([working, untilWaitingForALock(database, { stop: stop.signal })]);
  } finally {
    stop.abort();
    await freezer.release();
  }
  return working;
}
