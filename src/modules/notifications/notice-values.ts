import type { Kysely } from 'kysely';
import { limits } from '../../limits.js';
import type { Database } from '../../platform/db/schema.js';
import type { PersonNotifier } from './person-notices.js';

/**
 * The calendar date (`YYYY-MM-DD`) of an instant where the persons live (the quiet-hours time
 * zone, America/Caracas): a payment posted at 22:00 in Caracas is that day's, not UTC's next.
 */
export function localDate(at: Date): string {
  return localDateFormat.format(at);
}

/** Made once: building an Intl formatter costs more than formatting (one per redemption text). */
const localDateFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: limits.notifications.quietHours.timeZone,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/**
 * The instant a local day (`YYYY-MM-DD`, America/Caracas) begins: daily bounds counted by time
 * (`changed_at >= dayStart`) count the same day as those counted by `localDate`. The zone's
 * offset is read at the day's UTC midnight and read again at the first guess, so a zone whose
 * offset changed during that day still lands on its local midnight.
 *
 * @example
 *   localDayStart(new Date('2026-12-14T02:30:00Z')); // 2026-12-13T04:00:00.000Z (Caracas, UTC-4)
 */
export function localDayStart(at: Date): Date {
  const midnightUtc = Date.parse(`${localDate(at)}T00:00:00.000Z`);
  let start = midnightUtc - offsetAt(new Date(midnightUtc));
  start = midnightUtc - offsetAt(new Date(start));
  return new Date(start);
}

/** How far the local clock is ahead of UTC at an instant, in milliseconds (negative west). */
function offsetAt(at: Date): number {
  const parts = Object.fromEntries(
    localDateTimeFormat.formatToParts(at).map((part) => [part.type, part.value]),
  );
  const asUtc = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    at.getUTCSeconds(),
    at.getUTCMilliseconds(),
  );
  return asUtc - at.getTime();
}

/**
 * The local date and time to the minute (`YYYY-MM-DD HH:MM`, America/Caracas) of an instant, as a
 * text's `time`: when a held PIN starts paying.
 *
 * @example
 *   localDateTime(new Date('2026-12-13T13:30:00Z')); // '2026-12-13 09:30'
 */
export function localDateTime(at: Date): string {
  const parts = Object.fromEntries(
    localDateTimeFormat.formatToParts(at).map((part) => [part.type, part.value]),
  );
  // `hourCycle: 'h23'` writes midnight as 00, never 24.
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

const localDateTimeFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: limits.notifications.quietHours.timeZone,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/**
 * An amount in minor units as a text's `amount` (`1500.00 VES`): both ledger currencies have
 * two decimals.
 *
 * @example
 *   amountText(150_000n, 'VES'); // '1500.00 VES'
 */
export function amountText(amountMinor: bigint, currency: string): string {
  const major = amountMinor / 100n;
  const minor = (amountMinor % 100n).toString().padStart(2, '0');
  return `${major}.${minor} ${currency}`;
}

/** Money that reached a person's wallet, as the ledger's wallet-credit hook describes it. */
export interface MoneyReceived {
  /** The wallet's owner: the person id the wallet was opened for (null: not a person's). */
  ownerReferenceId: string | null;
  amountMinor: bigint;
  currency: string;
  postedAt: Date;
}

/**
 * The ledger's `onWalletCredited` hook that texts each person "you received a payment of
 * {amount} on {date}" in the batch's transaction (issue 14, point 6). The text has the amount
 * and date only: never the program, never why. Credits with the same amount and date are
 * queued together (`notifyAll`: a disbursement pays thousands the same amount).
 *
 * @example
 *   await transferCreator(db, disbursements, { onWalletCredited: paymentNotices(notifier) });
 */
export function paymentNotices(
  notifier: PersonNotifier,
): (trx: Kysely<Database>, credits: readonly MoneyReceived[]) => Promise<void> {
  return async (trx, credits) => {
    const groups = new Map<string, { amount: string; date: string; personIds: string[] }>();
    for (const credit of credits) {
      if (credit.ownerReferenceId === null) continue;
      const amount = amountText(credit.amountMinor, credit.currency);
      const date = localDate(credit.postedAt);
      const key = `${amount}|${date}`;
      const group = groups.get(key) ?? { amount, date, personIds: [] };
      group.personIds.push(credit.ownerReferenceId);
      groups.set(key, group);
    }
    for (const { amount, date, personIds } of groups.values()) {
      await notifier.notifyAll(trx, personIds, { event: 'payment_received', amount, date });
    }
  };
}
