import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Start-up time of `npm start` as a newcomer meets it: from spawning `npm start` (npm, the
 * console check and the server process included) until `GET /readyz` answers
 * 200. The first start creates keys, the embedded database and demo data; the following
 * ones reuse them (target: warm start ≤ 5 s). Each run reports the one-minute load
 * average when it began, because the machine is shared and a loaded run is slower, and on
 * Linux the CPU time its processes had used when it was ready, which load changes far less.
 *
 *   npm run bench -- startup [warmRuns=5]
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const warmRuns = Number(args[0] ?? 5);
  if (!Number.isInteger(warmRuns) || warmRuns < 1) throw new Error('warmRuns: a whole number ≥ 1');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'amparo-bench-start-'));
  try {
    const cold = await timeStart(dataDir);
    const warm: Measured[] = [];
    for (let index = 0; index < warmRuns; index += 1) {
      const measured = await timeStart(dataDir);
      warm.push(measured);
      progress(
        `warm run ${index + 1}: ${measured.ms} ms, CPU ${measured.cpuMs} ms (load ${measured.load1})`,
      );
    }
    const sortedMs = warm.map(({ ms }) => ms).sort((a, b) => a - b);
    const sortedCpuMs = warm.map(({ cpuMs }) => cpuMs).sort((a, b) => a - b);
    return {
      coldStartMs: cold.ms,
      coldLoad1: cold.load1,
      warmStartMsMedian: sortedMs[Math.floor(sortedMs.length / 2)] ?? Number.NaN,
      warmStartMsMax: sortedMs.at(-1) ?? Number.NaN,
      warmStartCpuMsMedian: sortedCpuMs[Math.floor(sortedCpuMs.length / 2)] ?? Number.NaN,
      coldStartCpuMs: cold.cpuMs,
      warmRunsCpuMs: warm.map(({ cpuMs }) => cpuMs),
      warmRunsMs: warm.map(({ ms }) => ms),
      warmRunsLoad1: warm.map(({ load1 }) => load1),
      warmRuns,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface Measured {
  ms: number;
  /** CPU time of npm and everything it started, when ready (NaN where /proc is missing). */
  cpuMs: number;
  load1: number;
}

/** Milliseconds from spawning `npm start` until `/readyz` answers 200; then stops it. */
async function timeStart(dataDir: string): Promise<Measured> {
  const port = await freePort();
  const load1 = Math.round((loadavg()[0] ?? 0) * 100) / 100;
  const startedAt = performance.now();
  // Its own process group, so that npm, its shell and the server all stop together.
  const child = spawn('npm', ['start'], {
    env: { ...process.env, AMPARO_DATA_DIR: dataDir, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    while (!(await isReady(port))) {
      if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}: ${stderr}`);
      await sleep(25);
    }
    const ms = Math.round(performance.now() - startedAt);
    return { ms, cpuMs: child.pid === undefined ? Number.NaN : groupCpuMs(child.pid), load1 };
  } finally {
    stopGroup(child);
    await exited;
  }
}

/**
 * CPU time used so far by the live processes of a process group, each with its children
 * that have exited (so the `prestart` process and tsx's first process count too), from
 * /proc/<pid>/stat: utime, stime, cutime and cstime in clock ticks (100 per second).
 */
function groupCpuMs(groupId: number): number {
  let ticks = 0;
  let found = false;
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(entry);
    if (fields === undefined || Number(fields[2]) !== groupId) continue;
    found = true;
    for (const index of [11, 12, 13, 14]) ticks += Number(fields[index]);
  }
  return found ? ticks * 10 : Number.NaN;
}

/** The fields of /proc/<pid>/stat after the command name (state first). */
function statFields(pid: string): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

async function isReady(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/readyz`);
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

function stopGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    // Already gone between the check and the signal.
  }
}

/** A port nothing listens on now (the server needs a fixed one for `/readyz` to be polled). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function progress(line: string): void {
  if (process.stderr.isTTY) process.stderr.write(`${line}\n`);
}
