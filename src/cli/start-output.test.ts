import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * What a newcomer sees in the terminal from `amparo start` on the embedded database: the
 * first-start lines (keys, database, seed, demo accounts), one serving line, and nothing for
 * the health probes an orchestrator or a script polls. Runs what `npm start` runs
 * (`bin/amparo.js start`: the bundled sources) in its own process, so Fastify's own start-up
 * logging and every plugin are included. AMPARO_WEB_DIR is set, so no console is built.
 */

const repositoryRoot = fileURLToPath(new URL('../../', import.meta.url));
const scratch = mkdtempSync(path.join(tmpdir(), 'amparo-start-output-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Every line a first start may print, in the terminal a person reads. */
const firstStartLines = [
  /^Created development keys in \S+ \(mode 0600\)\. Production keys are provisioned separately\.$/,
  /^Creating the embedded database in \S+ …$/,
  /^Seeded demo data: \d+ persons in \d+ households \(synthetic, seed "amparo-demo"\)\.$/,
  /^Seeded demo programs: 3 published, their first cycles approved and published with \d+ entitlements\.$/,
  /^Demo operator accounts \(shown only now; add the TOTP secret to an authenticator app\):$/,
  /^ {2}[a-z0-9]+ +password \S{22} +TOTP [A-Z2-7]{32} +\S+ in \S+$/,
  /^Amparo is serving on http:\/\/localhost:\d+ \(embedded database \S+; ready in [\d.]+ s\)\. Press Ctrl\+C to stop\.$/,
  /^Trust anchor for card verifiers: [0-9a-f]{64} \(also at \/api\/credentials\/trust-anchor\)$/,
  /^Text messages \(citizen sign-in codes\) are written to \S+sms-outbox\.log in development\.$/,
];

interface Started {
  child: ChildProcess;
  port: number;
  output: () => { stdout: string; stderr: string };
}

describe('amparo start output', () => {
  it('is the first-start lines and one serving line; probes are not logged, requests are', async () => {
    const started = await startCommand(path.join(scratch, 'data'));
    try {
      await waitUntilReady(started);
      for (let poll = 0; poll < 5; poll += 1) {
        expect((await fetch(url(started, '/readyz'))).status).toBe(200);
        expect((await fetch(url(started, '/healthz'))).status).toBe(200);
      }
      const quiet = started.output();
      expect(quiet.stdout).toBe('');
      const lines = quiet.stderr.trimEnd().split('\n');
      for (const line of lines) {
        expect(
          firstStartLines.some((pattern) => pattern.test(line)),
          line,
        ).toBe(true);
      }
      expect(lines.filter((line) => line.startsWith('Amparo is serving')).length).toBe(1);
      expect(
        lines.filter((line) => line.startsWith('Trust anchor for card verifiers')).length,
      ).toBe(1);
      expect(lines.filter((line) => line.startsWith('Text messages')).length).toBe(1);
      expect(lines.filter((line) => line.includes(' password ')).length).toBeGreaterThan(0);
      expect(lines.filter((line) => line.startsWith('Seeded demo programs')).length).toBe(1);

      // A real request is logged (JSON, route pattern only), so the log is not simply off.
      expect((await fetch(url(started, '/api/catalogue'))).status).toBe(200);
      await sleep(200);
      const requestLog = started.output().stdout.trimEnd().split('\n').map(logEntry);
      expect(requestLog.map((entry) => entry.msg)).toEqual([
        'incoming request',
        'request completed',
      ]);
      expect(requestLog[0]?.route).toBe('/api/catalogue');
    } finally {
      await stop(started.child);
    }
  }, 300_000);
});

/** The fields of a JSON log line this test looks at. */
function logEntry(line: string): { msg: unknown; route: unknown } {
  const entry: unknown = JSON.parse(line);
  if (typeof entry !== 'object' || entry === null) return { msg: undefined, route: undefined };
  const request: unknown = Reflect.get(entry, 'req');
  return {
    msg: Reflect.get(entry, 'msg'),
    route: typeof request === 'object' && request ? Reflect.get(request, 'route') : undefined,
  };
}

async function startCommand(dataDir: string): Promise<Started> {
  mkdirSync(path.dirname(dataDir), { recursive: true });
  const port = await freePort();
  // The environment of a newcomer: no database server, default log level, no overrides.
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) =>
        !name.startsWith('AMPARO_') && !name.includes('DATABASE_URL') && name !== 'LOG_LEVEL',
    ),
  );
  const child = spawn(process.execPath, ['bin/amparo.js', 'start'], {
    cwd: repositoryRoot,
    env: { ...env, AMPARO_DATA_DIR: dataDir, PORT: String(port), AMPARO_WEB_DIR: scratch },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return { child, port, output: () => ({ stdout, stderr }) };
}

async function waitUntilReady(started: Started): Promise<void> {
  while (!started.output().stderr.includes('Amparo is serving')) {
    if (started.child.exitCode !== null) {
      throw new Error(`amparo start exited ${started.child.exitCode}: ${started.output().stderr}`);
    }
    await sleep(100);
  }
}

function url(started: Started, route: string): string {
  return `http://127.0.0.1:${started.port}${route}`;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

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
