import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueText } from './outbox-enqueuer.js';
import { openedParameters } from './outbox-seal.js';
import { buildOutboxTestKit, type OutboxTestKit, recordingProvider } from './outbox-test-kit.js';
import { outboxWorker } from './outbox-worker.js';
import { personNotifier } from './person-notices.js';
import { receivedCode } from './received-text-test-kit.js';
import { secretVariables, TemplateError, templates, variableKinds } from './templates.js';

/**
 * One-time codes in the outbox (review finding F8): what a template declares secret is sealed
 * under the master key, bound to its row; the application's own database role reads no code;
 * only the worker opens it to render the text; and once the message ends (sent, failed,
 * expired, cancelled) the sealed code is gone, so not even the master key recovers it.
 */
describe('secret parameters in the outbox', () => {
  let kit: OutboxTestKit;
  // 15:00 in Caracas: outside the quiet hours.
  const day = Date.UTC(2030, 0, 15, 19, 0, 0);

  beforeAll(async () => {
    kit = await buildOutboxTestKit();
  });
  afterAll(async () => {
    await kit?.close();
  });

  /** A fresh six-digit code, unlikely to appear anywhere by chance. */
  const freshCode = () => String(randomInt(100_000, 1_000_000));
  const worker = (at: number, provider = recordingProvider()) => ({
    provider,
    worker: outboxWorker({
      db: kit.database.db,
      masterKey: kit.masterKey,
      provider,
      now: () => new Date(at),
    }),
  });
  /** The row as the application's role reads it: what its database password gives. */
  const asApp = (id: string) =>
    kit.database.db
      .selectFrom('notification_outbox')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  const signInCode = async (code: string, phone = '+584121300001', at = day) =>
    enqueueText(kit.database.db, kit.masterKey, {
      personId: await kit.person(),
      phone,
      templateId: 'citizen.sign_in_code',
      parameters: { code, validMinutes: '10' },
      queuedAt: new Date(at),
    });

  it('seals the code of every template that has one; the phone gets it, then it is gone', async () => {
    const secretTemplates = [...templates.values()].filter(
      (template) => secretVariables(template).length > 0,
    );
    expect(secretTemplates.map((template) => template.id).sort()).toEqual([
      'citizen.sign_in_code',
      'distribution.redemption_code',
      'payments.payee_after_phone_change',
      'payments.payee_changed_held',
      'payments.payee_code',
      'payments.payment_code',
      'payments.pin_code',
    ]);
    const queued = new Map<string, string>();
    for (const [index, template] of secretTemplates.entries()) {
      const code = freshCode();
      const parameters = Object.fromEntries(
        Object.entries(template.variables).map(([name, kind]) => [
          name,
          kind === 'code' ? code : variableKinds[kind].longest,
        ]),
      );
      const id = await enqueueText(kit.database.db, kit.masterKey, {
        personId: await kit.person(),
        phone: `+58412140000${index}`,
        templateId: template.id,
        parameters,
        queuedAt: new Date(day),
      });
      queued.set(id, code);
      const row = await asApp(id);
      expect(JSON.stringify(row), template.id).not.toContain(code);
      for (const name of secretVariables(template)) expect(row.parameters).not.toHaveProperty(name);
      expect(row.secret_parameters_sealed).not.toBeNull();
      // The test kit reads it as the phone will show it, and changes nothing.
      expect(
        await receivedCode({ db: kit.database.db, masterKey: kit.masterKey }, { messageId: id }),
      ).toBe(code);
      expect((await asApp(id)).status).toBe('queued');
    }

    const { provider, worker: sender } = worker(day + 1000);
    expect(await sender.drain()).toBe(secretTemplates.length);
    for (const [id, code] of queued) {
      expect(provider.sent.find((message) => message.id === id)?.text).toContain(code);
      const sent = await kit.database.asAdmin((admin) =>
        admin
          .selectFrom('notification_outbox')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirstOrThrow(),
      );
      expect(sent).toMatchObject({ status: 'sent', secret_parameters_sealed: null });
      expect(JSON.stringify(sent)).not.toContain(code);
    }
  });

  it('keeps the sealed code across a retry, and clears it when the message expires, fails or is cancelled', async () => {
    // Down once: back in the queue with its code; then accepted.
    let down = true;
    const flaky = recordingProvider(() =>
      down ? { kind: 'unavailable', reason: 'down' } : { kind: 'accepted', partIds: ['s-1'] },
    );
    const retried = await signInCode(freshCode(), '+584121300002');
    await worker(day + 1000, flaky).worker.runOnce();
    expect(await asApp(retried)).toMatchObject({ status: 'queued' });
    expect((await asApp(retried)).secret_parameters_sealed).not.toBeNull();
    down = false;
    await worker(day + 120_000, flaky).worker.drain();
    expect(await asApp(retried)).toMatchObject({ status: 'sent', secret_parameters_sealed: null });

    // Refused by the provider: failed, code gone.
    const refused = await signInCode(freshCode(), '+584121300003');
    await worker(
      day + 1000,
      recordingProvider(() => ({ kind: 'refused', reason: 'no' })),
    ).worker.drain();
    expect(await asApp(refused)).toMatchObject({
      status: 'failed',
      failure_reason: 'provider_refused',
      secret_parameters_sealed: null,
    });

    // Never sent within its ten minutes: expired, code gone.
    const expired = await signInCode(freshCode(), '+584121300004');
    await worker(day + 11 * 60_000).worker.drain();
    expect(await asApp(expired)).toMatchObject({
      status: 'expired',
      secret_parameters_sealed: null,
    });

    // Cancelled as an erasure cancels it (erase_person_records: recipient blanked, cancelled_at
    // set, the trigger moves it to cancelled): code gone.
    const cancelled = await signInCode(freshCode(), '+584121300005');
    await kit.database.asAdmin((admin) =>
      admin
        .updateTable('notification_outbox')
        .set({ cancelled_at: new Date(day), recipient_sealed: null })
        .where('id', '=', cancelled)
        .execute(),
    );
    expect(await asApp(cancelled)).toMatchObject({
      status: 'cancelled',
      secret_parameters_sealed: null,
    });

    // A phone that is not E.164 can never be texted: its code is not kept at all.
    const invalid = await signInCode(freshCode(), '04121300006');
    expect(await asApp(invalid)).toMatchObject({
      status: 'failed',
      failure_reason: 'not_e164',
      parameters: { validMinutes: '10' },
      secret_parameters_sealed: null,
    });
  });

  it('leaves the application role no way to write a sealed code, and the database none to keep one on an ended message', async () => {
    const id = await signInCode(freshCode(), '+584121300007');
    await expect(
      sql`update notification_outbox set secret_parameters_sealed = '\\x00'::bytea where id = ${id}`.execute(
        kit.database.db,
      ),
    ).rejects.toThrow(/permission denied/);
    // Even the owner cannot leave one on a message that ended.
    await expect(
      kit.database.asAdmin((admin) =>
        sql`insert into notification_outbox (id, channel, recipient_sealed, template_id, parameters,
              created_at, status, secret_parameters_sealed)
            values (gen_random_uuid(), 'sms', '\\x00', 'citizen.sign_in_code',
              '{"validMinutes":"10"}', now(), 'sent', '\\x00')`.execute(admin),
      ),
    ).rejects.toThrow(/notification_outbox_secret_live_check/);
  });

  it('opens a sealed code only in its own row: one moved to another message fails it, nothing sent', async () => {
    const donor = await signInCode(freshCode(), '+584121300008');
    const target = await signInCode(freshCode(), '+584121300009');
    await kit.database.asAdmin((admin) =>
      sql`update notification_outbox set secret_parameters_sealed =
            (select secret_parameters_sealed from notification_outbox where id = ${donor})
          where id = ${target}`.execute(admin),
    );
    const moved = await asApp(target);
    expect(
      openedParameters(kit.masterKey, {
        id: moved.id,
        parameters: moved.parameters,
        secretParametersSealed: moved.secret_parameters_sealed,
      }),
    ).toBeNull();
    const { provider, worker: sender } = worker(day + 1000);
    await sender.drain();
    expect(provider.sent.map((message) => message.id)).not.toContain(target);
    expect(await asApp(target)).toMatchObject({
      status: 'failed',
      failure_reason: 'parameters_unreadable',
      secret_parameters_sealed: null,
    });
  });

  it('refuses to keep a notice with a code for later (it would wait in clear)', async () => {
    const person = await kit.person();
    const notifier = personNotifier({
      masterKey: kit.masterKey,
      contacts: { contactsIn: async () => new Map() },
    });
    await expect(
      kit.database.db.transaction().execute((trx) =>
        notifier.notifyLater(trx, person, {
          event: 'payment_pin_code',
          code: freshCode(),
          validMinutes: '15',
        }),
      ),
    ).rejects.toThrow(TemplateError);
    expect(() =>
      notifier.notifyLaterStatement(person, {
        event: 'payee_account_held',
        ending: '1234',
        date: '2030-01-15',
        until: '2030-01-16',
        code: freshCode(),
      }),
    ).toThrow(/one-time code/);
    const kept = await kit.database.db
      .selectFrom('notification_deferred')
      .select('id')
      .where('person_id', '=', person)
      .execute();
    expect(kept).toEqual([]);
  });
});
