import type { PreparedValue } from './prepared-value.js';
import type { RecordStore } from './record-store.js';
import { isAdjacentTransposition, jaroWinkler, levenshtein } from './string-distance.js';
import { type DedupSchema, type FieldKind, nameKinds } from './types.js';

/** Level 0 of every comparison: a value is missing on either side; it weighs nothing. */
export const nullLevel = 0;

/**
 * How one field is compared: its levels (index 1 is the best agreement; the labels do not
 * include the null level 0) and which other fields count as a swap of it.
 */
export interface Comparison {
  readonly field: number;
  readonly name: string;
  readonly kind: FieldKind;
  readonly levels: readonly string[];
  /** The level whose weight is adjusted by term frequency (0: none). */
  readonly tfLevel: number;
  readonly swapFields: readonly number[];
  /**
   * For name fields: the schema's given-name field and first surname field (-1 when it has
   * none); given names crossed with the surnames mark the "names swapped" level of every
   * name comparison.
   */
  readonly swapGivenField: number;
  readonly swapSurnameField: number;
  /** All surname fields, in schema order (the first one is `swapSurnameField`). */
  readonly swapSurnameFields: readonly number[];
}

/**
 * Given names and surnames written the other way round ("names swapped", see
 * `namesSwapKind`) is its own level, apart from a
 * name merely moved to another name field one way. A clerk's swap is strong evidence of the
 * same person, and it turns every name field to "else", so without its own level the swap
 * looks like two different people; a one-way move (a surname written as another surname,
 * "gonzalo" against "gonzález") happens by chance between strangers and weighs little.
 */
const nameLevels = [
  'exact',
  'phonetic or jw>=0.94',
  'jw>=0.88',
  'shared token',
  'names swapped',
  'moved to another name field',
  'else',
];

const levelsByKind: Readonly<Record<FieldKind, readonly string[]>> = {
  given_name: nameLevels,
  surname: nameLevels,
  full_name: nameLevels,
  text: ['exact', 'same letters or jw>=0.94', 'jw>=0.88', 'swapped', 'else'],
  // A day-month swap and a one-digit typo are different mistakes with their own rates.
  date: ['exact', 'day-month swap', 'one-digit typo or adjacent swap', 'same year', 'else'],
  code: ['exact', 'one edit', 'else'],
  number: ['exact', 'one edit', 'else'],
  phone: ['exact', 'one edit', 'else'],
  identifier: ['exact', 'one edit', 'two edits', 'else'],
  category: ['exact', 'else'],
  digest: ['exact', 'else'],
};

/**
 * One comparison per field of the schema.
 *
 * @example
 * buildComparisons({ fields: [{ name: 'surname', kind: 'surname' }] })[0]?.levels[0] // 'exact'
 */
export function buildComparisons(schema: DedupSchema): Comparison[] {
  const swapGivenField = schema.fields.findIndex((spec) => spec.kind === 'given_name');
  const swapSurnameFields = schema.fields.flatMap((spec, field) =>
    spec.kind === 'surname' ? [field] : [],
  );
  const swapSurnameField = swapSurnameFields[0] ?? -1;
  return schema.fields.map((spec, field) => {
    const group = nameKinds.has(spec.kind) ? 'name' : spec.swapGroup;
    const swapFields: number[] = [];
    schema.fields.forEach((other, index) => {
      const otherGroup = nameKinds.has(other.kind) ? 'name' : other.swapGroup;
      if (index !== field && group !== undefined && otherGroup === group) swapFields.push(index);
    });
    return {
      field,
      name: spec.name,
      kind: spec.kind,
      levels: levelsByKind[spec.kind],
      tfLevel: nameKinds.has(spec.kind) && spec.termFrequency !== false ? 1 : 0,
      swapFields,
      swapGivenField: nameKinds.has(spec.kind) ? swapGivenField : -1,
      swapSurnameField: nameKinds.has(spec.kind) ? swapSurnameField : -1,
      swapSurnameFields: nameKinds.has(spec.kind) ? swapSurnameFields : [],
    };
  });
}

/**
 * The level (0 = null, 1 = best) at which two rows agree on one field. The rows may live
 * in different stores: an enrolment query is compared with the indexed registry.
 */
