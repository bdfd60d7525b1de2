import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SingleBar } from 'cli-progress';
import { validatePopulationOptions } from '../src/modules/demo/options.js';
import { writePopulation } from '../src/modules/demo/write-population.js';
import type { PopulationFormat } from '../src/modules/registry/import/record-format.js';

/**
 * Throughput of `amparo demo generate`: one million persons (5% duplicate enrolments) to a
 * temporary file, which is deleted afterwards. Target: ≤ 60 s on the 2-core reference machine.
 *
 *   npm run bench -- demo-generate [persons=1000000] [csv|ndjson]
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const persons = Number(args[0] ?? 1_000_000);
  const format: PopulationFormat = args[1] === 'ndjson' ? 'ndjson' : 'csv';
  const options = validatePopulationOptions({ persons, seed: 'bench', duplicateShare: 0.05 });
  const directory = mkdtempSync(path.join(tmpdir(), 'amparo-bench-demo-'));
  const out = path.join(directory, `population.${format}`);
  const bar = process.stderr.isTTY ? new SingleBar({ stream: process.stderr }) : undefined;
  bar?.start(persons, 0);
  try {
    const result = await writePopulation({
      ...options,
      out,
      format,
      onProgress: (progress) => bar?.update(progress.records),
    });
    bar?.stop();
    return {
      command: `npm run bench -- demo-generate ${persons} ${format}`,
      persons: result.records,
      duplicates: result.duplicates,
      format,
      durationMs: Math.round(result.durationMs),
      recordsPerSecond: Math.round(result.records / (result.durationMs / 1000)),
      bytes: result.bytes,
      truthBytes: statSync(result.truthOut).size,
      // Peak resident memory of the whole process: it should not grow with persons.
      maxRssMegabytes: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    bar?.stop();
    rmSync(directory, { recursive: true, force: true });
  }
}
