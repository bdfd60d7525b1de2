import { Command } from 'commander';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliEnvironment, createCliEnvironment } from '../../test/cli-environment.js';
import { ConfigError } from '../platform/errors.js';
import { registerRotateCardProofCommand } from './card-proof-key-command.js';

/**
 * `amparo keys rotate-card-proof` reports the window the server applies: the agency's
 * `AMPARO_OFFLINE_PROOF_KEY_OPEN_DAYS`, not a constant; out of range, it stops before writing,
 * naming the setting. On PostgreSQL and PGlite alike.
 */
describe('amparo keys rotate-card-proof', () => {
  let cli: CliEnvironment;

  beforeAll(async () => {
    cli = await createCliEnvironment('amparo-proof-key-cli-');
  });
  afterAll(async () => cli?.close());

  async function run(extraEnv: Record<string, string>): Promise<string> {
    let output = '';
    const program = new Command('amparo').exitOverride();
    registerRotateCardProofCommand(program.command('keys'), {
      env: { ...cli.env, ...extraEnv },
      write: (text) => {
        output += text;
      },
    });
    await program.parseAsync(['node', 'amparo', 'keys', 'rotate-card-proof']);
    return output;
  }

  const versions = () =>
    cli.withCommandDatabase(async (db) =>
      (
        await db
          .selectFrom('offline_proof_key')
          .select(['version', 'created_by'])
          .orderBy('version')
          .execute()
      ).map((row) => [row.version, row.created_by]),
    );

  it('rotates, audited, and names the window set', async () => {
    const output = await run({ AMPARO_OFFLINE_PROOF_KEY_OPEN_DAYS: '90' });
    expect(output).toMatch(/version 2 \(key [0-9a-f]{16}\) is current/);
    expect(output).toContain('version 1 keeps opening until 90 days after');
    expect(await versions()).toEqual([
      [1, 'migration'],
      [2, 'command_line'],
    ]);
    const audited = await cli.withCommandDatabase(async (db) =>
      sql<{ n: string }>`select count(*) as n from audit_entry
        where entry::json->>'action' = 'distribution.proof_key_rotate'`.execute(db),
    );
    expect(Number(audited.rows[0]?.n)).toBe(1);
    // Unset: the default, 30 days.
    expect(await run({})).toContain('version 2 keeps opening until 30 days after');
  });

  it('refuses a window out of range before writing anything', async () => {
    await expect(run({ AMPARO_OFFLINE_PROOF_KEY_OPEN_DAYS: '181' })).rejects.toThrow(ConfigError);
    expect((await versions()).length).toBe(3);
  });
});
