import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import { buildComparisons } from './dedup/comparisons.js';
import { createMatchIndex, type MatchIndex } from './dedup/match-index.js';
import { type DedupModel, defaultThresholds } from './dedup/model.js';
import type { DedupRecord, DedupSchema } from './dedup/types.js';

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
}

/** The registry's fields as the duplicate engine compares them. */
export const registryDedupSchema: DedupSchema = {
  fields: [
    { name: 'given_names', kind: 'given_name' },
    { name: 'first_surname', kind: 'surname' },
    { name: 'second_surname', kind: 'surname' },
    { name: 'sex', kind: 'category' },
    { name: 'birth_date', kind: 'date' },
    { name: 'state_code', kind: 'category' },
    { name: 'municipality_code', kind: 'code' },
    { name: 'parish_code', kind: 'code' },
    { name: 'locality', kind: 'text', locality: true },
    // The digest is compared for equality only: edits of a digest mean nothing.
    { name: 'phone_digest', kind: 'identifier' },
  ],
};

/**
 * Per comparison level (by the engine's label), m = P(agree at this level | same person)
 * and u = P(agree at this level | different people). Set by hand until a batch run over the
 * registry trains a model (`dedupBatch(…).model` has the same shape and can be passed
 * instead). A date of birth agrees by chance about once in 20,000 pairs, a sex in half;
 * geography weighs lightly because parish, municipality and state are not independent.
 * Exact name agreement is further adjusted by the name's frequency in the registry.
 */
const levelWeights: Readonly<Record<string, Readonly<Record<string, readonly [number, number]>>>> =
  {
    name: {
      exact: [0.8, 0.01],
      'phonetic or jw>=0.94': [0.1, 0.01],
      'jw>=0.88': [0.03, 0.02],
      'shared token': [0.03, 0.02],
      'shared token or swapped': [0.03, 0.02],
      'moved to another name field': [0.01, 0.005],
      else: [0.03, 0.935],
    },
    category: { exact: [0.98, 0.5], else: [0.02, 0.5] },
    state: { exact: [0.95, 0.3], else: [0.05, 0.7] },
    date: {
      exact: [0.85, 0.00005],
      'one-digit typo or day-month swap': [0.08, 0.0005],
      'same year': [0.05, 0.013],
      else: [0.02, 0.98645],
    },
    code: { exact: [0.8, 0.1], 'one edit': [0.02, 0.05], else: [0.18, 0.85] },
    text: {
      exact: [0.5, 0.05],
      'same letters or jw>=0.94': [0.1, 0.01],
      'jw>=0.88': [0.05, 0.01],
      swapped: [0.05, 0.01],
      else: [0.3, 0.92],
    },
    // Digest equality only: an edit of a digest means nothing, so it weighs like a mismatch.
    digest: {
      exact: [0.7, 0.0001],
      'one edit': [0.01, 0.01],
      'two edits': [0.01, 0.01],
      else: [0.28, 0.9799],
    },
  };

const weightGroupOf: Readonly<Record<string, string>> = {
  given_names: 'name',
  first_surname: 'name',
  second_surname: 'name',
  sex: 'category',
  birth_date: 'date',
  state_code: 'state',
  municipality_code: 'code',
  parish_code: 'code',
  locality: 'text',
  phone_digest: 'digest',
};

/**
 * The hand-set model, built from the engine's own level labels so that a change of levels
 * in the engine fails loudly here (at start-up and in tests) instead of silently shifting
 * weights onto the wrong levels.
 */
export function handSetModel(): DedupModel {
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

export const registryDedupModel: DedupModel = handSetModel();

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
 * An in-memory checker over the duplicate engine's match index. Build it at start-up with
 * `loadDuplicateChecker`; candidates no longer active (merged, erased) are filtered out by
 * the caller, which reads their status anyway.
 *
 * @example
 *   const checker = createDuplicateChecker([], registryDedupModel);
 *   checker.recordEnrolment(personId, { attributes, phoneDigest: null });
 */
export function createDuplicateChecker(
  records: Iterable<DedupRecord>,
  model: DedupModel = registryDedupModel,
): DuplicateChecker & { readonly size: number } {
  const index: MatchIndex = createMatchIndex(records, model);
  return {
    get size() {
      return index.size;
    },
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
  };
}

/** Persons read per query while loading the index. */
const loadPageRecords = 5_000;

/**
 * Builds the checker from every active or deceased person's current version and phone
 * digest. Sealed attributes are never opened: the phone takes part through its digest.
 */
export async function loadDuplicateChecker(
  db: Kysely<Database>,
  model: DedupModel = registryDedupModel,
): Promise<DuplicateChecker & { readonly size: number }> {
  const records: DedupRecord[] = [];
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await db
      .selectFrom('person')
      .innerJoin('person_version', (join) =>
        join
          .onRef('person_version.person_id', '=', 'person.id')
          .onRef('person_version.version', '=', 'person.current_version'),
      )
      .leftJoin('person_blind_index', (join) =>
        join
          .onRef('person_blind_index.person_id', '=', 'person.id')
          .on('person_blind_index.kind', '=', 'phone'),
      )
      .select(['person.id', 'person_version.attributes', 'person_blind_index.digest'])
      .where('person.status', 'in', ['active', 'deceased'])
      .where('person.id', '>', after)
      .orderBy('person.id')
      .limit(loadPageRecords)
      .execute();
    for (const row of rows) {
      records.push(
        dedupRecordOf(row.id, {
          attributes: row.attributes,
          phoneDigest: row.digest ? row.digest.toString('hex') : null,
        }),
      );
    }
    const last = rows.at(-1);
    if (last === undefined || rows.length < loadPageRecords) break;
    after = last.id;
  }
  return createDuplicateChecker(records, model);
}
