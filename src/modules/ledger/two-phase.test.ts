import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db.js';
import { lookupAccounts } from './account-service.js';
import { transferFlags, zeroId } from './ledger-codes.js';
import { openAccount, transfer } from './ledger-test-kit.js';
import { ledgerIsSound, verifyLedger } from './ledger-verifier.js';
import { expiryId, pendingExpirer } from './pending-expirer.js';
import { transferCreator } from './transfer-creator.js';

const { pending, postPendingTransfer: post, voidPendingTransfer: voidFlag } = transferFlags;

describe('two-phase transfers', () => {
  let database: TestDatabase;
  let funding: string;
  const start = new Date('2026-12-04T12:00:00Z');
  const later = (seconds: number) => new Date(start.getTime() + seconds * 1000);

  beforeAll(async () => {
    database = await createTestDatabase();
    const bank = await openAccount(database.db, 'settlement');
    funding = await openAccount(database.db, 'program_funding');
    await transferCreator(database.db, [transfer(bank, funding, 10_000n, { reason: 'funding' })]);
  });
  afterAll(async () => database?.close());

  async function balances(id: string) {
    const [account] = await lookupAccounts(database.db, [id]);
    if (account === undefined) throw new Error('no such account');
    return [
      account.debitsPending,
      account.debitsPosted,
      account.creditsPending,
      account.creditsPosted,
    ];
  }

  const resolve = (pendingId: string, flags: number, amountMinor = 0n) =>
    transfer(zeroId, zeroId, amountMinor, { pendingId, flags });

  it('reserves, posts part, and refuses a second post or a void after it', async () => {
    const wallet = await openAccount(database.db, 'beneficiary_wallet');
    const merchant = await openAccount(database.db, 'merchant');
    await transferCreator(database.db, [transfer(funding, wallet, 1_000n)]);
    const hold = transfer(wallet, merchant, 600n, { flags: pending, timeoutSeconds: 60 });
    expect((await transferCreator(database.db, [hold], { now: start }))[0]?.result).toBe('ok');
    expect(await balances(wallet)).toEqual([600n, 0n, 0n, 1_000n]);
    // The reserved money cannot be spent twice.
    const [spend] = await transferCreator(database.db, [transfer(wallet, merchant, 401n)], {
      now: start,
    });
    expect(spend?.result).toBe('exceeds_credits');
    const results = await transferCreator(
      database.db,
      [
        resolve(hold.id, post, 601n),
        resolve(hold.id, post, 450n),
        resolve(hold.id, post),
        resolve(hold.id, voidFlag),
      ],
      { now: later(10) },
    );
    expect(results.map((outcome) => outcome.result)).toEqual([
      'exceeds_pending_transfer_amount',
      'ok',
      'pending_transfer_already_posted',
      'pending_transfer_already_posted',
    ]);
    // 450 posted, the other 150 released.
    expect(await balances(wallet)).toEqual([0n, 450n, 0n, 1_000n]);
    expect(await balances(merchant)).toEqual([0n, 0n, 0n, 450n]);
  });

  it('voids, and refuses a post of a voided or an unknown transfer', async () => {
    const wallet = await openAccount(database.db, 'beneficiary_wallet');
    const merchant = await openAccount(database.db, 'merchant');
    await transferCreator(database.db, [transfer(funding, wallet, 100n)]);
    const hold = transfer(wallet, merchant, 100n, { flags: pending });
    const results = await transferCreator(database.db, [
      hold,
      resolve(hold.id, voidFlag, 99n),
      transfer(wallet, zeroId, 0n, { pendingId: hold.id, flags: voidFlag }),
      resolve(hold.id, post),
      resolve(merchant, post),
      transfer(merchant, zeroId, 0n, { pendingId: hold.id, flags: post }),
    ]);
    expect(results.map((outcome) => outcome.result)).toEqual([
      'ok',
      'pending_transfer_has_different_amount',
      'ok',
      'pending_transfer_already_voided',
      'pending_transfer_not_found',
      'pending_transfer_has_different_debit_account_id',
    ]);
    expect(await balances(wallet)).toEqual([0n, 0n, 0n, 100n]);
  });

  it('refuses a post after the timeout, and the sweep releases the money once', async () => {
    const wallet = await openAccount(database.db, 'beneficiary_wallet');
    const merchant = await openAccount(database.db, 'merchant');
    await transferCreator(database.db, [transfer(funding, wallet, 500n)]);
    const hold = transfer(wallet, merchant, 500n, { flags: pending, timeoutSeconds: 30 });
    await transferCreator(database.db, [hold], { now: start });
    const late = resolve(hold.id, post);
    expect((await transferCreator(database.db, [late], { now: later(30) }))[0]?.result).toBe(
      'pending_transfer_expired',
    );
    expect(await balances(wallet)).toEqual([500n, 0n, 0n, 500n]);
    const swept = await pendingExpirer(database.db, later(31));
    expect(swept.filter((outcome) => outcome.id === expiryId(hold.id))).toEqual([
      { id: expiryId(hold.id), result: 'ok', replayed: false },
    ]);
    expect(await pendingExpirer(database.db, later(32))).toEqual([]);
    expect(await balances(wallet)).toEqual([0n, 0n, 0n, 500n]);
    // The failed post stays failed; a new post is refused as expired.
    expect((await transferCreator(database.db, [late], { now: later(40) }))[0]).toEqual({
      id: late.id,
      result: 'pending_transfer_expired',
      replayed: true,
    });
    expect((await transferCreator(database.db, [resolve(hold.id, post)]))[0]?.result).toBe(
      'pending_transfer_expired',
    );
    expect(ledgerIsSound(await verifyLedger(database.db))).toBe(true);
  });

  it('posts a pending transfer created earlier in the same linked chain', async () => {
    const wallet = await openAccount(database.db, 'beneficiary_wallet');
    const hold = transfer(funding, wallet, 70n, { flags: pending | transferFlags.linked });
    const results = await transferCreator(database.db, [hold, resolve(hold.id, post)]);
    expect(results.map((outcome) => outcome.result)).toEqual(['ok', 'ok']);
    expect(await balances(wallet)).toEqual([0n, 0n, 0n, 70n]);
    expect(ledgerIsSound(await verifyLedger(database.db))).toBe(true);
  });
});
