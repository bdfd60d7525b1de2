import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { buildComparisons } from '../dedup/comparisons.js';
import {
  createMatchIndex,
  type MatchIndex,
  MatchIndexBuilder,
  type ModelSource,
} from '../dedup/match-index.js';
import { matchModelSteps } from '../dedup/match-model.js';
import { type DedupModel, defaultThresholds } from '../dedup/model.js';
import { registryDedupSchema } from '../dedup/population-adapter.js';
import { readDedupRecords } from '../dedup/run-repository.js';
import type { DedupRecord } from '../dedup/types.js';

/** What the duplicate check sees of an enrolment: plain attributes and the phone's digest. */
export interface DuplicateInput {
  /** Catalogue attributes (plain ones suffice; the phone is never read in clear). */
  attributes: Readonly<Record<string, unknown>>;
  /** Blind-index digest of the phone (hex), or null when there is none. */
  phoneDigest: string | null;
}

/** A registered person who may be the one being enrolled. */
export interface DuplicateCandidate {
  personId: string;
  /** log2 Bayes factor (bits) of "same person". */
  score: number;
  posterior: number;
  /** review: a supervisor should look; auto: almost certainly the same person. */
  decision: 'auto' | 'review';
  /** Per compared field, how well the two agree (exact, phonetic, missing …). */
  fieldLevels: Record<string, string>;
}

/**
 * Duplicate detection at enrolment. The in-memory implementation below holds one process's
 * index; a deployment with several server processes needs a shared implementation.
 */
export interface DuplicateChecker {
  findCandidates(input: DuplicateInput): Promise<DuplicateCandidate[]>;
  /** Called after an enrolment commits, so the next check sees the new person. */
  recordEnrolment(personId: string, input: DuplicateInput): void;
  /** Called after a merge or an erasure commits: the record is no longer anyone's candidate. */
  forgetPerson(personId: string): void;
}

/**
 * The registry's fields as the duplicate engine compares them: the batch run's schema
 * (`dedup/population-adapter.ts`), so enrolment and `dedup run` weigh the same evidence.
 * Places are left out on purpose: a household shares its parish, so under conditional
 * independence a shared place repeats the family evidence of shared surnames (see the
 * dedup README); leaving them out also makes a third of the block keys.
 */
export { registryDedupSchema };

/**
 * Starting weights, used only while the registry holds fewer than `trainingRecordsMin`
 * persons (a new deployment, the tests): below that, training sessions are too small for a
 * stable m. Per level (by the engine's label): m = P(level | same person), u = P(level |
 * different people). From a registry of 20,000 persons on, the checker trains its model on
 * the registry itself at every start (`trainMatchModel`: u from random pairs, m from blocked
 * EM sessions, the prior by EM over sampled candidates).
 */
const levelWeights: Readonly<Record<string, Readonly<Record<string, readonly [number, number]>>>> =
  {
    name: {
      exact: [0.8, 0.01],
      'phonetic or jw>=0.94': [0.1, 0.01],
      'jw>=0.88': [0.03, 0.02],
      'shared token': [0.03, 0.02],
      'names swapped': [0.01, 0.00001],
      'moved to another name field': [0.01, 0.005],
      else: [0.02, 0.935],
    },
    category: { exact: [0.98, 0.5], else: [0.02, 0.5] },
    date: {
      exact: [0.85, 0.00005],
      'day-month swap': [0.04, 0.00005],
      'one-digit typo or adjacent swap': [0.04, 0.00045],
      'same year': [0.05, 0.013],
      else: [0.02, 0.98645],
    },
    // Digest equality only: an edit of a digest means nothing.
    digest: { exact: [0.7, 0.0001], else: [0.3, 0.9999] },
  };

const weightGroupOf: Readonly<Record<string, string>> = {
  given_names: 'name',
  first_surname: 'name',
  second_surname: 'name',
  sex: 'category',
  birth_date: 'date',
  phone_digest: 'digest',
};

/**
 * The starting model, built from the engine's own level labels so that a change of levels
 * in the engine fails loudly here (at start-up and in tests) instead of silently shifting
 * weights onto the wrong levels.
 */
