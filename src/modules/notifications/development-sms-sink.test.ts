import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccessTestApp,
  buildAccessTestApp,
  createTestOperator,
  createTestPerson,
  sessionCookieFrom,
} from '../access/access-test-kit.js';
import { generateUin } from '../registry/uin/index.js';
import { developmentSmsSink } from './development-sms-sink.js';

/**
 * Development's SMS sink (issue 10, point 7): a code asked for at the sign-in page goes from
 * the outbox to a local file and is marked sent; the code read from the file signs the person
 * in; the server log names neither the code nor the phone.
 */
describe('development SMS sink', () => {
  let kit: AccessTestApp;
  let scratch: string;
  const logLines: string[] = [];

  beforeAll(async () => {
    kit = await buildAccessTestApp({ logLines });
    scratch = mkdtempSync(path.join(tmpdir(), 'amparo-sms-'));
  });
  afterAll(async () => {
    await kit?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  const startSignIn = (uin: string) =>
    kit.app.inject({ method: 'POST', url: '/api/citizen/sign-in/start', payload: { uin } });
  const verify = (uin: string, code: string) =>
    kit.app.inject({ method: 'POST', url: '/api/citizen/sign-in/verify', payload: { uin, code } });
  const sinkIn = (file: string) =>
    developmentSmsSink({ db: kit.database.db, masterKey: kit.masterKey, file, now: kit.now });

  /** The codes the file holds for a phone, oldest first. */
  function codesFor(file: string, phone: string): string[] {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.includes(`to ${phone} `))
      .map((line) => /código de acceso es (\d{6})/.exec(line)?.[1] ?? 'none');
  }

  it('writes a queued code to the file, marks it sent, and the code signs the person in', async () => {
    const uin = generateUin();
    const phone = '+584121230001';
    const person = await createTestPerson(kit, { uin, phone });
    const file = path.join(scratch, 'first.log');
    const sink = sinkIn(file);
    expect((await startSignIn(uin)).statusCode).toBe(202);
    expect(await sink.drain()).toBe(1);
    const [code] = codesFor(file, phone);
    expect(code).toMatch(/^\d{6}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const rows = await kit.database.db
      .selectFrom('notification_outbox')
      .select('sent_at')
      .where('person_id', '=', person.id)
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.sent_at).toBeInstanceOf(Date);
    expect(await sink.drain()).toBe(0);
    expect(codesFor(file, phone)).toHaveLength(1);
    expect((await verify(uin, code ?? '')).statusCode).toBe(200);
    const logs = logLines.join('');
    expect(logs).toContain('sign-in attempt');
    // Whole numbers only: a six-digit run inside a response time (3.1234567) is not a code.
    for (const secret of [code, uin, '4121230001']) {
      expect(logs).not.toMatch(new RegExp(`(?<![0-9A-Za-z.])\\+?${secret}(?![0-9A-Za-z])`));
    }
  });

  it('lets an SMS code asked for after a printed slip replace the slip', async () => {
    const uin = generateUin();
    const phone = '+584121230002';
    const person = await createTestPerson(kit, { uin, phone });
    const clerk = await createTestOperator(kit, { username: 'clerk.sms' });
    kit.advance(30_000);
    const signIn = await kit.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { username: clerk.username, password: clerk.password, totp: clerk.totp() },
    });
    const slip = await kit.app.inject({
      method: 'POST',
      url: '/api/citizen-codes?purpose=self',
      payload: { personId: person.id },
      cookies: { amparo_session: sessionCookieFrom(signIn) ?? '' },
    });
    expect(slip.statusCode).toBe(201);
    const file = path.join(scratch, 'slip.log');
    await startSignIn(uin);
    await sinkIn(file).drain();
    const [smsCode] = codesFor(file, phone);
    expect((await verify(uin, slip.json().code)).statusCode).toBe(401);
    expect((await verify(uin, smsCode ?? '')).statusCode).toBe(200);
  });

  it('delivers on its own timer once started, and creates the file at start', async () => {
    const uin = generateUin();
    const phone = '+584121230003';
    await createTestPerson(kit, { uin, phone });
    const file = path.join(scratch, 'timer.log');
    const sink = sinkIn(file);
    sink.start();
    try {
      expect(readFileSync(file, 'utf8')).toBe('');
      await startSignIn(uin);
      await expect
        .poll(() => codesFor(file, phone).length, { timeout: 10_000, interval: 200 })
        .toBe(1);
    } finally {
      await sink.stop();
    }
  });
});
