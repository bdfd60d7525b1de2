import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open } from '../../platform/crypto/envelope.js';
import { openedParameters } from '../notifications/outbox-seal.js';
import { recordingProvider } from '../notifications/outbox-test-kit.js';
import { outboxWorker } from '../notifications/outbox-worker.js';
import { receivedText } from '../notifications/received-text-test-kit.js';
import { generateUin } from '../registry/uin/index.js';
import {
  type AccessTestApp,
  buildAccessTestApp,
  createTestOperator,
  createTestPerson,
  sessionCookieFrom,
} from './access-test-kit.js';
import { requireCitizen, requireOperator } from './authentication.js';
import { accessLimits } from './limits.js';

describe('citizen sign-in with a one-time code', () => {
  let kit: AccessTestApp;
  const logLines: string[] = [];
  let addressCounter = 0;
  const freshAddress = () => `10.1.0.${++addressCounter}`;

  beforeAll(async () => {
    kit = await buildAccessTestApp({
      logLines,
      addRoutes: (app) => {
        app.get('/api/test/mine', { preHandler: requireCitizen }, async (request) => ({
          personId: request.actor?.kind === 'citizen' ? request.actor.personId : null,
        }));
        app.get('/api/test/staff', { preHandler: requireOperator }, async () => ({ ok: true }));
      },
    });
  });
  afterAll(async () => {
    await kit?.close();
  });

  const start = (uin: string, remoteAddress = freshAddress()) =>
    kit.app.inject({
      method: 'POST',
      url: '/api/citizen/sign-in/start',
      payload: { uin },
      remoteAddress,
    });
  const verify = (uin: string, code: string, remoteAddress = freshAddress()) =>
    kit.app.inject({
      method: 'POST',
      url: '/api/citizen/sign-in/verify',
      payload: { uin, code },
      remoteAddress,
    });
  const outbox = () =>
    kit.database.asAdmin((admin) =>
      admin.selectFrom('notification_outbox').selectAll().orderBy('created_at').execute(),
    );

  /** Every code the tests read off a phone, for the log check at the end. */
  const codesSeen: string[] = [];

  /**
   * The newest queued SMS: its decrypted recipient and the code its text carries, as the phone
   * shows it (the row keeps the code sealed: `receivedText`).
   */
  async function lastSms(): Promise<{ recipient: string; code: string; templateId: string }> {
    const row = (await outbox()).at(-1);
    if (!row) throw new Error('outbox is empty');
    if (row.recipient_sealed === null) throw new Error('the newest SMS has no recipient');
    const recipient = open(kit.masterKey, row.recipient_sealed, {
      table: 'notification_outbox',
      column: 'recipient',
      recordId: row.id,
    }).toString('utf8');
    const received = await receivedText(
      { db: kit.database.db, masterKey: kit.masterKey },
      { messageId: row.id },
    );
    const code = received.code ?? '';
    codesSeen.push(code);
    return { recipient, code, templateId: row.template_id };
  }

  it('sends a code to the phone on file and exchanges it for a citizen session', async () => {
    const person = await createTestPerson(kit, { uin: '2345678901', phone: '+584121234567' });
    const started = await start('2345678901');
    expect(started.statusCode).toBe(202);
    const sms = await lastSms();
    expect(sms.recipient).toBe('+584121234567');
    expect(sms.templateId).toBe('citizen.sign_in_code');
    expect(sms.code).toMatch(/^[0-9]{6}$/);
    const codes = await kit.database.asAdmin((admin) =>
      admin.selectFrom('citizen_sign_in_code').selectAll().execute(),
    );
    expect(JSON.stringify(codes)).not.toContain(sms.code);

    const verified = await verify('2345678901', sms.code);
    expect(verified.statusCode).toBe(200);
    const cookie = sessionCookieFrom(verified);
    expect(cookie).toBeDefined();
    const me = await kit.app.inject({
      url: '/api/auth/me',
      cookies: { amparo_session: cookie ?? '' },
    });
    expect(me.json()).toMatchObject({ kind: 'citizen', sessionKind: 'citizen' });
    expect(kit.signInAttempts.at(-1)).toMatchObject({
      kind: 'citizen',
      outcome: 'success',
      personId: person.id,
    });
    const mine = await kit.app.inject({
      url: '/api/test/mine',
      cookies: { amparo_session: cookie ?? '' },
    });
    expect(mine.json()).toEqual({ personId: person.id });
    expect((await kit.app.inject({ url: '/api/test/mine' })).statusCode).toBe(401);
    const staff = await kit.app.inject({
      url: '/api/test/staff',
      cookies: { amparo_session: cookie ?? '' },
    });
    expect(staff.statusCode).toBe(401);
    // Single use.
    expect((await verify('2345678901', sms.code)).statusCode).toBe(401);
  });

  it('answers unknown ID numbers, people without a phone and the deceased exactly like a sent code', async () => {
    await createTestPerson(kit, { uin: '3456789012', phone: null });
    await createTestPerson(kit, { uin: '4567890123', phone: '+584149876543', status: 'deceased' });
    await createTestPerson(kit, { uin: '5678901234', phone: '+584161112233' });
    const before = (await outbox()).length;
    const known = await start('5678901234');
    expect((await outbox()).length).toBe(before + 1);
    for (const uin of ['9999999999', '3456789012', '4567890123']) {
      const answer = await start(uin);
      expect(answer.statusCode).toBe(202);
      expect(answer.body).toBe(known.body);
    }
    expect((await outbox()).length).toBe(before + 1);
  });

  it('kills a code after 5 wrong tries, even for the right code afterwards', async () => {
    await createTestPerson(kit, { uin: '6789012345', phone: '+584125550001' });
    await start('6789012345');
    const { code } = await lastSms();
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const answers = [];
    for (let attempt = 0; attempt < accessLimits.citizenCode.attemptsMax; attempt += 1) {
      answers.push(await verify('6789012345', wrong));
    }
    const afterLimit = await verify('6789012345', code);
    expect(afterLimit.statusCode).toBe(401);
    expect(kit.signInAttempts.at(-1)).toMatchObject({
      outcome: 'failure',
      reason: 'no_valid_code',
    });
    const unknown = await verify('9999999998', code);
    for (const answer of [...answers, afterLimit]) {
      expect(answer.statusCode).toBe(401);
      expect(answer.body).toBe(unknown.body);
    }
  });

  it('refuses an expired code, and a code replaced by a newer one', async () => {
    await createTestPerson(kit, { uin: '7890123456', phone: '+584125550002' });
    await start('7890123456');
    const first = (await lastSms()).code;
    kit.advance(accessLimits.citizenCode.ttlMs + 1000);
    expect((await verify('7890123456', first)).statusCode).toBe(401);
    await start('7890123456');
    const second = (await lastSms()).code;
    await start('7890123456');
    const third = (await lastSms()).code;
    if (second !== third) expect((await verify('7890123456', second)).statusCode).toBe(401);
    expect((await verify('7890123456', third)).statusCode).toBe(200);
  });

  it('sends at most 3 codes per person in 15 minutes', async () => {
    await createTestPerson(kit, { uin: '8901234567', phone: '+584125550003' });
    const before = (await outbox()).length;
    for (let request = 0; request < 5; request += 1)
      expect((await start('8901234567')).statusCode).toBe(202);
    expect((await outbox()).length).toBe(before + accessLimits.citizenCode.issuesPerWindowMax);
    kit.advance(accessLimits.citizenCode.issueWindowMs + 1000);
    await start('8901234567');
    expect((await outbox()).length).toBe(before + accessLimits.citizenCode.issuesPerWindowMax + 1);
  });

  it('lets a signed-in operator print a slip code, which signs the person in', async () => {
    const person = await createTestPerson(kit, { uin: '2223334445', phone: null });
    expect(
      (
        await kit.app.inject({
          method: 'POST',
          url: '/api/citizen-codes',
          payload: { personId: person.id },
        })
      ).statusCode,
    ).toBe(401);
    const clerk = await createTestOperator(kit, { username: 'clerk.slip' });
    kit.advance(30_000);
    const signIn = await kit.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { username: clerk.username, password: clerk.password, totp: clerk.totp() },
    });
    const cookie = sessionCookieFrom(signIn) ?? '';
    const withoutPurpose = await kit.app.inject({
      method: 'POST',
      url: '/api/citizen-codes',
      payload: { personId: person.id },
      cookies: { amparo_session: cookie },
    });
    expect(withoutPurpose.statusCode).toBe(403);
    const slip = await kit.app.inject({
      method: 'POST',
      url: '/api/citizen-codes?purpose=self',
      payload: { personId: person.id },
      cookies: { amparo_session: cookie },
    });
    expect(slip.statusCode).toBe(201);
    const { code } = slip.json();
    expect(code).toMatch(/^[0-9]{6}$/);
    expect(kit.events.at(-1)).toMatchObject({
      type: 'citizen_code_issued',
      channel: 'slip',
      operatorId: clerk.id,
      personId: person.id,
    });
    expect((await verify('2223334445', code)).statusCode).toBe(200);
  });

  it('limits sign-in requests per address in the process', async () => {
    const address = freshAddress();
    const statuses = [];
    for (let request = 0; request <= accessLimits.signIn.routeRequestsPerMinuteMax; request += 1) {
      statuses.push((await start('9999999997', address)).statusCode);
    }
    expect(statuses.slice(0, -1).every((status) => status === 202)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
  });

  it('keeps the code out of the outbox row: sealed while queued, gone once sent; the SMS has it', async () => {
    const uin = generateUin();
    const person = await createTestPerson(kit, { uin, phone: '+584125550077' });
    expect((await start(uin)).statusCode).toBe(202);
    // What anyone holding the application's database password reads (its own role).
    const queued = await kit.database.db
      .selectFrom('notification_outbox')
      .selectAll()
      .where('person_id', '=', person.id)
      .executeTakeFirstOrThrow();
    expect(queued.parameters).toEqual({
      validMinutes: String(accessLimits.citizenCode.ttlMs / 60_000),
    });
    expect(queued.secret_parameters_sealed).not.toBeNull();

    // The sending worker opens it and the phone receives the code.
    const provider = recordingProvider();
    const worker = outboxWorker({
      db: kit.database.db,
      masterKey: kit.masterKey,
      provider,
      now: kit.now,
    });
    await worker.drain();
    const sms = provider.sent.find((message) => message.id === queued.id);
    expect(sms?.to).toBe('+584125550077');
    const code = /código de acceso es (\d{6}) /.exec(sms?.text ?? '')?.[1] ?? '';
    expect(code).toMatch(/^\d{6}$/);
    codesSeen.push(code);
    expect(JSON.stringify(queued)).not.toContain(code);

    // Sent: the sealed code is gone, so not even the master key recovers it.
    const sent = await kit.database.asAdmin((admin) =>
      admin
        .selectFrom('notification_outbox')
        .selectAll()
        .where('id', '=', queued.id)
        .executeTakeFirstOrThrow(),
    );
    expect(sent).toMatchObject({ status: 'sent', secret_parameters_sealed: null });
    expect(JSON.stringify(sent)).not.toContain(code);

    // And the code read off the phone signs the person in.
    const verified = await verify(uin, code);
    expect(verified.statusCode).toBe(200);
    expect(kit.signInAttempts.at(-1)).toMatchObject({ outcome: 'success', personId: person.id });
  });

  it('never writes codes, ID numbers or phones into the logs', async () => {
    // The codes read off phones, and those still sealed in the outbox (opened with the key).
    const sealed = (await outbox()).map(
      (row) =>
        openedParameters(kit.masterKey, {
          id: row.id,
          parameters: row.parameters,
          secretParametersSealed: row.secret_parameters_sealed,
        })?.code,
    );
    const codes = [...codesSeen, ...sealed.filter((code) => code !== undefined)];
    expect(codes.length).toBeGreaterThan(5);
    const text = logLines.join('');
    expect(text).toContain('sign-in attempt');
    // Whole numbers only: a six-digit run inside a response time (3.1234567) is not a code.
    for (const secret of [...codes, '2345678901', '6789012345', '584121234567', '4121234567']) {
      expect(text).not.toMatch(new RegExp(`(?<![0-9A-Za-z.])\\+?${secret}(?![0-9A-Za-z])`));
    }
  });
});
