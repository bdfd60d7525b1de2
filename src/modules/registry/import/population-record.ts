/**
 * One row of the demo population file. The registry's bulk importer reads exactly these
 * columns, so field names and order are part of the file format (see `POPULATION_COLUMNS`).
 *
 * @example
 * record.givenNames; // 'María José'
 * record.birthDate; // '1987-03-09', or '1941' when only the year is known
 */
export interface PopulationRecord {
  /** `R` + zero-padded position in the file, 1-based. */
  readonly recordId: string;
  /** Ground truth: records of the same person share it. Written only to the truth file. */
  readonly personId: string;
  /** `H` + zero-padded number; a duplicate enrolment gets its own one-person household. */
  readonly householdId: string;
  readonly relationship: Relationship;
  readonly givenNames: string;
  readonly firstSurname: string;
  /** Empty when the person has (or the enrolment recorded) only one surname. */
  readonly secondSurname: string;
  readonly sex: Sex;
  /** `YYYY-MM-DD`, or `YYYY` when `birthDateApproximate`. */
  readonly birthDate: string;
  readonly birthDateApproximate: boolean;
  /** ISO 3166-2:VE state of birth; empty for people born abroad. */
  readonly birthStateCode: string;
  /** ISO 3166-1 alpha-2. */
  readonly nationality: string;
  readonly stateCode: string;
  readonly municipalityCode: string;
  readonly parishCode: string;
  readonly locality: string;
  readonly addressLine: string;
  /** E.164 Venezuelan mobile number, or empty. */
  readonly phone: string;
  /** ISO 639 code: `es`, or an indigenous language such as `guc` (Wayuunaiki). */
  readonly preferredLanguage: string;
  /** 1 (lowest) to 5 (highest), the household's income band. */
  readonly incomeBand: number;
  readonly disabilityStatus: DisabilityStatus;
  /** Record id of the original when this row is a duplicate enrolment, else empty. */
  readonly duplicateOfRecordId: string;
}

export type Sex = 'F' | 'M';

export const RELATIONSHIPS = [
  'head',
  'spouse',
  'child',
  'parent',
  'sibling',
  'grandchild',
  'other_relative',
  'non_relative',
] as const;
export type Relationship = (typeof RELATIONSHIPS)[number];

export const DISABILITY_STATUSES = [
  'none',
  'physical',
  'visual',
  'hearing',
  'intellectual',
  'psychosocial',
  'multiple',
] as const;
export type DisabilityStatus = (typeof DISABILITY_STATUSES)[number];

/** The person-level fields a household builder produces, before ids are assigned. */
export type PersonDraft = Omit<
  PopulationRecord,
  | 'recordId'
  | 'personId'
  | 'householdId'
  | 'duplicateOfRecordId'
  | 'stateCode'
  | 'municipalityCode'
  | 'parishCode'
  | 'locality'
  | 'addressLine'
  | 'preferredLanguage'
  | 'incomeBand'
>;

/** The fields every member of a household shares. */
export type HouseholdShared = Pick<
  PopulationRecord,
  | 'stateCode'
  | 'municipalityCode'
  | 'parishCode'
  | 'locality'
  | 'addressLine'
  | 'preferredLanguage'
  | 'incomeBand'
>;
