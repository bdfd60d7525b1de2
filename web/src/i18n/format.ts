import { useTranslation } from 'react-i18next';

/**
 * Dates, times and numbers in the reader's language through Intl, so that `es` shows
 * "23 nov 2026, 04:11" and `en` shows "Nov 23, 2026, 4:11 AM".
 *
 * @example
 *   const format = useFormat();
 *   format.dateTime('2026-11-23T04:11:31Z');
 */
export interface Formatters {
  dateTime(value: string | number | Date): string;
  date(value: string | number | Date): string;
  number(value: number, fractionDigits?: number): string;
}

const locales = { es: 'es-VE', en: 'en-GB' } as const;

export function formattersFor(language: string): Formatters {
  const locale = language === 'en' ? locales.en : locales.es;
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' });
  return {
    dateTime: (value) => safe(() => dateTime.format(new Date(value)), value),
    // Birth dates are calendar dates, not instants: formatted in UTC so they never shift a day.
    date: (value) => formatCalendarDate(value, date),
    number: (value, fractionDigits = 0) =>
      new Intl.NumberFormat(locale, {
        minimumFractionDigits: fractionDigits,
        maximumFractionDigits: fractionDigits,
      }).format(value),
  };
}

function formatCalendarDate(value: string | number | Date, format: Intl.DateTimeFormat): string {
  // A birth date may be a bare year when only the year is known.
  if (typeof value === 'string' && /^\d{4}$/.test(value)) return value;
  return safe(() => format.format(new Date(value)), value);
}

function safe(work: () => string, value: unknown): string {
  try {
    return work();
  } catch {
    return String(value);
  }
}

export function useFormat(): Formatters {
  const { i18n } = useTranslation();
  return formattersFor(i18n.language);
}
