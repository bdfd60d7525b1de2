import { execFile, execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { distributionWorld, startServer } from './lib/distribution-world.js';
import { closedLoop, type LoadRequest, openLoop } from './lib/http-loops.js';
import { loadAverage } from './lib/program-population.js';

/**
 * Redemption with the card end to end over HTTP (issue #15, performance): a server in its own
 * process (`bench/lib/distribution-server.ts`, `build()` as `amparo serve` runs it) on a
 * throwaway PostgreSQL database; each request verifies the card's QR, finds the entitlement,
 * writes the redemption exactly once (idempotency key, locked entitlement state), moves the
 * stock and appends the audit entry. In the same run and on the same PostgreSQL:
 * `pgbench -c 16` TPC-B at scale 10 in a throwaway database.
 *
 * 1. pgbench: TPC-B transactions per second (`seconds` long).
 * 2. Redemptions per second, closed loop with `clients` HTTP clients (`seconds` long); the
 *    target is ≥ 1.0× the pgbench figure.
 * 3. Open loop at a fixed rate, half the pgbench figure (`seconds` long): latency from the
 *    moment each request was due (no coordinated omission); the target is p99 ≤ 50 ms.
 *
 * Each client is one operator at one of `points` points (each operator may read 1,200
 * persons an hour, safeguard 10, so there are 64); each redemption takes 1 litre of a random
 * card holder's 1,000 litres.
 *
 *   npm run bench -- distribution-redeem [persons=1000] [seconds=20] [clients=16]
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const persons = Number(args[0] ?? 1_000);
  const seconds = Number(args[1] ?? 20);
  const clients = Number(args[2] ?? 16);
  const serverUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const loadAtStart = loadAverage();

  const pgbenchTps = await pgbench(serverUrl, seconds);
  progress(`pgbench: ${pgbenchTps} tps`);

  const setupStarted = performance.now();
  const world = await distributionWorld({
    persons,
    litres: 1_000,
    points: 16,
    operatorsPerPoint: 4,
    stockPerPoint: 1_000_000,
  });
  const setupSeconds = +((performance.now() - setupStarted) / 1000).toFixed(1);
  progress(`world ready in ${setupSeconds} s`);
  const server = await startServer(world);
  try {
    const redeem = redeemer(server.url, world);
    const send: LoadRequest = async (index) => (await redeem(index)).status;
    await closedLoop(send, { clients, seconds: 3, okStatus: 201 }); // warm-up: JIT, pools, caches
    const loadBeforeClosed = loadAverage();
    const { succeeded: redeemed, ...closedRest } = await closedLoop(send, {
      clients,
      seconds,
      okStatus: 201,
    });
    const closed = { ...closedRest, redeemed };
    progress(`closed loop: ${closed.perSecond}/s`);
    const rate = Math.max(1, Math.round(pgbenchTps / 2));
    const loadBeforeOpen = loadAverage();
    const { succeeded: openRedeemed, ...openRest } = await openLoop(send, {
      rate,
      seconds,
      okStatus: 201,
    });
    const open = { ...openRest, redeemed: openRedeemed };
    progress(`open loop at ${rate}/s: p99 ${open.latencyMs.p99} ms`);

    const counts = await sql<{
      redemptions: string;
      litres: string;
      moved: string;
      audited: string;
    }>`
      select (select count(*) from redemption) as redemptions,
             (select coalesce(sum(quantity), 0) from redemption_line) as litres,
             (select coalesce(-sum(quantity_delta), 0) from stock_movement where kind = 'redemption') as moved,
             (select count(*) from audit_entry where entry::json->>'action' = 'distribution.redeem') as audited
    `.execute(world.database.admin);
    const row = counts.rows[0];
    return {
      command: `npm run bench -- distribution-redeem ${persons} ${seconds} ${clients}`,
      pgbenchTps,
      pgbenchCommand: `pgbench -c 16 -j 2 -T ${seconds} (TPC-B, scale 10)`,
      redemptionsPerSecond: closed.perSecond,
      ratioToPgbench: +(closed.perSecond / pgbenchTps).toFixed(3),
      targetRatio: 1,
      closedLoop: { clients, ...closed },
      openLoop: { ratePerSecond: rate, ...open },
      targetP99Ms: 50,
      database: {
        redemptions: Number(row?.redemptions),
        litresRedeemed: Number(row?.litres),
        litresMovedFromStock: Number(row?.moved),
        redeemAuditEntries: Number(row?.audited),
      },
      persons,
      setupSeconds,
      loadAverage: {
        atStart: loadAtStart,
        beforeClosed: loadBeforeClosed,
        beforeOpen: loadBeforeOpen,
        atEnd: loadAverage(),
      },
    };
  } finally {
    await server.stop();
    await world.close();
  }
}

type Redeem = (index: number) => Promise<{ status: number }>;

/** One redemption of 1 litre by the operator `index` picks, of a random card's entitlement. */
export function redeemer(
  url: string,
  world: Awaited<ReturnType<typeof distributionWorld>>,
): Redeem {
  const attempt: Redeem = async (index) => {
    const operator = world.operators[index % world.operators.length];
    const card = world.cards[Math.floor(Math.random() * world.cards.length)];
    if (operator === undefined || card === undefined) throw new Error('no operator or card');
    // An overwhelmed server refuses or resets connections: counted as status 0, not thrown.
    const response = await fetch(
      `${url}/api/distribution/points/${operator.pointId}/redemptions?purpose=distribution`,
      {
        method: 'POST',
        headers: { cookie: operator.cookie, 'content-type': 'application/json' },
        body: JSON.stringify({
          clientId: randomUUID(),
          qrText: card.qrText,
          entitlementId: card.entitlementId,
          lines: [{ item: world.item, quantity: 1 }],
        }),
      },
    );
    await response.arrayBuffer();
    return { status: response.status };
  };
  return async (index) => attempt(index).catch(() => ({ status: 0 }));
}

/** `pgbench -c 16` TPC-B at scale 10 in a throwaway database on the same server; its tps. */
export async function pgbench(serverUrl: string, seconds: number): Promise<number> {
  const name = `${PGBENCH_DATABASE_PREFIX}${randomBytes(4).toString('hex')}`;
  const url = new URL(serverUrl);
  const env = {
    ...process.env,
    PGHOST: url.hostname,
    PGPORT: url.port || '5432',
    PGUSER: decodeURIComponent(url.username) || 'postgres',
    PGPASSWORD: decodeURIComponent(url.password),
  };
  const binary = pgbenchBinary();
  execFileSync('createdb', [name], { env });
  try {
    execFileSync(binary, ['-i', '-q', '-s', '10', name], { env, stdio: 'ignore' });
    // Not synchronous: a caller may sample the database's CPU while it runs.
    const { stdout: out } = await promisify(execFile)(
      binary,
      ['-c', '16', '-j', '2', '-T', String(seconds), name],
      { env, encoding: 'utf8' },
    );
    const match = /tps = ([\d.]+) \(without initial connection time\)/.exec(out);
    if (match?.[1] === undefined) throw new Error(`pgbench said: ${out}`);
    return +Number(match[1]).toFixed(1);
  } finally {
    execFileSync('dropdb', ['--force', name], { env });
  }
}

/** The name of `pgbench`'s throwaway database starts so. */
export const PGBENCH_DATABASE_PREFIX = 'amparo_bench_pgbench_';

export function pgbenchBinary(): string {
  try {
    execFileSync('pgbench', ['--version'], { stdio: 'ignore' });
    return 'pgbench';
  } catch {
    return '/usr/lib/postgresql/15/bin/pgbench';
  }
}

function progress(line: string): void {
  if (process.stderr.isTTY) process.stderr.write(`${line}\n`);
}
