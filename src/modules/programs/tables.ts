import type { ColumnType, Generated } from 'kysely';

/** Kysely types of the programs tables; `migrations/0030_programs.sql`, `0031` and `0032` are the truth. */
/** The stored plan of a version's rule (`RulePlanDescription`). */
export interface RulePlanColumn {
  sql: string;
  workers: string[];
  sealedFacts: string[];
}

export interface ProgramTables {
  program: {
    id: string;
    code: string;
    status: Generated<ProgramStatus>;
    published_version: number | null;
    created_by: string | null;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
  program_version: {
    program_id: string;
    version: number;
    name_es: string;
    name_en: string;
    description_es: string;
    description_en: string;
    kind: ProgramKind;
    unit: BenefitUnit;
    regions: string[];
    cadence: Cadence;
    /** Written as JSON text: the driver would send a JavaScript array as a SQL array. */
    benefit_basket: ColumnType<BasketItem[] | null, string | null, never>;
    benefit_amount_minor: bigint | null;
    benefit_formula: string | null;
    currency: Currency | null;
    budget_cap: bigint;
    eligibility_rule: string;
    /** Where the rule runs (rule-plan.ts), stored with the version; JSON text on insert. */
    rule_plan: ColumnType<RulePlanColumn | null, string | null, never>;
    created_by: string | null;
    created_at: Generated<Date>;
  };
  /** `migrations/0106_program_job_lease.sql`: one process at a time runs a job (grant resume). */
  program_job_lease: {
    name: string;
    holder: string;
    expires_at: Date;
  };
  program_status_change: {
    id: string;
    program_id: string;
    version: number;
    status_from: ProgramStatus;
    status_to: Exclude<ProgramStatus, 'draft'>;
    changed_by: string | null;
    changed_at: Generated<Date>;
  };
  /** `migrations/0039_program_text_naming.sql`: versions whose texts may name the program. */
  program_text_naming: {
    program_id: string;
    version: number;
    created_at: Generated<Date>;
  };
  program_publication: {
    id: string;
    program_id: string;
    version: number;
    requested_by: string;
    requested_at: Generated<Date>;
    status: Generated<'pending' | 'approved' | 'refused'>;
    decided_by: string | null;
    decided_at: Date | null;
  };
  program_cycle: {
    id: string;
    program_id: string;
    version: number;
    /** `date`: the pool returns it as YYYY-MM-DD text. */
    reference_date: string;
    status: Generated<CycleStatus>;
    round: Generated<number>;
    approvals_required: Generated<number>;
    created_by: string | null;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
    /** Chunks of the approved round's entitlements written (migration 0033). */
    grant_chunks_total: Generated<number>;
    grant_chunks_done: Generated<number>;
    entitlements_granted_at: Date | null;
    /** Members not granted because their record was no longer active (migration 0091). */
    grant_skipped_death: Generated<number>;
    grant_skipped_merge: Generated<number>;
    grant_skipped_erasure: Generated<number>;
  };
  program_cycle_member: {
    cycle_id: string;
    round: number;
    person_id: string;
    region_code: string;
    amount_minor: bigint | null;
    /** Migration 0049: municipality of residence at the freeze, for statistics; null when unknown. */
    municipality_code: Generated<string | null>;
  };
  program_cycle_run: {
    cycle_id: string;
    round: number;
    chunks_total: number;
    chunks_done: Generated<number>;
    /** Who started the round (migration 0040): barred from approving the cycle. */
    started_by: string | null;
    started_at: Generated<Date>;
    updated_at: Generated<Date>;
    finished_at: Date | null;
  };
  /** Persons each chunk of a round considered, by area (migration 0083): coverage's "enrolled". */
  program_cycle_area_count: {
    cycle_id: string;
    round: number;
    chunk_from: string;
    region_code: string;
    /** '' when the record names no municipality. */
    municipality_code: string;
    persons: number;
  };
  /** The chunks of a round already written (migration 0082), each with its members. */
  program_cycle_run_chunk: {
    cycle_id: string;
    round: number;
    chunk: number;
    written_at: Generated<Date>;
  };
  /** A round's household counts while it is computed (migration 0042). */
  program_cycle_household: {
    cycle_id: string;
    round: number;
    household_id: string;
    household_size: bigint;
    members_under_5: bigint;
    members_under_18: bigint;
    members_over_65: bigint;
  };
  program_cycle_approval: {
    cycle_id: string;
    round: number;
    approved_by: string;
    approved_at: Generated<Date>;
  };
  entitlement: {
    id: string;
    cycle_id: string;
    program_id: string;
    person_id: string;
    basis: 'rule' | 'appeal';
    amount_minor: bigint | null;
    status: Generated<'open' | 'ended'>;
    ended_reason: 'death' | 'merge' | 'erasure' | 'cycle_closed' | null;
    created_at: Generated<Date>;
    ended_at: Date | null;
  };
  /** `migrations/0035_appeals.sql`: appeals against being out of a cycle. */
  appeal: {
    id: string;
    person_id: string;
    program_id: string;
    cycle_id: string;
    version: number;
    region_code: string;
    /** Migration 0084: municipality of residence when filed, for statistics; null when unknown. */
    municipality_code: Generated<string | null>;
    statement: string;
    filed_by_kind: 'citizen' | 'operator';
    filed_by: string;
    status: Generated<AppealStatus>;
    assigned_to: string | null;
    assigned_at: Date | null;
    assign_due_at: Date;
    decide_due_at: Date;
    outcome: AppealOutcome | null;
    decision_reason: string | null;
    data_error_fields: string[] | null;
    correction_version: number | null;
    decided_by: string | null;
    decided_at: Date | null;
    entitlement_id: string | null;
    closed_reason: 'death' | 'merge' | 'erasure' | null;
    filed_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
  appeal_step: {
    appeal_id: string;
    step: number;
    kind: AppealStepKind;
    actor_kind: 'citizen' | 'operator' | 'system';
    actor_role: string | null;
    actor_id: string;
    at: Generated<Date>;
  };
}

export type AppealStatus = 'filed' | 'assigned' | 'awaiting_correction' | 'decided' | 'closed';
export type AppealOutcome = 'upheld' | 'rejected';
export type AppealStepKind = 'filed' | 'assigned' | 'data_error' | 'upheld' | 'rejected' | 'closed';

export const programStatuses = ['draft', 'published', 'suspended', 'closed'] as const;
export type ProgramStatus = (typeof programStatuses)[number];

export const cycleStatuses = ['computing', 'computed', 'approved', 'published', 'closed'] as const;
export type CycleStatus = (typeof cycleStatuses)[number];

export const programKinds = ['in_kind', 'cash', 'voucher', 'service'] as const;
export type ProgramKind = (typeof programKinds)[number];

export const benefitUnits = ['person', 'household'] as const;
export type BenefitUnit = (typeof benefitUnits)[number];

export const cadences = ['monthly', 'quarterly', 'once', 'on_demand'] as const;
export type Cadence = (typeof cadences)[number];

export const currencies = ['VES', 'USD'] as const;
export type Currency = (typeof currencies)[number];

/** One line of an in-kind basket: "1 food box", "30 L fuel". Quantities are whole numbers. */
export interface BasketItem {
  item: string;
  quantity: number;
  unit: string;
  /**
   * What is left of this item when the cycle closes moves to the person's entitlement of the
   * program's next cycle (at most one basket's worth); absent or false: it expires. Medicines
   * carry over, a food box does not (issue #15, point 8).
   */
  carryOver?: boolean;
}
