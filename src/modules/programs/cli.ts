import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { loadKeyStore } from '../../platform/crypto/key-store.js';
import { openAppDatabase } from '../../platform/db/database.js';
import { AuditLog } from '../audit/index.js';
import { cycleComputer, type RunProgress } from './cycles/cycle-run.js';
import { cycleOpener } from './cycles/cycle-service.js';
import type { SealedDeciding } from './eligibility/sealed-decider.js';
import { lazySealedPool } from './eligibility/sealed-pool.js';
import { programLimits } from './limits.js';
import { findProgramByCode } from './program-repository.js';

/** Where the command reads settings and writes; tests pass their own. */
export interface ProgramsCliContext {
  env: NodeJS.ProcessEnv;
  /** Progress and the outcome (default: standard error and standard output). */
  writeError(text: string): void;
  write(text: string): void;
}

const processContext: ProgramsCliContext = {
  env: process.env,
  writeError: (text) => process.stderr.write(text),
  write: (text) => process.stdout.write(text),
};

interface ComputeFlags {
  chunkPauseMs?: string;
  json?: boolean;
}

/**
 * `amparo programs cycle create --program CODE --date YYYY-MM-DD [--chunks N]` opens a cycle
 * of the program's published version and computes its eligible set; `amparo programs cycle
 * compute CYCLE_ID` resumes a computation that stopped (a crash, a kill): each chunk is
 * committed with the run's progress, so it continues at the first chunk not written and
 * writes nobody twice. Progress goes to standard error, one line a chunk.
 *
 * @example
 *   // $ amparo programs cycle create --program food_box --date 2026-12-01
 *   // $ amparo programs cycle compute 6f1c…   # after a crash
 */
export function registerProgramsCommands(
  program: Command,
  context: ProgramsCliContext = processContext,
): void {
  const programs =
    program.commands.find((command) => command.name() === 'programs') ??
    program.command('programs').description('benefit programs');
  const cycle = programs.command('cycle').description('cycles of a program');
  cycle
    .command('create')
    .description("open a cycle of a program's published version and compute its eligible set")
    .requiredOption('--program <code>', 'the program code, e.g. food_box')
    .requiredOption('--date <date>', 'the reference date, YYYY-MM-DD')
    .option(
      '--chunks <n>',
      'chunks of the computation (default: one per limits.programs.cycleChunkPersons active persons)',
    )
    .option('--chunk-pause-ms <ms>', 'wait between chunks, leaving the database to other work')
    .option('--json', 'print one JSON object')
    .action(async (flags: ComputeFlags & { program: string; date: string; chunks?: string }) => {
      await withDatabase(context, async (db, sealed) => {
        const found = await findProgramByCode(db, flags.program);
        if (found === undefined) throw new Error(`no program named ${flags.program}`);
        const { cycleId } = await cycleOpener(db, {
          programId: found.id,
          referenceDate: flags.date,
          operatorId: null,
          sealed,
          ...(flags.chunks === undefined ? {} : { chunks: wholeNumber(flags.chunks, '--chunks') }),
        });
        context.writeError(`cycle ${cycleId}: opened\n`);
        await compute(context, db, cycleId, flags, sealed);
      });
    });
  cycle
    .command('compute')
    .description('resume the computation of a cycle where it stopped')
    .argument('<cycleId>', 'the cycle')
    .option('--chunk-pause-ms <ms>', 'wait between chunks, leaving the database to other work')
    .option('--json', 'print one JSON object')
    .action(async (cycleId: string, flags: ComputeFlags) => {
      await withDatabase(context, (db, sealed) => compute(context, db, cycleId, flags, sealed));
    });
}

/**
 * The database, and what a rule over sealed facts needs, as the server has it: the master key
 * from the key directory (or AMPARO_MASTER_KEY), the audit log (each chunk's sealed read is
 * audited before it is opened) and the worker pool that opens and decides, started only when
 * a rule needs it.
 */
async function withDatabase(
  context: ProgramsCliContext,
  work: (
    db: Awaited<ReturnType<typeof openAppDatabase>>['db'],
    sealed: SealedDeciding,
  ) => Promise<void>,
): Promise<void> {
  const config = loadConfig(context.env);
  const keys = loadKeyStore(config.keysDir, config.masterKeyBase64);
  const handle = await openAppDatabase(config.database);
  try {
    const audit = await AuditLog.open({ db: handle.db, keys });
    const pool = lazySealedPool(keys.masterKey, programLimits.sealedWorkers);
    try {
      await work(handle.db, { pool, audit });
    } finally {
      await pool.close();
      await audit.close();
    }
  } finally {
    await handle.close();
  }
}

async function compute(
  context: ProgramsCliContext,
  db: Awaited<ReturnType<typeof openAppDatabase>>['db'],
  cycleId: string,
  flags: ComputeFlags,
  sealed: SealedDeciding,
): Promise<void> {
  const pauseMs =
    flags.chunkPauseMs === undefined ? 0 : wholeNumber(flags.chunkPauseMs, '--chunk-pause-ms');
  const onProgress = async (progress: RunProgress) => {
    context.writeError(
      `cycle ${cycleId}: round ${progress.round}, chunk ${progress.chunksDone}/${progress.chunksTotal}\n`,
    );
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  };
  const outcome = await cycleComputer(db, { cycleId, onProgress, sealed });
  const eligible = outcome.summary.eligible.toString();
  context.write(
    flags.json === true
      ? `${JSON.stringify({ cycleId, round: outcome.round, eligible, totalMinor: outcome.summary.totalMinor.toString() })}\n`
      : `Cycle ${cycleId}, round ${outcome.round}: ${eligible} eligible.\n`,
  );
}

function wholeNumber(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`${flag} must be a whole number from 0, not "${text}"`);
  }
  return value;
}
