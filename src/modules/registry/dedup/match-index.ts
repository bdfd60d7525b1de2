import { blockingKeys, buildBlockingPlan } from './blocking.js';
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
 * An in-memory blocking index over the registry for enrolment-time checks: one query
 * looks up the new record's blocking keys (Map lookups), scores the few rows found and
 * returns those worth a look.
 *
 * @example
 * const index = createMatchIndex(registryRecords, result.model);
 * index.findCandidates({ id: 'new', fields: { given_names: 'Maria', … } })[0]?.decision // 'review'
 */
export function createMatchIndex(records: Iterable<DedupRecord>, model: DedupModel): MatchIndex {
  const store = new RecordStore(model.schema);
  const plan = buildBlockingPlan(model.schema);
  const scorer = new PairScorer(model);
  const blocksByKind = new Map<string, Map<string, number[]>>();

  const add = (record: DedupRecord): void => {
    const row = store.append(record);
    for (const key of new Set(blockingKeys(store, plan, row))) {
      const kind = key.slice(0, key.indexOf('|'));
      let blocks = blocksByKind.get(kind);
      if (blocks === undefined) {
        blocks = new Map();
        blocksByKind.set(kind, blocks);
      }
      const members = blocks.get(key);
      if (members === undefined) blocks.set(key, [row]);
      else members.push(row);
    }
  };

  const findCandidates = (record: DedupRecord, limit: number = dedupLimits.queryCandidatesMax) => {
    const query = new RecordStore(model.schema);
    query.append(record);
    const rows = new Set<number>();
    for (const key of blockingKeys(query, plan, 0)) {
      const members = blocksByKind.get(key.slice(0, key.indexOf('|')))?.get(key) ?? [];
      if (members.length > dedupLimits.blockSizeMax) continue;
      for (const row of members) rows.add(row);
    }
    const prior = pairPrior(model, store.size + 1);
    const found: MatchCandidate[] = [];
    for (const row of rows) {
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

  for (const record of records) add(record);
  return {
    get size() {
      return store.size;
    },
    add,
    findCandidates,
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
