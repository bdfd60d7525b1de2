import { type Kysely, sql } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import { enqueueTexts, type TextMessage } from './outbox-enqueuer.js';
import { noticeText, type PersonNotice, type TextContacts } from './person-notices.js';

/**
 * Queues the messages of notices kept with `notifier.notifyLater` (oldest first, at most
 * `limit`), in one transaction: the kept rows are locked (skipping those another worker
 * holds), the phones and languages of their persons read in one call of the registry's port,
 * each message queued in `notification_outbox` under its notice's id and as of the time the
 * notice was kept (so its expiry counts from then), and every notice marked resolved, with or
 * without a message, then removed (`forgetResolvedNotices`): once its message is queued, or none
 * can be, the kept row is of no further use and only names the person. Resolves to the number
 * of notices resolved. Nothing personal is logged or returned.
 *
 * @example
 *   await resolveDeferredNotices({ db, masterKey, contacts: textContacts(masterKey) }, now, 100);
 */
export async function resolveDeferredNotices(
  deps: { db: Kysely<Database>; masterKey: Buffer; contacts: TextContacts },
  at: Date,
  limit: number,
): Promise<number> {
  return deps.db.transaction().execute(async (trx) => {
    const kept = await trx
      .selectFrom('notification_deferred')
      .select(['id', 'person_id', 'notice', 'created_at'])
      .where('resolved_at', 'is', null)
      .orderBy('created_at')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    if (kept.length === 0) return 0;
    const contacts = await deps.contacts.contactsIn(trx, [
      ...new Set(kept.map((row) => row.person_id)),
    ]);
    const messages: TextMessage[] = [];
    for (const row of kept) {
      const contact = contacts.get(row.person_id);
      if (contact === undefined) continue;
      // Safe: the notice was written by `notifyLater` from a checked `PersonNotice`.
      const notice = row.notice as PersonNotice;
      const { templateId, parameters } = noticeText(
        notice,
        contact.language === 'en' ? 'en' : 'es',
      );
      messages.push({
        id: row.id,
        personId: row.person_id,
        phone: contact.phone,
        language: contact.language,
        regionCode: contact.regionCode ?? null,
        templateId,
        parameters,
        queuedAt: row.created_at,
      });
    }
    await enqueueTexts(trx, deps.masterKey, messages);
    await trx
      .updateTable('notification_deferred')
      .set({ resolved_at: at })
      .where(
        'id',
        'in',
        kept.map((row) => row.id),
      )
      .execute();
    await forgetResolvedNotices(
      trx,
      kept.map((row) => row.id),
    );
    return kept.length;
  });
}

/**
 * The retention rule of kept notices (migration 0102): the given notices go if they are
 * resolved, and only then — a notice still waiting stays whatever the caller passes. The
 * application role has no DELETE on the table (a personal one, safeguard 5); the database's
 * `notification_deferred_forget` is its only way to remove a row. Resolves to how many went.
 */
export async function forgetResolvedNotices(
  db: Kysely<Database>,
  ids: readonly string[],
): Promise<number> {
  if (ids.length === 0) return 0;
  const { rows } = await sql<{ removed: number }>`
    select notification_deferred_forget(${[...ids]}::uuid[]) as removed`.execute(db);
  return rows[0]?.removed ?? 0;
}
