import path from 'node:path';
import { Command } from 'commander';
import { type RawBuilder, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliEnvironment, createCliEnvironment } from '../../test/cli-environment.js';
import { AuditLog } from '../modules/audit/audit-log.js';
import { buildAuditEntry } from '../modules/audit/audit-test-support.js';
import { readWitnessFile } from '../modules/audit/witness.js';
import { loadKeyStore } from '../platform/crypto/key-store.js';
import { registerAuditCommands } from './audit-commands.js';

describe('amparo audit verify / sign', () => {
  let cli: CliEnvironment;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    cli = await createCliEnvironment('amparo-audit-cli-');
    env = cli.env;
    await cli.withCommandDatabase(async (db) => {
      const keys = loadKeyStore(env.AMPARO_KEYS_DIR ?? '');
      const auditLog = await AuditLog.open({ db, keys });
      await Promise.all(Array.from({ length: 12 }, () => auditLog.append(buildAuditEntry())));
      await auditLog.close();
    });
  });
  afterAll(async () => cli?.close());

  async function run(...args: string[]): Promise<{ output: string; exitCode: number }> {
    let output = '';
    let exitCode = 0;
    const program = new Command('amparo').exitOverride();
    registerAuditCommands(program, {
      env,
      write: (text) => {
        output += text;
      },
      setExitCode: (code) => {
        exitCode = code;
      },
      progress: false,
    });
    await program.parseAsync(['node', 'amparo', ...args]);
    return { output, exitCode };
  }

  it('signs a head, verifies the log, and fails naming the first edited entry', async () => {
    const signed = await run('audit', 'sign', '--json');
    expect(JSON.parse(signed.output)).toMatchObject({ treeSize: 12 });

    const intact = await run('audit', 'verify', '--json');
    expect(intact.exitCode).toBe(0);
    expect(JSON.parse(intact.output)).toMatchObject({
      ok: true,
      entriesChecked: 13,
      treeHeadsChecked: 1,
      // `sign` wrote the head to the development witness file, which verify reads by default.
      trustedHeads: [
        { largestTreeSize: 12, headsChecked: 1, source: `witness file ${witnessFile()}` },
      ],
    });

    const edit = sql`update audit_entry set entry = replace(entry, 'eligibility_review', 'appeal') where leaf_index in (4, 9)`;
    await asSuperuser(edit);
    const tampered = await run('audit', 'verify');
    expect(tampered.exitCode).toBe(1);
    expect(tampered.output).toContain('entry_edited at entry 4');
  });

  it('refuses a log emptied by the superuser, against the witness file or a written-down head', async () => {
    const witnessed = await readWitnessFile(witnessFile());
    await asSuperuser(sql`truncate audit_entry, audit_tree_head`);

    const byDefault = await run('audit', 'verify');
    expect(byDefault.exitCode).toBe(1);
    expect(byDefault.output).toContain('log_rolled_back at entry 0, tree head 12');

    const written = await run(
      'audit',
      'verify',
      '--trusted-head',
      `12:${witnessed.largest?.rootHash}`,
    );
    expect(written.exitCode).toBe(1);
    expect(written.output).toContain('log_rolled_back');
  });

  function witnessFile(): string {
    return path.join(cli.workDir, 'audit-witness.jsonl');
  }

  async function asSuperuser(statement: RawBuilder<unknown>): Promise<void> {
    if (env.DATABASE_URL) await cli.database.asAdmin((admin) => statement.execute(admin));
    else {
      await cli.withCommandDatabase(async (db) => {
        await sql`reset role`.execute(db);
        await statement.execute(db);
      });
    }
  }
});
