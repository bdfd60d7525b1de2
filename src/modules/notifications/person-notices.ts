import { randomUUID } from 'node:crypto';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { limits } from '../../limits.js';
import type { Database } from '../../platform/db/schema.js';
import { enqueueTexts } from './outbox-enqueuer.js';
import { checkParameters, secretVariables, TemplateError, templateFor } from './templates.js';

/**
 * What happened to a person that they are told by text (issue 14, point 6). Each notice
 * carries only the template's typed values — never a person's attribute — and names its
 * template through `noticeText` below, so a caller cannot pick words, only an event.
 *
 * Dates are calendar dates `YYYY-MM-DD`; places and program names at most 40 letters,
 * digits and `.,'()-`; an amount `1234.50 VES`; an appeal reference `A-1234` (upper case,
 * digits, hyphens, at most 16). A value that does not fit throws a `TemplateError` (a bug in
 * the caller), which rolls back the caller's transaction.
 */
export type PersonNotice =
  /** Enrolment done (registry; published as `personEnrolled`, subscribed in `src/app.ts`). */
  | { event: 'enrolled' }
  /** A card was issued. Without a place the text says "at the office where you registered". */
  | { event: 'card_ready'; place?: string }
  /**
   * A cycle's entitlement is published for the person. `namedProgram` (its name in each
   * language; each person gets theirs) only when the program version opted into being named in
   * texts: without it the text says "something to collect", never the benefit (a stranger
   * holding the phone learns nothing more). Without a place (no open point near the person)
   * the text sends them to the office where they registered, and names nothing either.
   */
  | {
      event: 'entitlement_published';
      place?: string;
      from: string;
      namedProgram?: { es: string; en: string };
    }
  /** An appeal was decided; the text gives the reference, never the decision. */
  | { event: 'appeal_decided'; reference: string }
  /**
   * The one-time code of a redemption without the card (distribution, issue #15 point 4): the
   * person in front of the operator asked for it, so it is sent despite an opt-out or quiet
   * hours. It names no benefit and no place.
   */
  | { event: 'redemption_code'; code: string; validMinutes: string }
  /**
   * A collection (redemption) was recorded; "if it was not you, tell the office". The
   * reference is the signed receipt's (`receiptReference`); the items taken are never said.
   */
  | { event: 'redemption_receipt'; place: string; date: string; reference: string }
  /** A payment was received. */
  | { event: 'payment_received'; amount: string; date: string }
  /**
   * The one-time code of a payment at a merchant's counter without the card (payments, issue
   * #16 point 5): asked for by the person paying, so sent despite an opt-out or quiet hours. It
   * says the amount being paid, so a code asked for by someone else is recognised; never where.
   */
  | { event: 'payment_code'; code: string; amount: string; validMinutes: string }
  /**
   * The one-time code staff need to set the person's payment PIN at the counter (payments,
   * docs/PAYMENTS-PIN.md): asked for by the person there, so sent despite an opt-out or quiet
   * hours; "do not give it unless you are changing your PIN".
   */
  | { event: 'payment_pin_code'; code: string; validMinutes: string }
  /** The payment PIN was set or changed; "if it was not you, tell the office". */
  | { event: 'payment_pin_changed'; date: string }
  /**
   * The payment PIN was set or changed and is held: it pays nothing before `until` (a local
   * `YYYY-MM-DD HH:MM`); "if it was not you, tell the office before then" (docs/PAYMENTS-PIN.md).
   */
  | { event: 'payment_pin_held'; date: string; until: string }
  /**
   * To a phone the person had on file until a recent change (`notifyFormerPhones`): the phone on
   * the record was changed and a new PIN set, held until `until`; "if it was not you, tell an
   * office before then".
   */
  | { event: 'payment_pin_after_phone_change'; date: string; until: string }
  /** The payment PIN locked after too many wrong tries; "if it was not you, tell the office". */
  | { event: 'payment_pin_locked'; date: string }
  /** A payment left the wallet (app or counter); "if it was not you, tell the office". */
  | { event: 'wallet_paid'; amount: string; date: string }
  /**
   * The one-time code staff need to set the person's payee account for bank payouts (payments,
   * payouts/README.md): asked for by the person there, so sent despite an opt-out or quiet hours.
   */
  | { event: 'payee_account_code'; code: string; validMinutes: string }
  /**
   * The payee account was set or changed (its last four digits only); "if it was not you,
   * tell the office".
   */
  | { event: 'payee_account_changed'; ending: string; date: string }
  /**
   * A change set without the texted code, held until `until`: the same words plus the stop code
   * with which the person stops it (payouts/README.md, "The person stops a held change").
   */
  | { event: 'payee_account_held'; ending: string; date: string; until: string; code: string }
  /**
   * To a phone the person had on file until a recent change (`notifyFormerPhones`): the phone on
   * the record was changed and then the account their payments go to, held until `until` (a local
   * `YYYY-MM-DD HH:MM`), with the stop code (payouts/README.md, "A payee account after a change of
   * phone").
   */
  | {
      event: 'payee_account_after_phone_change';
      ending: string;
      date: string;
      until: string;
      code: string;
    }
  /**
   * A supervisor put a hold on one of the person's entitlements (docs/DISTRIBUTION.md, "Holds"):
   * nothing of it is handed over before the hold is lifted or `until` (a local date), when it
   * ends by itself; the text names neither the benefit nor the reason (the person sees the
   * reason in their account or at the office), and says it can be appealed.
   */
  | { event: 'entitlement_held'; date: string; until: string }
  /** The hold was lifted: what remained can be collected again. */
  | { event: 'entitlement_hold_lifted'; date: string }
  /**
   * The hold lapsed by itself on `date` (its longest length), nobody having lifted it: told by
   * distribution's lapse sweep, once per hold. Like the hold's other texts it names neither the
   * benefit nor the reason.
   */
  | { event: 'entitlement_hold_lapsed'; date: string }
  /**
   * A program officer rejected the person's objection to a hold: it stays until it is lifted or
   * `until`, when it lapses; the reason is in the person's account (an upheld objection lifts
   * the hold, and the person is texted the lift).
   */
  | { event: 'hold_objection_rejected'; date: string; until: string };

