import { sql } from 'kysely';
import { PGBENCH_DATABASE_PREFIX, pgbench, redeemer } from './distribution-redeem.js';
import { funder } from './ledger-tpcb.js';
import { cpuMeter } from './lib/cpu-meter.js';
import { distributionWorld, startServer } from './lib/distribution-world.js';
import {
  type CapturedKind,
  captureFloorRequests,
  fundingOfficers,
  withoutAuditMove,
} from './lib/floor-requests.js';
import { closedLoop, type LoadRequest } from './lib/http-loops.js';
import { type ReplayScript, runPgbench } from './lib/pgbench-replay.js';
import { loadAverage } from './lib/program-population.js';

/**
 * What bounds the ratio to pgbench of a card redemption (issue #15) and of a single ledger
 * transfer (issue #16) over HTTP on this machine, all in one run on the same PostgreSQL:
 *
 * 1. `pgbench -c 16 -j 2 -T seconds` TPC-B at scale 10 in a throwaway database
 *    (`distribution-redeem`'s), at the start and again at the end.
 * 2. The statements each request sends: one card redemption (as `distribution-redeem` sends
 *    it), `clients` card redemptions sent at once (the app writes concurrent ones in shared
 *    transactions) and one funding transfer (as `ledger-tpcb` sends it), sent through `build()`
 *    and captured from `pg` with their parameters (`bench/lib/statement-capture.ts`).
 * 3. The same requests over HTTP to the server in its own process (`startServer`), closed loop,
 *    `clients` clients: rate, the server's CPU per request (/proc), the CPU of the database's
 *    backends per request and the machine's busy cores.
 * 4. The database work alone: the captured statements written as pgbench scripts
 *    (`bench/lib/pgbench-replay.ts`: one script per captured request, values the request
 *    generated drawn afresh in each transaction) and replayed by `pgbench -n -M simple` with
 *    `clients` clients for `seconds` on the world's database, no Node in the path, checked by
 *    the rows written. Variants: as sent with the session and point gate cached (warm), with
 *    nothing cached (the session and gate reads added), and without the audit move (the
 *    transaction that moves audit entries into the Merkle log under the global appender lock).
 *
 * CPU per operation is given twice: of this run's database backends only (sampled by process
 * title), and of every `postgres` process of the machine (other users' included).
 *
 *   npm run bench -- distribution-redeem-floor [seconds=10] [clients=16]
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const seconds = Number(args[0] ?? 10);
  const clients = Number(args[1] ?? 16);
  const serverUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const loads: Record<string, string> = { atStart: loadAverage() };
  const tpcbStart = await tpcb(serverUrl, seconds);
  progress(`pgbench TPC-B: ${tpcbStart.tps} tps`);

  const world = await distributionWorld({
    persons: 64 * 4,
    litres: 1_000,
    points: 16,
    operatorsPerPoint: 4,
    stockPerPoint: 1_000_000,
  });
  try {
    const officers = await fundingOfficers(world, clients);
    // Caller i: operator i % 64 with card i. One at a time: the first 64; at once: groups of
    // `clients` callers with distinct cards, each operator in 4 groups.
    const callers = world.cards.map((card, index) => {
      const operator = world.operators[index % world.operators.length];
      if (operator === undefined) throw new Error('no operator');
      return { ...operator, qrText: card.qrText, entitlementId: card.entitlementId };
    });
    const groups = [];
    for (let start = 0; start + clients <= callers.length; start += clients) {
      groups.push(callers.slice(start, start + clients));
    }
    const captured = await captureFloorRequests(
      world,
      callers.slice(0, world.operators.length),
      groups,
      officers,
    );
    await sql`analyze`.execute(world.database.admin);
    progress('captured');

    // Over HTTP before the replays: a replay leaves rows no server of the app would see (below).
    const server = await startServer(world);
    let redeemHttp: Awaited<ReturnType<typeof overHttp>>;
    let fundHttp: Awaited<ReturnType<typeof overHttp>>;
    try {
      const redeem = redeemer(server.url, world);
      loads['before redemptions over HTTP'] = loadAverage();
      redeemHttp = await overHttp(
        async (index) => (await redeem(index)).status,
        server.child.pid ?? 0,
        { clients, seconds, database: ownDatabase(world.database.appUrl) },
      );
      progress(`redemptions over HTTP: ${redeemHttp.perSecond}/s`);
      loads['before transfers over HTTP'] = loadAverage();
      fundHttp = await overHttp(funder(server.url, captured.funders), server.child.pid ?? 0, {
        clients,
        seconds,
        database: ownDatabase(world.database.appUrl),
      });
      progress(`transfers over HTTP: ${fundHttp.perSecond}/s`);
    } finally {
      await server.stop();
    }

    const replay = async (scripts: ReplayScript[], table: string, label: string, n = clients) => {
      loads[`before ${label}`] = loadAverage();
      const result = await replayed(world.database, scripts, table, { clients: n, seconds });
      progress(`${label}: ${result.tps} tps`);
      return result;
    };
    const variants = async (kind: CapturedKind, table: string, label: string) => ({
      warm: await replay(kind.scripts.warm, table, `${label} replay, warm`),
      uncached: await replay(kind.scripts.uncached, table, `${label} replay, uncached`),
      withoutAuditMove: await replay(
        kind.scripts.withoutAuditMove,
        table,
        `${label} replay, no audit move`,
      ),
    });
    const redeemReplays = await variants(captured.redeem, 'redemption', 'redemption');
    const together = captured.redeemTogether.scripts;
    const togetherReplays = {
      clients: await replay(together.warm, 'redemption', `${clients} at once, replay`),
      twoClients: await replay(together.warm, 'redemption', `${clients} at once, 2 clients`, 2),
      withoutAuditMove: await replay(
        together.withoutAuditMove,
        'redemption',
        `${clients} at once, replay, no audit move`,
      ),
    };
    const fundReplays = await variants(captured.fund, 'ledger_transfer', 'transfer');
    loads['before the second TPC-B'] = loadAverage();
    const tpcbEnd = await tpcb(serverUrl, seconds);
    loads.atEnd = loadAverage();
    const tpcbTps = +((tpcbStart.tps + tpcbEnd.tps) / 2).toFixed(1);
    return {
      command: `npm run bench -- distribution-redeem-floor ${seconds} ${clients}`,
      tpcb: {
        command: `pgbench -c 16 -j 2 -T ${seconds} (TPC-B, scale 10)`,
        start: tpcbStart,
        end: tpcbEnd,
        meanTps: tpcbTps,
      },
      redemption: kindReport(captured.redeem, redeemReplays, redeemHttp, tpcbTps),
      redemptionsTogether: togetherReport(
        captured.redeemTogether,
        clients,
        togetherReplays,
        tpcbTps,
      ),
      transfer: kindReport(captured.fund, fundReplays, fundHttp, tpcbTps),
      captureBackgroundStatementsLeftOut: captured.backgroundStatements,
      loadAverage: loads,
    };
  } finally {
    await world.close();
  }
}

/** TPC-B as `distribution-redeem` runs it, with PostgreSQL's CPU per transaction around it. */
async function tpcb(serverUrl: string, seconds: number) {
  const meter = cpuMeter(new RegExp(PGBENCH_DATABASE_PREFIX));
  const tps = await pgbench(serverUrl, seconds);
  return { tps, ...meter.stop(tps * seconds) };
}

