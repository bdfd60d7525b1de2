import path from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { loadConfig } from '../../../config.js';
import { loadKeyStore } from '../../../platform/crypto/key-store.js';
import { openAppDatabase } from '../../../platform/db/database.js';
import { AmparoError } from '../../../platform/errors.js';
import { type RefusalLanguage, refusalLanguageOf } from '../../../shared/import/refusals.js';
import { AuditLog } from '../../audit/index.js';
import { type ImportOutcome, type ImportProgress, personImporter } from './person-importer.js';
import type { PopulationFormat } from './record-format.js';
import { inspectImportFile } from './source-file.js';

/** Where the command reads settings and writes results; tests pass their own. */
export interface ImportCliContext {
  env: NodeJS.ProcessEnv;
  write(text: string): void;
  writeError(text: string): void;
  setExitCode(code: number): void;
  /** A progress bar on standard error (default: when it is a terminal); else plain lines. */
  progressBar?: boolean;
}

const processContext: ImportCliContext = {
  env: process.env,
  write: (text) => process.stdout.write(text),
  writeError: (text) => process.stderr.write(text),
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

/** Exit codes: 0 every row imported, 3 finished with refused rows, 2 file refused. */
export const importExitCodes = { ok: 0, failed: 1, refused: 2, rowsRefused: 3 } as const;

/**
 * `amparo import persons FILE [--format csv|ndjson] [--errors PATH] [--json]`, run as the
 * application role with the keys of AMPARO_KEYS_DIR. Running it again on the same file
 * resumes an interrupted import, or does nothing when it finished.
 *
 * @example
 * registerImportCommands(program); // in main.ts
 * // $ amparo import persons people.csv
 * // Imported 999412 persons in 318604 households (0 rows refused) in 71.2 s.
 */
export function registerImportCommands(
  program: Command,
  context: ImportCliContext = processContext,
): void {
  const imports = program.command('import').description('bulk imports into the registry');
  imports
    .command('persons')
    .description('import persons and households from a CSV or NDJSON file (demo generate format)')
    .argument('<file>', 'the file to import')
    .option('--format <format>', 'csv or ndjson (default: from the file name)')
    .option('--errors <path>', 'where to write refused rows (default: <file>.errors.csv)')
    .option(
      '--lang <language>',
      'language of the reasons in the refused rows: es or en (default: from AMPARO_LANG or LANG, else es)',
    )
    .option('--batch-persons <count>', 'persons per transaction (default 5000)', positiveInteger)
    .option(
      '--progress-every <ms>',
      'milliseconds between progress lines (default 1000)',
      positiveInteger,
    )
    .option('--json', 'print the outcome as JSON')
    .action(async (file: string, flags: ImportFlags & { json?: boolean }) => {
      try {
        const result = await importPersonsCommand(context, file, flags);
        context.write(
          flags.json ? `${JSON.stringify(result, null, 2)}\n` : describeOutcome(result),
        );
        context.setExitCode(
          result.rowsInvalid > 0 ? importExitCodes.rowsRefused : importExitCodes.ok,
        );
      } catch (error) {
        if (!(error instanceof AmparoError)) throw error;
        context.writeError(`amparo: ${describeRefusal(error)}\n`);
        context.setExitCode(importExitCodes.refused);
      }
    });
}

async function importPersonsCommand(
  context: ImportCliContext,
  file: string,
  flags: ImportFlags,
): Promise<ImportOutcome> {
  const format = parseFormat(flags.format);
  const config = loadConfig(context.env);
  const keys = loadKeyStore(config.keysDir, config.masterKeyBase64);
  // File-level checks come first: a refused file never opens a job.
  const facts = await inspectImportFile(path.resolve(file), format === undefined ? {} : { format });
  const handle = await openAppDatabase(config.database);
  const auditLog = await AuditLog.open({ db: handle.db, keys });
  const progress = progressReporter(context);
  try {
    return await personImporter({
      db: handle.db,
      databaseKind: handle.kind,
      masterKey: keys.masterKey,
      audit: auditLog,
      facts,
      errorFilePath: path.resolve(flags.errors ?? `${file}.errors.csv`),
      errorFileForm: { language: errorLanguage(flags.lang, context.env) },
      onProgress: progress.update,
      ...(flags.batchPersons === undefined ? {} : { batchPersons: flags.batchPersons }),
      ...(flags.progressEvery === undefined ? {} : { progressIntervalMs: flags.progressEvery }),
    });
  } finally {
    progress.stop();
    await auditLog.close();
    await handle.close();
  }
}

/** `--lang`, else the environment's language when it is one of ours, else Spanish. */
function errorLanguage(flag: string | undefined, env: NodeJS.ProcessEnv): RefusalLanguage {
  if (flag !== undefined && flag !== 'es' && flag !== 'en') {
    throw new AmparoError('AMP_VALIDATION', { detail: `--lang must be es or en, not "${flag}"` });
  }
  return refusalLanguageOf(flag, env.AMPARO_LANG, env.LANG);
}

interface ImportFlags {
  format?: string;
  lang?: string;
  errors?: string;
  batchPersons?: number;
  progressEvery?: number;
}

function positiveInteger(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 100_000) {
    throw new AmparoError('AMP_VALIDATION', {
      detail: `--batch-persons must be a whole number from 1 to 100000, not "${value}"`,
    });
  }
  return count;
}