export function startingModel(): DedupModel {
  const m: number[][] = [];
  const u: number[][] = [];
  for (const comparison of buildComparisons(registryDedupSchema)) {
    const group = levelWeights[weightGroupOf[comparison.name] ?? ''];
    const mRow = [0];
    const uRow = [1];
    for (const label of comparison.levels) {
      const weights = group?.[label];
      if (weights === undefined) {
        throw new Error(`duplicate model: no weights for level "${label}" of ${comparison.name}`);
      }
      mRow.push(weights[0]);
      uRow.push(weights[1]);
    }
    m.push(mRow);
    u.push(uRow);
  }
  return {
    version: 1,
    schema: registryDedupSchema,
    m,
    u,
    matchesPerRecord: 0.02,
    thresholds: defaultThresholds,
  };
}

export const registryStartingModel: DedupModel = startingModel();

/**
 * The model source of the enrolment-time index: trained on the indexed registry (u by
 * random sampling, m and the prior by EM), or the starting model below `trainingRecordsMin`.
 */
export const trainedRegistryModel: ModelSource = {
  schema: registryDedupSchema,
  *train(view) {
    const options = { schema: registryDedupSchema, thresholds: defaultThresholds };
    return (yield* matchModelSteps(view, options)) ?? registryStartingModel;
  },
};

/** The engine's record for a person's attributes. */
export function dedupRecordOf(id: string, input: DuplicateInput): DedupRecord {
  const fields: Record<string, string | null> = { phone_digest: input.phoneDigest };
  for (const field of registryDedupSchema.fields) {
    if (field.name === 'phone_digest') continue;
    const value = input.attributes[field.name];
    fields[field.name] = typeof value === 'string' ? value : null;
  }
  return { id, fields };
}

/**
 * An in-memory checker over the duplicate engine's match index. The server builds it in the
 * background with `startDuplicateChecker` (duplicate-checker-warmup.ts); candidates no
 * longer active (merged, erased) are filtered out by the caller, which reads their status
 * anyway.
 *
 * @example
 *   const checker = createDuplicateChecker([]);
 *   checker.recordEnrolment(personId, { attributes, phoneDigest: null });
 */
export function createDuplicateChecker(
  records: Iterable<DedupRecord>,
  model: ModelSource = trainedRegistryModel,
): IndexedDuplicateChecker {
  return checkerOver(createMatchIndex(records, model));
}

/** A checker over a built index, with its size and the model in use. */
export type IndexedDuplicateChecker = DuplicateChecker & {
  readonly size: number;
  readonly model: DedupModel;
};

export function checkerOver(index: MatchIndex): IndexedDuplicateChecker {
  return {
    get size() {
      return index.size;
    },
    model: index.model,
    async findCandidates(input) {
      return index.findCandidates(dedupRecordOf('query', input)).map((candidate) => ({
        personId: candidate.id,
        score: candidate.score,
        posterior: candidate.posterior,
        decision: candidate.decision,
        fieldLevels: { ...candidate.levels },
      }));
    },
    recordEnrolment(personId, input) {
      index.add(dedupRecordOf(personId, input));
    },
    forgetPerson(personId) {
      index.forget(personId);
    },
  };
}

/** Persons read per query while loading the index. */
const loadPageRecords = 5_000;

/**
 * Every active or deceased person's current version and phone digest, in pages of
 * `loadPageRecords` in id order (the batch run's reader). Sealed attributes are never opened.
 */
export function registryDedupPages(db: Kysely<Database>): AsyncGenerator<DedupRecord[]> {
  return readDedupRecords(db, { statuses: ['active', 'deceased'], pageRecords: loadPageRecords });
}

/**
 * Builds the checker from the registry and waits for it. The server does not wait: it uses
 * `startDuplicateChecker`, which builds the same index in the background.
 */
export async function loadDuplicateChecker(
  db: Kysely<Database>,
  model: ModelSource = trainedRegistryModel,
): Promise<IndexedDuplicateChecker> {
  const builder = new MatchIndexBuilder(model.schema);
  for await (const page of registryDedupPages(db)) {
    for (const record of page) builder.append(record);
  }
  return checkerOver(builder.finish(model));
}
