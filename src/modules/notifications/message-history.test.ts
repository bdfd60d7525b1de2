import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccessTestApp,
  buildAccessTestApp,
  createTestPerson,
  sessionCookieFrom,
} from '../access/access-test-kit.js';
import { generateUin } from '../registry/uin/index.js';
import { developmentSmsSink } from './development-sms-sink.js';

/**
 * The citizen's view of the messages sent to them (issue 14, point 5): their sign-in code is
 * listed with its state and the code hidden; another person's list is refused; the read is
 * audited like any person read.
 */
describe('messages sent to me', () => {
  let kit: AccessTestApp;
  let scratch: string;

  beforeAll(async () => {
    kit = await buildAccessTestApp();
    scratch = mkdtempSync(path.join(tmpdir(), 'amparo-messages-'));
  });
  afterAll(async () => {
    await kit?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('lists my sign-in code as sent, code hidden, and refuses another person’s list', async () => {
    const uin = generateUin();
    const phone = '+584121239001';
    const person = await createTestPerson(kit, { uin, phone });
    const other = await createTestPerson(kit, { uin: generateUin(), phone: '+584121239002' });
    const file = path.join(scratch, 'sms.log');
    const sink = developmentSmsSink({
      db: kit.database.db,
      masterKey: kit.masterKey,
      file,
      now: kit.now,
    });
    await kit.app.inject({ method: 'POST', url: '/api/citizen/sign-in/start', payload: { uin } });
    expect(await sink.drain()).toBe(1);
    const code = /código de acceso es (\d{6})/.exec(readFileSync(file, 'utf8'))?.[1] ?? '';
    const verified = await kit.app.inject({
      method: 'POST',
      url: '/api/citizen/sign-in/verify',
      payload: { uin, code },
    });
    const cookies = { amparo_session: sessionCookieFrom(verified) ?? '' };

    const mine = await kit.app.inject({
      method: 'GET',
      url: `/api/persons/${person.id}/messages?purpose=self`,
      cookies,
    });
    expect(mine.statusCode).toBe(200);
    const [line, ...rest] = mine.json().messages;
    expect(rest).toEqual([]);
    expect(line).toMatchObject({
      templateId: 'citizen.sign_in_code',
      language: 'es',
      status: 'sent',
      text: 'Amparo: su código de acceso es •••••• (vale 10 min).',
    });
    expect(mine.body).not.toContain(code);
    expect(mine.body).not.toContain('4121239001');

    const theirs = await kit.app.inject({
      method: 'GET',
      url: `/api/persons/${other.id}/messages?purpose=self`,
      cookies,
    });
    // Outside "own", the guard answers as if there were no such record.
    expect(theirs.statusCode).toBe(404);
    const audited = await kit.database.db.selectFrom('audit_entry').select('entry').execute();
    expect(audited.some((row) => JSON.stringify(row.entry).includes('person.messages'))).toBe(true);
  });
});
