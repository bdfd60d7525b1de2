import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { loadKeyStore } from '../../platform/crypto/key-store.js';
import { openAppDatabase } from '../../platform/db/database.js';
import { AmparoError } from '../../platform/errors.js';
import { roles as knownRoles, type Role } from '../../shared/access/roles.js';
import { AuditLog } from '../audit/index.js';
import { passwordHashOptions } from './demo-operators.js';
import {
  type AdminResult,
  type OperatorAdminDependencies,
  operatorChanger,
  operatorCreator,
} from './operator-admin.js';

/** Where the commands read settings and write results; tests pass their own. */
export interface OperatorsCliContext {
  env: NodeJS.ProcessEnv;
  write(text: string): void;
  setExitCode(code: number): void;
}

const processContext: OperatorsCliContext = {
  env: process.env,
  write: (text) => process.stdout.write(text),
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

/**
 * `amparo operators create` and `amparo operators change`: account administration from the
 * command line, for the first two administrators of a new installation and for recovery.
 * Runs as the application role with the keys from AMPARO_KEYS_DIR; audited as the system job
 * `cli:operators`. `create` makes only administrators, and only while fewer than two are
 * active (the database refuses it too); `change` may remove roles and regions, disable, enable
 * and reset credentials, never grant. No password is printed: the two halves of an enrolment
 * code, with which the person sets their own password and TOTP secret.
 *
 * @example
 * // $ amparo operators create --username ana.perez --name "Ana Pérez" \
 * //     --roles administrator --regions VE-A,VE-M
 */
export function registerOperatorCommands(
  program: Command,
  context: OperatorsCliContext = processContext,
): void {
  const operators = program.command('operators').description('staff accounts');
  operators
    .command('create')
    .description(
      'create one of the first two administrators; prints the enrolment code once (the person sets their own password and TOTP secret)',
    )
    .requiredOption('--username <name>', 'sign-in name: a-z, 0-9, . _ -')
    .requiredOption('--name <display name>', 'name shown in the console and audit views')
    .requiredOption('--roles <list>', `comma-separated: ${knownRoles.join(', ')}`)
    .requiredOption('--regions <list>', 'comma-separated ISO 3166-2:VE codes, e.g. VE-A,VE-M')
    .option('--json', 'print the result as JSON')
    .action(
      async (flags: {
        username: string;
        name: string;
        roles: string;
        regions: string;
        json?: boolean;
      }) => {
        await run(context, flags.json, (deps) =>
          operatorCreator(deps, {
            ...systemContext(),
            account: {
              username: flags.username,
              displayName: flags.name,
              roles: parseRoles(flags.roles),
              regions: list(flags.regions),
            },
          }),
        );
      },
    );
  operators
    .command('change')
    .description(
      'remove roles or regions, disable or enable, or reset the credentials of an account (grants need two administrators in the console)',
    )
    .argument('<username>', 'the account')
    .option('--roles <list>', 'roles to keep, comma-separated (adding one needs the console)')
    .option('--regions <list>', 'regions to keep, comma-separated (adding one needs the console)')
    .option('--disable', 'disable the account (its sessions end at once)')
    .option('--enable', 'enable a disabled account')
    .option(
      '--reset-credentials',
      'the current password and TOTP secret stop working; prints a new enrolment code once',
    )
    .option('--json', 'print the result as JSON')
    .action(async (username: string, flags: ChangeFlags) => {
      await run(context, flags.json, async (deps) => {
        const row = await deps.db
          .selectFrom('operator')
          .select('id')
          .where('username', '=', username)
          .executeTakeFirst();
        if (!row) throw new AmparoError('AMP_NOT_FOUND', { detail: `No account ${username}` });
        return operatorChanger(deps, {
          ...systemContext(),
          operatorId: row.id,
          change: changeFrom(flags),
        });
      });
    });
}

interface ChangeFlags {
  roles?: string;
  regions?: string;
  disable?: boolean;
  enable?: boolean;
  resetCredentials?: boolean;
  json?: boolean;
}

function changeFrom(flags: ChangeFlags) {
  if (flags.disable && flags.enable) throw usage('Choose --disable or --enable, not both');
  const change = {
    ...(flags.roles === undefined ? {} : { roles: parseRoles(flags.roles) }),
    ...(flags.regions === undefined ? {} : { regions: list(flags.regions) }),
    ...(flags.disable ? { disabled: true } : flags.enable ? { disabled: false } : {}),
    ...(flags.resetCredentials ? { resetCredentials: true } : {}),
  };
  if (Object.keys(change).length === 0) throw usage('Nothing to change: give an option');
  return change;
}

const systemContext = () => ({
  actor: { kind: 'system' as const, job: 'cli:operators' },
  purpose: 'enrolment' as const,
  requestId: `cli:${randomUUID()}`,
});

function list(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function parseRoles(text: string): Role[] {
  const given = list(text);
  const unknown = given.filter((role) => !(knownRoles as readonly string[]).includes(role));
  if (unknown.length > 0 || given.length === 0)
    throw usage(
      `Unknown roles: ${unknown.join(', ') || '(none given)'}; known: ${knownRoles.join(', ')}`,
    );
  return given as Role[];
}

function usage(detail: string): AmparoError {
  return new AmparoError('AMP_VALIDATION', { detail });
}

async function run(
  context: OperatorsCliContext,
  json: boolean | undefined,
  work: (deps: OperatorAdminDependencies) => Promise<AdminResult>,
): Promise<void> {
  const config = loadConfig(context.env);
  const keys = loadKeyStore(config.keysDir, config.masterKeyBase64);
  const handle = await openAppDatabase(config.database);
  const audit = await AuditLog.open({ db: handle.db, keys });
  try {
    const deps = {
      db: handle.db,
      audit,
      masterKey: keys.masterKey,
      hashOptions: passwordHashOptions,
      now: () => new Date(),
    };
    const result = await work(deps);
    context.write(json ? `${JSON.stringify(result, null, 2)}\n` : describe(result));
  } catch (error) {
    if (!(error instanceof AmparoError)) throw error;
    const fields = (error.errors ?? []).map((item) => ` (${item.field}: ${item.reason})`).join('');
    context.write(`${error.detail ?? error.title}${fields}\n`);
    context.setExitCode(1);
  } finally {
    await audit.close();
    await handle.close();
  }
}

function describe(result: AdminResult): string {
  const { operator, enrolmentCode } = result;
  const lines = [
    `Account ${operator.username}: ${operator.roles.join(', ') || '(no roles)'} in ${operator.regions.join(', ') || '(no regions)'}${operator.disabledAt ? ' (disabled)' : ''}`,
  ];
  if (enrolmentCode?.first && enrolmentCode.second) {
    lines.push(
      'Give this enrolment code to the person, once; it is not stored in clear anywhere:',
      `  first half:   ${enrolmentCode.first}`,
      `  second half:  ${enrolmentCode.second}`,
      'With it they choose their own password and add their own authenticator at /first-sign-in in the console',
      '(POST /api/auth/enrol); nobody else ever holds them.',
    );
  }
  return `${lines.join('\n')}\n`;
}
