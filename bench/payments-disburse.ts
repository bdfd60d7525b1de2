import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { type Kysely, sql } from 'kysely';
import { ledgerIsSound, verifyLedger } from '../src/modules/ledger/index.js';
import {
  disbursementRunner,
  disbursementStarter,
  programFunder,
} from '../src/modules/payments/index.js';
import {
  programCreator,
  publicationDecider,
  publicationRequester,
} from '../src/modules/programs/index.js';
import { initKeys } from '../src/platform/crypto/key-store.js';
import type { Database } from '../src/platform/db/schema.js';
import { loadAverage } from './audit-append.js';
import { throwawayDatabase } from './lib/program-population.js';
import { profiledDatabase } from './lib/query-profile.js';

/**
 * Cash disbursement (issue #16, point 4 and its benchmarks) on PostgreSQL:
 *
 * 1. `entitlements` wallet credits of one published cycle, paid in-process by the runner
 *    (`workers` chunks at once, `chunk` entitlements a chunk): seconds and credits per second,
 *    wallets opened on first credit. Target: 1,000,000 in ≤ 60 s.
 * 2. `amparo payments disburse --cycle` of a second cycle as a real process, killed with
 *    SIGKILL after `killAfterChunks` chunks, then run again to the end: duplicates (transfers
 *    per entitlement above one), losses (entitlements with no transfer) and `verifyLedger`.
 *
 * Persons, the cycle's members and entitlements are written with generate_series as the owner
 * (a fixture: the cycle computation has its own benchmark, programs-cycle); the program,
 * its publication, the funding and the disbursement go through the modules.
 *
 * With `AMPARO_BENCH_PROFILE=1` the runner's statements are timed by kind (sent to answered,
 * summed over the workers) and printed after the disbursement.
 *
 *   npm run bench -- payments-disburse [entitlements=1000000] [workers=3] [chunk=4000] [killEntitlements=200000] [killAfterChunks=10]
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const entitlements = Number(args[0] ?? 1_000_000);
  const workers = Number(args[1] ?? 3);
  const chunk = Number(args[2] ?? 4_000);
  const killEntitlements = Number(args[3] ?? 200_000);
  const killAfterChunks = Number(args[4] ?? 10);
  const database = await throwawayDatabase('disburse');
  const keysDir = mkdtempSync(path.join(tmpdir(), 'amparo-bench-keys-'));
  try {
    const persons = Math.max(entitlements, killEntitlements);
    const seeded = performance.now();
    await sql`insert into person (id, uin, status, region_code)
      select md5('p' || g)::uuid, (2000000000 + g)::text, 'active', 'VE-A'
        from generate_series(0::int8, ${persons - 1}::int8) g`.execute(database.admin);
    const programId = await cashProgram(database.app);
    const first = await cycleOf(database.admin, programId, '2026-12-01', entitlements);
    const second =
      killEntitlements > 0
        ? await cycleOf(database.admin, programId, '2027-01-01', killEntitlements)
        : null;
    await sql`analyze`.execute(database.admin);
    const amountMinor = 150_000n;
    await programFunder(database.app, {
      programId,
      currency: 'VES',
      amountMinor: String(amountMinor * BigInt(entitlements + killEntitlements)),
      transferId: randomUUID(),
    });
    const setupSeconds = (performance.now() - seeded) / 1000;

    // AMPARO_BENCH_PROFILE=1: the runner's statements are timed by kind (printed at the end).
    const profiled =
      process.env.AMPARO_BENCH_PROFILE === '1' ? profiledDatabase(database.appUrl, 4) : undefined;
    const started = performance.now();
    const disbursement = await disbursementStarter(database.app, {
      cycleId: first,
      operatorId: null,
      chunkEntitlements: chunk,
    });
    const startSeconds = (performance.now() - started) / 1000;
    const done = await disbursementRunner(profiled?.db ?? database.app, {
      disbursementId: disbursement.id,
      workers,
      onProgress: (progress) => {
        if (process.stderr.isTTY)
          process.stderr.write(`\r chunk ${progress.chunksDone}/${progress.chunksTotal}`);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const loadAfterFirst = loadAverage();
    // Phases are reported as they end: a long run that fails later keeps its first numbers.
    if (profiled) {
      process.stderr.write(`${JSON.stringify(profiled.report(), null, 1)}\n`);
      await profiled.db.destroy();
    }
    process.stderr.write(
      `disbursed ${done.creditedCount} credits in ${round(seconds)} s (start ${round(startSeconds)} s, setup ${round(setupSeconds)} s), load ${loadAfterFirst}\n`,
    );

    // killEntitlements = 0 (or killAfterChunks = 0) asks for no kill phase: it is skipped.
    const killPhase =
      killEntitlements > 0 && killAfterChunks > 0 && second !== null
        ? await killAndResume(database, keysDir, second, workers, chunk, killAfterChunks)
        : undefined;
    const check = await exactlyOnce(database.admin, second === null ? [first] : [first, second]);
    process.stderr.write(`${JSON.stringify(check)}\n`);
    // As the owner: over a million transfers takes longer than the application's 30 s limit.
    // The owner's one pooled connection may have been closed while idle and reopened with the
    // application's limit: lift it again right before.
    await sql`set statement_timeout = 0`.execute(database.admin);
    const verification = await verifyLedger(database.admin);
    return {
      entitlements,
      workers,
      chunkEntitlements: chunk,
      setupSeconds: round(setupSeconds),
      startSeconds: round(startSeconds),
      disburseSeconds: round(seconds),
      creditsPerSecond: Math.round(entitlements / seconds),
      credited: done.creditedCount.toString(),
      status: done.status,
      loadAverageAfterDisbursement: loadAfterFirst,
      killEntitlements,
      ...(killPhase ?? { killPhase: 'skipped (killEntitlements or killAfterChunks is 0)' }),
      ...check,
      ledgerSound: ledgerIsSound(verification),
      ledgerAccountsChecked: verification.accountsChecked,
      ledgerTransfersChecked: verification.transfersChecked,
      loadAverage: loadAverage(),
    };
  } finally {
    rmSync(keysDir, { recursive: true, force: true });
    await database.close();
  }
}

const round = (value: number) => Number(value.toFixed(2));

async function cashProgram(db: Kysely<Database>): Promise<string> {
  const officer = randomUUID();
  const { programId } = await programCreator(db, {
    code: 'bono_bench',
    content: {
      nameEs: 'Bono',
      nameEn: 'Bonus',
      descriptionEs: '',
      descriptionEn: '',
      kind: 'cash',
      unit: 'person',
      regions: [],
      cadence: 'once',
      benefit: { amountMinor: 150_000n, currency: 'VES' },
      budgetCap: 10n ** 15n,
      eligibilityRule: 'age >= 0',
    },
    operatorId: officer,
  });
  const { publicationId } = await publicationRequester(db, {
    programId,
    version: 1,
    operatorId: officer,
  });
  await publicationDecider(db, { publicationId, approve: true, operatorId: randomUUID() });
  return programId;
}

/** Phase 2: `amparo payments disburse` of the second cycle, SIGKILLed, then run to the end. */
async function killAndResume(
  database: { appUrl: string; app: Kysely<Database> },
  keysDir: string,
  cycleId: string,
  workers: number,
  chunk: number,
  killAfterChunks: number,
) {
  initKeys(keysDir);
  const env = {
    PATH: process.env.PATH,
    DATABASE_URL: database.appUrl,
    AMPARO_KEYS_DIR: keysDir,
    AMPARO_DATA_DIR: keysDir,
    LOG_LEVEL: 'silent',
  };
  const args2 = [
    '--cycle',
    cycleId,
    '--workers',
    String(workers),
    '--chunk-entitlements',
    String(chunk),
  ];
  const killedAt = await disburseKilled(env, args2, killAfterChunks);
  const chunksAtKill = await chunksDone(database.app, cycleId);
  const resumed = performance.now();
  await disburseToEnd(env, args2);
  const resumeSeconds = (performance.now() - resumed) / 1000;
  process.stderr.write(
    `killed at "${killedAt}" (${chunksAtKill} chunks counted), resumed in ${round(resumeSeconds)} s\n`,
  );
  return {
    killedAfterChunkLine: killedAt,
    chunksCountedAtKill: chunksAtKill,
    resumeSeconds: round(resumeSeconds),
  };
}

