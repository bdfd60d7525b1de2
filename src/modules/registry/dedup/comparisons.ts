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
}

/**
 * A name written in another name field (given names entered as surnames) is its own level:
 * random people rarely show it, so it is strong evidence, unlike merely sharing a token.
 */
const nameLevels = [
  'exact',
  'phonetic or jw>=0.94',
  'jw>=0.88',
  'shared token',
  'moved to another name field',
  'else',
];

const levelsByKind: Readonly<Record<FieldKind, readonly string[]>> = {
  given_name: nameLevels,
  surname: nameLevels,
  full_name: nameLevels,
  text: ['exact', 'same letters or jw>=0.94', 'jw>=0.88', 'swapped', 'else'],
  date: ['exact', 'one-digit typo or day-month swap', 'same year', 'else'],
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
  return nameMovedLevel(a, b, comparison, storeA, rowA, storeB, rowB);
}

/** Level of a name comparison when neither value moved to another field. */
export const nameElseLevel = 6;

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

/** Level 5 when the name was written in another name field of the other record, else 6. */
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
    if (moved) return 5;
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
 * Dates: exact; one digit mistyped, two adjacent digits swapped or day and month swapped;
 * same year; else.
 *
 * @example
 * compareDate('19840512', '19841205', 1984, 1984) // 2 (day and month swapped)
 */
export function compareDate(a: string, b: string, yearA: number, yearB: number): number {
  // A year alone is never an exact date: at best the years agree.
  if (a.length !== 8 || b.length !== 8) return yearA > 0 && yearA === yearB ? 3 : 4;
  if (a === b) return 1;
  if (hammingAtMostOne(a, b) || isAdjacentTransposition(a, b) || isDayMonthSwap(a, b)) return 2;
  if (yearA > 0 && yearA === yearB) return 3;
  return 4;
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
