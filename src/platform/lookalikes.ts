/**
 * Look-alike letters (Unicode TR39 "confusables") folded to the Latin letters they imitate,
 * so that "Mаriа" written with Cyrillic а, full-width "Ｍａｒｉａ" and mathematical "𝐌𝐚𝐫𝐢𝐚"
 * all compare equal to "Maria". Two uses, one table:
 *
 * - **person names** (`registry/dedup/normalise.ts`, the one name normaliser that duplicate
 *   detection, the enrolment-time index, batch dedup, search keys and the import share);
 * - **attribute names** (`registry/catalogue/name-tokens.ts`), so that `rеligion` with a
 *   Cyrillic е or `reli\u200Bgion` with a zero-width space is refused as the forbidden
 *   category it imitates.
 *
 * Stored text goes through `normaliseStoredText` (NFKC, ignorable characters removed), and
 * names that mix Latin letters with another script are refused (`otherScriptThanLatin`, used
 * by the catalogue's value checks).
 *
 * @example
 *   latinSkeleton('Mаriа'); // 'Maria' (the а are Cyrillic)
 *   latinSkeleton('Ｍａｒｉａ'); // 'Maria'
 *   normaliseStoredText('Ma\u200Bria'); // 'Maria'
 *   otherScriptThanLatin('Mаriа'); // 'Cyrillic'
 */

/**
 * Default-ignorable code points (zero-width space and joiners, soft hyphen, bidi controls,
 * variation selectors, Hangul fillers, the BOM) and other format characters: invisible, so a
 * name or attribute name written with them looks exactly like one without.
 */
const ignorable = /[\p{Default_Ignorable_Code_Point}\p{Cf}]/gu;
/**
 * Text that needs none of this: printable ASCII and the precomposed Latin-1 letters
 * (À–ÿ, all stable under NFKC and none a look-alike). Checked first, since nearly every
 * Venezuelan name is made of these, and it keeps a 1,000,000-row import from paying for
 * NFKC on every value.
 */
const plainLatin = /^[\x20-\x7e\u00c0-\u00ff]*$/;

/**
 * Compatibility forms folded (NFKC: full-width, mathematical alphanumerics, ligatures,
 * circled letters) and invisible characters removed. This is what a person's text
 * attributes are stored as, so "Ｍａｒｉａ" is stored as "Maria".
 */
export function normaliseStoredText(text: string): string {
  if (plainLatin.test(text)) return text;
  return text.normalize('NFKC').replace(ignorable, '');
}

/**
 * The source of this table is Unicode's confusables.txt (UTS #39, version 14.0.0,
 * https://www.unicode.org/Public/security/latest/confusables.txt): every entry whose source
 * is one Cyrillic or Greek character and whose prototype is one ASCII letter, plus the
 * Latin-script and Armenian letters of the same kind that are plausible in a name (ɑ, ɡ, ı,
 * small capitals, օ, ս, հ …). Left out: characters NFKC already folds (full-width,
 * mathematical, ϱ, ϒ), symbols and digits (confusables.txt maps 0 to O and 1 to l; a name
 * holds neither). One deliberate difference: confusables.txt maps I-shaped capitals (Greek Ι,
 * Cyrillic І, Ӏ) to `l`, because its skeleton folds Latin I into l as well; names are compared
 * after lower-casing, where I and l stay distinct, so they map to `I` here.
 */
