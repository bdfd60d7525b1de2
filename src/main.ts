#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerAuditCommands } from './cli/audit-commands.js';
import { registerDatabaseCommands } from './cli/database-commands.js';
import { registerLedgerCommands } from './cli/ledger-commands.js';
import { registerPaymentsCommands } from './cli/payments-commands.js';
import { registerServerCommands } from './cli/server-commands.js';
import { registerStatisticsCommands } from './cli/statistics-commands.js';
import { registerOperatorCommands } from './modules/access/operators-cli.js';
import { registerCardsCommands } from './modules/credentials/cards-cli.js';
import { registerVerifyCommand } from './modules/credentials/verify-cli.js';
import { registerDemoCommands } from './modules/demo/cli.js';
import { registerNotificationsCommands } from './modules/notifications/cli.js';
import { registerProgramsCommands } from './modules/programs/cli.js';
import { registerDedupCommands } from './modules/registry/dedup/cli.js';
import { registerImportCommands } from './modules/registry/import/cli.js';
import { textContacts } from './modules/registry/index.js';
import { ConfigError } from './platform/errors.js';

/**
 * The `amparo` command. Every subcommand is registered by the module that owns it; this
 * file only assembles them and turns failures into one clear line and a non-zero exit.
 */
export function createProgram(): Command {
  const program = new Command('amparo')
    .description('Amparo: identity credentials and social-benefit delivery')
    .showHelpAfterError()
    .exitOverride();
  registerServerCommands(program);
  registerDatabaseCommands(program);
  registerDemoCommands(program);
  registerDedupCommands(program);
  registerImportCommands(program);
  registerOperatorCommands(program);
  registerAuditCommands(program);
  registerVerifyCommand(program);
  registerCardsCommands(program);
  registerNotificationsCommands(program, undefined, { contactsFor: textContacts });
  registerProgramsCommands(program);
  registerLedgerCommands(program);
  registerPaymentsCommands(program);
  registerStatisticsCommands(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  try {
    await createProgram().parseAsync(argv);
  } catch (error) {
    process.exitCode = reportFailure(error);
  }
}

function reportFailure(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode;
  if (error instanceof ConfigError) {
    process.stderr.write(`amparo: ${error.message}\n`);
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`amparo: ${message}\n`);
  if (process.env.AMPARO_DEBUG) console.error(error);
  return 1;
}

await main(process.argv);
