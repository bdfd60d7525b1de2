import { BlockKeyCoder } from './block-keys.js';
import { buildBlockingPlan } from './blocking.js';
import { FloatBuffer, IntBuffer } from './int-buffer.js';
import { groupByKey, hashKey } from './key-sort.js';
import { dedupLimits } from './limits.js';
import { type DedupModel, PairScorer, pairPrior, posteriorFromScore } from './model.js';
import { RecordStore } from './record-store.js';
import type { DedupRecord } from './types.js';

export type MatchDecision = 'auto' | 'review';

export interface MatchCandidate {
  readonly id: string;
  /** log2 Bayes factor of "same person" against "different people". */
  readonly score: number;
  readonly posterior: number;
  /** auto: posterior ≥ autoPosteriorMin; review: between the review and auto thresholds. */
  readonly decision: MatchDecision;
  /** Per field, the level at which the records agree: the explanation shown to a reviewer. */
  readonly levels: Readonly<Record<string, string>>;
}

export interface MatchIndex {
  readonly size: number;
  /** Adds an enrolled record, so the next query sees it. */
  add(record: DedupRecord): void;
  /**
   * Registry records that may be the same person as `record`, best first. Only records at
   * or above the review threshold are returned: the index never lists unrelated people.
   */
  findCandidates(record: DedupRecord, limit?: number): MatchCandidate[];
}

/**
 * An in-memory blocking index over the registry for enrolment-time checks. The records
 * present at creation are indexed in bulk: their numeric block keys (block-keys.ts) are
 * grouped by a radix sort into flat arrays, with no per-key object, so a million persons
 * cost a few hundred megabytes and seconds rather than gigabytes and minutes; records added
 * later go to a small Map. A query computes the new record's keys, finds each block by
 * binary search over the key hashes, scores the rows found and returns those worth a look.
 *
 * @example
 * const index = createMatchIndex(registryRecords, result.model);
 * index.findCandidates({ id: 'new', fields: { given_names: 'Maria', … } })[0]?.decision // 'review'
 */
export function createMatchIndex(records: Iterable<DedupRecord>, model: DedupModel): MatchIndex {
  const store = new RecordStore(model.schema);
  const coder = new BlockKeyCoder(buildBlockingPlan(model.schema));
  const scorer = new PairScorer(model);
  const bulk = bulkBlocks(store, coder, records);
  const added = new Map<number, number[]>();
  const keys: number[] = [];

  const add = (record: DedupRecord): void => {
    const row = store.append(record);
    keys.length = 0;
    coder.keys(store, row, keys);
    for (const key of keys) {
      const members = added.get(key);
      if (members === undefined) added.set(key, [row]);
      else members.push(row);
    }
  };

  const candidateRows = (query: RecordStore): Set<number> => {
    keys.length = 0;
    coder.keys(query, 0, keys);
    const rows = new Set<number>();
    for (const key of keys) {
      const members = added.get(key);
      const group = bulk.find(key);
      const size = (members?.length ?? 0) + (group < 0 ? 0 : bulk.size(group));
      if (size > dedupLimits.blockSizeMax) continue;
      if (group >= 0) for (const row of bulk.members(group)) rows.add(row);
      for (const row of members ?? []) rows.add(row);
    }
    return rows;
  };

  const findCandidates = (record: DedupRecord, limit: number = dedupLimits.queryCandidatesMax) => {
    const query = new RecordStore(model.schema);
    query.append(record);
    const prior = pairPrior(model, store.size + 1);
    const found: MatchCandidate[] = [];
    for (const row of candidateRows(query)) {
      const score = scorer.score(query, 0, store, row, store, row);
      const posterior = posteriorFromScore(score, prior);
      if (posterior < model.thresholds.reviewPosteriorMin) continue;
      const decision = posterior >= model.thresholds.autoPosteriorMin ? 'auto' : 'review';
      found.push({
        id: store.ids[row] ?? '',
        score,
        posterior,
        decision,
        levels: levelLabels(scorer),
      });
    }
    return found
      .sort((a, b) => b.score - a.score)
      .slice(0, Math.min(limit, dedupLimits.queryCandidatesMax));
  };

  return {
    get size() {
      return store.size;
    },
    add,
    findCandidates,
  };
}

/** Blocks of the records indexed in bulk, found by binary search over their key hashes. */
interface BulkBlocks {
  /** The block of a key, or -1. */
  find(key: number): number;
  size(group: number): number;
  members(group: number): Int32Array;
}

function bulkBlocks(
  store: RecordStore,
  coder: BlockKeyCoder,
  records: Iterable<DedupRecord>,
): BulkBlocks {
  const entryKeys = new FloatBuffer(1024);
  const entryRows = new IntBuffer(1024);
  const keys: number[] = [];
  for (const record of records) {
    const row = store.append(record);
    keys.length = 0;
    coder.keys(store, row, keys);
    for (const key of keys) {
      entryKeys.push(key);
      entryRows.push(row);
    }
  }
  const groups = groupByKey(entryKeys.toArray(), entryRows.toArray());
  // groupByKey returns groups in increasing hash order.
  const hashes = Uint32Array.from(groups.keys, (key) => hashKey(key));
  return {
    find(key) {
      const hash = hashKey(key);
      let low = 0;
      let high = hashes.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if ((hashes[middle] ?? 0) < hash) low = middle + 1;
        else high = middle;
      }
      for (let group = low; group < hashes.length && hashes[group] === hash; group += 1) {
        if (groups.keys[group] === key) return group;
      }
      return -1;
    },
    size: (group) => (groups.start[group + 1] ?? 0) - (groups.start[group] ?? 0),
    members: (group) => groups.rows.subarray(groups.start[group], groups.start[group + 1]),
  };
}

function levelLabels(scorer: PairScorer): Record<string, string> {
  const labels: Record<string, string> = {};
  scorer.comparisons.forEach((comparison, c) => {
    const level = scorer.levels[c] ?? 0;
    labels[comparison.name] = level === 0 ? 'missing' : (comparison.levels[level - 1] ?? 'unknown');
  });
  return labels;
}
