import type { BlockingPlan } from './blocking-plan.js';
import type { PreparedValue } from './prepared-value.js';
import type { RecordStore } from './record-store.js';

/**
 * Blocking keys as numbers rather than strings: a million records make tens of millions of
 * keys, and building, hashing and storing that many strings is where a batch run used to
 * spend its time. A key is kind · 2^49 + a · 2^25 + b (below 2^53, so exact in a double),
 * where a and b are interned ids, dates or letters.
 */
export const keyKind = {
  /** A name sound + the date of birth with day and month in order (a swap still meets). */
  soundDate: 1,
  /** A name sound + birth year. */
  soundYear: 2,
  /** The date of birth + a name's initial. */
  dateInitial: 3,
  /** Given name sound + surname sound (catches a wrong or missing date). */
  givenSurname: 4,
  /** One name's sound + the other's initial. */
  soundInitial: 5,
  /** Short sound prefixes of given name and surname. */
  soundPrefixes: 6,
  /** All name tokens, sorted. */
  tokenSet: 7,
  /** A phone, digest or identifier. */
  value: 8,
  /** A locality or code + a name sound. */
  placeSound: 9,
  /** A locality or code + the date of birth. */
  placeDate: 10,
} as const;

export type KeyKind = (typeof keyKind)[keyof typeof keyKind];

/**
 * Kinds whose blocks stay small however large the registry grows: they need a rare
 * coincidence (same name sound and same date, same phone). The other kinds group people by
 * one common trait and their blocks grow with the registry, so batch runs cap them harder.
 */
export const tightKinds: ReadonlySet<number> = new Set([
  keyKind.soundDate,
  keyKind.tokenSet,
  keyKind.value,
]);

const aRange = 2 ** 24;
const bRange = 2 ** 25;

/** The kind of a numeric key. */
export function kindOfKey(key: number): number {
  return Math.floor(key / 2 ** 49);
}

function encode(kind: number, a: number, b: number): number {
  return (kind * aRange + (a % aRange)) * bRange + (b % bRange);
}

/** Sorted day and month: a day↔month swap gives the same code; a year alone gives year·10⁴. */
function dateCode(date: PreparedValue): number {
  const key = date.key;
  if (key.length !== 8) return date.year > 0 ? date.year * 10_000 : -1;
  const month = Number(key.slice(4, 6));
  const day = Number(key.slice(6, 8));
  return Number(key.slice(0, 4)) * 10_000 + Math.min(month, day) * 100 + Math.max(month, day);
}

/**
 * Interns the strings keys are made of and writes a row's numeric keys. One coder serves a
 * whole batch run or index, so the same text always gets the same id.
 *
 * @example
 * const coder = new BlockKeyCoder(plan);
 * const keys: number[] = [];
 * coder.keys(store, 0, keys); // [4.3e14, …]
 */
export class BlockKeyCoder {
  private readonly ids = new Map<string, number>();
  private readonly soundIds = new WeakMap<PreparedValue, Int32Array>();
  private readonly seen = new Set<number>();

  constructor(private readonly plan: BlockingPlan) {}

  /** Interned id of a string (sounds, prefixes, token sets, values). */
  intern(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.ids.size + 1;
      this.ids.set(text, id);
    }
    return id;
  }

  private sounds(value: PreparedValue): Int32Array {
    let ids = this.soundIds.get(value);
    if (ids === undefined) {
      const kept = value.phoneticTokens.filter((sound) => sound.length > 1);
      ids = Int32Array.from(kept.map((sound) => this.intern(sound)));
      this.soundIds.set(value, ids);
    }
    return ids;
  }

  /** Appends the distinct keys of one row to `out`. */
  keys(store: RecordStore, row: number, out: number[]): void {
    const plan = this.plan;
    const start = out.length;
    const date = plan.dateField >= 0 ? store.value(plan.dateField, row) : null;
    const code = date === null ? -1 : dateCode(date);
    const year = date === null ? -1 : date.year;
    const nameFields = plan.fullNameOnly
      ? plan.givenFields
      : [...plan.givenFields, ...plan.surnameFields];
    const places = this.placeIds(store, row);
    const initials = new Set<number>();
    for (const field of nameFields) {
      const value = store.value(field, row);
      if (value === null) continue;
      for (const sound of this.sounds(value)) {
        if (code >= 0) out.push(encode(keyKind.soundDate, sound, code));
        if (year > 0) out.push(encode(keyKind.soundYear, sound, year));
        for (const place of places) out.push(encode(keyKind.placeSound, sound, place));
      }
      for (const sound of value.phoneticTokens) {
        if (sound.length > 1) initials.add(sound.charCodeAt(0));
      }
    }
    if (code >= 0) {
      for (const initial of initials) out.push(encode(keyKind.dateInitial, initial, code));
      for (const place of places) out.push(encode(keyKind.placeDate, place, code));
    }
    this.nameKeys(store, row, out);
    for (const field of [...plan.phoneFields, ...plan.identifierFields]) {
      const value = store.value(field, row);
      if (value !== null)
        out.push(encode(keyKind.value, field, this.intern(`${field}|${value.key}`)));
    }
    this.dropRepeats(out, start);
  }

  private placeIds(store: RecordStore, row: number): number[] {
    const places: number[] = [];
    for (const field of this.plan.localityFields) {
      const value = store.value(field, row);
      if (value !== null) places.push(this.intern(`${field}|${value.key}`));
    }
    return places;
  }

  private nameKeys(store: RecordStore, row: number, out: number[]): void {
    const plan = this.plan;
    const given = firstValue(store, plan.givenFields, row);
    const surname = firstValue(store, plan.surnameFields, row);
    const givenSound = given?.phoneticTokens[0] ?? '';
    const surnameSound =
      (plan.fullNameOnly ? surname?.phoneticTokens.at(-1) : surname?.phoneticTokens[0]) ?? '';
    if (givenSound !== '' && surnameSound !== '' && givenSound !== surnameSound) {
      const g = this.intern(givenSound);
      const s = this.intern(surnameSound);
      out.push(encode(keyKind.givenSurname, Math.min(g, s), Math.max(g, s)));
      out.push(encode(keyKind.soundInitial, g, surnameSound.charCodeAt(0)));
      out.push(encode(keyKind.soundInitial, s, givenSound.charCodeAt(0) + 1024));
      const p = this.intern(givenSound.slice(0, 2));
      const q = this.intern(surnameSound.slice(0, 3));
      out.push(encode(keyKind.soundPrefixes, Math.min(p, q), Math.max(p, q)));
    }
    const tokens: string[] = [];
    const nameFields = plan.fullNameOnly
      ? plan.givenFields
      : [...plan.givenFields, ...plan.surnameFields];
    for (const field of nameFields) tokens.push(...(store.value(field, row)?.tokens ?? []));
    if (tokens.length > 1) {
      out.push(encode(keyKind.tokenSet, this.intern([...new Set(tokens)].sort().join(' ')), 0));
    }
  }

  private dropRepeats(out: number[], start: number): void {
    const seen = this.seen;
    seen.clear();
    let write = start;
    for (let read = start; read < out.length; read += 1) {
      const key = out[read] ?? 0;
      if (seen.has(key)) continue;
      seen.add(key);
      out[write] = key;
      write += 1;
    }
    out.length = write;
  }
}

function firstValue(store: RecordStore, fields: readonly number[], row: number) {
  for (const field of fields) {
    const value = store.value(field, row);
    if (value !== null) return value;
  }
  return null;
}
