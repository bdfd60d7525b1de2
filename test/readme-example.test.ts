import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type AccessTestApp,
  buildAccessTestApp,
  sessionCookieFrom,
} from '../src/modules/access/access-test-kit.js';
import { base32Decode } from '../src/modules/access/base32.js';
import { createDemoOperators } from '../src/modules/access/demo-operators.js';
import { totpCode, totpStep } from '../src/modules/access/totp.js';
import { registerDemoCommands } from '../src/modules/demo/cli.js';

/**
 * The README's "Try an import" is what a newcomer runs first: the generate command exactly as
 * the README prints it, uploaded by the demo account the README names (created as `npm start`
 * creates it, with its real regions), must import every row.
 */
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const generateLine = /^npx amparo (demo generate .*)$/m.exec(readme)?.[1] ?? '';
const accountName = /as the demo account `([a-z0-9_]+)`/.exec(readme)?.[1] ?? '';

/** The README's arguments, with `--out` pointed at a scratch file. */
function generateArguments(out: string): string[] {
  const words = generateLine.split(/\s+/);
  const outIndex = words.indexOf('--out');
  expect(outIndex).toBeGreaterThan(0);
  words[outIndex + 1] = out;
  return words;
}

describe("the README's import example", () => {
  let kit: AccessTestApp;
  let workDir: string;

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), 'amparo-readme-'));
    kit = await buildAccessTestApp();
  });
  afterAll(async () => {
    await kit?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('imports every generated row for the account it names', async () => {
    expect(generateLine).toMatch(/--persons \d+/);
    const file = path.join(workDir, 'people.csv');
    const program = new Command('amparo').exitOverride();
    registerDemoCommands(program);
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    await program.parseAsync(generateArguments(file), { from: 'user' });
    vi.restoreAllMocks();
    const persons = Number(/--persons (\d+)/.exec(generateLine)?.[1]);

    const accounts = await createDemoOperators(kit.database.db, kit.masterKey);
    const account = accounts.find((candidate) => candidate.username === accountName);
    if (account === undefined) throw new Error(`the README names no demo account: ${accountName}`);
    const secret = base32Decode(account.totpSecretBase32);
    const signIn = await kit.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: {
        username: account.username,
        password: account.password,
        totp: totpCode(secret, totpStep(kit.now().getTime())),
      },
    });
    expect(signIn.statusCode).toBe(200);
    const session = sessionCookieFrom(signIn) ?? '';

    const started = await kit.app.inject({
      method: 'POST',
      url: '/api/imports?purpose=enrolment&name=people.csv',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${session}` },
      payload: readFileSync(file),
    });
    expect(started.statusCode).toBe(202);
    const id: string = started.json().id;
    let job = { status: 'running', personsImported: 0, rowsInvalid: null as number | null };
    for (let attempt = 0; attempt < 400 && job.status === 'running'; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      job = (
        await kit.app.inject({ url: `/api/imports/${id}`, cookies: { amparo_session: session } })
      ).json();
    }
    expect(job).toMatchObject({ status: 'finished', rowsInvalid: 0, personsImported: persons });
  });
});