function parseFormat(value: string | undefined): PopulationFormat | undefined {
  if (value === undefined || value === 'csv' || value === 'ndjson') return value;
  throw new AmparoError('AMP_VALIDATION', {
    detail: `--format must be csv or ndjson, not "${value}"`,
  });
}

function progressReporter(context: ImportCliContext): {
  update: (progress: ImportProgress) => void;
  stop: () => void;
} {
  const showBar = context.progressBar ?? process.stderr.isTTY === true;
  if (!showBar) {
    return {
      update: (p) => context.writeError(`${progressLine(p)}\n`),
      stop: () => undefined,
    };
  }
  const bar = new SingleBar({
    format:
      'import [{bar}] {percentage}% | line {value}/{total} | {persons} persons | {rate} rows/s | {invalid} refused | ETA {eta_formatted}',
    stream: process.stderr,
    hideCursor: true,
    etaBuffer: 20,
  });
  let started = false;
  return {
    update: (p) => {
      const payload = {
        persons: p.personsWritten + p.personsSkipped,
        rate: rate(p),
        invalid: p.rowsInvalid,
      };
      if (!started) bar.start(p.linesTotal, p.linesRead, payload);
      started = true;
      bar.update(p.linesRead, payload);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

function rate(progress: ImportProgress): number {
  return Math.round(progress.personsWritten / Math.max(progress.elapsedMs / 1000, 0.001));
}

/** A plain progress line for logs: what a bar shows, one line per report. */
export function progressLine(p: ImportProgress): string {
  const share = p.linesTotal === 0 ? 100 : Math.floor((100 * p.linesRead) / p.linesTotal);
  const perSecond = rate(p);
  const remaining = Math.max(p.linesTotal - p.linesRead, 0);
  const etaSeconds = perSecond > 0 ? Math.round(remaining / perSecond) : undefined;
  return (
    `import ${p.jobId}: ${share}% line ${p.linesRead}/${p.linesTotal}, ` +
    `${p.personsWritten} persons written, ${p.personsSkipped} already imported, ` +
    `${p.rowsInvalid} rows refused, ${perSecond} rows/s, ETA ${etaSeconds === undefined ? '?' : `${etaSeconds} s`}`
  );
}

export function describeOutcome(outcome: ImportOutcome): string {
  if (outcome.alreadyFinished) {
    return `Import ${outcome.jobId} of this file had finished: nothing new imported (${outcome.personsImported} persons, ${outcome.rowsInvalid} rows refused).\n`;
  }
  const seconds = (outcome.durationMs / 1000).toFixed(1);
  const resumed = outcome.resumed ? ' (resumed)' : '';
  const errors =
    outcome.rowsInvalid > 0 ? `; refused rows are listed in ${outcome.errorFilePath}` : '';
  return (
    `Imported ${outcome.personsImported} persons in ${outcome.householdsImported} households${resumed}: ` +
    `${outcome.personsWritten} written by this run in ${seconds} s, ${outcome.rowsInvalid} rows refused${errors}.\n`
  );
}

function describeRefusal(error: AmparoError): string {
  const fields = (error.errors ?? []).map((field) => `${field.field}: ${field.reason}`);
  const detail = error.detail ?? error.title;
  return fields.length > 0 ? `${detail} (${fields.join('; ')})` : detail;
}
