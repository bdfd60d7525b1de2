import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliEnvironment, createCliEnvironment } from '../../../../test/cli-environment.js';
import { loadKeyStore } from '../../../platform/crypto/key-store.js';
import { closePglite, kyselyOverPglite, openPglite } from '../../../platform/db/database.js';
import type { Database } from '../../../platform/db/schema.js';
import { AuditLog } from '../../audit/index.js';
import { eligiblePersonIds } from '../eligibility/eligibility-query.js';
import { sealedPool } from '../eligibility/sealed-pool.js';
import { insertRandomPopulation, publishedProgram, womenPension } from '../programs-test-kit.js';
import { checkRule } from '../rules/rule-checker.js';
import { cycleApprover, cycleOpener } from './cycle-service.js';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const referenceDate = '2026-12-01';
const rule = '(sex == "F" && age >= 55) || (sex == "M" && age >= 60)';

/**
 * A cycle's computation is killed with SIGKILL halfway (a real `amparo programs cycle compute`
 * process, after it reported some chunks committed) and resumed by a second process: the
 * frozen set is exactly the rule's, nobody twice, and the entitlements that follow are one
 * per beneficiary.
 */
describe('amparo programs cycle compute: resume after SIGKILL', () => {
  let cli: CliEnvironment;

  /** The command's database as its owner (PGlite on disk is opened as the superuser). */
  async function asOwner<T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    if (cli.env.DATABASE_URL) return cli.database.asAdmin(work);
    const pglite = await openPglite(cli.env.AMPARO_DB_DIR ?? '');
    const db = kyselyOverPglite(pglite);
    try {
      return await work(db);
    } finally {
      await closePglite(db, pglite);
    }
  }

  beforeAll(async () => {
    cli = await createCliEnvironment('amparo-cycle-resume-');
    await asOwner((db) => insertRandomPopulation(db, { persons: 200, seed: 21 }));
  }, 120_000);
  afterAll(async () => cli?.close());

  function computeCommand(cycleId: string, pauseMs: number): ChildProcess {
    return spawn(
      process.execPath,
      [
        'bin/amparo.js',
        'programs',
        'cycle',
        'compute',
        cycleId,
        '--chunk-pause-ms',
        String(pauseMs),
      ],
      {
        cwd: repositoryRoot,
        env: { ...cli.env, PATH: process.env.PATH, LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
  }

  it('resumes where the killed run stopped, with no duplicate member or entitlement', async () => {
    const [officer, approver] = [randomUUID(), randomUUID()];
    const { cycleId, expected } = await cli.withCommandDatabase(async (db) => {
      const { programId } = await publishedProgram(db, {
        code: 'pension',
        content: { ...womenPension, eligibilityRule: rule },
      });
      const opened = await cycleOpener(db, {
        programId,
        referenceDate,
        operatorId: officer,
        chunks: 16,
      });
      const ids = await eligiblePersonIds(db, {
        rule: checkRule(rule, 'bool', '/r'),
        referenceDate,
        regions: [],
      });
      return { cycleId: opened.cycleId, expected: ids };
    });
    expect(expected.length).toBeGreaterThan(10);

    const first = computeCommand(cycleId, 400);
    let stderr = '';
    await new Promise<void>((resolve) => {
      first.stderr?.on('data', (data: Buffer) => {
        stderr += data.toString();
        // Killed once a few chunks are committed: the run is mid-way.
        if (/chunk [4-9]\/16/.test(stderr) && first.exitCode === null) first.kill('SIGKILL');
      });
      first.on('exit', () => resolve());
    });
    expect(first.signalCode).toBe('SIGKILL');
    const interrupted = await cli.withCommandDatabase(async (db) => ({
      cycle: await db
        .selectFrom('program_cycle')
        .select(['status'])
        .where('id', '=', cycleId)
        .executeTakeFirstOrThrow(),
      run: await db
        .selectFrom('program_cycle_run')
        .select(['chunks_done', 'finished_at'])
        .where('cycle_id', '=', cycleId)
        .executeTakeFirstOrThrow(),
    }));
    expect(interrupted.cycle.status).toBe('computing');
    expect(interrupted.run.chunks_done).toBeGreaterThanOrEqual(4);
    expect(interrupted.run.chunks_done).toBeLessThan(16);
    expect(interrupted.run.finished_at).toBeNull();

    const second = computeCommand(cycleId, 0);
    let output = '';
    second.stdout?.on('data', (data: Buffer) => {
      output += data.toString();
    });
    const exitCode = await new Promise<number | null>((resolve) => second.on('exit', resolve));
    expect(exitCode).toBe(0);
    expect(output).toContain(`${expected.length} eligible`);

    await cli.withCommandDatabase(async (db) => {
      const members = await sql<{ n: number; distinct_persons: number }>`
        select count(*)::int as n, count(distinct person_id)::int as distinct_persons
          from program_cycle_member where cycle_id = ${cycleId}`.execute(db);
      expect(members.rows[0]).toEqual({ n: expected.length, distinct_persons: expected.length });
      const frozen = await db
        .selectFrom('program_cycle_member')
        .select('person_id')
        .where('cycle_id', '=', cycleId)
        .orderBy('person_id')
        .execute();
      expect(frozen.map((row) => row.person_id)).toEqual(expected);
      const approved = await cycleApprover(db, { cycleId, operatorId: approver });
      expect(approved).toMatchObject({ status: 'approved' });
      expect(await approved.granting).toEqual({ granted: true });
      const entitlements = await sql<{ n: number; distinct_persons: number }>`
        select count(*)::int as n, count(distinct person_id)::int as distinct_persons
          from entitlement where cycle_id = ${cycleId}`.execute(db);
      expect(entitlements.rows[0]).toEqual({
        n: expected.length,
        distinct_persons: expected.length,
      });
    });
  }, 180_000); // two command starts (tsx compiles the CLI) on a shared two-core machine
  it('computes a cycle over a sealed fact from the command line, with the master key as the server has it', async () => {
    // Persons with a sealed disability status, sealed with the command's own master key.
    const keys = loadKeyStore(cli.env.AMPARO_KEYS_DIR ?? '', undefined);
    await asOwner((db) =>
      insertRandomPopulation(db, { persons: 60, seed: 22, masterKey: keys.masterKey }),
    );
    const sealedRule = 'age >= 18 && disability_status != "none"';
    const expected = await cli.withCommandDatabase(async (db) => {
      await publishedProgram(db, {
        code: 'disability_grant',
        content: {
          ...womenPension,
          nameEs: 'Bono de discapacidad',
          nameEn: 'Disability grant',
          benefit: { amountMinor: 50_000_00n, currency: 'VES' },
          eligibilityRule: sealedRule,
        },
      });
      // The same set worked out here, with a pool of this test's own.
      const pool = sealedPool(keys.masterKey, 1);
      const audit = await AuditLog.open({ db, keys });
      try {
        return await eligiblePersonIds(db, {
          rule: checkRule(sealedRule, 'bool', '/r'),
          referenceDate,
          regions: [],
          sealed: { pool, audit },
        });
      } finally {
        await pool.close();
        await audit.close();
      }
    });
    expect(expected.length).toBeGreaterThan(5);
    const run = spawn(
      process.execPath,
      [
        'bin/amparo.js',
        'programs',
        'cycle',
        'create',
        '--program',
        'disability_grant',
        '--date',
        referenceDate,
        '--json',
      ],
      {
        cwd: repositoryRoot,
        env: { ...cli.env, PATH: process.env.PATH, LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let [output, errors] = ['', ''];
    run.stdout?.on('data', (data: Buffer) => {
      output += data.toString();
    });
    run.stderr?.on('data', (data: Buffer) => {
      errors += data.toString();
    });
    const exitCode = await new Promise<number | null>((resolve) => run.on('exit', resolve));
    expect({ exitCode, errors: exitCode === 0 ? '' : errors }).toEqual({ exitCode: 0, errors: '' });
    const answer = JSON.parse(output) as { cycleId: string; eligible: string };
    expect(answer.eligible).toBe(String(expected.length));
    await cli.withCommandDatabase(async (db) => {
      const frozen = await db
        .selectFrom('program_cycle_member')
        .select('person_id')
        .where('cycle_id', '=', answer.cycleId)
        .orderBy('person_id')
        .execute();
      expect(frozen.map((row) => row.person_id)).toEqual(expected);
    });
    // Each chunk's read of the sealed fact is audited, as the server's are.
    const audited = await asOwner((db) =>
      sql<{ n: number }>`select count(*)::int as n from audit_entry
        where entry::text like ${`%cycle:${answer.cycleId}%`}`.execute(db),
    );
    expect(audited.rows[0]?.n ?? 0).toBeGreaterThan(0);
  }, 120_000);
});