export type PersonNoticeEvent = PersonNotice['event'];

/**
 * The template and its parameters for a notice (templates.ts holds the words), for a person
 * who reads `language` (only a program's name differs by language).
 */
export function noticeText(
  notice: PersonNotice,
  language: 'es' | 'en' = 'es',
): {
  templateId: string;
  parameters: Record<string, string>;
} {
  switch (notice.event) {
    case 'enrolled':
      return { templateId: 'registry.enrolled', parameters: {} };
    case 'card_ready':
      return notice.place === undefined
        ? { templateId: 'credentials.card_ready_office', parameters: {} }
        : { templateId: 'credentials.card_ready', parameters: { place: notice.place } };
    case 'entitlement_published':
      if (notice.place === undefined) {
        return {
          templateId: 'programs.entitlement_published_office',
          parameters: { date: notice.from },
        };
      }
      return notice.namedProgram === undefined
        ? {
            templateId: 'programs.entitlement_published',
            parameters: { place: notice.place, date: notice.from },
          }
        : {
            templateId: 'programs.entitlement_published_named',
            parameters: {
              program: notice.namedProgram[language],
              place: notice.place,
              date: notice.from,
            },
          };
    case 'appeal_decided':
      return { templateId: 'programs.appeal_decided', parameters: { reference: notice.reference } };
    case 'redemption_code':
      return {
        templateId: 'distribution.redemption_code',
        parameters: { code: notice.code, validMinutes: notice.validMinutes },
      };
    case 'redemption_receipt':
      return {
        templateId: 'distribution.redemption_receipt',
        parameters: { place: notice.place, date: notice.date, reference: notice.reference },
      };
    case 'payment_received':
      return {
        templateId: 'ledger.payment_received',
        parameters: { amount: notice.amount, date: notice.date },
      };
    case 'payment_code':
      return {
        templateId: 'payments.payment_code',
        parameters: { code: notice.code, amount: notice.amount, validMinutes: notice.validMinutes },
      };
    case 'payment_pin_code':
      return {
        templateId: 'payments.pin_code',
        parameters: { code: notice.code, validMinutes: notice.validMinutes },
      };
    case 'payment_pin_changed':
      return { templateId: 'payments.pin_changed', parameters: { date: notice.date } };
    case 'payment_pin_held':
      return {
        templateId: 'payments.pin_changed_held',
        parameters: { date: notice.date, until: notice.until },
      };
    case 'payment_pin_after_phone_change':
      return {
        templateId: 'payments.pin_after_phone_change',
        parameters: { date: notice.date, until: notice.until },
      };
    case 'payment_pin_locked':
      return { templateId: 'payments.pin_locked', parameters: { date: notice.date } };
    case 'wallet_paid':
      return {
        templateId: 'payments.wallet_paid',
        parameters: { amount: notice.amount, date: notice.date },
      };
    case 'payee_account_code':
      return {
        templateId: 'payments.payee_code',
        parameters: { code: notice.code, validMinutes: notice.validMinutes },
      };
    case 'payee_account_changed':
      return {
        templateId: 'payments.payee_changed',
        parameters: { ending: notice.ending, date: notice.date },
      };
    case 'payee_account_held':
      return {
        templateId: 'payments.payee_changed_held',
        parameters: {
          ending: notice.ending,
          date: notice.date,
          until: notice.until,
          code: notice.code,
        },
      };
    case 'payee_account_after_phone_change':
      return {
        templateId: 'payments.payee_after_phone_change',
        parameters: {
          ending: notice.ending,
          date: notice.date,
          until: notice.until,
          code: notice.code,
        },
      };
    case 'entitlement_held':
      return {
        templateId: 'distribution.entitlement_held',
        parameters: { date: notice.date, until: notice.until },
      };
    case 'entitlement_hold_lifted':
      return {
        templateId: 'distribution.entitlement_hold_lifted',
        parameters: { date: notice.date },
      };
    case 'entitlement_hold_lapsed':
      return {
        templateId: 'distribution.entitlement_hold_lapsed',
        parameters: { date: notice.date },
      };
    case 'hold_objection_rejected':
      return {
        templateId: 'distribution.hold_objection_rejected',
        parameters: { date: notice.date, until: notice.until },
      };
  }
}

