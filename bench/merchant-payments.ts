import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { passwordHashOptions } from '../src/modules/access/demo-operators.js';
import {
  ledgerIsSound,
  lookupAccounts,
  postedBalance,
  verifyLedger,
} from '../src/modules/ledger/index.js';
import { merchantPayer } from '../src/modules/payments/merchants/merchant-payer.js';
import {
  approvedMerchantRegistered,
  pinOnFile,
  walletFunder,
} from '../src/modules/payments/merchants/merchant-test-kit.js';
import { paymentRequestMaker } from '../src/modules/payments/merchants/payment-request-maker.js';
import { PaymentsError } from '../src/modules/payments/payments-error.js';
import { createThrowawayDatabase, loadAverage } from './audit-append.js';

/**
 * Merchant payments from one wallet, many payers at once (issue #16: "64 clients paying from
 * one wallet at once: never overdrawn"), through the whole payment path: the signed request,
 * the PIN (argon2id with the production parameters), the linked ledger batch and the payment
 * row. The wallet holds enough for `payable` payments; `clients` clients each pay `perClient`
 * requests at the same moment on a pool of `clients` connections. Exactly `payable` are paid,
 * the rest refused `AMP_FUNDS_INSUFFICIENT`, the wallet ends at 0 and the ledger verifies.
 * A person's PIN checks run one after the other (the PIN row is locked while one is checked),
 * so payments from one wallet are as fast as argon2id allows, by design.
 *
 *   npm run bench -- merchant-payments [clients=64] [perClient=4] [payable=100]
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const clients = Number(args[0] ?? 64);
  const perClient = Number(args[1] ?? 4);
  const payable = Number(args[2] ?? 100);
  const price = 1_000n;
  const masterKey = randomBytes(32);
  const database = await createThrowawayDatabase(clients);
  const db = database.app;
  try {
    const payer = randomUUID();
    const merchant = await approvedMerchantRegistered(db, masterKey, {
      merchantId: randomUUID(),
      name: 'Bodega de prueba',
      stateCode: 'VE-A',
      currency: 'VES',
      settlement: {
        bankCode: '0134',
        accountNumber: '01340000000000000042',
        holder: 'organisation',
      },
      staffOperatorIds: [],
      subsidies: [],
      registeredBy: randomUUID(),
    });
    const wallet = await walletFunder(db, payer, price * BigInt(payable));
    const now = new Date();
    await pinOnFile(db, {
      personId: payer,
      pin: '4821',
      hashOptions: passwordHashOptions,
      masterKey,
      now,
    });
    const tokens: string[] = [];
    for (let index = 0; index < clients * perClient; index += 1) {
      const made = await paymentRequestMaker(db, masterKey, {
        merchant,
        amountMinor: price.toString(),
        reference: `B-${index}`,
        programId: null,
        expiresInSeconds: 900,
        createdBy: randomUUID(),
        now,
      });
      tokens.push(made.token);
    }
    const results = new Map<string, number>();
    const latencies: number[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        for (let index = 0; index < perClient; index += 1) {
          const token = tokens[client * perClient + index] ?? '';
          const sent = performance.now();
          let result = 'paid';
          try {
            await merchantPayer(db, masterKey, {
              token,
              pin: '4821',
              payerPersonId: payer,
              channel: 'wallet',
              now: new Date(),
            });
          } catch (error) {
            if (!(error instanceof PaymentsError)) throw error;
            result = error.code;
          }
          latencies.push(performance.now() - sent);
          results.set(result, (results.get(result) ?? 0) + 1);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const [after] = await lookupAccounts(db, [wallet]);
    const verification = await verifyLedger(db);
    latencies.sort((a, b) => a - b);
    const at = (q: number) =>
      Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
    return {
      clients,
      paymentsSent: clients * perClient,
      payable,
      results: Object.fromEntries(results),
      walletBalanceMinorAfter: after === undefined ? null : postedBalance(after).toString(),
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
