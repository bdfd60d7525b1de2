import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  accountCreator,
  accountFlags,
  ledgerIsSound,
  lookupAccounts,
  postedBalance,
  transferCreator,
  verifyLedger,
} from '../src/modules/ledger/index.js';
import { createThrowawayDatabase, loadAverage } from './audit-append.js';

/**
 * 64 clients paying from one wallet at once (issue #16, reliability): the wallet holds enough
 * for `payable` payments; `clients` clients each send `perClient` single-transfer payments to
 * a merchant at the same time, on a pool of `clients` connections. The wallet is never
 * overdrawn: exactly `payable` payments are applied, the rest refused `exceeds_credits`, the
 * balance ends at 0 and the ledger verifies.
 *
 *   npm run bench -- payments-one-wallet [clients=64] [perClient=20] [payable=500]
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const clients = Number(args[0] ?? 64);
  const perClient = Number(args[1] ?? 20);
  const payable = Number(args[2] ?? 500);
  const price = 1_000n;
  const database = await createThrowawayDatabase(clients);
  try {
    const [bank, wallet, merchant] = [randomUUID(), randomUUID(), randomUUID()];
    await accountCreator(database.app, [
      { id: bank, currency: 'VES', kind: 'settlement', flags: accountFlags.none },
      {
        id: wallet,
        currency: 'VES',
        kind: 'beneficiary_wallet',
        flags: accountFlags.debitsMustNotExceedCredits,
        referenceId: randomUUID(),
      },
      {
        id: merchant,
        currency: 'VES',
        kind: 'merchant',
        flags: accountFlags.debitsMustNotExceedCredits,
      },
    ]);
    await transferCreator(database.app, [
      {
        id: randomUUID(),
        debitAccountId: bank,
        creditAccountId: wallet,
        amountMinor: price * BigInt(payable),
        flags: 0,
        currency: 'VES',
        reason: 'disbursement',
      },
    ]);
    const results = new Map<string, number>();
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        for (let index = 0; index < perClient; index += 1) {
          const sent = performance.now();
          const [outcome] = await transferCreator(database.app, [
            {
              id: randomUUID(),
              debitAccountId: wallet,
              creditAccountId: merchant,
              amountMinor: price,
              flags: 0,
              currency: 'VES',
              reason: 'payment',
            },
          ]);
          latencies.push(performance.now() - sent);
          const result = outcome?.result ?? 'none';
          results.set(result, (results.get(result) ?? 0) + 1);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const [after] = await lookupAccounts(database.app, [wallet]);
    const verification = await verifyLedger(database.app);
    latencies.sort((a, b) => a - b);
    const at = (q: number) =>
      Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
    return {
      clients,
      paymentsSent: clients * perClient,
      payable,
      results: Object.fromEntries(results),
      walletBalanceMinorAfter: after === undefined ? null : postedBalance(after).toString(),
      walletDebitsPostedAfter: after?.debitsPosted.toString(),
      overdrawn: after === undefined || postedBalance(after) < 0n,
      seconds: Number(seconds.toFixed(2)),
      paymentsPerSecond: Math.round((clients * perClient) / seconds),
      latencyMsP50: at(0.5),
      latencyMsP99: at(0.99),
      ledgerSound: ledgerIsSound(verification),
      loadAverage: loadAverage(),
    };
  } finally {
    await database.drop();
  }
}
