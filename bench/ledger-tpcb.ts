import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import {
  accountCreator,
  accountFlags,
  ledgerIsSound,
  ledgerLimits,
  type TransferInput,
  transferCreator,
  transferFlags,
  verifyLedger,
} from '../src/modules/ledger/index.js';
import { cashCycle } from '../src/modules/payments/payments-test-kit.js';
import { loadKeyStore } from '../src/platform/crypto/key-store.js';
import { buildOperator } from '../test/factories.js';
import { pgbench } from './distribution-redeem.js';
import { distributionWorld, quantiles, startServer } from './lib/distribution-world.js';
import { closedLoop, type LoadRequest, openLoop } from './lib/http-loops.js';
import { loadAverage } from './lib/program-population.js';

/**
 * The ledger against pgbench (issue #16, performance), all in one run on the same PostgreSQL:
 *
 * 1. `pgbench -c 16` TPC-B at scale 10 in a throwaway database: transactions per second.
 * 2. Batched transfers: `clients` callers each sending `transferCreator` batches of `batch`
 *    payments from random wallets (of 10,000) to random merchant accounts (of 100), for
 *    `seconds`; the daily-limit check included. Target ≥ 3× pgbench.
 * 3. Single transfers over HTTP: the server in its own process (`build()` as `amparo serve`),
 *    `clients` finance officers each funding their own program (`POST
 *    /api/payments/programs/:id/funding`, one ledger transfer settlement → funding, audited),
 *    closed loop for `seconds`. Target ≥ 1.0× pgbench.
 * 4. The same at a fixed rate, half the pgbench figure: latency from when each request was due.
 *    Target p99 ≤ 50 ms.
 *
 *   npm run bench -- ledger-tpcb [seconds=20] [clients=16] [batch=1000]
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const seconds = Number(args[0] ?? 20);
  const clients = Number(args[1] ?? 16);
  const batch = Math.min(Number(args[2] ?? 1_000), ledgerLimits.transfersPerBatchMax);
  const serverUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const loadAtStart = loadAverage();
  const pgbenchTps = await pgbench(serverUrl, seconds);

  const world = await distributionWorld({
    persons: 1,
    litres: 1,
    points: 1,
    operatorsPerPoint: 1,
    stockPerPoint: 1,
  });
  try {
    const db = world.database.app;
    const { wallets, merchants } = await paymentAccounts(db);
    const loadBeforeBatched = loadAverage();
    const batched = await batchedLoop(db, { wallets, merchants, clients, batch, seconds });

    const keys = loadKeyStore(world.keysDir);
    const factory = {
      database: {
        db,
        asAdmin: <T>(work: (admin: typeof world.database.admin) => Promise<T>) =>
          work(world.database.admin),
      },
      masterKey: keys.masterKey,
    };
    const programs: string[] = [];
    for (let index = 0; index < clients; index += 1) {
      programs.push((await cashCycle(db, { code: `tpcb_${index}`, amountMinor: 1n })).programId);
    }
    const officers = [];
    for (let index = 0; index < clients; index += 1) {
      officers.push(
        await buildOperator(factory, {
          username: `bench.finance.${index}`,
          roles: ['finance_officer'],
          regions: ['VE-A'],
        }),
      );
    }
    await sql`analyze`.execute(world.database.admin);
    const server = await startServer(world);
    try {
      // One after another: admission control admits at most `signInInFlightMax` (4) sign-ins at
      // once and answers the rest 503 at once (src/platform/http/admission.ts); 16 at once ran
      // into it.
      const cookies: string[] = [];
      for (const officer of officers) {
        cookies.push(
          await (async () => {
            const response = await fetch(`${server.url}/api/auth/sign-in`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({
                username: officer.username,
                password: officer.password,
                totp: officer.totp(),
              }),
            });
            const cookie = /amparo_session=[^;]+/.exec(response.headers.get('set-cookie') ?? '');
            if (cookie === null) throw new Error(`sign-in: ${response.status}`);
            return cookie[0];
          })(),
        );
      }
      const fund = funder(
        server.url,
        programs.map((programId, index) => ({ programId, cookie: cookies[index] ?? '' })),
      );
      await closedLoop(fund, { clients, seconds: 3, okStatus: 201 }); // warm-up
      const loadBeforeHttp = loadAverage();
      const http = await closedLoop(fund, { clients, seconds, okStatus: 201 });
      const rate = Math.max(1, Math.round(pgbenchTps / 2));
      const loadBeforeOpen = loadAverage();
      const open = await openLoop(fund, { rate, seconds, okStatus: 201 });
      const verification = await verifyLedger(world.database.admin);
      return {
        command: `npm run bench -- ledger-tpcb ${seconds} ${clients} ${batch}`,
        pgbenchTps,
        pgbenchCommand: `pgbench -c 16 -j 2 -T ${seconds} (TPC-B, scale 10)`,
        batched: { ...batched, ratioToPgbench: +(batched.perSecond / pgbenchTps).toFixed(2) },
        targetBatchedRatio: 3,
        httpSingle: { clients, ...http, ratioToPgbench: +(http.perSecond / pgbenchTps).toFixed(3) },
        targetHttpRatio: 1,
        openLoop: { ratePerSecond: rate, ...open },
        targetP99Ms: 50,
        ledgerVerified: ledgerIsSound(verification),
        transfersChecked: verification.transfersChecked,
        loadAverage: {
          atStart: loadAtStart,
          beforeBatched: loadBeforeBatched,
          beforeHttp: loadBeforeHttp,
          beforeOpen: loadBeforeOpen,
          atEnd: loadAverage(),
        },
      };
    } finally {
      await server.stop();
    }
  } finally {
    await world.close();
  }
}

/**
 * One funding request (`POST /api/payments/programs/:id/funding`, 1 VES settlement → funding):
 * request `index` is sent by caller `index % callers.length`, with that officer's cookie and
 * program; answered with the HTTP status (0: no answer).
 */
