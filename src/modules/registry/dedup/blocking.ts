import { BlockKeyCoder, kindOfKey, tightKinds } from './block-keys.js';
import { IntBuffer } from './int-buffer.js';
import type { RecordStore } from './record-store.js';
import type { DedupSchema, FieldKind } from './types.js';

/**
 * Which fields feed which blocking keys. Candidate pairs are the union of pairs that share
 * at least one key, so a typo in one field is caught by a key built from the others.
 */
export interface BlockingPlan {
  readonly givenFields: readonly number[];
  readonly surnameFields: readonly number[];
  readonly dateField: number;
  readonly phoneFields: readonly number[];
  readonly identifierFields: readonly number[];
  readonly localityFields: readonly number[];
  /** Names come in one full_name field: its last token stands for the surname. */
  readonly fullNameOnly: boolean;
}

/**
 * Reads the blocking plan off the schema. A full_name field stands for both given names
 * and surnames when the schema has no separate ones.
 */
export function buildBlockingPlan(schema: DedupSchema): BlockingPlan {
  const indexesOf = (kind: FieldKind): number[] =>
    schema.fields.flatMap((spec, index) => (spec.kind === kind ? [index] : []));
  const fullNames = indexesOf('full_name');
  const given = indexesOf('given_name');
  const surnames = indexesOf('surname');
  return {
    givenFields: given.length > 0 ? given : fullNames,
    surnameFields: surnames.length > 0 ? surnames : fullNames,
    dateField: indexesOf('date')[0] ?? -1,
    phoneFields: [...indexesOf('phone'), ...indexesOf('digest')],
    identifierFields: indexesOf('identifier'),
    localityFields: schema.fields.flatMap((spec, index) =>
      spec.locality === true || spec.kind === 'code' ? [index] : [],
    ),
    fullNameOnly: given.length === 0 && surnames.length === 0,
  };
}

/**
 * The blocking keys of one row, each prefixed by its kind so keys never collide. Name keys
 * use every name token's sound, whatever field it sits in, so swapped given names and
 * surnames and compound surnames still meet:
 * y: name sound + birth year; b: name sound + date of birth; e: date + a name's initial;
 * n: all name tokens sorted; p: given and surname sounds (catches a wrong or missing date);
 * q: one name's sound + the other's initial; r: short sound prefixes of both names;
 * t: phone; i: identifier;
 * l: locality or code + name sound; w: locality or code + date of birth.
 *
 * @example
 * blockingKeys(store, plan, 0) // ['y|peres|1984', 'b|peres|19840512', …]
 */
export function blockingKeys(store: RecordStore, plan: BlockingPlan, row: number): string[] {
  const keys: string[] = [];
  const date = plan.dateField >= 0 ? store.value(plan.dateField, row) : null;
  const nameFields = plan.fullNameOnly
    ? plan.givenFields
    : [...plan.givenFields, ...plan.surnameFields];
  const tokens = nameFields.flatMap((field) => store.value(field, row)?.tokens ?? []);
  const sounds = new Set(
    nameFields
      .flatMap((field) => store.value(field, row)?.phoneticTokens ?? [])
      .filter((sound) => sound.length > 1),
  );
  const localities = plan.localityFields.flatMap((field) => {
    const value = store.value(field, row);
    return value === null ? [] : [`${field}|${value.key}`];
  });
  for (const sound of sounds) {
    if (date !== null && date.year > 0) keys.push(`y|${sound}|${date.year}`);
    if (date !== null) keys.push(`b|${sound}|${date.key}`);
    for (const locality of localities) keys.push(`l|${locality}|${sound}`);
  }
  if (date !== null) for (const locality of localities) keys.push(`w|${locality}|${date.key}`);
  const given = firstValue(store, plan.givenFields, row);
  const surname = firstValue(store, plan.surnameFields, row);
  if (date !== null) {
    for (const initial of new Set([...sounds].map((sound) => sound.slice(0, 1)))) {
      keys.push(`e|${date.key}|${initial}`);
    }
  }
  const givenSound = given?.phoneticTokens[0] ?? '';
  const surnameSound =
    (plan.fullNameOnly ? surname?.phoneticTokens.at(-1) : surname?.phoneticTokens[0]) ?? '';
  if (givenSound !== '' && surnameSound !== '' && givenSound !== surnameSound) {
    keys.push(`p|${[givenSound, surnameSound].sort().join('|')}`);
    keys.push(
      `q|${givenSound}|${surnameSound.slice(0, 1)}`,
      `q|${surnameSound}|${givenSound.slice(0, 1)}`,
    );
    const prefixes = [givenSound.slice(0, 2), surnameSound.slice(0, 3)].sort();
    keys.push(`r|${prefixes.join('|')}`);
  }
  if (tokens.length > 1) keys.push(`n|${[...new Set(tokens)].sort().join(' ')}`);
  for (const field of plan.phoneFields) pushValueKey(keys, 't', store, field, row);
  for (const field of plan.identifierFields) pushValueKey(keys, 'i', store, field, row);
  return keys;
}

