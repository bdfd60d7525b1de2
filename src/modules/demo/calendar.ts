/**
 * Calendar arithmetic on days since 1970-01-01 (UTC), with integer maths only so it is fast
 * and never depends on the machine's time zone.
 *
 * @example
 * formatDate(daysFromIsoDate('2026-01-01') - 1); // '2025-12-31'
 */

const DAYS_PER_YEAR = 365.2425;

/** Parses `YYYY-MM-DD` strictly; throws on anything else, including 2025-02-30. */
export function daysFromIsoDate(text: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match === null) throw new Error(`not a YYYY-MM-DD date: ${text}`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const milliseconds = Date.UTC(year, month - 1, day);
  const days = milliseconds / 86_400_000;
  const back = civilFromDays(days);
  if (back.year !== year || back.month !== month || back.day !== day) {
    throw new Error(`not a calendar date: ${text}`);
  }
  return days;
}

/** Year, month (1-12) and day (1-31) of a day number (Howard Hinnant's civil_from_days). */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const shifted = days + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

/** `YYYY-MM-DD` of a day number. */
export function formatDate(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return `${year}-${pad2(month)}-${pad2(day)}`;
}

/**
 * The day of birth of someone who is `ageYears + fraction` years old on the reference day;
 * `fraction` in [0, 1) spreads birthdays over the year. Never after the reference day.
 */
export function birthDaysForAge(referenceDays: number, ageYears: number, fraction: number): number {
  return referenceDays - Math.floor((ageYears + fraction) * DAYS_PER_YEAR);
}

export function pad2(value: number): string {
  return value < 10 ? `0${value}` : String(value);
}