export function funder(url: string, callers: { programId: string; cookie: string }[]): LoadRequest {
  return async (index) => {
    const caller = callers[index % callers.length];
    if (caller === undefined) throw new Error('no funding caller');
    try {
      const response = await fetch(
        `${url}/api/payments/programs/${caller.programId}/funding?purpose=distribution`,
        {
          method: 'POST',
          headers: { cookie: caller.cookie, 'content-type': 'application/json' },
          body: JSON.stringify({ transferId: randomUUID(), currency: 'VES', amountMinor: '1' }),
        },
      );
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0;
    }
  };
}

/** 10,000 funded wallets and 100 merchant accounts. */
async function paymentAccounts(db: Parameters<typeof transferCreator>[0]) {
  const bank = randomUUID();
  await accountCreator(db, [
    { id: bank, currency: 'VES', kind: 'settlement', flags: accountFlags.none },
  ]);
  const wallets = Array.from({ length: 10_000 }, () => randomUUID());
  const merchants = Array.from({ length: 100 }, () => randomUUID());
  await accountCreator(db, [
    ...merchants.map((id) => ({
      id,
      currency: 'VES' as const,
      kind: 'merchant' as const,
      flags: accountFlags.none,
    })),
  ]);
  for (let start = 0; start < wallets.length; start += 5_000) {
    const slice = wallets.slice(start, start + 5_000);
    await accountCreator(
      db,
      slice.map((id) => ({
        id,
        currency: 'VES' as const,
        kind: 'beneficiary_wallet' as const,
        flags: accountFlags.debitsMustNotExceedCredits,
      })),
    );
    await transferCreator(
      db,
      slice.map((id) => ({
        id: randomUUID(),
        debitAccountId: bank,
        creditAccountId: id,
        amountMinor: 1_000_000n,
        flags: transferFlags.none,
        currency: 'VES' as const,
        reason: 'funding' as const,
      })),
    );
  }
  return { wallets, merchants };
}

async function batchedLoop(
  db: Parameters<typeof transferCreator>[0],
  props: {
    wallets: string[];
    merchants: string[];
    clients: number;
    batch: number;
    seconds: number;
  },
) {
  const pick = (list: string[]) => list[Math.floor(Math.random() * list.length)] as string;
  const until = performance.now() + props.seconds * 1000;
  const started = performance.now();
  let transfers = 0;
  let refused = 0;
  const batchMs: number[] = [];
  await Promise.all(
    Array.from({ length: props.clients }, async () => {
      while (performance.now() < until) {
        const payments: TransferInput[] = Array.from({ length: props.batch }, () => ({
          id: randomUUID(),
          debitAccountId: pick(props.wallets),
          creditAccountId: pick(props.merchants),
          amountMinor: 1n,
          flags: transferFlags.none,
          currency: 'VES',
          reason: 'payment',
        }));
        const begun = performance.now();
        const outcomes = await transferCreator(db, payments);
        batchMs.push(performance.now() - begun);
        transfers += outcomes.filter((outcome) => outcome.result === 'ok').length;
        refused += outcomes.filter((outcome) => outcome.result !== 'ok').length;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return {
    clients: props.clients,
    batch: props.batch,
    seconds: +elapsed.toFixed(2),
    transfers,
    refused,
    perSecond: Math.round(transfers / elapsed),
    batchLatencyMs: quantiles(batchMs),
  };
}
