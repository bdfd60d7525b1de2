import {
  type Comparison,
  compareDate,
  compareField,
  compareNameValues,
  givenNamesAsSurnames,
  isAlike,
  nameElseLevel,
  nameMovedLevelNumber,
  namesCrossedNot,
  swapKind,
  swappedNameLevel,
} from './comparisons.js';
import { PairCache } from './pair-cache.js';
import type { RecordStore } from './record-store.js';
import { nameKinds } from './types.js';

/** Level of two rows on one field (0 = missing on either side). */
export type FieldComparer = (a: number, b: number) => number;

/**
 * Slots of each cache of value-pair levels (2^20: 9 MB). Small on purpose: the caches are
 * probed at random, and a cache that fits the processor's caches beats a bigger one that
 * misses memory on every probe. Only pairs needing Jaro–Winkler reach them.
 */
const levelCacheSlots = 1 << 20;
/** Slots of each cache of "alike across two name fields". */
const alikeCacheSlots = 1 << 20;
/** Slots of the cache of "given names are these surnames" (the swap test). */
const swapCacheSlots = 1 << 20;

/**
 * Integer codes of each name value's exact, sorted, compact and phonetic keys, interned in
 * one dictionary shared by all name fields, so equal keys in different fields (a given name
 * written as a surname) have equal codes and the cheap tests are integer comparisons.
 */
interface NameCodes {
  readonly key: Int32Array;
  readonly sorted: Int32Array;
  readonly compact: Int32Array;
  readonly phonetic: Int32Array;
}

/** Rows' combinations of surname value ids: the other side of the names-swapped test. */
interface SurnameCombos {
  readonly fields: readonly number[];
  readonly ofRow: Int32Array;
  readonly members: readonly (readonly number[])[];
}

const nameCodesByStore = new WeakMap<RecordStore, Map<number, NameCodes>>();
const nameCodeIds = new WeakMap<RecordStore, Map<string, number>>();

function nameCodesOf(store: RecordStore, field: number): NameCodes {
  let byField = nameCodesByStore.get(store);
  let ids = nameCodeIds.get(store);
  if (byField === undefined || ids === undefined) {
    byField = new Map();
    ids = new Map();
    nameCodesByStore.set(store, byField);
    nameCodeIds.set(store, ids);
  }
  const known = byField.get(field);
  const size = store.valueCounts(field).length;
  if (known !== undefined && known.key.length === size) return known;
  const codes: NameCodes = {
    key: new Int32Array(size),
    sorted: new Int32Array(size),
    compact: new Int32Array(size),
    phonetic: new Int32Array(size),
  };
  const dictionary = ids;
  const code = (text: string): number => {
    let id = dictionary.get(text);
    if (id === undefined) {
      id = dictionary.size;
      dictionary.set(text, id);
    }
    return id;
  };
  for (let id = 0; id < size; id += 1) {
    const value = store.valueById(field, id);
    if (value === null) continue;
    codes.key[id] = code(`k${value.key}`);
    codes.sorted[id] = code(`s${value.sortedKey}`);
    codes.compact[id] = code(`c${value.compactKey}`);
    codes.phonetic[id] = code(`p${value.phoneticKey}`);
  }
  byField.set(field, codes);
  return codes;
}

/**
 * Comparers of two rows of one store, one per comparison, that work on value ids: equal ids
 * short-cut to "exact", and the costly levels (names, dates) and the cross-field "moved"
 * test are computed once per distinct pair of value ids and kept in flat caches. They give
 * exactly the levels of `compareField`.
 *
 * @example
 * const comparers = new FieldComparers(store, comparisons);
 * comparers.of(0)(row1, row2) // level of the first field
 */
export class FieldComparers {
  private readonly comparers: FieldComparer[];
  /** By field x · fieldCount + y (x < y). */
  private readonly alikeCaches: (PairCache | undefined)[] = [];
  private readonly codesByField: (NameCodes | undefined)[];
  private readonly fieldCount: number;
  private readonly swapCache = new PairCache(swapCacheSlots);
  private combos: SurnameCombos | null = null;
  private lastSwapA = -1;
  private lastSwapB = -1;
  private lastSwapped = 0;
  /** By field: levels of distinct name value pairs that needed Jaro–Winkler. */
  private readonly levelCaches: (PairCache | undefined)[] = [];