/** A published cycle whose members and entitlements are persons [0, count). */
async function cycleOf(
  admin: Kysely<Database>,
  programId: string,
  referenceDate: string,
  count: number,
): Promise<string> {
  const cycleId = randomUUID();
  // Its entitlements are written below, as the cycle's approval grants them: marked granted,
  // so the disbursement's start does not grant them again (a million rows re-inserted `on
  // conflict do nothing` in one statement, 7 s, which under load passed the 30 s limit).
  // Published: an approved cycle is not paid before its publication (AMP_CYCLE_NOT_PUBLISHED).
  await sql`insert into program_cycle (id, program_id, version, reference_date, status,
      grant_chunks_done, entitlements_granted_at)
    values (${cycleId}, ${programId}, 1, ${referenceDate}, 'published', 1, now())`.execute(admin);
  await sql`insert into program_cycle_member (cycle_id, round, person_id, region_code, amount_minor)
    select ${cycleId}::uuid, 1, md5('p' || g)::uuid, 'VE-A', 150000
      from generate_series(0::int8, ${count - 1}::int8) g`.execute(admin);
  await sql`insert into entitlement (id, cycle_id, program_id, person_id, basis, amount_minor)
    select gen_random_uuid(), ${cycleId}::uuid, ${programId}::uuid, md5('p' || g)::uuid, 'rule', 150000
      from generate_series(0::int8, ${count - 1}::int8) g`.execute(admin);
  return cycleId;
}

