import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db.js';
import { type AccountInput, accountReferences, lookupAccounts } from './account-service.js';
import { accountFlags, amountMax, transferFlags, zeroId } from './ledger-codes.js';
import { newId, openAccount, transfer } from './ledger-test-kit.js';
import { ledgerIsSound, verifyLedger } from './ledger-verifier.js';
import { transferCreator } from './transfer-creator.js';

describe('ledger transfers', () => {
  let database: TestDatabase;
  let bank: string;
  let funding: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    bank = await openAccount(database.db, 'settlement');
    funding = await openAccount(database.db, 'program_funding');
    const [funded] = await transferCreator(database.db, [
      transfer(bank, funding, 1_000_000n, { reason: 'funding' }),
    ]);
    expect(funded?.result).toBe('ok');
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

  it('moves money from debit to credit and keeps debits equal to credits', async () => {
    const wallet = await openAccount(database.db, 'beneficiary_wallet');
    const entitlement = newId();
    const [outcome] = await transferCreator(database.db, [
      transfer(funding, wallet, 50_000n, {
        reason: 'disbursement',
        referenceKind: 'entitlement',
        referenceId: entitlement,
      }),
    ]);
    expect(outcome).toMatchObject({ result: 'ok', replayed: false });
    expect(await balances(wallet)).toEqual([0n, 0n, 0n, 50_000n]);
    expect(ledgerIsSound(await verifyLedger(database.db))).toBe(true);
  });

  it('opens the accounts a batch credits in its own transaction, written once, then keeps them', async () => {
    const wallets = [newId(), newId()];
    const holder = newId();
    const open = wallets.map((id) => ({
      id,
      currency: 'VES',
      kind: 'beneficiary_wallet',
      flags: accountFlags.debitsMustNotExceedCredits,
      referenceId: holder,
    }));
    const batch = [
      transfer(funding, wallets[0] as string, 700n, { reason: 'disbursement' }),
      // Refused: the wallet is opened all the same, empty.
      transfer(wallets[1] as string, funding, 1n),
    ];
    expect(
      (await transferCreator(database.db, batch, { openAccounts: open })).map((o) => o.result),
    ).toEqual(['ok', 'exceeds_credits']);
    expect(await balances(wallets[0] as string)).toEqual([0n, 0n, 0n, 700n]);
    expect(await balances(wallets[1] as string)).toEqual([0n, 0n, 0n, 0n]);
    expect(await accountReferences(database.db, wallets)).toEqual(
      new Map(wallets.map((id) => [id, holder])),
    );
    // Again, and with one more credit: the open accounts are kept and updated, never reopened.
    expect(await transferCreator(database.db, batch, { openAccounts: open })).toEqual([
      { id: batch[0]?.id, result: 'ok', replayed: true },
      { id: batch[1]?.id, result: 'exceeds_credits', replayed: true },
    ]);
    await transferCreator(database.db, [transfer(funding, wallets[0] as string, 5n)], {
      openAccounts: open,
    });
    expect(await balances(wallets[0] as string)).toEqual([0n, 0n, 0n, 705n]);
    // An open account with other fields is the caller's error: nothing is written.
    const other = transfer(funding, wallets[0] as string, 5n);
    await expect(
      transferCreator(database.db, [other], {
        openAccounts: [{ ...(open[0] as AccountInput), flags: accountFlags.none }],
      }),
    ).rejects.toThrow(/fields asked/);
    expect(await balances(wallets[0] as string)).toEqual([0n, 0n, 0n, 705n]);
    expect(ledgerIsSound(await verifyLedger(database.db))).toBe(true);
  });

  it('opens an account once when two batches open it at the same instant', async () => {
    const wallet = newId();
    const open = [
      {
        id: wallet,
        currency: 'VES',
        kind: 'beneficiary_wallet',
        flags: accountFlags.debitsMustNotExceedCredits,
      },
    ];
    const outcomes = await Promise.all(
      [1n, 2n, 3n, 4n].map((amount) =>
        transferCreator(database.db, [transfer(funding, wallet, amount)], { openAccounts: open }),
      ),
    );
    expect(outcomes.map(([outcome]) => outcome?.result)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(await balances(wallet)).toEqual([0n, 0n, 0n, 10n]);
    expect(ledgerIsSound(await verifyLedger(database.db))).toBe(true);
  });

  it('refuses an overdraft of a wallet, and the id stays failed', async () => {
    const wallet = await openAccount(database.db, 'beneficiary_wallet');
    const merchant = await openAccount(database.db, 'merchant');
    const payment = transfer(wallet, merchant, 10n);
    expect((await transferCreator(database.db, [payment]))[0]?.result).toBe('exceeds_credits');
    await transferCreator(database.db, [transfer(funding, wallet, 100n)]);
    // The same body again: its first answer, though the wallet could pay now.
    expect(await transferCreator(database.db, [payment])).toEqual([
      { id: payment.id, result: 'exceeds_credits', replayed: true },
    ]);
    // Another body under the failed id: refused as a modified request.
    const changed = { ...payment, amountMinor: 5n };
    expect((await transferCreator(database.db, [changed]))[0]?.result).toBe('id_already_failed');
    expect(await balances(merchant)).toEqual([0n, 0n, 0n, 0n]);
  });

  it('answers a retry with the first result and refuses a modified request', async () => {
    const wallet = await openAccount(database.db, 'beneficiary_wallet');
    const credit = transfer(funding, wallet, 700n, { reason: 'disbursement' });
    expect((await transferCreator(database.db, [credit]))[0]).toMatchObject({ result: 'ok' });
    expect((await transferCreator(database.db, [credit]))[0]).toEqual({
      id: credit.id,
      result: 'ok',
      replayed: true,
    });
    const modified = await transferCreator(database.db, [
      { ...credit, amountMinor: 701n },
      { ...credit, reason: 'payment' },
      { ...credit, referenceKind: 'payout', referenceId: newId() },
    ]);
    expect(modified.map((outcome) => outcome.result)).toEqual([
      'exists_with_different_amount',
      'exists_with_different_code',
      'exists_with_different_user_data_128',
    ]);
    expect(await balances(wallet)).toEqual([0n, 0n, 0n, 700n]);
  });

  it('refuses bad input before anything is written', async () => {
    const wallet = await openAccount(database.db, 'beneficiary_wallet');
    const usd = await openAccount(database.db, 'beneficiary_wallet', { currency: 'USD' });
    const results = await transferCreator(database.db, [
      transfer(funding, wallet, 0n),
      transfer(funding, wallet, -1n),
      transfer(funding, wallet, amountMax + 1n),
      transfer(funding, wallet, 1n, { currency: 'EUR' }),
      transfer(funding, wallet, 1n, { reason: 'gift' }),
      transfer(funding, wallet, 1n, { reason: 'pending_expired' }),
      transfer(funding, funding, 1n),
      transfer(funding, usd, 1n),
      transfer(funding, wallet, 1n, { currency: 'USD' }),
      transfer(newId(), wallet, 1n),
      transfer(funding, wallet, 1n, { id: zeroId }),
      transfer(funding, wallet, 1n, { timeoutSeconds: 30 }),
      transfer(funding, wallet, 1n, { referenceKind: 'entitlement' }),
      transfer(funding, wallet, 1n, {
        flags: transferFlags.pending | transferFlags.postPendingTransfer,
      }),
    ]);
    expect(results.map((outcome) => outcome.result)).toEqual([
      'amount_must_not_be_zero',
      'amount_must_not_be_negative',
      'amount_exceeds_maximum',
      'currency_not_supported',
      'reason_not_supported',
      'reason_reserved',
      'accounts_must_be_different',
      'accounts_must_have_the_same_ledger',
      'transfer_must_have_the_same_ledger_as_accounts',
      'debit_account_not_found',
      'id_must_not_be_zero',
      'timeout_reserved_for_pending_transfer',
      'reference_incomplete',
      'flags_are_mutually_exclusive',
    ]);
    expect(await balances(wallet)).toEqual([0n, 0n, 0n, 0n]);
  });

  it('applies a linked chain all or none', async () => {
    const wallet = await openAccount(database.db, 'beneficiary_wallet');
    const merchant = await openAccount(database.db, 'merchant');
    const linked = { flags: transferFlags.linked };
    const first = transfer(funding, wallet, 300n, linked);
    const failing = transfer(wallet, merchant, 301n, linked);
    const last = transfer(funding, merchant, 5n);
    expect(
      (await transferCreator(database.db, [first, failing, last])).map((o) => o.result),
    ).toEqual(['linked_event_failed', 'exceeds_credits', 'linked_event_failed']);
    expect(await balances(wallet)).toEqual([0n, 0n, 0n, 0n]);
    // The chain mended, the same ids for the transfers that did not fail themselves.
    const mended = [first, transfer(wallet, merchant, 300n, linked), last];
    expect((await transferCreator(database.db, mended)).map((o) => o.result)).toEqual([
      'ok',
      'ok',
      'ok',
    ]);
    expect(await balances(merchant)).toEqual([0n, 0n, 0n, 305n]);
    const open = await transferCreator(database.db, [
      transfer(funding, wallet, 1n, linked),
      transfer(funding, wallet, 1n, linked),
    ]);
    expect(open.map((o) => o.result)).toEqual(['linked_event_failed', 'linked_event_chain_open']);
  });

  it('refuses changing or removing what the ledger wrote, whoever asks', async () => {
    const wallet = await openAccount(database.db, 'beneficiary_wallet');
    const credit = transfer(funding, wallet, 9n);
    await transferCreator(database.db, [credit]);
    await expect(
      database.db
        .updateTable('ledger_transfer')
        .set({ amount: 90n })
        .where('id', '=', credit.id)
        .execute(),
    ).rejects.toThrow();
    await database.asAdmin(async (admin) => {
      await expect(
        admin
          .updateTable('ledger_transfer')
          .set({ amount: 90n })
          .where('id', '=', credit.id)
          .execute(),
      ).rejects.toThrow(/never changed/);
      await expect(
        admin.deleteFrom('ledger_transfer').where('id', '=', credit.id).execute(),
      ).rejects.toThrow(/never changed/);
      await expect(
        admin.deleteFrom('ledger_account').where('id', '=', wallet).execute(),
      ).rejects.toThrow(/never removed/);
      await expect(
        admin
          .updateTable('ledger_account')
          .set({ kind: 'merchant' })
          .where('id', '=', wallet)
          .execute(),
      ).rejects.toThrow(/only the balances/);
      // A wallet may not hold more debits than credits, even written by hand.
      await expect(
        admin
          .updateTable('ledger_account')
          .set({ debits_posted: 10n })
          .where('id', '=', wallet)
          .execute(),
      ).rejects.toThrow(/ledger_account_debits_within_credits/);
    });
  });

  it('finds a balance changed around the ledger', async () => {
    const wallet = await openAccount(database.db, 'beneficiary_wallet');
    await transferCreator(database.db, [transfer(funding, wallet, 40n)]);
    await database.asAdmin((admin) =>
      admin
        .updateTable('ledger_account')
        .set({ credits_posted: 41n })
        .where('id', '=', wallet)
        .execute(),
    );
    const verification = await verifyLedger(database.db);
    expect(verification.balanceMismatches).toEqual([
      { accountId: wallet, stored: [0n, 0n, 0n, 41n], summed: [0n, 0n, 0n, 40n] },
    ]);
    expect(verification.unbalancedCurrencies.map((row) => row.currency)).toEqual(['VES']);
    expect(ledgerIsSound(verification)).toBe(false);
    await database.asAdmin((admin) =>
      admin
        .updateTable('ledger_account')
        .set({ credits_posted: 40n })
        .where('id', '=', wallet)
        .execute(),
    );
    expect(ledgerIsSound(await verifyLedger(database.db))).toBe(true);
  });
});