export function compareField(
  comparison: Comparison,
  storeA: RecordStore,
  rowA: number,
  storeB: RecordStore,
  rowB: number,
): number {
  const a = storeA.value(comparison.field, rowA);
  const b = storeB.value(comparison.field, rowB);
  if (a === null || b === null) return nullLevel;
  switch (comparison.kind) {
    case 'given_name':
    case 'surname':
    case 'full_name':
      if (a.key === b.key || a.sortedKey === b.sortedKey) return 1;
      return compareNameFuzzy(a, b, comparison, storeA, rowA, storeB, rowB);
    case 'text':
      if (a.key === b.key) return 1;
      return compareTextFuzzy(a, b, comparison, storeA, rowA, storeB, rowB);
    case 'date':
      return compareDate(a.key, b.key, a.year, b.year);
    case 'identifier':
      return a.key === b.key ? 1 : Math.min(4, 1 + levenshtein(a.key, b.key, 2));
    case 'code':
    case 'number':
    case 'phone':
      return a.key === b.key ? 1 : levenshtein(a.key, b.key, 1) <= 1 ? 2 : 3;
    case 'category':
    case 'digest':
      return a.key === b.key ? 1 : 2;
  }
}

function compareNameFuzzy(
  a: PreparedValue,
  b: PreparedValue,
  comparison: Comparison,
  storeA: RecordStore,
  rowA: number,
  storeB: RecordStore,
  rowB: number,
): number {
  const core = compareNameValues(a, b);
  if (core !== nameElseLevel) return core;
  const swap = namesSwapKind(comparison, storeA, rowA, storeB, rowB);
  if (swap !== namesCrossedNot) return swappedNameLevel(comparison, swap);
  return nameMovedLevel(a, b, comparison, storeA, rowA, storeB, rowB);
}

/** Level of a name comparison when the given names and surnames of the records are swapped. */
export const nameSwappedLevel = 5;
/** Level of a name comparison when a value moved one way to another name field. */
export const nameMovedLevelNumber = 6;
/** Level of a name comparison when neither value moved to another field. */
export const nameElseLevel = 7;

/**
 * Whether the two records' given names and surnames are crossed: the given names and the
 * first surnames disagree and each record's given-name tokens are the other's surname tokens (see
 * `givenNamesAreSurnames`). The schema's first given-name field and its surname fields
 * decide it; `swappedNameLevel` says which comparison is credited. Returns
 * `namesCrossedNot`, `namesCrossedPartly` or `namesCrossedFully` (see `swapKind`).
 *
 * @example
 * // { given: 'José Juan', first: 'Mascareñas', second: 'Ramírez' } and
 * // { given: 'Mascareñas Ramírez', first: 'José', second: 'Juan' }
 * namesSwapKind(comparison, store, 0, store, 1) // namesCrossedFully
 */
export function namesSwapKind(
  comparison: Comparison,
  storeA: RecordStore,
  rowA: number,
  storeB: RecordStore,
  rowB: number,
): number {
  const given = comparison.swapGivenField;
  if (given < 0 || comparison.swapSurnameField < 0) return namesCrossedNot;
  const surnames = comparison.swapSurnameFields;
  const givenA = storeA.value(given, rowA);
  const givenB = storeB.value(given, rowB);
  if (givenA === null || givenB === null) return namesCrossedNot;
  if (compareNameValues(givenA, givenB) !== nameElseLevel) return namesCrossedNot;
  // Swapped names leave the first surnames apart too; agreeing ones are a family's.
  const firstA = storeA.value(comparison.swapSurnameField, rowA);
  const firstB = storeB.value(comparison.swapSurnameField, rowB);
  if (firstA !== null && firstB !== null && compareNameValues(firstA, firstB) !== nameElseLevel) {
    return namesCrossedNot;
  }
  const surnamesB = surnames.map((field) => storeB.value(field, rowB));
  const forward = givenNamesAsSurnames(givenA, surnamesB);
  if (forward === namesCrossedNot) return namesCrossedNot;
  const surnamesA = surnames.map((field) => storeA.value(field, rowA));
  return swapKind(forward, givenNamesAsSurnames(givenB, surnamesA));
}

/**
 * The level a name comparison takes in a swapped pair: "names swapped" for the given names,
 * the null level for the surnames. A swap is credited once. Credited to the first surname
 * as well, under conditional independence a swapped "González Pérez, David" weighed more
 * (27 bits) than the same three names written in the right fields (20 bits), and
 * namesakes born decades apart scored above the threshold.
 */
export function swappedNameLevel(comparison: Comparison, _swap: number): number {
  return comparison.field === comparison.swapGivenField ? nameSwappedLevel : nullLevel;
}

/** How given names match a record's surnames, and how complete a swap is. */
export const namesCrossedNot = 0;
export const namesCrossedPartly = 1;
export const namesCrossedFully = 2;

