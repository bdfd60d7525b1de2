import { verify } from '@node-rs/argon2';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliEnvironment, createCliEnvironment } from '../../../test/cli-environment.js';
import { registerOperatorCommands } from './operators-cli.js';

describe('amparo operators create / change', () => {
  let cli: CliEnvironment;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    cli = await createCliEnvironment('amparo-operators-cli-');
    env = cli.env;
  });
  afterAll(async () => cli?.close());

  async function run(...args: string[]): Promise<{ output: string; exitCode: number }> {
    let output = '';
    let exitCode = 0;
    const program = new Command('amparo').exitOverride();
    registerOperatorCommands(program, {
      env,
      write: (text) => {
        output += text;
      },
      setExitCode: (code) => {
        exitCode = code;
      },
    });
    await program.parseAsync(['node', 'amparo', ...args]);
    return { output, exitCode };
  }

  it('creates the first administrator, prints the credentials once, and stores only their hash', async () => {
    const created = await run(
      'operators',
      'create',
      '--username',
      'first.admin',
      '--name',
      'Primera Administradora',
      '--roles',
      'administrator',
      '--regions',
      'VE-A,VE-M',
      '--json',
    );
    expect(created.exitCode).toBe(0);
    const { operator, credentials } = JSON.parse(created.output);
    expect(operator).toMatchObject({ username: 'first.admin', regions: ['VE-A', 'VE-M'] });
    expect(credentials.totpSecretBase32).toMatch(/^[A-Z2-7]{32}$/);
    const stored = await cli.withCommandDatabase((db) =>
      db
        .selectFrom('operator')
        .select('password_hash')
        .where('username', '=', 'first.admin')
        .executeTakeFirstOrThrow(),
    );
    expect(await verify(stored.password_hash, credentials.password)).toBe(true);
    const audited = await cli.withCommandDatabase((db) =>
      db
        .selectFrom('audit_entry')
        .select('entry')
        .where('action', '=', 'operator.manage')
        .execute(),
    );
    expect(audited.map((row) => JSON.parse(row.entry).actor)).toEqual([
      { kind: 'system', id: 'cli:operators', role: null, region: null },
    ]);
  });

  it('refuses unknown roles and the last administrator, with a message and exit code 1', async () => {
    const unknown = await run(
      'operators',
      'create',
      '--username',
      'x.y',
      '--name',
      'X',
      '--roles',
      'commissar',
      '--regions',
      'VE-A',
    );
    expect(unknown.exitCode).toBe(1);
    expect(unknown.output).toContain('Unknown roles: commissar');
    const last = await run('operators', 'change', 'first.admin', '--disable');
    expect(last.exitCode).toBe(1);
    expect(last.output).toContain('last active administrator');
    const reset = await run('operators', 'change', 'first.admin', '--reset-credentials');
    expect(reset.exitCode).toBe(0);
    expect(reset.output).toContain('TOTP secret:');
  });
});
