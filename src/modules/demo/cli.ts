import { SingleBar } from 'cli-progress';
import { type Command, Option } from 'commander';
import type { PopulationFormat } from '../registry/index.js';
import {
  DEFAULT_DUPLICATE_SHARE,
  DEFAULT_REFERENCE_DATE,
  DemoOptionsError,
  validatePopulationOptions,
} from './options.js';
import { type PopulationProgress, writePopulation } from './write-population.js';

/**
 * Adds `demo generate` to the CLI: a synthetic Venezuelan population with duplicate
 * enrolments and its ground truth, for demos, imports and deduplication benchmarks.
 *
 * @example
 * const program = new Command('amparo');
 * registerDemoCommands(program);
 * await program.parseAsync(['demo', 'generate', '--persons', '1000', '--out', 'p.csv'], { from: 'user' });
 */
export function registerDemoCommands(program: Command): void {
  const demo = program.command('demo').description('demonstration data');
  demo
    .command('generate')
    .description('write a synthetic population (CSV or NDJSON) and its ground truth')
    .requiredOption('--persons <count>', 'total records, duplicate enrolments included')
    .requiredOption('--out <file>', 'population file to write')
    .option('--seed <seed>', 'any string or integer; the same seed gives the same file', '1')
    .option(
      '--duplicates <share>',
      'share of records that are duplicate enrolments (0 to 0.5)',
      String(DEFAULT_DUPLICATE_SHARE),
    )
    .addOption(
      new Option('--format <format>', 'output format').choices(['csv', 'ndjson']).default('csv'),
    )
    .option(
      '--regions <codes>',
      'only these states, comma-separated (e.g. VE-A,VE-M,VE-V: the regions of the account that imports)',
    )
    .option('--truth <file>', 'record_id,person_id file (default: <out>.truth.csv)')
    .option(
      '--reference-date <date>',
      'day ages are counted to (YYYY-MM-DD)',
      DEFAULT_REFERENCE_DATE,
    )
    .action(async (flags: GenerateFlags, command: Command) => {
      await runGenerate(flags, command);
    });
}

interface GenerateFlags {
  persons: string;
  out: string;
  seed: string;
  duplicates: string;
  format: PopulationFormat;
  truth?: string;
  referenceDate: string;
  regions?: string;
}

async function runGenerate(flags: GenerateFlags, command: Command): Promise<void> {
  let options: ReturnType<typeof validatePopulationOptions>;
  try {
    options = validatePopulationOptions({
      persons: flags.persons,
      seed: flags.seed,
      duplicateShare: flags.duplicates,
      referenceDate: flags.referenceDate,
      ...(flags.regions === undefined ? {} : { regions: flags.regions }),
    });
  } catch (error) {
    if (error instanceof DemoOptionsError)
      command.error(`error: ${error.message}`, { exitCode: 2 });
    throw error;
  }
  const bar = process.stderr.isTTY ? progressBar(options.persons) : undefined;
  try {
    const result = await writePopulation({
      ...options,
      out: flags.out,
      format: flags.format,
      ...(flags.truth === undefined ? {} : { truthOut: flags.truth }),
      ...(bar === undefined ? {} : { onProgress: (progress) => updateBar(bar, progress) }),
    });
    bar?.stop();
    const seconds = result.durationMs / 1000;
    const rate = Math.round(result.records / Math.max(seconds, 0.001));
    process.stdout.write(
      `Wrote ${result.records} records (${result.duplicates} duplicate enrolments) to ${result.out} ` +
        `in ${seconds.toFixed(1)} s (${rate} records/s); ground truth in ${result.truthOut}\n`,
    );
  } catch (error) {
    bar?.stop();
    throw error;
  }
}

function progressBar(total: number): SingleBar {
  const bar = new SingleBar({
    format:
      'demo generate [{bar}] {percentage}% | {value}/{total} records | {rate} records/s | ETA {eta_formatted}',
    stream: process.stderr,
    hideCursor: true,
  });
  bar.start(total, 0, { rate: 0 });
  return bar;
}

function updateBar(bar: SingleBar, progress: PopulationProgress): void {
  const rate = Math.round(progress.records / Math.max(progress.elapsedMs / 1000, 0.001));
  bar.update(progress.records, { rate });
}