/** The template and values of a notice in both languages, each checked against its template. */
function checkedWords(notice: PersonNotice): Record<'es' | 'en', ReturnType<typeof noticeText>> {
  const words = { es: noticeText(notice, 'es'), en: noticeText(notice, 'en') };
  for (const { templateId, parameters } of Object.values(words)) {
    checkParameters(templateFor(templateId), parameters);
  }
  return words;
}

/**
 * A kept notice (`notifyLater`) waits in `notification_deferred` as it is, in clear: one that
 * carries a secret (a one-time code) is refused, so a code never waits there. A code is asked
 * for by the person waiting for it, so `notify` queues it at once, sealed.
 */
function refuseSecrets(words: ReturnType<typeof checkedWords>): void {
  for (const { templateId } of Object.values(words)) {
    if (secretVariables(templateFor(templateId)).length > 0) {
      throw new TemplateError(
        'secret_kept',
        `${templateId} carries a one-time code: queue it with notify, never keep it with notifyLater`,
      );
    }
  }
}

/** Where a text to a person goes and in which language; the registry answers it. */
export interface TextContact {
  phone: string;
  /** ISO 639 code of the preferred language, or null when none is recorded. */
  language: string | null;
  /** The person's state (ISO 3166-2:VE), kept with the message to scope the dashboard. */
  regionCode?: string | null;
}

/**
 * The port through which notifications learns a person's phone and language. Notifications
 * sits below the registry, which owns persons: `src/app.ts` passes the registry's
 * `textContacts`. It reads with the caller's transaction (a person enrolled in it is seen,
 * and PGlite's one connection is not asked twice) and answers null for a person who is not
 * active, has no phone, or was erased.
 */
export interface TextContacts {
  contactsIn(
    trx: Kysely<Database>,
    personIds: readonly string[],
  ): Promise<Map<string, TextContact>>;
  /**
   * The phones an active person had on file within the last `windowMs` and no longer has,
   * oldest first (the registry's `textContacts` reads them from the record's versions and audits
   * the read); none when absent.
   */
  formerContactsIn?(
    trx: Kysely<Database>,
    personId: string,
    windowMs: number,
  ): Promise<TextContact[]>;
}

/**
 * The one way a module tells a person something by text: `notify(trx, personId, notice)`
 * inside the transaction of the change that causes it (transactional outbox), so the message
 * is queued if and only if the change commits. Resolves to the message id, or null when the
 * person has no phone to text (nothing is queued; nothing fails). `notifyAll` tells many
 * persons the same thing (a cycle's entitlements), reading phones and queueing in batches of
 * `limits.notifications.noticeBatchMax`; it resolves to the number queued.
 */
export interface PersonNotifier {
  notify(trx: Kysely<Database>, personId: string, notice: PersonNotice): Promise<string | null>;
  notifyAll(
    trx: Kysely<Database>,
    personIds: readonly string[],
    notice: PersonNotice,
  ): Promise<number>;
  /**
   * `notify` without reading the person's phone now, for a hot path (a redemption): the notice
   * is kept in the caller's transaction (`notification_deferred`, its words checked as
   * `notify` checks them) and the outbox worker reads the phone and language of a batch of
   * such notices at once when it next passes (`resolveDeferredNotices`). A person without a
   * phone, no longer active, or erased by then is sent nothing, as `notify` would have queued
   * nothing. A notice carrying a one-time code is refused (`TemplateError` `secret_kept`): it
   * would wait there in clear.
   */
  notifyLater(trx: Kysely<Database>, personId: string, notice: PersonNotice): Promise<void>;
  /**
   * `notifyLater` as a statement the caller runs in its transaction, alone or as a
   * data-modifying CTE of its own write (one round trip less on a hot path). The words are
   * checked now; a wrong value throws here.
   */
  notifyLaterStatement(personId: string, notice: PersonNotice): RawBuilder<unknown>;
  /**
   * A notice of its own to each person (a receipt each, say), the phones read per chunk as
   * `notifyAll` reads them: what a batch of offline redemptions synced at once queues.
   */
  notifyEach?(
    trx: Kysely<Database>,
    notices: readonly { personId: string; notice: PersonNotice }[],
  ): Promise<number>;
  /**
   * `notify` to the phones the person had on file within the last `windowMs` and no longer has
   * (a change of phone told to the phone it replaced: docs/PAYMENTS-PIN.md), not to the phone on
   * file now; resolves to the number queued (none when the phone did not change).
   */
  notifyFormerPhones?(
    trx: Kysely<Database>,
    personId: string,
    windowMs: number,
    notice: PersonNotice,
  ): Promise<number>;
}