/**
 * A swap needs both directions, and one of them complete: a name dropped after the swap
 * leaves one side short, but two strangers who share one name each ("Romero Quintana, José"
 * against "José Miguel Romero") leave both sides short. `namesCrossedFully` when both
 * directions are complete, `namesCrossedPartly` when one is, else `namesCrossedNot`.
 */
export function swapKind(forward: number, backward: number): number {
  if (forward === namesCrossedNot || backward === namesCrossedNot) return namesCrossedNot;
  if (forward === namesCrossedFully && backward === namesCrossedFully) return namesCrossedFully;
  return forward === namesCrossedFully || backward === namesCrossedFully
    ? namesCrossedPartly
    : namesCrossedNot;
}

/**
 * Whether a given-name value and a record's surname values hold the same names in any
 * order: every token of the shorter side is alike (equal, same sound, Jaro–Winkler ≥ 0.94)
 * a token of the other. `namesCrossedFully` when both sides have as many tokens,
 * `namesCrossedPartly` when the longer side has more, `namesCrossedNot` otherwise.
 *
 * @example
 * givenNamesAsSurnames(prepareValue('given_name', 'Ibarra Romero'),
 *   [prepareValue('surname', 'Romero'), prepareValue('surname', 'Ibarra')]) // 2
 */
export function givenNamesAsSurnames(
  given: PreparedValue,
  surnames: readonly (PreparedValue | null)[],
): number {
  let surnameTokens = 0;
  for (const surname of surnames) surnameTokens += surname?.tokens.length ?? 0;
  if (surnameTokens === 0) return namesCrossedNot;
  // Equal counts: every token on each side has its match on the other.
  if (given.tokens.length <= surnameTokens && !givenTokensInSurnames(given, surnames)) {
    return namesCrossedNot;
  }
  if (given.tokens.length >= surnameTokens && !surnameTokensInGiven(given, surnames)) {
    return namesCrossedNot;
  }
  return given.tokens.length === surnameTokens ? namesCrossedFully : namesCrossedPartly;
}

function givenTokensInSurnames(
  given: PreparedValue,
  surnames: readonly (PreparedValue | null)[],
): boolean {
  for (let i = 0; i < given.tokens.length; i += 1) {
    if (!surnamesHaveToken(surnames, given.tokens[i] ?? '', given.phoneticTokens[i] ?? '')) {
      return false;
    }
  }
  return true;
}

function surnameTokensInGiven(
  given: PreparedValue,
  surnames: readonly (PreparedValue | null)[],
): boolean {
  for (const surname of surnames) {
    if (surname === null) continue;
    for (let i = 0; i < surname.tokens.length; i += 1) {
      const token = surname.tokens[i] ?? '';
      if (!hasAlikeToken(given, token, surname.phoneticTokens[i] ?? '')) return false;
    }
  }
  return true;
}

function surnamesHaveToken(
  surnames: readonly (PreparedValue | null)[],
  token: string,
  sound: string,
): boolean {
  for (const surname of surnames) {
    if (surname !== null && hasAlikeToken(surname, token, sound)) return true;
  }
  return false;
}

/**
 * A token of `value` is the same name as `token`: equal, same sound, or Jaro–Winkler ≥ 0.94
 * (one typo). Stricter than within a field: across fields the prefix bonus alone made
 * "maría" and "maricarmen" one name.
 */
function hasAlikeToken(value: PreparedValue, token: string, sound: string): boolean {
  for (let j = 0; j < value.tokens.length; j += 1) {
    const other = value.tokens[j] ?? '';
    if (token === other || (sound.length > 1 && sound === value.phoneticTokens[j])) return true;
    if (jaroWinkler(token, other, crossTokenSimilarityMin) >= crossTokenSimilarityMin) return true;
  }
  return false;
}

const crossTokenSimilarityMin = 0.94;

/**
 * The levels of two name values that depend on the values alone (1 to 4, or
 * `nameElseLevel`), so a batch run can compute them once per distinct pair of values.
 */
export function compareNameValues(a: PreparedValue, b: PreparedValue): number {
  if (a.key === b.key || a.sortedKey === b.sortedKey) return 1;
  if (a.compactKey === b.compactKey || a.phoneticKey === b.phoneticKey) return 2;
  const similarity = jaroWinkler(a.key, b.key, 0.88);
  if (similarity >= 0.94) return 2;
  if (similarity >= 0.88) return 3;
  if (sharesToken(a, b)) return 4;
  return nameElseLevel;
}

