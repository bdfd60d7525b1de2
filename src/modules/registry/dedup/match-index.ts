import { BlockKeyCoder } from './block-keys.js';
import { buildBlockingPlan } from './blocking.js';
import { FloatBuffer, IntBuffer } from './int-buffer.js';
import { groupByKey, hashKey } from './key-sort.js';
import { dedupLimits } from './limits.js';
import { type DedupModel, PairScorer, pairPrior, posteriorFromScore } from './model.js';
import { RecordStore } from './record-store.js';
import type { DedupRecord, DedupSchema } from './types.js';

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
  /** The weights in use: the given model, or the one trained on the indexed records. */
  readonly model: DedupModel;
  /** Adds an enrolled record, so the next query sees it. */
  add(record: DedupRecord): void;
  /**
   * Stops returning a record (every row under its id): it was merged into another or erased.
   * Its rows stay in memory until the index is rebuilt; no query reaches them.
   */
  forget(id: string): void;
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
export function createMatchIndex(records: Iterable<DedupRecord>, model: ModelSource): MatchIndex {
  const builder = new MatchIndexBuilder(model.schema);
  for (const record of records) builder.append(record);
  return builder.finish(model);
}

/**
 * Where the index's weights come from: a fixed model, or a trainer that estimates one
 * from the indexed records once they are loaded (see match-model.ts).
 */
export type ModelSource =
  | DedupModel
  | {
      readonly schema: DedupSchema;
      /** Yields between phases of the training (see `finishAsync`). */
      readonly train: (view: TrainingView) => Generator<void, DedupModel, void>;
    };

/** What a trainer sees of the loaded index: its records and each row's blocked neighbours. */
export interface TrainingView {
  readonly store: RecordStore;
  /** Rows sharing a usable block with `row` (not `row` itself), each once. */
  candidateRowsOf(row: number): number[];
}

/**
 * Builds a match index a record (or a page of records) at a time, so a server can load the
 * registry in pages and yield between them instead of blocking its event loop.
 *
 * @example
 * const builder = new MatchIndexBuilder(schema);
 * for (const record of page) builder.append(record);
 * const index = builder.finish(model);
 */
export class MatchIndexBuilder {
  readonly store: RecordStore;
  private readonly coder: BlockKeyCoder;
  private readonly entryKeys = new FloatBuffer(1024);
  private readonly entryRows = new IntBuffer(1024);
  private readonly keys: number[] = [];

  constructor(schema: DedupSchema) {
    this.store = new RecordStore(schema);
    this.coder = new BlockKeyCoder(buildBlockingPlan(schema));
  }

  append(record: DedupRecord): void {
    const row = this.store.append(record);
    this.keys.length = 0;
    this.coder.keys(this.store, row, this.keys);
    for (const key of this.keys) {
      this.entryKeys.push(key);
      this.entryRows.push(row);
    }
  }

  /** Groups the keys, trains the model when asked to, and returns the index. */
  finish(source: ModelSource): MatchIndex {
    const bulk = bulkBlocks(this.entryKeys.toArray(), this.entryRows.toArray());
    if (!('train' in source)) return indexOver(this.store, this.coder, bulk, source);
    const steps = source.train(this.trainingView(bulk));
    for (;;) {
      const step = steps.next();
      if (step.done === true) return indexOver(this.store, this.coder, bulk, step.value);
    }
  }

  /**
   * `finish`, awaiting `pause()` between the grouping and each phase of the training, so a
   * server's event loop is not held for the whole of it.
   */
  async finishAsync(source: ModelSource, pause: () => Promise<void>): Promise<MatchIndex> {
    const bulk = bulkBlocks(this.entryKeys.toArray(), this.entryRows.toArray());
    if (!('train' in source)) return indexOver(this.store, this.coder, bulk, source);
    await pause();
    const steps = source.train(this.trainingView(bulk));
    for (;;) {
      const step = steps.next();
      if (step.done === true) return indexOver(this.store, this.coder, bulk, step.value);
      await pause();
    }
  }

  private trainingView(bulk: BulkBlocks): TrainingView {
    return {
      store: this.store,
      candidateRowsOf: (row) => bulkNeighbours(this.store, this.coder, bulk, row),
    };
  }
}

function bulkNeighbours(
  store: RecordStore,
  coder: BlockKeyCoder,
  bulk: BulkBlocks,
  row: number,
): number[] {
  const keys: number[] = [];
  coder.keys(store, row, keys);
  const rows = new Set<number>();
  for (const key of keys) {
    const group = bulk.find(key);
    if (group < 0 || bulk.size(group) > dedupLimits.blockSizeMax) continue;
    for (const member of bulk.members(group)) if (member !== row) rows.add(member);
  }
  return [...rows];
}

function indexOver(
  store: RecordStore,
  coder: BlockKeyCoder,
  bulk: BulkBlocks,
  model: DedupModel,
): MatchIndex {
  const scorer = new PairScorer(model);
  const added = new Map<number, number[]>();
  const forgotten = new Set<string>();
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
      if (forgotten.size > 0 && forgotten.has(store.ids[row] ?? '')) continue;
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
    model,
    add,
    forget: (id) => {
      forgotten.add(id);
    },
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

function bulkBlocks(entryKeys: Float64Array, entryRows: Int32Array): BulkBlocks {
  const groups = groupByKey(entryKeys, entryRows);
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