/**
 * The notifier `src/app.ts` (and a CLI command that writes, like `amparo cards issue`) builds
 * once and hands to the modules that cause events.
 *
 * @example
 *   const notifier = personNotifier({ masterKey, contacts: textContacts(masterKey) });
 *   await db.transaction().execute(async (trx) => {
 *     // … issue the card …
 *     await notifier.notify(trx, personId, { event: 'card_ready' });
 *   });
 */
export function personNotifier(deps: {
  masterKey: Buffer;
  contacts: TextContacts;
  /** The clock messages are queued by; the system clock when absent. */
  now?: () => Date;
}): PersonNotifier {
  const queue = async (
    trx: Kysely<Database>,
    personIds: readonly string[],
    notice: PersonNotice | readonly PersonNotice[],
  ): Promise<string[]> => {
    // The words are checked first, in both languages: a wrong value is refused even when no
    // one has a phone. One notice for everyone, or one per person (`notifyEach`).
    const texts = (Array.isArray(notice) ? notice : [notice]).map(checkedWords);
    const queuedAt = deps.now?.() ?? new Date();
    const ids: string[] = [];
    const batch = limits.notifications.noticeBatchMax;
    for (let start = 0; start < personIds.length; start += batch) {
      const chunk = personIds.slice(start, start + batch);
      const contacts = await deps.contacts.contactsIn(trx, chunk);
      const messages = chunk.flatMap((personId, index) => {
        const contact = contacts.get(personId);
        const words = (
          texts.length === 1 ? texts[0] : texts[start + index]
        ) as (typeof texts)[number];
        if (contact === undefined) return [];
        const { templateId, parameters } = words[contact.language === 'en' ? 'en' : 'es'];
        return [
          {
            personId,
            phone: contact.phone,
            language: contact.language,
            regionCode: contact.regionCode ?? null,
            templateId,
            parameters,
            queuedAt,
          },
        ];
      });
      ids.push(...(await enqueueTexts(trx, deps.masterKey, messages)));
    }
    return ids;
  };
  const keptStatement = (personId: string, notice: PersonNotice): RawBuilder<unknown> => {
    refuseSecrets(checkedWords(notice));
    const keptAt = deps.now?.() ?? new Date();
    return sql`insert into notification_deferred (id, person_id, notice, created_at)
      values (${randomUUID()}::uuid, ${personId}::uuid, ${JSON.stringify(notice)}::jsonb, ${keptAt})`;
  };
  return {
    async notify(trx, personId, notice) {
      const [id] = await queue(trx, [personId], notice);
      return id ?? null;
    },
    async notifyAll(trx, personIds, notice) {
      return (await queue(trx, personIds, notice)).length;
    },
    async notifyLater(trx, personId, notice) {
      await keptStatement(personId, notice).execute(trx);
    },
    notifyLaterStatement: (personId, notice) => keptStatement(personId, notice),
    async notifyFormerPhones(trx, personId, windowMs, notice) {
      const words = checkedWords(notice);
      const former = (await deps.contacts.formerContactsIn?.(trx, personId, windowMs)) ?? [];
      const queuedAt = deps.now?.() ?? new Date();
      const messages = former.map((contact) => ({
        personId,
        phone: contact.phone,
        language: contact.language,
        regionCode: contact.regionCode ?? null,
        ...words[contact.language === 'en' ? 'en' : 'es'],
        queuedAt,
      }));
      return (await enqueueTexts(trx, deps.masterKey, messages)).length;
    },
    async notifyEach(trx, notices) {
      if (notices.length === 0) return 0;
      const personIds = notices.map((each) => each.personId);
      return (
        await queue(
          trx,
          personIds,
          notices.map((each) => each.notice),
        )
      ).length;
    },
  };
}