function firstValue(store: RecordStore, fields: readonly number[], row: number) {
  for (const field of fields) {
    const value = store.value(field, row);
    if (value !== null) return value;
  }
  return null;
}

function pushValueKey(
  keys: string[],
  prefix: string,
  store: RecordStore,
  field: number,
  row: number,
): void {
  const value = store.value(field, row);
  if (value !== null) keys.push(`${prefix}|${field}|${value.key}`);
}

export interface CandidatePairs {
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly blockCount: number;
  /** Blocks over the size limit, skipped so that one common key cannot explode the count. */
  readonly blocksOverLimit: number;
}

/** Largest blocks used: tight kinds (rare coincidences) and loose ones (one common trait). */
export interface BlockSizeLimits {
  readonly tight: number;
  readonly loose: number;
}

/**
 * Every pair of rows sharing a block within its size limit, each pair once, in
 * O(total block pairs) time and without a global pair set. Keys are numbers (see
 * block-keys.ts) and block members sit in one flat array (CSR), not one array per block.
 */
export function candidatePairs(
  store: RecordStore,
  plan: BlockingPlan,
  limits: BlockSizeLimits,
): CandidatePairs {
  const coder = new BlockKeyCoder(plan);
  // One map per key kind: a single V8 Map holds at most 2^24 entries.
  const blockIdsByKind = new Map<number, Map<number, number>>();
  const blockKind: number[] = [];
  const entryBlock = new IntBuffer(store.size * 16);
  const rowStart = new Int32Array(store.size + 1);
  const keys: number[] = [];
  for (let row = 0; row < store.size; row += 1) {
    keys.length = 0;
    coder.keys(store, row, keys);
    for (const key of keys) {
      const kind = kindOfKey(key);
      let blockIds = blockIdsByKind.get(kind);
      if (blockIds === undefined) {
        blockIds = new Map();
        blockIdsByKind.set(kind, blockIds);
      }
      let id = blockIds.get(key);
      if (id === undefined) {
        id = blockKind.length;
        blockIds.set(key, id);
        blockKind.push(kind);
      }
      entryBlock.push(id);
    }
    rowStart[row + 1] = entryBlock.size;
  }
  blockIdsByKind.clear();
  const rowBlocks = entryBlock.toArray();
  const members = blockMembers(rowStart, rowBlocks, blockKind.length);
  const usable = new Uint8Array(blockKind.length);
  let blocksOverLimit = 0;
  for (let block = 0; block < usable.length; block += 1) {
    const size = (members.start[block + 1] ?? 0) - (members.start[block] ?? 0);
    const limit = tightKinds.has(blockKind[block] ?? 0) ? limits.tight : limits.loose;
    if (size <= limit) usable[block] = 1;
    else blocksOverLimit += 1;
  }
  const pairs = enumeratePairs(members, rowStart, rowBlocks, usable);
  return { ...pairs, blockCount: blockKind.length, blocksOverLimit };
}

interface BlockMembers {
  /** Members of block b are rows[start[b] .. start[b+1]), in increasing row order. */
  readonly start: Int32Array;
  readonly rows: Int32Array;
}

/** Inverts row → blocks into block → rows with a counting sort. */
function blockMembers(rowStart: Int32Array, rowBlocks: Int32Array, blockCount: number) {
  const start = new Int32Array(blockCount + 1);
  for (const block of rowBlocks) start[block + 1] = (start[block + 1] ?? 0) + 1;
  for (let block = 0; block < blockCount; block += 1) {
    start[block + 1] = (start[block + 1] ?? 0) + (start[block] ?? 0);
  }
  const fill = start.slice(0, blockCount);
  const rows = new Int32Array(rowBlocks.length);
  for (let row = 0; row + 1 < rowStart.length; row += 1) {
    for (let k = rowStart[row] ?? 0; k < (rowStart[row + 1] ?? 0); k += 1) {
      const block = rowBlocks[k] ?? 0;
      rows[fill[block] ?? 0] = row;
      fill[block] = (fill[block] ?? 0) + 1;
    }
  }
  return { start, rows };
}

function enumeratePairs(
  members: BlockMembers,
  rowStart: Int32Array,
  rowBlocks: Int32Array,
  usable: Uint8Array,
): { left: Int32Array; right: Int32Array } {
  const rowCount = rowStart.length - 1;
  const seenBy = new Int32Array(rowCount).fill(-1);
  const left = new IntBuffer(rowCount * 4);
  const right = new IntBuffer(rowCount * 4);
  for (let row = 0; row < rowCount; row += 1) {
    for (let k = rowStart[row] ?? 0; k < (rowStart[row + 1] ?? 0); k += 1) {
      const block = rowBlocks[k] ?? 0;
      if (usable[block] !== 1) continue;
      // Members are in row order: only those after this row make new pairs.
      for (let m = (members.start[block + 1] ?? 0) - 1; m >= (members.start[block] ?? 0); m -= 1) {
        const other = members.rows[m] ?? 0;
        if (other <= row) break;
        if (seenBy[other] === row) continue;
        seenBy[other] = row;
        left.push(row);
        right.push(other);
      }
    }
  }
  return { left: left.toArray(), right: right.toArray() };
}
