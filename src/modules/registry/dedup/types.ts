/**
 * The generic record shape of the duplicate-detection engine. The registry and the FEBRL
 * benchmark both map their columns onto named fields of a few kinds, so the engine never
 * knows which product feeds it.
 *
 * @example
 * const schema: DedupSchema = {
 *   fields: [
 *     { name: 'given_names', kind: 'given_name' },
 *     { name: 'first_surname', kind: 'surname' },
 *     { name: 'birth_date', kind: 'date' },
 *     { name: 'parish_code', kind: 'code', locality: true },
 *   ],
 * };
 * const record: DedupRecord = { id: 'p1', fields: { given_names: 'María José' } };
 */

/**
 * How a field is normalised, compared and blocked.
 * - given_name, surname, full_name: person names (Spanish-aware normalisation, phonetic key).
 * - date: a date of birth, YYYYMMDD or YYYY-MM-DD.
 * - text: free text such as an address line or a locality name.
 * - code: an administrative code (postcode, parish code): edit distance.
 * - identifier: a document number: edit distance, and a block of its own.
 * - number: a short number such as a street number.
 * - phone: digits only, the last eight compared.
 * - category: a small closed set (sex, state): equal or not.
 * - digest: an opaque token such as a blind-index digest of a phone: equal or not, and a
 *   block of its own.
 */
export type FieldKind =
  | 'given_name'
  | 'surname'
  | 'full_name'
  | 'date'
  | 'text'
  | 'code'
  | 'identifier'
  | 'number'
  | 'phone'
  | 'category'
  | 'digest';

export interface FieldSpec {
  readonly name: string;
  readonly kind: FieldKind;
  /** The field names a place: block on it together with the surname initial. */
  readonly locality?: boolean;
  /**
   * Fields in the same group are checked for swapped values (address line 1 written in
   * line 2). All name fields form the group "name" without saying so.
   */
  readonly swapGroup?: string;
  /**
   * Weigh an exact match by the value's rarity (default: true for names). Set false for
   * surnames in a registry of households: relatives share rare surnames, so sharing one is
   * evidence of kinship, not of being the same person.
   */
  readonly termFrequency?: boolean;
}

export interface DedupSchema {
  readonly fields: readonly FieldSpec[];
}

export type FieldValue = string | null | undefined;

export interface DedupRecord {
  readonly id: string;
  readonly fields: Readonly<Record<string, FieldValue>>;
}

export const nameKinds: ReadonlySet<FieldKind> = new Set(['given_name', 'surname', 'full_name']);
