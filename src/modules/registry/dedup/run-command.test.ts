import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPopulation } from '../../../../test/population-loader.js';
import { initKeys, loadKeyStore } from '../../../platform/crypto/key-store.js';
import {
  closePglite,
  kyselyOverPglite,
  openPglite,
  switchToAppRole,
} from '../../../platform/db/database.js';
import { migrateUp } from '../../../platform/db/migrator.js';
import { generatePopulation } from '../../demo/population.js';
import type { PopulationRecord } from '../import/population-record.js';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/**
 * `amparo dedup run` spawned as a separate process over an on-disk PGlite registry seeded
 * from the demo generator: the stored clusters are compared with the generator's truth
 * (which records are the same person), which the command never sees.
 */
describe('amparo dedup run', () => {
  let workDir: string;
  let env: NodeJS.ProcessEnv;
  let records: PopulationRecord[];
  const personOfUin = new Map<string, string>();

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), 'amparo-dedup-run-'));
    const keysDir = path.join(workDir, 'keys');
    initKeys(keysDir);
    env = {
      PATH: process.env.PATH,
      AMPARO_KEYS_DIR: keysDir,
      AMPARO_DATA_DIR: workDir,
      AMPARO_DB_DIR: path.join(workDir, 'db'),
      LOG_LEVEL: 'silent',
    };
    records = [
      ...generatePopulation({
        persons: 3_000,
        seed: 'dedup-run-test',
        duplicateShare: 0.05,
        referenceDate: '2026-01-01',
      }),
    ];
    // Sequential UINs tie each stored person back to its generator record.
    const uins = records.map((_, index) => String(2_000_000_000 + index));
    for (const [index, record] of records.entries()) {
      personOfUin.set(uins[index] ?? '', record.personId);
    }
    let drawn = 0;
    const pglite = await openPglite(env.AMPARO_DB_DIR ?? '');
    const db = kyselyOverPglite(pglite);
    try {
      await migrateUp(db);
      await switchToAppRole(db);
      await loadPopulation(db, records, {
        masterKey: loadKeyStore(keysDir).masterKey,
        nextUin: () => uins[drawn++] ?? '',
        reason: 'demo',
      });
    } finally {
      await closePglite(db, pglite);
    }
  }, 120_000);
  afterAll(() => {
    rmSync(workDir, { recursive: true, force: true });
  });

  it('stores clusters that match the generator truth pairwise, the model, and one audit entry', async () => {
    const output = await runCli(['dedup', 'run', '--json', '--seed', '7'], env);
    expect(output.code).toBe(0);
    const outcome = JSON.parse(output.stdout) as { runId: string; persons: number };
    expect(outcome.persons).toBe(records.length);

    const pglite = await openPglite(env.AMPARO_DB_DIR ?? '');
    const db = kyselyOverPglite(pglite);
    try {
      await switchToAppRole(db);
      const run = await db
        .selectFrom('dedup_run')
        .selectAll()
        .where('id', '=', outcome.runId)
        .executeTakeFirstOrThrow();
      expect(run.status).toBe('finished');
      const model = run.model as { m: number[][]; u: number[][]; matchesPerRecord: number };
      expect(model.m).toHaveLength(6);
      expect(model.matchesPerRecord).toBeGreaterThan(0);

      const clusters = await db
        .selectFrom('dedup_cluster')
        .innerJoin('dedup_run', 'dedup_run.id', 'dedup_cluster.run_id')
        .select(['dedup_cluster.person_ids', 'dedup_cluster.status', 'dedup_cluster.max_score'])
        .where('run_id', '=', outcome.runId)
        .execute();
      expect(clusters.length).toBe(run.clusters);
      expect(clusters.every((cluster) => cluster.status === 'open')).toBe(true);
      const persons = await db.selectFrom('person').select(['id', 'uin']).execute();
      const truthOf = new Map(persons.map((p) => [p.id, personOfUin.get(p.uin) ?? '']));
      const metrics = pairwiseAgainstTruth(
        clusters.map((cluster) => cluster.person_ids.map((id) => truthOf.get(id) ?? id)),
        records.map((record) => record.personId),
      );
      expect(metrics.precision).toBeGreaterThanOrEqual(0.95);
      expect(metrics.recall).toBeGreaterThanOrEqual(0.95);

      const audit = await db
        .selectFrom('audit_entry')
        .select(['actor_id', 'entry'])
        .where('action', '=', 'person.dedup')
        .execute();
      expect(audit.map((entry) => entry.actor_id)).toEqual([`dedup:${outcome.runId}`]);
      expect(audit[0]?.entry).not.toContain(records[0]?.givenNames ?? '');
    } finally {
      await closePglite(db, pglite);
    }
  }, 120_000);
});

/** Pairwise precision and recall of clusters (given as truth labels) against the truth. */
function pairwiseAgainstTruth(clusters: readonly string[][], truthLabels: readonly string[]) {
  const countPairs = (sizes: Iterable<number>) => {
    let total = 0;
    for (const size of sizes) total += (size * (size - 1)) / 2;
    return total;
  };
  const truthSizes = new Map<string, number>();
  for (const label of truthLabels) truthSizes.set(label, (truthSizes.get(label) ?? 0) + 1);
  let predicted = 0;
  let correct = 0;
  for (const labels of clusters) {
    predicted += countPairs([labels.length]);
    const sizes = new Map<string, number>();
    for (const label of labels) sizes.set(label, (sizes.get(label) ?? 0) + 1);
    correct += countPairs(sizes.values());
  }
  const truth = countPairs(truthSizes.values());
  return { precision: predicted === 0 ? 1 : correct / predicted, recall: correct / truth };
}

function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/amparo.js', ...args], {
      cwd: repositoryRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
