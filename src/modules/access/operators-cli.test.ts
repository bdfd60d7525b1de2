import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliEnvironment, createCliEnvironment } from '../../../test/cli-environment.js';
import { registerAuditCommands } from '../../cli/audit-commands.js';
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
    const context = {
      env,
      write: (text: string) => {
        output += text;
      },
      setExitCode: (code: number) => {
        exitCode = code;
      },
      progress: false,
    };
    registerOperatorCommands(program, context);
    registerAuditCommands(program, context);
    await program.parseAsync(['node', 'amparo', ...args]);
    return { output, exitCode };
  }

  const createAdmin = (username: string, roles = 'administrator') =>
    run(
      'operators',
      'create',
      '--username',
      username,
      '--name',
      'Administradora',
      '--roles',
      roles,
      '--regions',
      'VE-A,VE-M',
      '--json',
    );

  it('creates the first administrator with an enrolment code, never a password, audited', async () => {
    const created = await createAdmin('first.admin');
    expect(created.exitCode).toBe(0);
    const { operator, enrolmentCode } = JSON.parse(created.output);
    expect(operator).toMatchObject({
      username: 'first.admin',
      roles: ['administrator'],
      regions: ['VE-A', 'VE-M'],
      awaitingEnrolment: true,
    });
    expect(enrolmentCode.first).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
    expect(enrolmentCode.second).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
    expect(created.output).not.toContain('password');
    const stored = await cli.withCommandDatabase((db) =>
      db
        .selectFrom('operator_enrolment')
        .innerJoin('operator', 'operator.id', 'operator_enrolment.operator_id')
        .select(['first_code_digest', 'second_code_digest'])
        .where('username', '=', 'first.admin')
        .executeTakeFirstOrThrow(),
    );
    // Only keyed digests are stored, never the code.
    expect(Buffer.from(stored.first_code_digest).toString()).not.toContain(
      enrolmentCode.first.replaceAll('-', ''),
    );
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

  it('makes only administrators, and only the first two: then the console and two people decide', async () => {
    const clerk = await createAdmin('a.clerk', 'enrolment_clerk');
    expect(clerk.exitCode).toBe(1);
    expect(clerk.output).toContain('only administrators');
    expect((await createAdmin('second.admin')).exitCode).toBe(0);
    const third = await createAdmin('third.admin');
    expect(third.exitCode).toBe(1);
    expect(third.output).toContain('already has two active administrators');
    const grant = await run('operators', 'change', 'second.admin', '--regions', 'VE-A,VE-Z');
    expect(grant.exitCode).toBe(1);
    expect(grant.output).toContain('granted in the console');
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
    expect((await run('operators', 'change', 'second.admin', '--disable')).exitCode).toBe(0);
    const last = await run('operators', 'change', 'first.admin', '--disable');
    expect(last.exitCode).toBe(1);
    expect(last.output).toContain('last active administrator');
    const reset = await run('operators', 'change', 'first.admin', '--reset-credentials');
    expect(reset.exitCode).toBe(0);
    expect(reset.output).toContain('second half:');
  });

  it('audit verify pairs these changes with their entries, and reports one made around the command', async () => {
    const clean = await run('audit', 'verify');
    expect(clean.output).toContain('Change trail matched');
    expect(clean.exitCode).toBe(0);
    // As the application role, without the application: a region taken away by SQL.
    await cli.withCommandDatabase((db) =>
      db
        .updateTable('operator')
        .set({ regions: ['VE-A'] })
        .where('username', '=', 'first.admin')
        .execute(),
    );
    const caught = await run('audit', 'verify', '--json');
    expect(caught.exitCode).toBe(1);
    const report = JSON.parse(caught.output);
    expect(report.changeTrail.problems).toEqual([
      expect.objectContaining({ kind: 'change_unaudited', table: 'operator', what: 'regions' }),
    ]);
  });
});
