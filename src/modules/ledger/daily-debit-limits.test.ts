import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db.js';
import { lookupAccounts } from './account-service.js';
import { limitDayStart } from './daily-debit-limits.js';
import { transferFlags } from './ledger-codes.js';
import { newId, openAccount, transfer } from './ledger-test-kit.js';
import { transferCreator } from './transfer-creator.js';

/**
 * Issue #16, point 7: a beneficiary wallet pays at most `limits.ledger.dailyDebitMaxMinor`
 * (50,000.00 VES) a day. Over it, the transfer (or its whole linked chain) is refused and
 * nothing is written; concurrent payments from one wallet cannot pass it together.
 */
describe('daily debit limits', () => {
  let database: TestDatabase;
  let settlement: string;
  let merchant: string;
  const day = new Date('2026-12-05T15:00:00Z');

  beforeAll(async () => {
    database = await createTestDatabase();
    settlement = await openAccount(database.db, 'settlement');
    merchant = await openAccount(database.db, 'merchant', { flags: 0 });
  });
  afterAll(async () => database?.close());

  async function fundedWallet(amountMinor: bigint): Promise<string> {
    const wallet = await openAccount(database.db, 'beneficiary_wallet');
    const [funded] = await transferCreator(
      database.db,
      [transfer(settlement, wallet, amountMinor, { reason: 'funding' })],
      { now: day },
    );
    expect(funded?.result).toBe('ok');
    return wallet;
  }

  it('takes the day in Venezuela (UTC−4)', () => {
    expect(limitDayStart(new Date('2026-12-05T02:00:00Z')).toISOString()).toBe(
      '2026-12-04T04:00:00.000Z',
    );
    expect(limitDayStart(new Date('2026-12-05T04:00:00Z')).toISOString()).toBe(
      '2026-12-05T04:00:00.000Z',
    );
  });

  it('refuses a payment past the limit, writes nothing, and takes the same id the next day', async () => {
    const wallet = await fundedWallet(200_000_00n);
    const first = transfer(wallet, merchant, 30_000_00n);
    const second = transfer(wallet, merchant, 25_000_00n);
    const outcomes = await transferCreator(database.db, [first, second], { now: day });
    expect(outcomes.map((outcome) => outcome.result)).toEqual(['ok', 'exceeds_daily_debit_limit']);
    const written = await database.db
      .selectFrom('ledger_transfer')
      .select('id')
      .where('id', '=', second.id)
      .execute();
    expect(written).toEqual([]);
    // A replay of the first is its first answer, not a second debit against the limit.
    const [replay] = await transferCreator(database.db, [first], { now: day });
    expect(replay).toMatchObject({ result: 'ok', replayed: true });
    const nextDay = new Date(day.getTime() + 24 * 3_600_000);
    const [again] = await transferCreator(database.db, [second], { now: nextDay });
    expect(again).toMatchObject({ result: 'ok', replayed: false });
    const [account] = await lookupAccounts(database.db, [wallet]);
    expect(account?.debitsPosted).toBe(55_000_00n);
  });

  it('fails a linked chain whole when one leg passes the limit', async () => {
    const wallet = await fundedWallet(100_000_00n);
    const legs = [
      transfer(wallet, merchant, 40_000_00n, { flags: transferFlags.linked }),
      transfer(wallet, merchant, 20_000_00n),
    ];
    const outcomes = await transferCreator(database.db, legs, { now: day });
    expect(outcomes.map((outcome) => outcome.result)).toEqual([
      'linked_event_failed',
      'exceeds_daily_debit_limit',
    ]);
    const [account] = await lookupAccounts(database.db, [wallet]);
    expect(account?.debitsPosted).toBe(0n);
  });

  it('lets concurrent payments from one wallet reach the limit and no further', async () => {
    const wallet = await fundedWallet(500_000_00n);
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        transferCreator(database.db, [transfer(wallet, merchant, 10_000_00n)], { now: day }),
      ),
    );
    const accepted = results.filter(([outcome]) => outcome?.result === 'ok').length;
    expect(accepted).toBe(5);
    const [account] = await lookupAccounts(database.db, [wallet]);
    expect(account?.debitsPosted).toBe(50_000_00n);
  });

  it('counts a pending reservation once, and passes a two-person adjustment over the limit', async () => {
    const wallet = await fundedWallet(500_000_00n);
    const pending = transfer(wallet, merchant, 45_000_00n, {
      flags: transferFlags.pending,
      timeoutSeconds: 0,
    });
    const post = transfer(wallet, merchant, 45_000_00n, {
      id: newId(),
      flags: transferFlags.postPendingTransfer,
      pendingId: pending.id,
    });
    const outcomes = await transferCreator(database.db, [pending, post], { now: day });
    expect(outcomes.map((outcome) => outcome.result)).toEqual(['ok', 'ok']);
    const [over] = await transferCreator(database.db, [transfer(wallet, merchant, 6_000_00n)], {
      now: day,
    });
    expect(over?.result).toBe('exceeds_daily_debit_limit');
    const [adjusted] = await transferCreator(
      database.db,
      [transfer(wallet, settlement, 100_000_00n, { reason: 'adjustment' })],
      { now: day, dailyDebitLimits: false },
    );
    expect(adjusted?.result).toBe('ok');
  });

  it('does not count a voided reservation, nor the part of one left unposted', async () => {
    const wallet = await fundedWallet(500_000_00n);
    const reserve = (amount: bigint) =>
      transfer(wallet, merchant, amount, { flags: transferFlags.pending, timeoutSeconds: 0 });
    const voided = reserve(45_000_00n);
    const partly = reserve(4_000_00n);
    expect(
      (await transferCreator(database.db, [voided, partly], { now: day })).map((o) => o.result),
    ).toEqual(['ok', 'ok']);
    // While both are held, 1,000.01 more passes the limit.
    const [held] = await transferCreator(database.db, [transfer(wallet, merchant, 1_000_01n)], {
      now: day,
    });
    expect(held?.result).toBe('exceeds_daily_debit_limit');
    const resolve = (pendingId: string, flags: number, amountMinor: bigint) =>
      transfer(wallet, merchant, amountMinor, { id: newId(), flags, pendingId });
    expect(
      (
        await transferCreator(
          database.db,
          [
            resolve(voided.id, transferFlags.voidPendingTransfer, 45_000_00n),
            resolve(partly.id, transferFlags.postPendingTransfer, 1_000_00n),
          ],
          { now: day },
        )
      ).map((o) => o.result),
    ).toEqual(['ok', 'ok']);
    // Counted now: 1,000.00 posted of the 4,000.00 reserved; the void nothing.
    const [fits] = await transferCreator(database.db, [transfer(wallet, merchant, 49_000_00n)], {
      now: day,
    });
    expect(fits?.result).toBe('ok');
    const [over] = await transferCreator(database.db, [transfer(wallet, merchant, 1n)], {
      now: day,
    });
    expect(over?.result).toBe('exceeds_daily_debit_limit');
  });
});
