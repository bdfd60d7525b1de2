import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPerson } from '../../../test/factories.js';
import { open } from '../../platform/crypto/envelope.js';
import type { AuditEntryInput } from '../../shared/audit/audit-entry.js';
import { type AccessTestApp, buildAccessTestApp } from '../access/access-test-kit.js';
import { AuditLog } from '../audit/index.js';
import {
  signedInOperator as cardOperator,
  createCardPerson,
} from '../credentials/credentials-test-kit.js';
import { textContacts } from '../registry/index.js';
import {
  call,
  enrolBody,
  personAttributes,
  type SignedIn,
  signedInOperator,
} from '../registry/persons/person-test-kit.js';
import { forgetResolvedNotices, resolveDeferredNotices } from './deferred-notices.js';
import { noticeText, type PersonNotice, personNotifier } from './person-notices.js';
import { renderText, TemplateError, templates } from './templates.js';

const enrolUrl = '/api/persons?purpose=enrolment';

/** One example of every event, with values of the kinds its template declares. */
const everyNotice: PersonNotice[] = [
  { event: 'enrolled' },
  { event: 'card_ready' },
  { event: 'card_ready', place: 'Oficina Catia' },
  { event: 'entitlement_published', place: 'Escuela Bolívar', from: '2026-12-10' },
  { event: 'entitlement_published', from: '2026-12-10' },
  {
    event: 'entitlement_published',
    place: 'Escuela Bolívar',
    from: '2026-12-10',
    namedProgram: { es: 'Programa Invierno', en: 'Winter Programme' },
  },
  { event: 'appeal_decided', reference: 'A-2026-0042' },
  { event: 'redemption_code', code: '042917', validMinutes: '5' },
  {
    event: 'redemption_receipt',
    place: 'Escuela Bolívar',
    date: '2026-12-11',
    reference: 'R-1A2B3C4D',
  },
  { event: 'payment_received', amount: '1500.00 VES', date: '2026-12-12' },
  { event: 'payment_code', code: '042917', amount: '20.00 VES', validMinutes: '5' },
  { event: 'payment_pin_code', code: '042917', validMinutes: '15' },
  { event: 'payment_pin_changed', date: '2026-12-12' },
  { event: 'payment_pin_held', date: '2026-12-12', until: '2026-12-13 09:30' },
  { event: 'payment_pin_after_phone_change', date: '2026-12-12', until: '2026-12-13 09:30' },
  { event: 'payment_pin_locked', date: '2026-12-12' },
  { event: 'wallet_paid', amount: '15.00 VES', date: '2026-12-12' },
  { event: 'payee_account_code', code: '042917', validMinutes: '15' },
  { event: 'payee_account_changed', ending: '0077', date: '2026-12-12' },
  {
    event: 'payee_account_held',
    ending: '0077',
    date: '2026-12-12',
    until: '2026-12-13',
    code: '042917',
  },
  {
    event: 'payee_account_after_phone_change',
    ending: '0077',
    date: '2026-12-12',
    until: '2026-12-13 09:30',
    code: '042917',
  },
  { event: 'entitlement_held', date: '2026-12-12', until: '2026-12-26' },
  { event: 'entitlement_hold_lifted', date: '2026-12-14' },
  { event: 'entitlement_hold_lapsed', date: '2026-12-20' },
  { event: 'hold_objection_rejected', date: '2026-12-15', until: '2026-12-26' },
];

/**
 * Events enqueue inside the transaction of the change that causes them (issue 14, point 6):
 * every event has words in es and en, an enrolment and a card issue queue their text in their
 * own commit, a write that rolls back queues nothing, and a person without a phone is skipped.
 */
