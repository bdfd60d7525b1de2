/**
 * Which fields feed which blocking keys. Candidate pairs are the union of pairs that share
 * at least one key, so a typo in one field is caught by a key built from the others.
 */
export interface BlockingPlan {
  readonly givenFields: readonly number[];
  readonly surnameFields: readonly number[];
  readonly dateField: number;
  readonly phoneFields: readonly number[];
  readonly identifierFields: readonly number[];
  readonly localityFields: readonly number[];
  /** Names come in one full_name field: its last token stands for the surname. */
  readonly fullNameOnly: boolean;
}
