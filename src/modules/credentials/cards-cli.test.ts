import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliEnvironment, createCliEnvironment } from '../../../test/cli-environment.js';
import { loadKeyStore } from '../../platform/crypto/key-store.js';
import { decodePng, findQrText } from './card-image.js';
import { createCardPerson } from './credentials-test-kit.js';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** `amparo cards issue` run twice: the second run issues only what the first left. */
describe('amparo cards issue: resumable batch', () => {
  let cli: CliEnvironment;
  let workDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    cli = await createCliEnvironment('amparo-cards-');
    workDir = cli.workDir;
    env = { ...cli.env, PATH: process.env.PATH, LOG_LEVEL: 'silent' };
  });
  afterAll(async () => cli?.close());

  const withCommandDatabase: CliEnvironment['withCommandDatabase'] = (work) =>
    cli.withCommandDatabase(work);

  function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, ['bin/amparo.js', 'cards', 'issue', ...args], {
      cwd: repositoryRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
  }

  it('issues part of a region, then the rest on a re-run, with PNGs and sheets', async () => {
    const masterKey = loadKeyStore(path.join(workDir, 'keys')).masterKey;
    const persons = await withCommandDatabase(async (db) => {
      const created = [];
      for (let i = 0; i < 4; i++)
        created.push(await createCardPerson(db, masterKey, { region: 'VE-C' }));
      await createCardPerson(db, masterKey, { region: 'VE-D' });
      return created;
    });
    const out = path.join(workDir, 'out');
    const first = await run(['--region', 'VE-C', '--out', out, '--limit', '2', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      issuedThisRun: 2,
      done: 2,
      total: 4,
      resumed: false,
    });
    const second = await run(['--region', 'VE-C', '--out', out, '--sheets', '--json']);
    expect(second.code, second.stderr).toBe(0);
    const outcome = JSON.parse(second.stdout);
    expect(outcome).toMatchObject({
      issuedThisRun: 2,
      done: 4,
      total: 4,
      resumed: true,
      batchId: JSON.parse(first.stdout).batchId,
    });
    await withCommandDatabase(async (db) => {
      const rows = await db
        .selectFrom('credential')
        .select(['person_id', 'batch_id', 'status'])
        .execute();
      expect(new Set(rows.map((row) => row.person_id))).toEqual(new Set(persons.map((p) => p.id)));
      expect(rows.every((row) => row.batch_id === outcome.batchId && row.status === 'active')).toBe(
        true,
      );
      const batch = await db.selectFrom('card_batch').select('status').executeTakeFirstOrThrow();
      expect(batch.status).toBe('finished');
      const audit = await db.selectFrom('audit_entry').select('entry').execute();
      expect(
        audit.filter((row) => row.entry.includes(`cards-batch:${outcome.batchId}`)),
      ).toHaveLength(4);
    });
    const files = readdirSync(out).sort();
    expect(files.filter((file) => file.endsWith('.png'))).toHaveLength(4);
    expect(files).toContain('sheet-0001.pdf');
    const png = files.find((file) => file.endsWith('.png')) ?? '';
    expect(findQrText(decodePng(readFileSync(path.join(out, png))))).toMatch(
      /^[0-9A-Z $%*+\-./:]+$/,
    );
  }, 120_000);
});
