import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { evaluateFebrl, type FebrlEvaluation } from './evaluate.js';
import { dedupLimits } from './limits.js';

export interface DedupCommandOptions {
  /** Where output goes; tests pass their own. */
  readonly write?: (text: string) => void;
}

interface EvaluateFlags {
  readonly format: string;
  readonly ignore?: string;
  readonly fields?: string;
  readonly json?: boolean;
}

/**
 * Adds `dedup evaluate` (quality of the engine against a labelled benchmark) to the CLI.
 * The `dedup` command is reused if another module registered it first.
 *
 * @example
 * registerDedupCommands(program);
 * // amparo dedup evaluate test/fixtures/febrl/dataset2.csv --format febrl --ignore soc_sec_id
 */
export function registerDedupCommands(program: Command, options: DedupCommandOptions = {}): void {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const dedup =
    program.commands.find((command) => command.name() === 'dedup') ??
    program.command('dedup').description('find people enrolled more than once');
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
