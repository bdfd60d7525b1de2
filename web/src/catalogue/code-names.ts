import type { TFunction } from 'i18next';

/**
 * Country and language names in the operator's language, from the browser's own
 * `Intl.DisplayNames` (no list shipped with the console), for the codes the attribute
 * catalogue accepts: a country is a two-letter code the ICU region data knows (the server's
 * check, `value-checks.ts`), a language an ISO 639 code of two or three letters. Two-letter
 * languages are the ones the browser can name; the three-letter ones offered are the
 * indigenous languages of Venezuela, named by the console's own texts (`languageName.*`).
 *
 * @example
 *   countryOptions('es').find((option) => option.value === 'VE')?.label; // 'Venezuela'
 */
export interface CodeOption {
  value: string;
  label: string;
}

/**
 * Region codes that are not countries today (groupings, "unknown", and countries that no
 * longer exist: East Germany beside Germany would both read "Alemania"): accepted, not offered.
 */
const notCountries = new Set([
  'EU',
  'EZ',
  'UN',
  'QO',
  'ZZ',
  'DD',
  'YU',
  'CS',
  'SU',
  'ZR',
  'TP',
  'BU',
  'FX',
  'NT',
  'AN',
]);

/** Venezuelan indigenous languages (ISO 639-3), as the demo population and the registry use. */
export const venezuelanLanguages = [
  'guc',
  'yup',
  'mot',
  'wba',
  'pid',
  'guu',
  'aoc',
  'car',
  'pbh',
  'yae',
] as const;

const letters = 'abcdefghijklmnopqrstuvwxyz';
const twoLetterCodes = [...letters].flatMap((first) =>
  [...letters].map((second) => first + second),
);
const cache = new Map<string, CodeOption[]>();

function names(language: string, type: 'region' | 'language'): Intl.DisplayNames | undefined {
  try {
    return new Intl.DisplayNames([language], { type, fallback: 'none' });
  } catch {
    return undefined;
  }
}

function sorted(options: CodeOption[], language: string): CodeOption[] {
  const collator = new Intl.Collator(language);
  return options.sort((a, b) => collator.compare(a.label, b.label));
}

/** Every country the catalogue accepts, named in `language`, in that language's order. */
export function countryOptions(language: string): CodeOption[] {
  const key = `region:${language}`;
  const cached = cache.get(key);
  if (cached) return cached;
  // The server names regions in English to decide whether a code exists; so does this list.
  const known = names('en', 'region');
  const local = names(language, 'region');
  const options: CodeOption[] = [];
  for (const code of twoLetterCodes.map((pair) => pair.toUpperCase())) {
    if (notCountries.has(code) || known?.of(code) === undefined) continue;
    options.push({ value: code, label: local?.of(code) ?? code });
  }
  const result = sorted(options, language);
  cache.set(key, result);
  return result;
}

/** Languages to offer, named in the operator's language. */
export function languageOptions(language: string, t: TFunction): CodeOption[] {
  const key = `language:${language}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const local = names(language, 'language');
  const options: CodeOption[] = [];
  for (const code of twoLetterCodes) {
    const label = local?.of(code);
    // A name equal to the code is ICU saying it does not know the language.
    if (label !== undefined && label.toLowerCase() !== code) options.push({ value: code, label });
  }
  for (const code of venezuelanLanguages) {
    options.push({ value: code, label: t(`languageName.${code}`, { defaultValue: code }) });
  }
  const result = sorted(options, language);
  cache.set(key, result);
  return result;
}

/** Lower case without accents, so "peru" finds "Perú" and "espanol" finds "español". */
export function searchable(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}
