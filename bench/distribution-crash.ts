import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import {
  type Card,
  type DistributionWorld,
  distributionWorld,
  freePort,
  type ServerProcess,
  startServer,
} from './lib/distribution-world.js';
import { loadAverage } from './lib/program-population.js';

/**
 * Exactly once under contention and crashes (issue #15, reliability): `clients` HTTP clients
 * (default 64, each an operator at one of 16 points) redeem the same 1,000 entitlements (a
 * basket of `litres` litres each, 1 litre a request) until every one is used up, three times,
 * each time with the entitlements of a fresh cycle:
 *
 * 1. no crash;
 * 2. `kill -9` of the server process once `killAt` of the litres are acknowledged, started
 *    again a second later on the same port;
 * 3. `kill -9` of PostgreSQL's postmaster and every process it started, at the same point,
 *    started again (crash recovery).
 *
 * PostgreSQL is an instance of its own (initdb in a temporary directory, another port), so
 * killing it disturbs nobody else. A client whose request got no answer (connection refused or
 * reset, 5xx) sends the very same request again — same idempotency key — until it gets one: a
 * 201 is an acknowledged redemption, AMP_QUANTITY_ABOVE_REMAINING or
 * AMP_ENTITLEMENT_NOT_REDEEMABLE (consumed) means used up. After each
 * phase, with both running: every acknowledged redemption is in the database (0 lost), no
 * entitlement gave more than its basket and none was redeemed twice for one key (0 doubled),
 * what each entitlement says remains matches its redemptions, the stock moved exactly what
 * was redeemed, and each redemption has its audit entry.
 *
 * `phases` (comma-separated, default all three in this order) runs some of them only, each
 * with its own program's cycle: at load 44 the set-up and the first two phases once took 24
 * minutes, and `postgres` alone skips them. After the PostgreSQL phase the instance's log is
 * read for its crash recovery ("automatic recovery in progress").
 *
 *   npm run bench -- distribution-crash [persons=1000] [clients=64] [litres=2] [killAt=0.4] [phases=none,server,postgres]
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const persons = Number(args[0] ?? 1_000);
  const clients = Number(args[1] ?? 64);
  const litres = Number(args[2] ?? 2);
  const killAt = Number(args[3] ?? 0.4);
  const crashes = crashesOf(args[4]);
  const loadAtStart = loadAverage();
  const postgres = await ownPostgres();
  let world: DistributionWorld | undefined;
  let server: ServerProcess | undefined;
  try {
    const setupStarted = performance.now();
    world = await distributionWorld({
      persons,
      programs: crashes.length,
      litres,
      points: 16,
      operatorsPerPoint: 4,
      stockPerPoint: 1_000_000,
      serverUrl: postgres.url,
    });
    const setupSeconds = +((performance.now() - setupStarted) / 1000).toFixed(1);
    const port = await freePort();
    server = await startServer(world, port);
    const phases: Record<string, unknown>[] = [];
    progress(`set up in ${setupSeconds} s; PostgreSQL at ${postgres.url}`);
    for (const [index, crash] of crashes.entries()) {
      progress(`phase ${crash}`);
      const program = world.programs[index];
      if (program === undefined) throw new Error('no program for the phase');
      const current = world;
      const phase = await redeemAll(
        server.url,
        current,
        program.cards,
        clients,
        litres,
        async (acknowledged) => {
          if (crash === 'none' || acknowledged < killAt * litres * program.cards.length) {
            return false;
          }
          if (crash === 'server' && server !== undefined) {
            progress(`kill -9 of the server (pid ${server.child.pid})`);
            server.child.kill('SIGKILL');
            await server.exited;
            await sleep(1_000);
            server = await startServer(current, port);
          } else {
            progress('kill -9 of the postmaster and its processes');
            postgres.kill9();
            await sleep(1_000);
            postgres.start();
            progress('PostgreSQL started again');
          }
          return true;
        },
        () => server?.stderr() ?? '',
      );
      const checked = await check(current, program.programId, phase.acknowledged, litres);
      const recovery = crash === 'postgres' ? { crashRecoveriesInLog: postgres.recoveries() } : {};
      phases.push({ crash, ...phase.summary, ...checked, ...recovery });
      progress(`${crash}: ${JSON.stringify(phases.at(-1))}`);
    }
    return {
      command: `npm run bench -- distribution-crash ${persons} ${clients} ${litres} ${killAt} ${crashes.join(',')}`,
      persons,
      entitlementsPerPhase: persons,
      litresPerEntitlement: litres,
      clients,
      phases,
      setupSeconds,
      loadAverage: { atStart: loadAtStart, atEnd: loadAverage() },
    };
  } finally {
    await server?.stop().catch(() => undefined);
    await world?.close().catch(() => undefined);
    postgres.remove();
  }
}

const allCrashes = ['none', 'server', 'postgres'] as const;
type Crash = (typeof allCrashes)[number];

/** The phases asked for, in the documented order; all three when none is named. */
function crashesOf(arg: string | undefined): Crash[] {
  if (arg === undefined || arg === '') return [...allCrashes];
  const asked = arg.split(',');
  for (const name of asked) {
    if (!allCrashes.some((known) => known === name)) {
      throw new Error(`unknown phase ${name}: one of ${allCrashes.join(', ')}`);
    }
  }
  return allCrashes.filter((name) => asked.includes(name));
}

