import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { evaluateFebrl, type FebrlEvaluation } from './evaluate.js';
import { dedupLimits } from './limits.js';
import { runDedupCommand } from './run-command.js';

export interface DedupCommandOptions {
  /** Where output goes; tests pass their own. */
  readonly write?: (text: string) => void;
  /** Where progress and refusals go (default: standard error). */
  readonly writeError?: (text: string) => void;
  /** Settings of `dedup run` (default: the process environment). */
  readonly env?: NodeJS.ProcessEnv;
  /** A progress bar on standard error (default: when it is a terminal); else plain lines. */
  readonly progressBar?: boolean;
}

interface EvaluateFlags {
  readonly format: string;
  readonly ignore?: string;
  readonly fields?: string;
  readonly json?: boolean;
}

/**
 * Adds `dedup run` (batch duplicate detection over the registry, clusters stored for review)
 * and `dedup evaluate` (quality of the engine against a labelled benchmark) to the CLI.
 * The `dedup` command is reused if another module registered it first.
 *
 * @example
 * registerDedupCommands(program);
 * // amparo dedup run --json
 * // amparo dedup evaluate test/fixtures/febrl/dataset2.csv --format febrl --ignore soc_sec_id
 */
export function registerDedupCommands(program: Command, options: DedupCommandOptions = {}): void {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const dedup =
    program.commands.find((command) => command.name() === 'dedup') ??
    program.command('dedup').description('find people enrolled more than once');
  dedup
    .command('run')
    .description(
      'compare every active person with the others, store the fitted model and the clusters for review',
    )
    .option('--seed <number>', 'seed of the random samples (same registry and seed, same run)')
    .option('--json', 'print one JSON object')
    .action(async (flags: { seed?: string; json?: boolean }) => {
      const outcome = await runDedupCommand({
        env: options.env ?? process.env,
        writeError: options.writeError ?? ((text: string) => process.stderr.write(text)),
        progressBar: options.progressBar ?? process.stderr.isTTY === true,
        ...(flags.seed === undefined ? {} : { seed: parseSeed(flags.seed) }),
      });
      write(
        flags.json === true
          ? `${JSON.stringify(outcome)}\n`
          : `Run ${outcome.runId}: ${outcome.persons} persons, ${outcome.candidatePairs} pairs compared, ` +
              `${outcome.clusters} clusters (${outcome.personsInClusters} persons) stored for review ` +
              `in ${(outcome.durationMs / 1000).toFixed(1)} s.\n`,
      );
    });
  dedup
    .command('evaluate')
    .description(
      'run the duplicate detection on a labelled file and report pairwise precision, recall and F1',
    )
    .argument('<file>', 'labelled records')
    .requiredOption('--format <format>', 'file format (only "febrl")')
    .option('--ignore <fields>', 'comma-separated columns to leave out, e.g. soc_sec_id')
    .option(
      '--fields <fields>',
      'comma-separated columns to use, e.g. given_name,surname,date_of_birth',
    )
    .option('--json', 'print one JSON object')
    .action((file: string, flags: EvaluateFlags) => {
      if (flags.format !== 'febrl') {
        throw new Error(`unsupported format "${flags.format}": only "febrl" is known`);
      }
      const bytes = statSync(file).size;
      if (bytes > dedupLimits.evaluateFileBytesMax) {
        throw new Error(
          `${file} has ${bytes} bytes; at most ${dedupLimits.evaluateFileBytesMax} are read`,
        );
      }
      const result = evaluateFebrl(readFileSync(file, 'utf8'), {
        ignore: splitList(flags.ignore),
        only: splitList(flags.fields),
      });
      write(flags.json === true ? `${JSON.stringify(result)}\n` : formatEvaluation(file, result));
    });
}

function parseSeed(value: string): number {
  const seed = Number(value);
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new Error(`--seed must be a whole number from 0, not "${value}"`);
  }
  return seed;
}

function splitList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function formatEvaluation(file: string, result: FebrlEvaluation): string {
  const percent = (share: number): string => `${(share * 100).toFixed(2)} %`;
  return [
    `file             ${file} (${result.recordCount} records, ${result.truePairCount} true pairs)`,
    `fields           ${result.fields.join(', ')}`,
    `precision        ${percent(result.precision)}`,
    `recall           ${percent(result.recall)}`,
    `F1               ${percent(result.f1)}`,
    `blocking recall  ${percent(result.blockingRecall)} (${result.candidatePairCount} candidate pairs)`,
    `clusters F1      ${percent(result.clusterPairs.f1)} (pairs inside union-find clusters)`,
    `threshold        ${result.acceptScoreMin.toFixed(2)} bits (posterior 0.5, no labels used)`,
    `EM               ${result.emIterations} iterations${result.emConverged ? '' : ', not converged'}`,
    `duration         ${Math.round(result.durationMs)} ms`,
    '',
  ].join('\n');
}