describe('person notices (transactional outbox)', () => {
  it('gives every event a template in es and en, named only when the program opted in', () => {
    const used = new Set<string>();
    for (const notice of everyNotice) {
      for (const language of ['es', 'en'] as const) {
        const { templateId, parameters } = noticeText(notice, language);
        used.add(templateId);
        const text = renderText(templateId, language, parameters);
        expect(text.startsWith('Amparo')).toBe(true);
        for (const value of Object.values(parameters)) expect(text).toContain(value);
        const named = templates.get(templateId)?.variables.program !== undefined;
        expect(named, templateId).toBe('namedProgram' in notice);
      }
    }
    // Every event template is reachable; only the sign-in code is queued another way.
    const unreachable = [...templates.keys()].filter((id) => !used.has(id));
    expect(unreachable).toEqual(['citizen.sign_in_code']);
  });

  it('refuses a value that does not fit its kind (a person attribute cannot pass as a place)', () => {
    expect(() =>
      renderText(
        noticeText({ event: 'appeal_decided', reference: 'V-12.345.678 Pérez' }).templateId,
        'es',
        noticeText({ event: 'appeal_decided', reference: 'V-12.345.678 Pérez' }).parameters,
      ),
    ).toThrow(TemplateError);
    const payment = noticeText({ event: 'payment_received', amount: '1500', date: '12/12/2026' });
    expect(() => renderText(payment.templateId, 'en', payment.parameters)).toThrow(/not a amount/);
  });

  describe('wired: enrolment and card issue', () => {
    let kit: AccessTestApp;
    let clerk: SignedIn;
    let failEnrolment = false;

    beforeAll(async () => {
      kit = await buildAccessTestApp({
        // Runs after the modules' own subscribers: a throw here rolls the enrolment back.
        registrySubscribers: (events) =>
          events.on('personEnrolled', async () => {
            if (failEnrolment) throw new Error('a later subscriber failed');
          }),
      });
      clerk = await signedInOperator(kit, 'clerk.notices', ['enrolment_clerk'], ['VE-A']);
      auditLog = await AuditLog.open({ db: kit.database.db, keys: kit.keys });
    });
    afterAll(async () => {
      await auditLog?.close();
      await kit?.close();
    });

    let auditLog: AuditLog;
    /** The phone reads' audit entries, as written: one array per statement. */
    const contactReads: (readonly AuditEntryInput[])[] = [];
    const auditedContacts = () =>
      textContacts(kit.masterKey, {
        appendInTransaction: (trx, entries) => {
          contactReads.push(entries);
          return auditLog.appendInTransaction(trx, entries);
        },
      });
    /** The person's access history: what the phone reads left in it. */
    const contactReadsIn = async (personId: string) =>
      (await auditLog.proofs.entriesForPerson(personId)).entries.filter(
        (entry) => entry.action === 'person.contact_read',
      );

    const outboxOf = (personId: string) =>
      kit.database.db
        .selectFrom('notification_outbox')
        .select(['id', 'template_id', 'parameters', 'language', 'status', 'recipient_sealed'])
        .where('person_id', '=', personId)
        .orderBy('created_at')
        .execute();

    it('queues the enrolment text in the person’s language, in the enrolment’s commit', async () => {
      const phone = '+584125550101';
      const spanish = await call(
        kit,
        clerk,
        'POST',
        enrolUrl,
        enrolBody(personAttributes({ phone, given_names: 'Aurora', birth_date: '1990-01-02' })),
      );
      expect(spanish.statusCode).toBe(201);
      const [queued, ...more] = await outboxOf(spanish.json().personId);
      expect(more).toEqual([]);
      expect(queued).toMatchObject({
        template_id: 'registry.enrolled',
        language: 'es',
        status: 'queued',
        parameters: {},
      });
      // The phone is the enrolled one, sealed under the master key.
      const sealed = queued?.recipient_sealed ?? Buffer.alloc(0);
      const opened = open(kit.masterKey, sealed, {
        table: 'notification_outbox',
        column: 'recipient',
        recordId: queued?.id ?? '',
      });
      expect(opened.toString('utf8')).toBe(phone);

      const english = await call(
        kit,
        clerk,
        'POST',
        enrolUrl,
        enrolBody(
          personAttributes({
            phone: '+584125550102',
            preferred_language: 'en',
            given_names: 'Beatriz',
            first_surname: 'Ocampo',
            birth_date: '1971-03-04',
          }),
        ),
      );
      expect((await outboxOf(english.json().personId))[0]?.language).toBe('en');
    });

    it('queues nothing when the enrolment rolls back, or when the person has no phone', async () => {
      const before = await kit.database.db
        .selectFrom('notification_outbox')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow();
      failEnrolment = true;
      try {
        const refused = await call(
          kit,
          clerk,
          'POST',
          enrolUrl,
          enrolBody(
            personAttributes({
              phone: '+584125550103',
              given_names: 'Carmen',
              first_surname: 'Uzcátegui',
              birth_date: '1965-07-08',
            }),
          ),
        );
        expect(refused.statusCode).toBe(500);
      } finally {
        failEnrolment = false;
      }
      const { phone: _none, ...noPhone } = personAttributes({
        given_names: 'Dolores',
        first_surname: 'Zambrano',
        birth_date: '1950-09-10',
      });
      const silent = await call(kit, clerk, 'POST', enrolUrl, enrolBody(noPhone));
      expect(silent.statusCode).toBe(201);
      expect(await outboxOf(silent.json().personId)).toEqual([]);
      const after = await kit.database.db
        .selectFrom('notification_outbox')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
    });

    /**
     * The notifier and four persons: one with a phone, one who reads English, one without a
     * phone and one deceased; their phones end in `first`, `first + 1` and `first + 2`.
     */
    const fourPersons = async (first: number) => {
      const phone = (offset: number) => `+5841255501${String(first + offset).padStart(2, '0')}`;
      const withPhone = await buildPerson(kit, { phone: phone(0) });
      const english = await buildPerson(kit, {
        phone: phone(1),
        attributes: { ...personAttributes(), preferred_language: 'en' },
      });
      const noPhone = await buildPerson(kit, {});
      const dead = await buildPerson(kit, { phone: phone(2), status: 'deceased' });
      const notifier = personNotifier({ masterKey: kit.masterKey, contacts: auditedContacts() });
      const ids = [withPhone.id, english.id, noPhone.id, dead.id];
      return { notifier, withPhone, english, noPhone, dead, ids };
    };

    it('tells many persons at once: those with a phone, active, in the caller’s commit', async () => {
      const { notifier, withPhone, english, noPhone, dead, ids } = await fourPersons(5);
      const notice: PersonNotice = {
        event: 'entitlement_published',
        place: 'Escuela Bolívar',
        from: '2026-12-10',
      };
      // Rolled back with the change: nothing stays queued.
      await expect(
        kit.database.db.transaction().execute(async (trx) => {
          expect(await notifier.notifyAll(trx, ids, notice)).toBe(2);
          throw new Error('the cycle approval failed');
        }),
      ).rejects.toThrow(/cycle approval failed/);
      for (const id of ids) expect(await outboxOf(id)).toEqual([]);
      // The phone reads' audit entries rolled back with it.
      for (const id of ids) expect(await contactReadsIn(id)).toEqual([]);
      // Words that do not fit are refused before anything is read or queued.
      await expect(
        kit.database.db
          .transaction()
          .execute((trx) => notifier.notifyAll(trx, ids, { ...notice, from: 'mañana' })),
      ).rejects.toThrow(TemplateError);

      contactReads.length = 0;
      await kit.database.db.transaction().execute((trx) => notifier.notifyAll(trx, ids, notice));
      // Every phone read is audited (system actor, purpose notification), in the person's
      // history; the batch's entries are one statement; no entry for whom no phone was read.
      expect(
        contactReads.map((entries) => entries.map((entry) => entry.resource.id).sort()),
      ).toEqual([[withPhone.id, english.id].sort()]);
      for (const person of [withPhone, english])
        expect(await contactReadsIn(person.id)).toEqual([
          expect.objectContaining({
            actorKind: 'system',
            role: 'system',
            purpose: 'notification',
            outcome: 'allowed',
          }),
        ]);
      expect(await contactReadsIn(noPhone.id)).toEqual([]);
      expect(await contactReadsIn(dead.id)).toEqual([]);
      expect((await outboxOf(withPhone.id)).map((row) => [row.template_id, row.language])).toEqual([
        ['programs.entitlement_published', 'es'],
      ]);
      expect((await outboxOf(english.id)).map((row) => row.language)).toEqual(['en']);
      expect(await outboxOf(noPhone.id)).toEqual([]);
      expect(await outboxOf(dead.id)).toEqual([]);
    });

    it('keeps a notice for later and queues it when the worker resolves the phone', async () => {
      const { notifier, withPhone, english, noPhone, dead, ids } = await fourPersons(8);
      const notice: PersonNotice = {
        event: 'redemption_receipt',
        place: 'Escuela Bolívar',
        date: '2026-12-11',
        reference: 'R-1A2B3C4D',
      };
      const kept = (personIds: string[]) =>
        kit.database.db
          .selectFrom('notification_deferred')
          .select(['id', 'person_id', 'resolved_at'])
          .where('person_id', 'in', personIds)
          .execute();
      // Words that do not fit are refused when kept, as `notify` refuses them.
      await expect(
        kit.database.db
          .transaction()
          .execute((trx) => notifier.notifyLater(trx, withPhone.id, { ...notice, date: 'hoy' })),
      ).rejects.toThrow(TemplateError);
      // Rolled back with the change: nothing kept.
      await expect(
        kit.database.db.transaction().execute(async (trx) => {
          await notifier.notifyLater(trx, withPhone.id, notice);
          throw new Error('the redemption failed');
        }),
      ).rejects.toThrow(/redemption failed/);
      expect(await kept(ids)).toEqual([]);

      await kit.database.db.transaction().execute(async (trx) => {
        for (const id of ids) await notifier.notifyLater(trx, id, notice);
      });
      // Kept, not yet queued: no phone was read.
      for (const id of ids) expect(await outboxOf(id)).toEqual([]);
      const keptBefore = await kept(ids);
      expect(keptBefore.map((row) => row.resolved_at)).toEqual(ids.map(() => null));
      const at = new Date();
      const deps = {
        db: kit.database.db,
        masterKey: kit.masterKey,
        contacts: auditedContacts(),
      };
      while ((await resolveDeferredNotices(deps, at, 100)) > 0) {
        // Earlier notices of other tests may be waiting too; each pass takes up to 100.
      }
      // Resolved, with or without a message, and then of no further use: the rows are gone.
      expect(await kept(ids)).toEqual([]);
      const [queued, ...more] = await outboxOf(withPhone.id);
      expect(more).toEqual([]);
      // The message has the notice's id, its words in the person's language, the phone sealed.
      expect(queued?.id).toBe(keptBefore.find((row) => row.person_id === withPhone.id)?.id);
      expect(queued).toMatchObject({
        template_id: 'distribution.redemption_receipt',
        language: 'es',
        status: 'queued',
        parameters: { place: 'Escuela Bolívar', date: '2026-12-11', reference: 'R-1A2B3C4D' },
      });
      const opened = open(kit.masterKey, queued?.recipient_sealed ?? Buffer.alloc(0), {
        table: 'notification_outbox',
        column: 'recipient',
        recordId: queued?.id ?? '',
      });
      expect(opened.toString('utf8')).toBe('+584125550108');
      expect((await outboxOf(english.id)).map((row) => row.language)).toEqual(['en']);
      expect(await outboxOf(noPhone.id)).toEqual([]);
      expect(await outboxOf(dead.id)).toEqual([]);
      // Resolved once: a second pass queues nothing more.
      expect(await resolveDeferredNotices(deps, at, 100)).toBe(0);
      expect(await outboxOf(withPhone.id)).toHaveLength(1);
    });

    it('removes a kept notice once resolved and never one still waiting (retention, 0102)', async () => {
      const { notifier, withPhone, noPhone } = await fourPersons(12);
      const notice: PersonNotice = {
        event: 'redemption_receipt',
        place: 'Escuela Bolívar',
        date: '2026-12-11',
        reference: 'R-5E6F7A8B',
      };
      await kit.database.db.transaction().execute(async (trx) => {
        await notifier.notifyLater(trx, withPhone.id, notice);
        await notifier.notifyLater(trx, noPhone.id, notice);
      });
      const keptOf = (personId: string) =>
        kit.database.db
          .selectFrom('notification_deferred')
          .select(['id', 'resolved_at'])
          .where('person_id', '=', personId)
          .executeTakeFirst();
      const waiting = await keptOf(withPhone.id);
      const resolved = await keptOf(noPhone.id);
      if (waiting === undefined || resolved === undefined) throw new Error('nothing was kept');
      // The application role cannot delete a kept notice itself (a personal table).
      await expect(
        kit.database.db.deleteFrom('notification_deferred').where('id', '=', waiting.id).execute(),
      ).rejects.toThrow(/permission denied/);
      await kit.database.db
        .updateTable('notification_deferred')
        .set({ resolved_at: new Date() })
        .where('id', '=', resolved.id)
        .execute();
      // The retention step removes the resolved one and leaves the one still waiting.
      expect(await forgetResolvedNotices(kit.database.db, [waiting.id, resolved.id])).toBe(1);
      expect(await keptOf(noPhone.id)).toBeUndefined();
      expect(await keptOf(withPhone.id)).toEqual({ id: waiting.id, resolved_at: null });
    });

    it('queues “card ready” with the card, once per issue', async () => {
      const person = await createCardPerson(kit.database.db, kit.masterKey, {
        phone: '+584125550104',
      });
      const cookie = await cardOperator(kit, 'clerk.cards', ['enrolment_clerk']);
      const issue = (clientId: string) =>
        kit.app.inject({
          method: 'POST',
          url: `/api/persons/${person.id}/credentials?purpose=enrolment`,
          cookies: { amparo_session: cookie },
          payload: { clientId },
        });
      const clientId = crypto.randomUUID();
      expect((await issue(clientId)).statusCode).toBe(201);
      // A retry of the same request is the same issue: no second text.
      expect((await issue(clientId)).statusCode).toBe(201);
      const queued = await outboxOf(person.id);
      expect(queued.map((row) => row.template_id)).toEqual(['credentials.card_ready_office']);
    });
  });
});
