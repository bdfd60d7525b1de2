import { latinSkeleton } from '../../../platform/lookalikes.js';

/**
 * Splits an attribute or column name into lowercase ASCII-folded words, whatever its
 * spelling: snake_case, kebab-case, camelCase, PascalCase, SCREAMING_CASE, dotted, spaced,
 * with accents or digits. Forbidden-name matching (forbidden.ts) compares these words, so
 * `birthPlace`, `LUGAR_NACIMIENTO`, `lugar-de-nacimiento` and `año_2024` all reach the same
 * words as `birth place`, `lugar nacimiento`, `lugar de nacimiento` and `ano 2024`.
 *
 * @example
 *   nameTokens('householdIncomeBand'); // ['household', 'income', 'band']
 *   nameTokens('Lugar-de-Nacimiento'); // ['lugar', 'de', 'nacimiento']
 *   nameTokens('UINCheck2024'); // ['uin', 'check', '2024']
 */
export function nameTokens(name: string): string[] {
  const spaced = foldAccents(name)
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2')
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1 $2')
    .replace(/(\p{L})(\p{N})/gu, '$1 $2')
    .replace(/(\p{N})(\p{L})/gu, '$1 $2');
  return spaced
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((token) => token !== '');
}

/**
 * The words of a name split at separators only, ignoring case changes. Matching uses these
 * as well as `nameTokens`, so that odd casing (`fEcHa`, `NaMe`) cannot split a
 * forbidden word into harmless pieces.
 *
 * @example
 *   separatorTokens('fEcHa_2024'); // ['fecha', '2024']
 */
export function separatorTokens(name: string): string[] {
  return foldAccents(name)
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((token) => token !== '');
}

/**
 * Look-alikes become the Latin letters they imitate and invisible characters go
 * (`latinSkeleton`: `rеligion` with a Cyrillic е, `reli\u200Bgion` with a zero-width space);
 * NFKD folds compatibility forms (full-width letters, ligatures) and splits accents off their
 * letters, so removing the combining marks leaves plain letters: ó → o, ñ → n.
 */
function foldAccents(name: string): string {
  return latinSkeleton(name)
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '');
}

/**
 * The word itself and the singulars it may be the plural of, by the simple English and
 * Spanish rules (-s, -es, -ies → -y). Over-generating is harmless: a candidate only matters
 * when it equals a forbidden term.
 *
 * @example
 *   singularCandidates('elecciones'); // ['elecciones', 'eleccione', 'eleccion']
 *   singularCandidates('parties'); // ['parties', 'partie', 'parti', 'party']
 */
export function singularCandidates(token: string): string[] {
  const candidates = [token];
  if (token.length > 2 && token.endsWith('s')) candidates.push(token.slice(0, -1));
  if (token.length > 3 && token.endsWith('es')) candidates.push(token.slice(0, -2));
  if (token.length > 4 && token.endsWith('ies')) candidates.push(`${token.slice(0, -3)}y`);
  return candidates;
}

/** Function words skipped when matching phrases, so `centro_votacion` meets `centro de votación`. */
const stopWords = new Set(['a', 'al', 'de', 'del', 'el', 'en', 'la', 'las', 'los', 'of', 'the']);

/** Tokens without the function words. */
export function withoutStopWords(tokens: readonly string[]): string[] {
  return tokens.filter((token) => !stopWords.has(token));
}