  constructor(
    private readonly store: RecordStore,
    comparisons: readonly Comparison[],
  ) {
    this.fieldCount = store.schema.fields.length;
    this.codesByField = store.schema.fields.map((spec, field) =>
      nameKinds.has(spec.kind) ? nameCodesOf(store, field) : undefined,
    );
    this.comparers = comparisons.map((comparison) => this.build(comparison));
  }

  of(index: number): FieldComparer {
    const comparer = this.comparers[index];
    if (comparer === undefined) throw new RangeError(`no comparison ${index}`);
    return comparer;
  }

  private build(comparison: Comparison): FieldComparer {
    const ids = this.store.valueIds(comparison.field);
    switch (comparison.kind) {
      case 'given_name':
      case 'surname':
      case 'full_name':
        return this.nameComparer(comparison, ids);
      case 'date':
        return this.dateComparer(comparison, ids);
      case 'category':
      case 'digest':
        // Values are interned by key: different ids are different keys.
        return (a, b) => {
          const idA = ids[a] ?? -1;
          const idB = ids[b] ?? -1;
          if (idA < 0 || idB < 0) return 0;
          return idA === idB ? 1 : 2;
        };
      default:
        return (a, b) => {
          const idA = ids[a] ?? -1;
          const idB = ids[b] ?? -1;
          if (idA < 0 || idB < 0) return 0;
          if (idA === idB && comparison.kind !== 'text') return 1;
          return compareField(comparison, this.store, a, this.store, b);
        };
    }
  }

  /** `compareNameValues` of two value ids of a name field (cached, symmetric). */
  private nameCoreLevel(field: number, idA: number, idB: number): number {
    const codes = this.codesByField[field] ?? nameCodesOf(this.store, field);
    if (idA === idB || codes.sorted[idA] === codes.sorted[idB]) return 1;
    if (codes.compact[idA] === codes.compact[idB] || codes.phonetic[idA] === codes.phonetic[idB]) {
      return 2;
    }
    let cache = this.levelCaches[field];
    if (cache === undefined) {
      cache = new PairCache(levelCacheSlots);
      this.levelCaches[field] = cache;
    }
    const low = Math.min(idA, idB);
    const high = Math.max(idA, idB);
    let level = cache.get(low, high);
    if (level < 0) {
      const valueA = this.store.valueById(field, idA);
      const valueB = this.store.valueById(field, idB);
      level = valueA === null || valueB === null ? 0 : compareNameValues(valueA, valueB);
      cache.set(low, high, level);
    }
    return level;
  }

  private nameComparer(comparison: Comparison, ids: Int32Array): FieldComparer {
    const field = comparison.field;
    const others = comparison.swapFields.map((other) => ({
      other,
      ids: this.store.valueIds(other),
      // A one-way move is credited to the earlier field only (see nameMovedLevel).
      later: other > field,
    }));
    return (a, b) => {
      const idA = ids[a] ?? -1;
      const idB = ids[b] ?? -1;
      if (idA < 0 || idB < 0) return 0;
      const level = this.nameCoreLevel(field, idA, idB);
      if (level !== nameElseLevel) return level;
      const swap = this.swapped(comparison, a, b);
      if (swap !== namesCrossedNot) return swappedNameLevel(comparison, swap);
      for (let o = 0; o < others.length; o += 1) {
        const { other, ids: otherIds, later } = others[o] as (typeof others)[number]; // o < length
        const aToB = this.alike(field, idA, other, otherIds[b] ?? -1);
        if (later && aToB) return nameMovedLevelNumber;
        if (!later && !aToB) continue;
        if (this.alike(other, otherIds[a] ?? -1, field, idB)) return nameMovedLevelNumber;
      }
      return nameElseLevel;
    };
  }

  /**
   * `namesSwapKind` of rows a and b, on value ids with a cache. The name comparers of one
   * pair run one after another, so the last answer is kept for the next name field.
   */
  private swapped(comparison: Comparison, a: number, b: number): number {
    if (a === this.lastSwapA && b === this.lastSwapB) return this.lastSwapped;
    this.lastSwapA = a;
    this.lastSwapB = b;
    this.lastSwapped = this.computeSwapped(comparison, a, b);
    return this.lastSwapped;
  }