function command(env: NodeJS.ProcessEnv, args: string[]): ChildProcess {
  return spawn(process.execPath, ['bin/amparo.js', 'payments', 'disburse', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs the command and SIGKILLs it once it reported `afterChunks` chunks; the last line seen. */
async function disburseKilled(
  env: NodeJS.ProcessEnv,
  args: string[],
  afterChunks: number,
): Promise<string> {
  const child = command(env, args);
  let seen = '';
  let lines = 0;
  await new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (data: Buffer) => {
      for (const line of data.toString().split('\n').filter(Boolean)) {
        seen = line;
        if (line.includes(': chunk ')) lines += 1;
        if (lines >= afterChunks) child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) =>
      signal === 'SIGKILL' ? resolve() : reject(new Error(`not killed: exit ${code}, ${seen}`)),
    );
  });
  return seen;
}

async function disburseToEnd(env: NodeJS.ProcessEnv, args: string[]): Promise<void> {
  const child = command(env, args);
  let output = '';
  child.stdout?.on('data', (data: Buffer) => {
    output += data.toString();
  });
  child.stderr?.on('data', (data: Buffer) => {
    output += data.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`resume failed (${code}): ${output.slice(-2000)}`);
}

async function chunksDone(db: Kysely<Database>, cycleId: string): Promise<number> {
  const row = await db
    .selectFrom('payment_disbursement')
    .select('chunks_done')
    .where('cycle_id', '=', cycleId)
    .executeTakeFirst();
  return row?.chunks_done ?? 0;
}

/** Duplicates and losses over the cycles' entitlements, read as the owner would audit them. */
async function exactlyOnce(db: Kysely<Database>, cycleIds: string[]) {
  const { rows } = await sql<{
    entitlements: string;
    paid: string;
    duplicates: string;
    lost: string;
  }>`
    with paid as (
      select reference_id, count(*) as times from ledger_transfer
       where reason = 'disbursement' and result = 'ok' group by reference_id)
    select count(*) as entitlements,
           count(paid.reference_id) as paid,
           coalesce(sum(greatest(paid.times - 1, 0)), 0) as duplicates,
           count(*) filter (where paid.reference_id is null) as lost
      from entitlement e left join paid on paid.reference_id = e.id
     where e.cycle_id = any(${cycleIds}::uuid[])`.execute(db);
  const row = rows[0];
  return {
    entitlementsChecked: Number(row?.entitlements),
    entitlementsPaid: Number(row?.paid),
    duplicates: Number(row?.duplicates),
    losses: Number(row?.lost),
  };
}
