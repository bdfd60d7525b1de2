import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Start-up time of `amparo start` as a newcomer sees it: the whole CLI process (tsx
 * included) until it prints that it is serving. The first start creates keys, the embedded
 * database and demo data; the following ones reuse them (target: warm start ≤ 5 s).
 *
 *   npm run bench -- startup [warmRuns=5]
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const warmRuns = Number(args[0] ?? 5);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'amparo-bench-start-'));
  try {
    const coldMs = await timeStart(dataDir);
    const warmMs: number[] = [];
    for (let index = 0; index < warmRuns; index += 1) warmMs.push(await timeStart(dataDir));
    warmMs.sort((a, b) => a - b);
    return {
      coldStartMs: Math.round(coldMs),
      warmStartMsMedian: Math.round(warmMs[Math.floor(warmMs.length / 2)] ?? Number.NaN),
      warmStartMsMax: Math.round(warmMs.at(-1) ?? Number.NaN),
      warmRuns,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Milliseconds from spawning `amparo start` to its "serving" line; then stops it. */
function timeStart(dataDir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'start'], {
      env: { ...process.env, AMPARO_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('Amparo is serving')) {
        const elapsedMs = performance.now() - startedAt;
        child.once('exit', () => resolve(elapsedMs));
        child.kill('SIGTERM');
      }
    });
    child.once('exit', (code) => {
      if (!stderr.includes('Amparo is serving'))
        reject(new Error(`amparo start exited ${code}: ${stderr}`));
    });
  });
}