const latinLookalikes: ReadonlyMap<string, string> = new Map([
  ['\u0131', 'i'], // ı latin small letter dotless i
  ['\u0184', 'b'], // Ƅ latin capital letter tone six
  ['\u01BD', 's'], // ƽ latin small letter tone five
  ['\u0251', 'a'], // ɑ latin small letter alpha
  ['\u0261', 'g'], // ɡ latin small letter script g
  ['\u0263', 'y'], // ɣ latin small letter gamma
  ['\u0269', 'i'], // ɩ latin small letter iota
  ['\u026A', 'i'], // ɪ latin letter small capital i
  ['\u028F', 'y'], // ʏ latin letter small capital y
  ['\u037F', 'J'], // Ϳ greek capital letter yot
  ['\u0391', 'A'], // Α greek capital letter alpha
  ['\u0392', 'B'], // Β greek capital letter beta
  ['\u0395', 'E'], // Ε greek capital letter epsilon
  ['\u0396', 'Z'], // Ζ greek capital letter zeta
  ['\u0397', 'H'], // Η greek capital letter eta
  ['\u0399', 'I'], // Ι greek capital letter iota
  ['\u039A', 'K'], // Κ greek capital letter kappa
  ['\u039C', 'M'], // Μ greek capital letter mu
  ['\u039D', 'N'], // Ν greek capital letter nu
  ['\u039F', 'O'], // Ο greek capital letter omicron
  ['\u03A1', 'P'], // Ρ greek capital letter rho
  ['\u03A4', 'T'], // Τ greek capital letter tau
  ['\u03A5', 'Y'], // Υ greek capital letter upsilon
  ['\u03A7', 'X'], // Χ greek capital letter chi
  ['\u03B1', 'a'], // α greek small letter alpha
  ['\u03B3', 'y'], // γ greek small letter gamma
  ['\u03B9', 'i'], // ι greek small letter iota
  ['\u03BD', 'v'], // ν greek small letter nu
  ['\u03BF', 'o'], // ο greek small letter omicron
  ['\u03C1', 'p'], // ρ greek small letter rho
  ['\u03C3', 'o'], // σ greek small letter sigma
  ['\u03C5', 'u'], // υ greek small letter upsilon
  ['\u03DC', 'F'], // Ϝ greek letter digamma
  ['\u03F3', 'j'], // ϳ greek letter yot
  ['\u03FA', 'M'], // Ϻ greek capital letter san
  ['\u0405', 'S'], // Ѕ cyrillic capital letter dze
  ['\u0406', 'I'], // І cyrillic capital letter byelorussian-ukrainian i
  ['\u0408', 'J'], // Ј cyrillic capital letter je
  ['\u0410', 'A'], // А cyrillic capital letter a
  ['\u0412', 'B'], // В cyrillic capital letter ve
  ['\u0415', 'E'], // Е cyrillic capital letter ie
  ['\u041A', 'K'], // К cyrillic capital letter ka
  ['\u041C', 'M'], // М cyrillic capital letter em
  ['\u041D', 'H'], // Н cyrillic capital letter en
  ['\u041E', 'O'], // О cyrillic capital letter o
  ['\u0420', 'P'], // Р cyrillic capital letter er
  ['\u0421', 'C'], // С cyrillic capital letter es
  ['\u0422', 'T'], // Т cyrillic capital letter te
  ['\u0423', 'Y'], // У cyrillic capital letter u
  ['\u0425', 'X'], // Х cyrillic capital letter ha
  ['\u042C', 'b'], // Ь cyrillic capital letter soft sign
  ['\u0430', 'a'], // а cyrillic small letter a
  ['\u0433', 'r'], // г cyrillic small letter ghe
  ['\u0435', 'e'], // е cyrillic small letter ie
  ['\u043E', 'o'], // о cyrillic small letter o
  ['\u0440', 'p'], // р cyrillic small letter er
  ['\u0441', 'c'], // с cyrillic small letter es
  ['\u0443', 'y'], // у cyrillic small letter u
  ['\u0445', 'x'], // х cyrillic small letter ha
  ['\u0455', 's'], // ѕ cyrillic small letter dze
  ['\u0456', 'i'], // і cyrillic small letter byelorussian-ukrainian i
  ['\u0458', 'j'], // ј cyrillic small letter je
  ['\u0461', 'w'], // ѡ cyrillic small letter omega
  ['\u0474', 'V'], // Ѵ cyrillic capital letter izhitsa
  ['\u0475', 'v'], // ѵ cyrillic small letter izhitsa
  ['\u04AE', 'Y'], // Ү cyrillic capital letter straight u
  ['\u04AF', 'y'], // ү cyrillic small letter straight u
  ['\u04BB', 'h'], // һ cyrillic small letter shha
  ['\u04BD', 'e'], // ҽ cyrillic small letter abkhasian che
  ['\u04C0', 'I'], // Ӏ cyrillic letter palochka
  ['\u04CF', 'i'], // ӏ cyrillic small letter palochka
  ['\u0501', 'd'], // ԁ cyrillic small letter komi de
  ['\u050C', 'G'], // Ԍ cyrillic capital letter komi sje
  ['\u051B', 'q'], // ԛ cyrillic small letter qa
  ['\u051C', 'W'], // Ԝ cyrillic capital letter we
  ['\u051D', 'w'], // ԝ cyrillic small letter we
  ['\u054D', 'U'], // Ս armenian capital letter seh
  ['\u054F', 'S'], // Տ armenian capital letter tiwn
  ['\u0555', 'O'], // Օ armenian capital letter oh
  ['\u0561', 'w'], // ա armenian small letter ayb
  ['\u0563', 'q'], // գ armenian small letter gim
  ['\u0566', 'q'], // զ armenian small letter za
  ['\u0570', 'h'], // հ armenian small letter ho
  ['\u0578', 'n'], // ո armenian small letter vo
  ['\u057C', 'n'], // ռ armenian small letter ra
  ['\u057D', 'u'], // ս armenian small letter seh
  ['\u0581', 'g'], // ց armenian small letter co
  ['\u0584', 'f'], // ք armenian small letter keh
  ['\u0585', 'o'], // օ armenian small letter oh
  ['\u1D04', 'c'], // ᴄ latin letter small capital c
  ['\u1D0F', 'o'], // ᴏ latin letter small capital o
  ['\u1D1C', 'u'], // ᴜ latin letter small capital u
  ['\u1D20', 'v'], // ᴠ latin letter small capital v
  ['\u1D21', 'w'], // ᴡ latin letter small capital w
  ['\u1D22', 'z'], // ᴢ latin letter small capital z
  ['\u1D26', 'r'], // ᴦ greek letter small capital gamma
  ['\uA647', 'i'], // ꙇ cyrillic small letter iota
]);

