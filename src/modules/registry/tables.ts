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
  };
  person_version: {
    person_id: string;
    version: number;
    attributes: Record<string, unknown>;
    sealed_attributes: Buffer | null;
    reason: 'enrolment' | 'import' | 'correction' | 'death' | 'merge' | 'move' | 'demo';
    recorded_by: string | null;
    recorded_at: Generated<Date>;
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
  };
}
