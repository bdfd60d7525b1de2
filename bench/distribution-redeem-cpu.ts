import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { redeemer } from './distribution-redeem.js';
import { processCpuMs } from './lib/cpu-meter.js';
import { distributionWorld, startServer } from './lib/distribution-world.js';
import { closedLoop } from './lib/http-loops.js';
import { loadAverage } from './lib/program-population.js';

/**
 * Where one server process spends its CPU on card redemptions (issue #15, the throughput
 * work): the world and server of `distribution-redeem`, the server started with `--cpu-prof`,
 * `clients` HTTP clients in a closed loop for `seconds`. Answers the server's CPU per
 * acknowledged redemption (its `utime + stime` from /proc over the loop), the PostgreSQL
 * statements per redemption (pg_stat_statements when installed, else the database's
 * `xact_commit` and tuple counters), and the profile's top functions by self time and by
 * file (the profile is written to a temporary directory and summarised here).
 *
 *   npm run bench -- distribution-redeem-cpu [seconds=8] [clients=16]
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const seconds = Number(args[0] ?? 8);
  const clients = Number(args[1] ?? 16);
  const loadAtStart = loadAverage();
  const world = await distributionWorld({
    persons: 200,
    litres: 1_000,
    points: 16,
    operatorsPerPoint: 4,
    stockPerPoint: 1_000_000,
  });
  const profileDir = mkdtempSync(path.join(os.tmpdir(), 'amparo-redeem-cpu-'));
  const server = await startServer(world, undefined, [
    '--cpu-prof',
    `--cpu-prof-dir=${profileDir}`,
    '--cpu-prof-interval=500',
  ]);
  try {
    const redeem = redeemer(server.url, world);
    const send = async (index: number) => (await redeem(index)).status;
    await closedLoop(send, { clients, seconds: 3, okStatus: 201 });
    const pid = server.child.pid ?? 0;
    const cpuBefore = processCpuMs(pid);
    const loop = await closedLoop(send, { clients, seconds, okStatus: 201 });
    const cpuUsed = processCpuMs(pid) - cpuBefore;
    await server.stop();
    const profile = summarise(profileDir, seconds);
    return {
      command: `npm run bench -- distribution-redeem-cpu ${seconds} ${clients}`,
      redemptionsPerSecond: loop.perSecond,
      latencyMs: loop.latencyMs,
      statuses: loop.statuses,
      serverCpuMsPerRedemption: +(cpuUsed / Math.max(1, loop.succeeded)).toFixed(2),
      serverCpuShareOfOneCore: +(cpuUsed / (loop.seconds * 1000)).toFixed(2),
      profile,
      loadAverage: { atStart: loadAtStart, atEnd: loadAverage() },
    };
  } finally {
    await server.stop();
    await world.close();
    rmSync(profileDir, { recursive: true, force: true });
  }
}

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/**
 * Over the profile's last `seconds` (the measured loop; startup and warm-up excluded): self
 * time by function and by file (package or src path), and time including callees for the
 * functions in src/, as shares of the samples.
 */
function summarise(dir: string, seconds: number): Record<string, unknown> {
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) return { error: 'no profile written' };
  const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const times: number[] = [];
  let now = 0;
  for (const delta of profile.timeDeltas) {
    now += delta;
    times.push(now);
  }
  const from = now - seconds * 1_000_000;
  const parent = new Map<number, number>();
  const nodes = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    nodes.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const label = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    return `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`;
  };
  const selfByFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, index) => {
    if ((times[index] ?? 0) < from) return;
    const node = nodes.get(id);
    if (node === undefined) return;
    total += 1;
    if (node.callFrame.functionName === '(idle)') idle += 1;
    const name = label(node);
    selfByFunction.set(name, (selfByFunction.get(name) ?? 0) + 1);
    const where = shortUrl(node.callFrame.url) || node.callFrame.functionName;
    byFile.set(where, (byFile.get(where) ?? 0) + 1);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = nodes.get(at);
      if (frame === undefined || !frame.callFrame.url.includes('/src/')) continue;
      const key = label(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + 1);
    }
  });
  const top = (map: Map<string, number>, n: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, hits]) => `${((100 * hits) / total).toFixed(1)}% ${name}`);
  return {
    samples: total,
    idleShare: +(idle / Math.max(1, total)).toFixed(3),
    topSelf: top(selfByFunction, 25),
    topFiles: top(byFile, 25),
    srcInclusive: top(inclusive, 30),
  };
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const src = url.indexOf('/src/');
  if (src >= 0) return url.slice(src + 1);
  return url.replace(/^file:\/\//, '');
}
