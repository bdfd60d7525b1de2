import { csvCell } from '../../../platform/csv.js';
import type { PopulationRecord } from './population-record.js';

/**
 * Serialisation of population records: CSV (RFC 4180) and NDJSON with the same keys, plus
 * the ground-truth file that says which records are the same person.
 *
 * @example
 * POPULATION_COLUMNS[0]; // 'record_id'
 * toCsvLine(record); // 'R00000001,H0000001,head,María José,...\r\n'
 */

/** The file format's columns, in order, with the record field each one comes from. */
export const POPULATION_COLUMNS = [
  ['record_id', 'recordId'],
  ['household_id', 'householdId'],
  ['relationship', 'relationship'],
  ['given_names', 'givenNames'],
  ['first_surname', 'firstSurname'],
  ['second_surname', 'secondSurname'],
  ['sex', 'sex'],
  ['birth_date', 'birthDate'],
  ['birth_date_approximate', 'birthDateApproximate'],
  ['birth_state_code', 'birthStateCode'],
  ['nationality', 'nationality'],
  ['state_code', 'stateCode'],
  ['municipality_code', 'municipalityCode'],
  ['parish_code', 'parishCode'],
  ['locality', 'locality'],
  ['address_line', 'addressLine'],
  ['phone', 'phone'],
  ['preferred_language', 'preferredLanguage'],
  ['income_band', 'incomeBand'],
  ['disability_status', 'disabilityStatus'],
] as const satisfies readonly (readonly [string, keyof PopulationRecord])[];

export type PopulationColumn = (typeof POPULATION_COLUMNS)[number][0];

export type PopulationFormat = 'csv' | 'ndjson';

/** CSV header line, CRLF-terminated as RFC 4180 asks. */
export const CSV_HEADER = `${POPULATION_COLUMNS.map(([column]) => column).join(',')}\r\n`;

export const TRUTH_HEADER = 'record_id,person_id\r\n';

/**
 * One CSV line; text cells go through the shared `csvCell` (RFC 4180 quoting and formula
 * neutralisation; a phone number keeps its exact text). Written out column by column because
 * this runs millions of times: the other columns are codes, numbers and booleans made by the
 * generator, which can hold neither separators nor formulas.
 */
export function toCsvLine(r: PopulationRecord): string {
  return (
    `${r.recordId},${r.householdId},${r.relationship},${csvCell(r.givenNames)},` +
    `${csvCell(r.firstSurname)},${csvCell(r.secondSurname)},${r.sex},${r.birthDate},` +
    `${r.birthDateApproximate},${r.birthStateCode},${r.nationality},${r.stateCode},` +
    `${r.municipalityCode},${r.parishCode},${csvCell(r.locality)},${csvCell(r.addressLine)},` +
    `${csvCell(r.phone)},${r.preferredLanguage},${r.incomeBand},${r.disabilityStatus}\r\n`
  );
}

/**
 * One NDJSON line with every column as a key, in column order. Empty values are written as
 * "", the approximate-date flag as a boolean and the income band as a number.
 */
export function toNdjsonLine(record: PopulationRecord): string {
  const row: Record<string, string | number | boolean> = {};
  for (const [column, field] of POPULATION_COLUMNS) row[column] = record[field];
  return `${JSON.stringify(row)}\n`;
}

/** One line of the ground truth: which person a record belongs to. */
export function toTruthLine(record: PopulationRecord): string {
  return `${csvCell(record.recordId)},${csvCell(record.personId)}\r\n`;
}