/** Level 6 when the name was written in another name field of the other record, else 7. */
export function nameMovedLevel(
  a: PreparedValue,
  b: PreparedValue,
  comparison: Comparison,
  storeA: RecordStore,
  rowA: number,
  storeB: RecordStore,
  rowB: number,
): number {
  for (const other of comparison.swapFields) {
    const otherB = storeB.value(other, rowB);
    const otherA = storeA.value(other, rowA);
    // A name moved in one direction is credited once, to the earlier field; the later
    // field counts it only when the two names are crossed both ways.
    const moved =
      other > comparison.field
        ? (otherB !== null && isAlike(a, otherB)) || (otherA !== null && isAlike(otherA, b))
        : isCrossed(a, otherB, otherA, b);
    if (moved) return nameMovedLevelNumber;
  }
  return nameElseLevel;
}

/**
 * Values crossed between two fields in both directions (given name written as surname and
 * surname as given name). Counting a one-way move in both comparisons would double the
 * evidence: "white" as one person's given name and another's surname is one fact.
 */
function isCrossed(
  a: PreparedValue,
  otherB: PreparedValue | null,
  otherA: PreparedValue | null,
  b: PreparedValue,
): boolean {
  return otherA !== null && otherB !== null && isAlike(a, otherB) && isAlike(otherA, b);
}

export function isAlike(a: PreparedValue, b: PreparedValue): boolean {
  return (
    a.key === b.key ||
    a.phoneticKey === b.phoneticKey ||
    a.compactKey === b.compactKey ||
    jaroWinkler(a.key, b.key, 0.88) >= 0.88
  );
}

/** Two names share a token (or its sound) of two letters or more. */
function sharesToken(a: PreparedValue, b: PreparedValue): boolean {
  for (let i = 0; i < a.tokens.length; i += 1) {
    const token = a.tokens[i] ?? '';
    if (token.length < 2) continue;
    const sound = a.phoneticTokens[i] ?? '';
    for (let j = 0; j < b.tokens.length; j += 1) {
      if (b.tokens[j] === token || (sound.length > 1 && b.phoneticTokens[j] === sound)) {
        return true;
      }
    }
  }
  return false;
}

function compareTextFuzzy(
  a: PreparedValue,
  b: PreparedValue,
  comparison: Comparison,
  storeA: RecordStore,
  rowA: number,
  storeB: RecordStore,
  rowB: number,
): number {
  if (a.compactKey === b.compactKey || a.sortedKey === b.sortedKey) return 2;
  const similarity = jaroWinkler(a.key, b.key, 0.88);
  if (similarity >= 0.94) return 2;
  if (similarity >= 0.88) return 3;
  for (const other of comparison.swapFields) {
    const swappedB = storeB.value(other, rowB);
    if (swappedB !== null && jaroWinkler(a.key, swappedB.key, 0.94) >= 0.94) return 4;
    const swappedA = storeA.value(other, rowA);
    if (swappedA !== null && jaroWinkler(swappedA.key, b.key, 0.94) >= 0.94) return 4;
  }
  return 5;
}

/**
 * Dates: exact; day and month swapped; one digit mistyped or two adjacent digits swapped;
 * same year; else.
 *
 * @example
 * compareDate('19840512', '19841205', 1984, 1984) // 2 (day and month swapped)
 * compareDate('19840512', '19840513', 1984, 1984) // 3 (one digit)
 */
export function compareDate(a: string, b: string, yearA: number, yearB: number): number {
  // A year alone is never an exact date: at best the years agree.
  if (a.length !== 8 || b.length !== 8) return yearA > 0 && yearA === yearB ? 4 : 5;
  if (a === b) return 1;
  if (isDayMonthSwap(a, b)) return 2;
  if (hammingAtMostOne(a, b) || isAdjacentTransposition(a, b)) return 3;
  if (yearA > 0 && yearA === yearB) return 4;
  return 5;
}

function hammingAtMostOne(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let differences = 0;
  for (let i = 0; i < a.length && differences <= 1; i += 1) {
    if (a.charCodeAt(i) !== b.charCodeAt(i)) differences += 1;
  }
  return differences <= 1;
}

function isDayMonthSwap(a: string, b: string): boolean {
  return (
    a.length === 8 &&
    b.length === 8 &&
    a.slice(0, 4) === b.slice(0, 4) &&
    a.slice(4, 6) === b.slice(6, 8) &&
    a.slice(6, 8) === b.slice(4, 6)
  );
}