/** A pgbench replay of `scripts` on the world's database, checked by the rows it wrote. */
async function replayed(
  database: Awaited<ReturnType<typeof distributionWorld>>['database'],
  scripts: ReplayScript[],
  table: string,
  props: { clients: number; seconds: number },
) {
  const count = async () =>
    Number(
      (
        await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(
          database.admin,
        )
      ).rows[0]?.n,
    );
  const before = await count();
  const meter = cpuMeter(ownDatabase(database.appUrl));
  const run = await runPgbench(
    database.appUrl,
    scripts.map((script) => script.text),
    props,
  );
  const cpu = meter.stop(run.transactions);
  // The staged audit entries a replay leaves (its variant without the move): their MACs were
  // made over the captured ids, not the fresh ones, so the next server's sweep would refuse
  // them one by one. Removed as the owner (the application role may not).
  await sql`delete from audit_pending`.execute(database.admin);
  return {
    ...run,
    statementsPerTransaction: scripts[0]?.statements,
    scripts: scripts.length,
    freshValuesPerTransaction: scripts[0]?.freshValues,
    [`${table}RowsWritten`]: (await count()) - before,
    ...cpu,
  };
}

/** A closed loop over HTTP after a 3 s warm-up, with the server's and PostgreSQL's CPU per request. */
async function overHttp(
  send: LoadRequest,
  pid: number,
  props: { clients: number; seconds: number; database: RegExp },
) {
  await closedLoop(send, { clients: props.clients, seconds: 3, okStatus: 201 });
  const meter = cpuMeter(props.database, pid);
  const loop = await closedLoop(send, {
    clients: props.clients,
    seconds: props.seconds,
    okStatus: 201,
  });
  const { processCpuMsPerOperation, ...cpu } = meter.stop(loop.succeeded);
  return { ...loop, serverCpuMsPerRequest: processCpuMsPerOperation, ...cpu };
}

