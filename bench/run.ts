import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Benchmark harness: `npm run bench -- <name> [args]` runs `bench/<name>.ts`, whose
 * `run(args)` returns its measurements, and saves them with the facts about the machine to
 * `bench/results/<name>-<timestamp>.json`, so a number in BENCHMARKS.md can always be traced
 * to the run and the machine that produced it.
 *
 *   npm run bench -- demo-generate 1000000
 */

/** What every `bench/<name>.ts` exports. */
export type Benchmark = (args: string[]) => Promise<Record<string, unknown>>;

export interface MachineFacts {
  cpuModel: string;
  cores: number;
  totalMemoryBytes: number;
  node: string;
  platform: string;
  date: string;
}

const benchDirectory = path.dirname(fileURLToPath(import.meta.url));
const resultsDirectory = path.join(benchDirectory, 'results');
const NAME_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

/** Names of the benchmarks in bench/, that is every `.ts` file but this one and tests. */
export function listBenchmarks(): string[] {
  return readdirSync(benchDirectory)
    .filter((file) => file.endsWith('.ts') && file !== 'run.ts' && !file.endsWith('.test.ts'))
    .map((file) => file.slice(0, -'.ts'.length))
    .sort();
}

export function machineFacts(): MachineFacts {
  return {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    totalMemoryBytes: os.totalmem(),
    node: process.version,
    platform: `${process.platform} ${os.release()} ${process.arch}`,
    date: new Date().toISOString(),
  };
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const available = listBenchmarks();
  if (name === undefined || !NAME_PATTERN.test(name) || !available.includes(name)) {
    if (name !== undefined) process.stderr.write(`Unknown benchmark: ${name}\n`);
    process.stderr.write(
      `Usage: npm run bench -- <name> [args]\nAvailable: ${available.join(', ')}\n`,
    );
    return name === undefined ? 0 : 2;
  }
  const run = await loadBenchmark(name);
  const machine = machineFacts();
  const result = await run(args);
  const report = { benchmark: name, args, result, machine };
  mkdirSync(resultsDirectory, { recursive: true });
  const file = path.join(resultsDirectory, `${name}-${machine.date.replaceAll(':', '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(summary(name, result, machine, file));
  return 0;
}

async function loadBenchmark(name: string): Promise<Benchmark> {
  const loaded: unknown = await import(pathToFileURL(path.join(benchDirectory, `${name}.ts`)).href);
  const run =
    typeof loaded === 'object' && loaded !== null ? Reflect.get(loaded, 'run') : undefined;
  if (typeof run !== 'function') throw new Error(`bench/${name}.ts does not export run(args)`);
  return (args) => Promise.resolve(Reflect.apply(run, undefined, [args]));
}

function summary(
  name: string,
  result: Record<string, unknown>,
  machine: MachineFacts,
  file: string,
) {
  const lines = Object.entries(result).map(([key, value]) => `  ${key}: ${format(value)}`);
  return [
    `${name} on ${machine.cpuModel} (${machine.cores} cores), Node ${machine.node}`,
    ...lines,
    `Saved ${path.relative(process.cwd(), file)}`,
    '',
  ].join('\n');
}

function format(value: unknown): string {
  if (typeof value === 'number') return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
  return typeof value === 'string' ? value : JSON.stringify(value);
}

if (
  process.argv[1] !== undefined &&
  path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
