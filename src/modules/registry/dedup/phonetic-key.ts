/**
 * A small phonetic key for Spanish spelling variants, written for names as Latin American
 * registrars hear and write them. Rules, applied to a normalised lower-case token:
 * ñ→n; silent h dropped (except in ch); ph→f; qu(e,i)→k and q, k, c(a,o,u, consonant)→k;
 * c(e,i), z→s; gu(e,i)→g and g(e,i)→j; x→j (Ximena/Jimena, México/Méjico); v, w→b;
 * ll→y and y as a vowel (word end or between consonants)→i; n before b, p→m; repeated
 * letters collapsed. Vowels are kept: in Spanish they are stable and carry identity.
 *
 * @example
 * spanishPhoneticKey('vázquez') === spanishPhoneticKey('basques') // both 'baskes'
 * spanishPhoneticKey('guillermo') === spanishPhoneticKey('guiyermo') // both 'giyermo'
 */
export function spanishPhoneticKey(token: string): string {
  const source = token.replaceAll('ñ', 'n').replace(/[^a-z]/g, '');
  let out = '';
  for (let index = 0; index < source.length; index += 1) {
    const step = foldAt(source, index);
    out += step.emit;
    index += step.skip;
  }
  return collapseRepeats(out);
}

interface FoldStep {
  readonly emit: string;
  /** Extra source letters consumed beyond the current one. */
  readonly skip: number;
}

const frontVowels = new Set(['e', 'i']);
const vowels = new Set(['a', 'e', 'i', 'o', 'u']);

function foldAt(source: string, index: number): FoldStep {
  const letter = source[index] ?? '';
  const next = source[index + 1] ?? '';
  const afterNext = source[index + 2] ?? '';
  switch (letter) {
    case 'h':
      return { emit: '', skip: 0 };
    case 'c':
      if (next === 'h') return { emit: 'ch', skip: 1 };
      return { emit: frontVowels.has(next) ? 's' : 'k', skip: 0 };
    case 'q':
      return { emit: 'k', skip: next === 'u' && frontVowels.has(afterNext) ? 1 : 0 };
    case 'g':
      if (next === 'u' && frontVowels.has(afterNext)) return { emit: 'g', skip: 1 };
      return { emit: frontVowels.has(next) ? 'j' : 'g', skip: 0 };
    case 'p':
      return next === 'h' ? { emit: 'f', skip: 1 } : { emit: 'p', skip: 0 };
    case 'l':
      return next === 'l' ? { emit: 'y', skip: 1 } : { emit: 'l', skip: 0 };
    case 'n':
      return { emit: next === 'b' || next === 'v' || next === 'p' ? 'm' : 'n', skip: 0 };
    case 'y':
      return { emit: yIsVowel(source, index) ? 'i' : 'y', skip: 0 };
    default:
      return { emit: simpleFold(letter), skip: 0 };
  }
}

function simpleFold(letter: string): string {
  switch (letter) {
    case 'z':
      return 's';
    case 'k':
      return 'k';
    case 'x':
    case 'j':
      return 'j';
    case 'v':
    case 'w':
      return 'b';
    default:
      return letter;
  }
}

/** Y sounds as the vowel i at the end of a word or when no vowel follows it. */
function yIsVowel(source: string, index: number): boolean {
  const next = source[index + 1];
  return next === undefined || !vowels.has(next);
}

function collapseRepeats(key: string): string {
  let out = '';
  for (const letter of key) {
    if (out.at(-1) !== letter) out += letter;
  }
  return out;
}
