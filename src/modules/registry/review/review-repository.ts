import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type { HeldHousehold, StoredCandidate } from '../tables.js';

/** All SQL of the duplicate review queue. */

type Trx = Transaction<Database>;

export interface ReviewRow {
  id: string;
  kind: 'review' | 'held';
  status: 'open' | 'decided';
  regionCode: string;
  personId: string | null;
  heldPersonId: string | null;
  heldWrappedKey: Buffer | null;
  heldAttributes: Buffer | null;
  heldHousehold: HeldHousehold | null;
  candidates: StoredCandidate[];
  decision: 'new' | 'merge' | null;
  survivorId: string | null;
  openedAt: Date;
}

export async function insertReview(
  trx: Trx,
  review: {
    id: string;
    kind: 'review' | 'held';
    regionCode: string;
    personId: string | null;
    held: { personId: string; wrappedKey: Buffer; attributes: Buffer } | null;
    heldHousehold: HeldHousehold | null;
    candidates: StoredCandidate[];
    openedBy: string | null;
  },
): Promise<void> {
  await trx
    .insertInto('duplicate_review')
    .values({
      id: review.id,
      kind: review.kind,
      region_code: review.regionCode,
      person_id: review.personId,
      held_person_id: review.held?.personId ?? null,
      held_wrapped_key: review.held?.wrappedKey ?? null,
      held_attributes: review.held?.attributes ?? null,
      // Safe: a plain object of identifiers; node-postgres would turn an array into a
      // PostgreSQL array literal, so JSON arrays are sent as text.
      held_household: review.heldHousehold,
      candidates: JSON.stringify(review.candidates) as unknown as StoredCandidate[],
      opened_by: review.openedBy,
    })
    .execute();
}

const reviewColumns = [
  'id',
  'kind',
  'status',
  'region_code',
  'person_id',
  'held_person_id',
  'held_wrapped_key',
  'held_attributes',
  'held_household',
  'candidates',
  'decision',
  'survivor_id',
  'opened_at',
] as const;

type ReviewSelection = Pick<
  Database['duplicate_review'],
  Exclude<(typeof reviewColumns)[number], 'status' | 'opened_at'>
> & { status: 'open' | 'decided'; opened_at: Date };

function toReview(row: ReviewSelection): ReviewRow {
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    regionCode: row.region_code,
    personId: row.person_id,
    heldPersonId: row.held_person_id,
    heldWrappedKey: row.held_wrapped_key,
    heldAttributes: row.held_attributes,
    heldHousehold: row.held_household,
    candidates: row.candidates,
    decision: row.decision,
    survivorId: row.survivor_id,
    openedAt: row.opened_at,
  };
}

/** One review item, locked until the transaction ends so two decisions cannot both apply. */
export async function lockReview(trx: Trx, reviewId: string): Promise<ReviewRow | undefined> {
  const row = await trx
    .selectFrom('duplicate_review')
    .select(reviewColumns)
    .where('id', '=', reviewId)
    .forUpdate()
    .executeTakeFirst();
  return row ? toReview(row) : undefined;
}

export async function findReview(
  db: Kysely<Database>,
  reviewId: string,
): Promise<ReviewRow | undefined> {
  const row = await db
    .selectFrom('duplicate_review')
    .select(reviewColumns)
    .where('id', '=', reviewId)
    .executeTakeFirst();
  return row ? toReview(row) : undefined;
}

/** Open items in these regions, oldest first, after the cursor item. */
export async function listOpenReviews(
  db: Kysely<Database>,
  props: {
    regionCodes: readonly string[];
    after: { openedAt: Date; id: string } | null;
    limit: number;
  },
): Promise<ReviewRow[]> {
  if (props.regionCodes.length === 0) return [];
  let query = db
    .selectFrom('duplicate_review')
    .select(reviewColumns)
    .where('status', '=', 'open')
    .where('region_code', 'in', props.regionCodes);
  const after = props.after;
  if (after !== null) {
    query = query.where((eb) =>
      eb.or([
        eb('opened_at', '>', after.openedAt),
        eb.and([eb('opened_at', '=', after.openedAt), eb('id', '>', after.id)]),
      ]),
    );
  }
  const rows = await query.orderBy('opened_at').orderBy('id').limit(props.limit).execute();
  return rows.map(toReview);
}

export async function decideReview(
  trx: Trx,
  reviewId: string,
  decision: {
    decision: 'new' | 'merge';
    survivorId: string | null;
    personId: string | null;
    decidedBy: string | null;
    /** Destroy the held enrolment's data key (it was used or is not needed). */
    shredHeldKey: boolean;
  },
): Promise<void> {
  await trx
    .updateTable('duplicate_review')
    .set({
      status: 'decided',
      decision: decision.decision,
      survivor_id: decision.survivorId,
      person_id: decision.personId,
      decided_by: decision.decidedBy,
      decided_at: new Date(),
      ...(decision.shredHeldKey ? { held_wrapped_key: null } : {}),
    })
    .where('id', '=', reviewId)
    .execute();
}
