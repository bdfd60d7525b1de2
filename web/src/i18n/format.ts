import { useTranslation } from 'react-i18next';

/**
 * Dates, times, numbers and country and language names in the reader's language through Intl,
 * so that `es` shows "23 nov. 2026, 17:32" and `en` "23 Nov 2026, 17:32". Times use the 24-hour
 * clock in both: a 12-hour Spanish time ends in "p. m.", and a sentence ending in a time would
 * then end in two periods.
 *
 * @example
 *   const format = useFormat();
 *   format.dateTime('2026-11-23T04:11:31Z');
 */
export interface Formatters {
  dateTime(value: string | number | Date): string;
  date(value: string | number | Date): string;
  /** The local day of an instant, in words ("jueves, 3 de diciembre de 2026"). */
  day(value: string | number | Date): string;
  /** The local day of an instant as YYYY-MM-DD, to group instants by day. */
  dayKey(value: string | number | Date): string;
  /** The local time of an instant, 24-hour clock ("17:32"). */
  time(value: string | number | Date): string;
  number(value: number, fractionDigits?: number): string;
  /** A country's name from its ISO 3166-1 alpha-2 code ("VE" → "Venezuela"). */
  country(code: string): string;
  /** A language's name from its ISO 639 code ("es" → "español"); unknown codes as they are. */
  language(code: string): string;
}

const locales = { es: 'es-VE', en: 'en-GB' } as const;

export function formattersFor(language: string): Formatters {
  const locale = language === 'en' ? locales.en : locales.es;
  const dateTime = new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    hourCycle: 'h23',
  });
  const day = new Intl.DateTimeFormat(locale, { dateStyle: 'full' });
  const time = new Intl.DateTimeFormat(locale, { timeStyle: 'short', hourCycle: 'h23' });
  const countries = new Intl.DisplayNames(locale, { type: 'region', fallback: 'code' });
  const languageNames = new Intl.DisplayNames(locale, { type: 'language', fallback: 'code' });
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' });
  return {
    dateTime: (value) => safe(() => dateTime.format(new Date(value)), value),
    // Birth dates are calendar dates, not instants: formatted in UTC so they never shift a day.
    date: (value) => formatCalendarDate(value, date),
    day: (value) => safe(() => day.format(new Date(value)), value),
    dayKey: (value) => safe(() => localDayKey(new Date(value)), value),
    time: (value) => safe(() => time.format(new Date(value)), value),
    number: (value, fractionDigits = 0) =>
      new Intl.NumberFormat(locale, {
        minimumFractionDigits: fractionDigits,
        maximumFractionDigits: fractionDigits,
      }).format(value),
    country: (code) => safe(() => countries.of(code) ?? code, code),
    language: (code) => safe(() => languageNames.of(code) ?? code, code),
  };
}

function localDayKey(instant: Date): string {
  if (Number.isNaN(instant.getTime())) throw new RangeError('invalid date');
  const month = String(instant.getMonth() + 1).padStart(2, '0');
  const date = String(instant.getDate()).padStart(2, '0');
  return `${instant.getFullYear()}-${month}-${date}`;
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