interface Acknowledged {
  clientId: string;
  redemptionId: string;
  entitlementId: string;
}

/**
 * The clients redeem 1 litre at a time of random entitlements not yet known to be used up,
 * until all are. `crash` is asked after each acknowledgement and does its crash once.
 */
async function redeemAll(
  url: string,
  world: DistributionWorld,
  cards: Card[],
  clients: number,
  litres: number,
  crash: (acknowledged: number) => Promise<boolean>,
  serverStderr: () => string,
) {
  const open = [...cards];
  const acknowledged: Acknowledged[] = [];
  const statuses: Record<string, number> = {};
  let retries = 0;
  let crashed = false;
  let crashing: Promise<boolean> | undefined;
  let crashMs = 0;
  let crashError: unknown;
  let last = '';
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      const operator = world.operators[client % world.operators.length];
      if (operator === undefined) throw new Error('no operator');
      while (open.length > 0) {
        const card = open[Math.floor(Math.random() * open.length)] as Card;
        const clientId = randomUUID();
        const body = JSON.stringify({
          clientId,
          qrText: card.qrText,
          entitlementId: card.entitlementId,
          lines: [{ item: world.item, quantity: 1 }],
        });
        for (let attempt = 0; ; attempt += 1) {
          if (crashError !== undefined) throw crashError;
          if (attempt > 600) {
            throw new Error(`no answer for a minute; last: ${last}; server: ${serverStderr()}`);
          }
          if (attempt > 0) {
            retries += 1;
            await sleep(100);
          }
          let status: number;
          let answer: { redemptionId?: string; code?: string; errors?: { code?: string }[] };
          try {
            const response = await fetch(
              `${url}/api/distribution/points/${operator.pointId}/redemptions?purpose=distribution`,
              {
                method: 'POST',
                headers: { cookie: operator.cookie, 'content-type': 'application/json' },
                body,
              },
            );
            status = response.status;
            answer = (await response.json()) as typeof answer;
          } catch (error) {
            statuses.network = (statuses.network ?? 0) + 1;
            last = String(error);
            continue;
          }
          statuses[status] = (statuses[status] ?? 0) + 1;
          if (status >= 500) {
            last = `${status} ${JSON.stringify(answer)}`;
            continue;
          }
          if (status === 201 && answer.redemptionId !== undefined) {
            acknowledged.push({
              clientId,
              redemptionId: answer.redemptionId,
              entitlementId: card.entitlementId,
            });
            if (!crashed && crashing === undefined) {
              const crashStarted = performance.now();
              crashing = crash(acknowledged.length).then(
                (did) => {
                  if (did) {
                    crashed = true;
                    crashMs = performance.now() - crashStarted;
                  }
                  crashing = undefined;
                  return did;
                },
                (error: unknown) => {
                  crashError = error;
                  return true;
                },
              );
            }
          } else if (
            answer.code === 'AMP_QUANTITY_ABOVE_REMAINING' ||
            (answer.code === 'AMP_ENTITLEMENT_NOT_REDEEMABLE' &&
              answer.errors?.[0]?.code === 'consumed')
          ) {
            const at = open.indexOf(card);
            if (at >= 0) open.splice(at, 1);
          } else {
            throw new Error(`unexpected answer ${status}: ${JSON.stringify(answer)}`);
          }
          break;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    acknowledged,
    summary: {
      seconds: +seconds.toFixed(1),
      acknowledgedRedemptions: acknowledged.length,
      acknowledgedPerSecond: +(acknowledged.length / seconds).toFixed(1),
      retriesAfterNoAnswer: retries,
      crashed,
      crashAndRestartMs: Math.round(crashMs),
      statuses,
      litresPerEntitlement: litres,
    },
  };
}

/** What the database holds after the phase, against what the clients were told. */
async function check(
  world: DistributionWorld,
  programId: string,
  acknowledged: Acknowledged[],
  litres: number,
) {
  const admin = world.database.admin;
  const rows = await sql<{ id: string; entitlement_id: string; litres: string }>`
    select r.id, r.entitlement_id, sum(l.quantity)::text as litres
      from redemption r join redemption_line l on l.redemption_id = r.id
     where r.program_id = ${programId}
     group by r.id, r.entitlement_id`.execute(admin);
  const stored = new Map(rows.rows.map((row) => [row.id, row]));
  const lost = acknowledged.filter((each) => !stored.has(each.redemptionId)).length;
  const acknowledgedIds = new Set(acknowledged.map((each) => each.redemptionId));
  const notAcknowledged = rows.rows.filter((row) => !acknowledgedIds.has(row.id)).length;
  const perEntitlement = new Map<string, number>();
  for (const row of rows.rows) {
    perEntitlement.set(
      row.entitlement_id,
      (perEntitlement.get(row.entitlement_id) ?? 0) + Number(row.litres),
    );
  }
  const overGiven = [...perEntitlement.values()].filter((given) => given > litres).length;
  const perClientId = new Map<string, number>();
  for (const each of acknowledged) {
    perClientId.set(each.clientId, (perClientId.get(each.clientId) ?? 0) + 1);
  }
  const sameKeyTwice = [...perClientId.values()].filter((count) => count > 1).length;
  const distinctAcknowledged = new Set(acknowledged.map((each) => each.redemptionId)).size;
  const remaining = await sql<{ mismatched: string; unused: string }>`
    select count(*) filter (where coalesce(b.quantity_remaining, ${litres})
                                  <> ${litres} - coalesce(r.given, 0))::text as mismatched,
           count(*) filter (where coalesce(r.given, 0) < ${litres})::text as unused
      from entitlement e
      left join entitlement_item_balance b on b.entitlement_id = e.id
      left join (select r.entitlement_id, sum(l.quantity) as given
                   from redemption r join redemption_line l on l.redemption_id = r.id
                  group by r.entitlement_id) r on r.entitlement_id = e.id
     where e.program_id = ${programId}`.execute(admin);
  const stock = await sql<{ points_off: string; movements_off: string }>`
    with given as (
      select r.point_id, sum(l.quantity) as litres, count(distinct r.id) as redemptions
        from redemption r join redemption_line l on l.redemption_id = r.id group by r.point_id),
    moved as (
      select point_id, -sum(quantity_delta) filter (where kind = 'redemption') as out,
             sum(quantity_delta) filter (where kind = 'delivery') as delivered,
             count(*) filter (where kind = 'redemption') as movements
        from stock_movement group by point_id)
    select count(*) filter (where b.quantity <> m.delivered - coalesce(g.litres, 0))::text as points_off,
           count(*) filter (where coalesce(m.out, 0) <> coalesce(g.litres, 0)
                               or m.movements <> coalesce(g.redemptions, 0))::text as movements_off
      from stock_balance b join moved m on m.point_id = b.point_id
      left join given g on g.point_id = b.point_id`.execute(admin);
  // Lookups are not made here and refusals are audited as refused: every allowed
  // distribution.redeem entry is one redemption (all phases so far, as the log is shared).
  const audited = await sql<{ entries: string; redemptions: string }>`
    select (select count(*) from audit_entry
             where entry::json->>'action' = 'distribution.redeem'
               and entry::json->>'outcome' = 'allowed')::text as entries,
           (select count(*) from redemption)::text as redemptions`.execute(admin);
  return {
    redemptionsStored: rows.rows.length,
    acknowledgedLost: lost,
    storedNotAcknowledged: notAcknowledged,
    acknowledgedTwiceForOneKey: sameKeyTwice,
    acknowledgedDistinct: distinctAcknowledged,
    entitlementsGivenMoreThanBasket: overGiven,
    entitlementsNotUsedUp: Number(remaining.rows[0]?.unused),
    remainingMismatched: Number(remaining.rows[0]?.mismatched),
    stockPointsOff: Number(stock.rows[0]?.points_off),
    stockMovementsOff: Number(stock.rows[0]?.movements_off),
    allowedRedeemAuditEntriesSoFar: Number(audited.rows[0]?.entries),
    redemptionsSoFar: Number(audited.rows[0]?.redemptions),
  };
}

/** A PostgreSQL 15 of this benchmark's own: initdb in a temporary directory, its own port. */
async function ownPostgres() {
  const bin = '/usr/lib/postgresql/15/bin';
  const dir = mkdtempSync(path.join(tmpdir(), 'amparo-crash-pg-'));
  chownSync(dir, uid('postgres'), gid('postgres'));
  const data = path.join(dir, 'data');
  const port = await freePort();
  const asPostgres = (command: string, args: string[]) => {
    const result = spawnSync('runuser', ['-u', 'postgres', '--', `${bin}/${command}`, ...args], {
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`${command}: ${result.stderr}${result.stdout}`);
  };
  asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const start = () =>
    asPostgres('pg_ctl', [
      '-D',
      data,
      '-l',
      path.join(dir, 'log'),
      '-w',
      '-t',
      '120',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`,
      'start',
    ]);
  start();
  const postmasterPid = () =>
    Number(readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    /**
     * SIGKILL to the postmaster and, at the same moment, to every process it started (backends,
     * WAL writer, checkpointer): nothing of PostgreSQL gets to finish what it was doing, as in a
     * crash of the machine; waits until all are gone.
     */
    kill9() {
      const pid = postmasterPid();
      const children = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter((line) => line.trim() !== '')
        .map(Number);
      for (const each of [pid, ...children]) {
        try {
          process.kill(each, 'SIGKILL');
        } catch {
          // Already gone: a backend whose client had just disconnected.
        }
      }
      for (let waited = 0; waited < 600; waited += 1) {
        if (![pid, ...children].some(alive)) break;
        execFileSync('sleep', ['0.1']);
      }
    },
    /** How many crash recoveries the instance's log records (one per kill, then a restart). */
    recoveries(): number {
      const log = readFileSync(path.join(dir, 'log'), 'utf8');
      return log.split('\n').filter((line) => line.includes('automatic recovery in progress'))
        .length;
    },
    remove() {
      if (existsSync(path.join(data, 'postmaster.pid'))) {
        spawnSync('runuser', [
          '-u',
          'postgres',
          '--',
          `${bin}/pg_ctl`,
          '-D',
          data,
          '-m',
          'immediate',
          'stop',
        ]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function uid(user: string): number {
  return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
}

function gid(user: string): number {
  return Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
}

/** One line per phase on stderr: a run takes minutes, and a failure should say where. */
function progress(line: string): void {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}