type Replays = Record<
  'warm' | 'uncached' | 'withoutAuditMove',
  Awaited<ReturnType<typeof replayed>>
>;

/** One kind's figures and the statement the issue asks for. */
function kindReport(
  kind: CapturedKind,
  replays: Replays,
  http: Awaited<ReturnType<typeof overHttp>>,
  tpcbTps: number,
) {
  const serverCpuMs = http.serverCpuMsPerRequest ?? Number.NaN;
  const coresAtTpcb = +((serverCpuMs * tpcbTps) / 1000).toFixed(2);
  const ratio = (tps: number) => +(tps / tpcbTps).toFixed(3);
  return {
    statementsWarm: kind.warm.length,
    statementsWithoutAuditMove: withoutAuditMove(kind.warm).length,
    statementsAddedUncached: kind.uncachedExtra.length,
    sameShapeEveryRequest: kind.sameShape,
    statements: kind.warm.map((statement) =>
      statement.text.replace(/\s+/g, ' ').trim().slice(0, 140),
    ),
    uncachedExtra: kind.uncachedExtra.map((statement) =>
      statement.text.replace(/\s+/g, ' ').trim().slice(0, 140),
    ),
    replay: {
      warm: { ...replays.warm, ratioToTpcb: ratio(replays.warm.tps) },
      uncached: { ...replays.uncached, ratioToTpcb: ratio(replays.uncached.tps) },
      withoutAuditMove: {
        ...replays.withoutAuditMove,
        ratioToTpcb: ratio(replays.withoutAuditMove.tps),
      },
    },
    http: { ...http, ratioToTpcb: ratio(http.perSecond) },
    statement:
      `at 1.0× pgbench (${tpcbTps} tps) the server would need ${serverCpuMs} ms of CPU per request × ` +
      `${tpcbTps}/s = ${coresAtTpcb} cores; the database work alone, replayed without Node, reaches ` +
      `${replays.warm.tps} tps = ${ratio(replays.warm.tps)}× pgbench (nothing cached: ` +
      `${replays.uncached.tps} tps = ${ratio(replays.uncached.tps)}×; without the audit move: ` +
      `${replays.withoutAuditMove.tps} tps = ${ratio(replays.withoutAuditMove.tps)}×)`,
    exampleScript: kind.scripts.warm[0]?.text,
  };
}

/**
 * The groups' redemptions sent at once, replayed: each pgbench transaction is one group's
 * statements (`perScript` redemptions), so redemptions per second are its tps × `perScript`.
 */
function togetherReport(
  kind: CapturedKind,
  perScript: number,
  replays: Record<string, Awaited<ReturnType<typeof replayed>>>,
  tpcbTps: number,
) {
  const begins = kind.warm.filter((statement) => statement.text.trim() === 'begin').length;
  return {
    redemptionsPerScript: perScript,
    statementsPerScript: kind.warm.length,
    statementsPerRedemption: +(kind.warm.length / perScript).toFixed(2),
    transactionsPerScript: begins,
    sameShapeEveryRound: kind.sameShape,
    shapes: kind.scripts.warm.map((script) => script.statements),
    replay: Object.fromEntries(
      Object.entries(replays).map(([name, run]) => {
        const perSecond = +(run.tps * perScript).toFixed(1);
        return [
          name,
          {
            ...run,
            redemptionsPerSecond: perSecond,
            ratioToTpcb: +(perSecond / tpcbTps).toFixed(3),
          },
        ];
      }),
    ),
    statements: kind.warm.map((statement) =>
      statement.text.replace(/\s+/g, ' ').trim().slice(0, 100),
    ),
  };
}

/** The process titles of the backends of the database `url` names. */
function ownDatabase(url: string): RegExp {
  return new RegExp(` ${new URL(url).pathname.slice(1)} `);
}

function progress(line: string): void {
  if (process.stderr.isTTY) process.stderr.write(`${line}\n`);
}
