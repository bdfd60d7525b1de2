import type { Comparison } from './comparisons.js';
import { expectationMaximisation } from './em.js';
import { IntBuffer } from './int-buffer.js';
import { comparePairPatterns } from './pair-patterns.js';
import { seededRandom } from './random.js';
import type { RecordStore } from './record-store.js';
import { nameKinds } from './types.js';

/**
 * Learns m (P(level | match)) in blocked training sessions, the way Splink does, instead of
 * by EM over the candidate pairs. Candidates are chosen because they agree on something,
 * so their non-matches are not random; with u free EM then finds the biggest cluster of
 * alike pairs, which in a registry is "same household" (shared surnames and place), and
 * with u fixed it mistakes blocking agreement for identity.
 *
 * A session takes every pair inside small blocks of one exact value, so its non-matches
 * are random on every field independent of that value, and runs EM with u fixed at the
 * random-pair values over those fields only:
 * - blocked on the date of birth: learns the names, sex, places and phones;
 * - blocked on the given names: learns the date of birth, with the surnames beside it.
 *   Given names are chosen because relatives rarely share all of them, while they do
 *   share surnames, places and phones (blocked on a surname, siblings outnumber
 *   duplicates and EM learns "same family"). Sex is left out: it follows the given name.
 * Fields learnt in both take the date session's values. Without a date or a name
 * field there is no session and the caller falls back to EM over the candidates.
 *
 * @example
 * const m = estimateMBySessions(store, comparisons, u, { seed: 1 });
 */
export function estimateMBySessions(
  store: RecordStore,
  comparisons: readonly Comparison[],
  u: readonly (readonly number[])[],
  options: SessionOptions,
): number[][] | null {
  const date = comparisons.find((comparison) => comparison.kind === 'date');
  const given =
    comparisons.find((comparison) => comparison.kind === 'given_name') ??
    comparisons.find((comparison) => nameKinds.has(comparison.kind));
  if (date === undefined || given === undefined) return null;
  const byDate = runSession(
    store,
    comparisons,
    u,
    options,
    date.field,
    (comparison) => comparison.field !== date.field,
  );
  const byGiven = runSession(store, comparisons, u, options, given.field, (comparison) =>
    ['surname', 'date'].includes(comparison.kind),
  );
  if (byDate === null || byGiven === null) return null;
  return comparisons.map((comparison) =>
    comparison.field === date.field
      ? (byGiven.get(comparison.field) ?? [])
      : (byDate.get(comparison.field) ?? byGiven.get(comparison.field) ?? []),
  );
}

export interface SessionOptions {
  readonly seed: number;
  /** Blocks larger than this are left out of a session. */
  readonly blockSizeMax: number;
  /** Pairs compared per session, at most. */
  readonly pairsMax: number;
  /** Bits an exact name match adds for its rarity (see PairScorer.tfAdjustment). */
  readonly tfBits: (field: number, row: number) => number;
}

/** One session: m per estimated field, or null when the blocks hold no pairs. */
function runSession(
  store: RecordStore,
  comparisons: readonly Comparison[],
  u: readonly (readonly number[])[],
  options: SessionOptions,
  blockField: number,
  estimated: (comparison: Comparison) => boolean,
): Map<number, number[]> | null {
  const used = comparisons.filter(estimated);
  const pairs = blockPairs(store, blockField, options);
  if (pairs.left.length === 0 || used.length === 0) return null;
  const { table } = comparePairPatterns(store, used, pairs.left, pairs.right, options.tfBits);
  const em = expectationMaximisation(table, {
    uStart: used.map((comparison) => u[comparison.field] ?? []),
    fixU: true,
    matchShareStart: 0.5,
  });
  return new Map(used.map((comparison, index) => [comparison.field, em.m[index] ?? []]));
}

/** All pairs inside blocks of one exact value, blocks taken in a seeded random order. */
function blockPairs(store: RecordStore, field: number, options: SessionOptions) {
  const rowsByValue = new Map<number, number[]>();
  for (let row = 0; row < store.size; row += 1) {
    const id = store.valueId(field, row);
    if (id < 0) continue;
    const rows = rowsByValue.get(id);
    if (rows === undefined) rowsByValue.set(id, [row]);
    else rows.push(row);
  }
  const blocks = [...rowsByValue.values()].filter(
    (rows) => rows.length > 1 && rows.length <= options.blockSizeMax,
  );
  const random = seededRandom(options.seed);
  for (let i = blocks.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [blocks[i], blocks[j]] = [blocks[j] ?? [], blocks[i] ?? []];
  }
  const left = new IntBuffer();
  const right = new IntBuffer();
  for (const rows of blocks) {
    if (left.size >= options.pairsMax) break;
    for (let i = 0; i < rows.length; i += 1) {
      for (let j = i + 1; j < rows.length; j += 1) {
        left.push(rows[i] ?? 0);
        right.push(rows[j] ?? 0);
      }
    }
  }
  return { left: left.toArray(), right: right.toArray() };
}