  private computeSwapped(comparison: Comparison, a: number, b: number): number {
    const given = comparison.swapGivenField;
    if (given < 0 || comparison.swapSurnameField < 0) return namesCrossedNot;
    const givenIds = this.store.valueIds(given);
    const givenA = givenIds[a] ?? -1;
    const givenB = givenIds[b] ?? -1;
    if (givenA < 0 || givenB < 0) return namesCrossedNot;
    if (this.nameCoreLevel(given, givenA, givenB) !== nameElseLevel) return namesCrossedNot;
    const surname = comparison.swapSurnameField;
    const surnameIds = this.store.valueIds(surname);
    const firstA = surnameIds[a] ?? -1;
    const firstB = surnameIds[b] ?? -1;
    if (
      firstA >= 0 &&
      firstB >= 0 &&
      this.nameCoreLevel(surname, firstA, firstB) !== nameElseLevel
    ) {
      return namesCrossedNot;
    }
    const combos = this.surnameCombos(comparison.swapSurnameFields);
    const forward = this.givenAsSurnames(given, givenA, combos, combos.ofRow[b] ?? -1);
    if (forward === namesCrossedNot) return namesCrossedNot;
    return swapKind(forward, this.givenAsSurnames(given, givenB, combos, combos.ofRow[a] ?? -1));
  }

  /** Each row's combination of surname value ids, numbered (built on first use). */
  private surnameCombos(fields: readonly number[]): SurnameCombos {
    if (this.combos !== null) return this.combos;
    const idsByField = fields.map((field) => this.store.valueIds(field));
    const comboIds = new Map<string, number>();
    const members: (readonly number[])[] = [];
    const ofRow = new Int32Array(this.store.size);
    for (let row = 0; row < ofRow.length; row += 1) {
      const ids = idsByField.map((ids) => ids[row] ?? -1);
      const key = ids.join(',');
      let combo = comboIds.get(key);
      if (combo === undefined) {
        combo = members.length;
        comboIds.set(key, combo);
        members.push(ids);
      }
      ofRow[row] = combo;
    }
    this.combos = { fields, ofRow, members };
    return this.combos;
  }

  /** `givenNamesAsSurnames` of a given-name value id and a surname combination (cached). */
  private givenAsSurnames(
    given: number,
    idG: number,
    combos: SurnameCombos,
    combo: number,
  ): number {
    if (idG < 0 || combo < 0) return namesCrossedNot;
    let known = this.swapCache.get(idG, combo);
    if (known < 0) {
      const value = this.store.valueById(given, idG);
      const ids = combos.members[combo] ?? [];
      const surnames = combos.fields.map((field, i) => this.store.valueById(field, ids[i] ?? -1));
      known = value === null ? namesCrossedNot : givenNamesAsSurnames(value, surnames);
      this.swapCache.set(idG, combo, known);
    }
    return known;
  }

  /** Whether value idX of field x and value idY of field y are alike (cached, symmetric). */
  private alike(x: number, idX: number, y: number, idY: number): boolean {
    if (idX < 0 || idY < 0) return false;
    const codesX = this.codesByField[x];
    const codesY = this.codesByField[y];
    if (codesX === undefined || codesY === undefined) return false;
    if (
      codesX.key[idX] === codesY.key[idY] ||
      codesX.phonetic[idX] === codesY.phonetic[idY] ||
      codesX.compact[idX] === codesY.compact[idY]
    ) {
      return true;
    }
    const swap = x > y;
    const key = swap ? y * this.fieldCount + x : x * this.fieldCount + y;
    let cache = this.alikeCaches[key];
    if (cache === undefined) {
      cache = new PairCache(alikeCacheSlots);
      this.alikeCaches[key] = cache;
    }
    const first = swap ? idY : idX;
    const second = swap ? idX : idY;
    let known = cache.get(first, second);
    if (known < 0) {
      const valueX = this.store.valueById(x, idX);
      const valueY = this.store.valueById(y, idY);
      known = valueX !== null && valueY !== null && isAlike(valueX, valueY) ? 1 : 0;
      cache.set(first, second, known);
    }
    return known === 1;
  }

  private dateComparer(comparison: Comparison, ids: Int32Array): FieldComparer {
    const store = this.store;
    const field = comparison.field;
    const cache = new PairCache(levelCacheSlots);
    return (a, b) => {
      const idA = ids[a] ?? -1;
      const idB = ids[b] ?? -1;
      if (idA < 0 || idB < 0) return 0;
      const low = Math.min(idA, idB);
      const high = Math.max(idA, idB);
      let level = cache.get(low, high);
      if (level < 0) {
        const valueA = store.valueById(field, idA);
        const valueB = store.valueById(field, idB);
        level =
          valueA === null || valueB === null
            ? 0
            : compareDate(valueA.key, valueB.key, valueA.year, valueB.year);
        cache.set(low, high, level);
      }
      return level;
    };
  }
}
