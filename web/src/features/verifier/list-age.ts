/**
 * How long ago a list was fetched, in the reader's language, rounded to the largest whole
 * unit: "hace 3 h" / "3 hr ago". Ages under a minute read as "now".
 *
 * @example
 *   relativeAge('es', Date.now() - 3 * 3600_000, Date.now()); // 'hace 3 h'
 */
const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

export function relativeAge(language: string, fetchedAtMs: number, nowMs: number): string {
  const locale = language === 'en' ? 'en-GB' : 'es-VE';
  // Always a number ("hace 2 días", not "anteayer"): the reader compares ages at a glance.
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'always', style: 'short' });
  const ageMs = Math.max(0, nowMs - fetchedAtMs);
  for (const [unit, sizeMs] of units) {
    if (ageMs >= sizeMs) return format.format(-Math.floor(ageMs / sizeMs), unit);
  }
  return new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }).format(0, 'second');
}
