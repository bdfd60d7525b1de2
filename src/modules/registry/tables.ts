import type { Generated } from 'kysely';

/** Kysely types of the registry tables; `migrations/0002_registry_core.sql` is the truth. */
export interface RegistryTables {
  person: {
    id: string;
    uin: string;
    status: Generated<'active' | 'deceased' | 'merged' | 'erased'>;
    region_code: string;
    merged_into: string | null;
    current_version: Generated<number>;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
    /** `migrations/0008_registry_writes.sql`; the pool returns dates as YYYY-MM-DD text. */
    date_of_death: Generated<string | null>;
  };
  person_version: {
    person_id: string;
    version: number;
    attributes: Record<string, unknown>;
    sealed_attributes: Buffer | null;
    reason: 'enrolment' | 'import' | 'correction' | 'death' | 'merge' | 'move' | 'demo';
    recorded_by: string | null;
    recorded_at: Generated<Date>;
    /** `migrations/0008_registry_writes.sql`: why a correction was made. */
    correction_reason: Generated<CorrectionReason | null>;
  };
  person_key: {
    person_id: string;
    wrapped_key: Buffer | null;
    shredded_at: Date | null;
  };
  person_blind_index: {
    person_id: string;
    kind: 'phone';
    digest: Buffer | null;
  };
  household: {
    id: string;
    region_code: string;
    created_at: Generated<Date>;
  };
  household_membership: {
    household_id: string;
    person_id: string;
    relationship: string;
    valid_from: Generated<Date>;
    valid_to: Date | null;
    recorded_by: string | null;
    /** Set by a trigger on insert (migration 0093): the person's first membership ever. */
    first_of_person: Generated<boolean>;
  };
  person_search: {
    person_id: string;
    region_code: string;
    name_keys: string[];
    name_tokens: string[];
    updated_at: Generated<Date>;
  };
  duplicate_review: {
    id: string;
    kind: 'review' | 'held';
    status: Generated<'open' | 'decided'>;
    region_code: string;
    person_id: string | null;
    held_person_id: string | null;
    held_wrapped_key: Buffer | null;
    held_attributes: Buffer | null;
    held_household: HeldHousehold | null;
    candidates: StoredCandidate[];
    decision: 'new' | 'merge' | null;
    survivor_id: string | null;
    opened_by: string | null;
    opened_at: Generated<Date>;
    decided_by: string | null;
    decided_at: Date | null;
  };
}

/** Why a correction was made: a closed list, so no free text about a person is stored. */
export const correctionReasons = [
  'clerical_error',
  'document_presented',
  'person_request',
  'appeal_decision',
  'other',
] as const;
export type CorrectionReason = (typeof correctionReasons)[number];

/** The household part of a held enrolment: identifiers and relationship only. */
export interface HeldHousehold {
  householdId: string | null;
  relationship: string;
}

/** A duplicate candidate as stored on a review item: identifiers and scores, no attributes. */
export interface StoredCandidate {
  personId: string;
  score: number;
  decision: 'auto' | 'review';
  fieldLevels: Record<string, string>;
}