/**
 * The text with every look-alike replaced by the Latin letter it imitates, after NFKC and
 * without invisible characters. Accents are decomposed (NFD) so that a look-alike carrying
 * one (Cyrillic ё, Greek ό) is folded too; the caller decides what to do with the marks
 * (plain Latin text is returned as it came, accents composed). One map lookup per
 * character, and none for plain Latin text.
 */
export function latinSkeleton(text: string): string {
  if (plainLatin.test(text)) return text;
  let folded = '';
  for (const character of normaliseStoredText(text).normalize('NFD')) {
    folded += latinLookalikes.get(character) ?? character;
  }
  return folded;
}

const latinLetter = /\p{Script=Latin}/u;
const otherLetter = /(?!\p{Script=Latin})\p{L}/u;
const namedScripts = ['Cyrillic', 'Greek', 'Armenian', 'Cherokee', 'Coptic', 'Georgian'] as const;
const scriptPatterns = namedScripts.map(
  (script) => [script, new RegExp(`\\p{Script=${script}}`, 'u')] as const,
);

/**
 * When the text has Latin letters and letters of another script, the name of that script
 * (`'Cyrillic'`, `'Greek'` … or `'another script'`); undefined otherwise. A name in one
 * script, Latin or not, is acceptable; a mix is how look-alikes get in.
 */
export function otherScriptThanLatin(text: string): string | undefined {
  if (plainLatin.test(text) || !latinLetter.test(text)) return undefined;
  const other = otherLetter.exec(text)?.[0];
  if (other === undefined) return undefined;
  return scriptPatterns.find(([, pattern]) => pattern.test(other))?.[0] ?? 'another script';
}
