import { BlockKeyCoder, kindOfKey, tightKinds } from './block-keys.js';
import type { BlockingPlan } from './blocking-plan.js';
import { FloatBuffer, IntBuffer } from './int-buffer.js';
import { groupByKey } from './key-sort.js';
import type { RecordStore } from './record-store.js';
import type { DedupSchema, FieldKind } from './types.js';

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
  const entryKeys = new FloatBuffer(store.size * 20);
  const entryRows = new IntBuffer(store.size * 20);
  const keys: number[] = [];
  for (let row = 0; row < store.size; row += 1) {
    keys.length = 0;
    coder.keys(store, row, keys);
    for (const key of keys) {
      entryKeys.push(key);
      entryRows.push(row);
    }
  }
  // Rows were given in increasing order, so each block's members stay in row order.
  const groups = groupByKey(entryKeys.toArray(), entryRows.toArray());
  const blockCount = groups.keys.length;
  const usable = new Uint8Array(blockCount);
  let blocksOverLimit = 0;
  for (let block = 0; block < blockCount; block += 1) {
    const size = (groups.start[block + 1] ?? 0) - (groups.start[block] ?? 0);
    const limit = tightKinds.has(kindOfKey(groups.keys[block] ?? 0)) ? limits.tight : limits.loose;
    if (size > limit) blocksOverLimit += 1;
    else if (size > 1) usable[block] = 1;
  }
  const { rowStart, rowBlocks } = blocksOfRows(groups, usable, store.size);
  const pairs = enumeratePairs(groups, rowStart, rowBlocks, usable);
  return { ...pairs, blockCount, blocksOverLimit };
}

interface BlockMembers {
  /** Members of block b are rows[start[b] .. start[b+1]), in increasing row order. */
  readonly start: Int32Array;
  readonly rows: Int32Array;
}

/** Inverts the usable blocks' block → rows into row → blocks with a counting sort. */
function blocksOfRows(members: BlockMembers, usable: Uint8Array, rowCount: number) {
  const rowStart = new Int32Array(rowCount + 1);
  for (let block = 0; block < usable.length; block += 1) {
    if (usable[block] !== 1) continue;
    for (let m = members.start[block] ?? 0; m < (members.start[block + 1] ?? 0); m += 1) {
      const row = members.rows[m] ?? 0;
      rowStart[row + 1] = (rowStart[row + 1] ?? 0) + 1;
    }
  }
  for (let row = 0; row < rowCount; row += 1) {
    rowStart[row + 1] = (rowStart[row + 1] ?? 0) + (rowStart[row] ?? 0);
  }
  const fill = rowStart.slice(0, rowCount);
  const rowBlocks = new Int32Array(rowStart[rowCount] ?? 0);
  for (let block = 0; block < usable.length; block += 1) {
    if (usable[block] !== 1) continue;
    for (let m = members.start[block] ?? 0; m < (members.start[block + 1] ?? 0); m += 1) {
      const row = members.rows[m] ?? 0;
      rowBlocks[fill[row] ?? 0] = block;
      fill[row] = (fill[row] ?? 0) + 1;
    }
  }
  return { rowStart, rowBlocks };
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
