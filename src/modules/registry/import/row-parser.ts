import type { FieldError } from '../../../platform/errors.js';
import {
  isRefusalCode,
  type RefusalCode,
  type RefusalParams,
  type RefusedField,
  refusedField,
} from '../../../shared/import/refusals.js';
import { type AttributeValues, validatePersonAttributes } from '../catalogue/index.js';
import { RELATIONSHIPS, type Relationship } from './population-record.js';
import type { PopulationFormat } from './record-format.js';
import { importColumns, type SourceRecord, splitCsvRecord } from './source-file.js';

/**
 * One record of an import file turned into what the registry stores, or the reasons it is
 * refused. Person attributes go through the catalogue's `validatePersonAttributes`, exactly
 * like an enrolment; the other columns (record and household ids, relationship, income band)
 * are checked here.
 *
 * @example
 *   const parse = rowParser({ format: 'csv', header, today: new Date('2026-01-01') });
 *   const row = parse({ line: 2, text: 'R00000001,H0000001,head,Ana,…' });
 *   if (row.errors.length === 0) row.person?.plain.given_names; // 'Ana'
 */

/** A row that passed every check of its own. */
export interface ValidRow {
  readonly line: number;
  readonly recordId: string;
  readonly householdId: string;
  readonly relationship: Relationship;
  readonly stateCode: string;
  readonly plain: AttributeValues;
  readonly sealed: AttributeValues;
  /** The E.164 phone, for the blind index; empty when none. */
  readonly phone: string;
  /** 1–5, or null when not recorded. A household attribute (see README.md). */
  readonly incomeBand: number | null;
}

/** What the parser makes of a record: the row, or its errors (and what is known of it). */
export interface ParsedRow {
  readonly line: number;
  /** Empty when unreadable. */
  readonly recordId: string;
  /** Empty when unreadable; an invalid row still counts for its household's checks. */
  readonly householdId: string;
  readonly relationship: string;
  readonly errors: readonly RefusedField[];
  /** Present exactly when `errors` is empty. */
  readonly valid: ValidRow | undefined;
}

export interface RowParserOptions {
  readonly format: PopulationFormat;
  /** The CSV header's columns in file order (ignored for NDJSON). */
  readonly header: readonly string[];
  /** Dates of birth are checked against this day. */
  readonly today: Date;
  /** States rows may be in; undefined for any. */
  readonly regions: ReadonlySet<string> | undefined;
}

const identifierPattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const relationshipSet = new Set<string>(RELATIONSHIPS);
/** Columns that are not person attributes of the catalogue. */
const frameColumns = new Set(['record_id', 'household_id', 'relationship', 'income_band']);
const attributeColumns = importColumns.filter((column) => !frameColumns.has(column));

/** A parser for one file; it keeps the column positions of the header. */
export function rowParser(options: RowParserOptions): (record: SourceRecord) => ParsedRow {
  const positions = new Map(options.header.map((column, index) => [column, index]));
  const columnCount = options.header.length;
  return (record) => {
    const values =
      options.format === 'csv'
        ? csvValues(record.text, positions, columnCount)
        : ndjsonValues(record.text);
    if ('code' in values) return unreadable(record.line, values);
    return parseValues(record.line, values, options);
  };
}

/** The two ids that decide how rows group into households; empty when unreadable. */
export interface RowKeys {
  readonly recordId: string;
  readonly householdId: string;
}

/**
 * Reads only a record's record and household ids, exactly as `rowParser` reads them (an
 * unreadable record has neither), but without validating the row. The import's main thread
 * uses it to cut the file into chunks at household boundaries while workers parse them.
 *
 * @example
 *   const keysOf = rowKeysReader({ format: 'csv', header });
 *   keysOf({ line: 2, text: 'R1,H1,head,…' }); // { recordId: 'R1', householdId: 'H1' }
 */
export function rowKeysReader(
  options: Pick<RowParserOptions, 'format' | 'header'>,
): (record: SourceRecord) => RowKeys {
  const recordIndex = options.header.indexOf('record_id');
  const householdIndex = options.header.indexOf('household_id');
  const columnCount = options.header.length;
  const none: RowKeys = { recordId: '', householdId: '' };
  return (record) => {
    if (options.format === 'ndjson') {
      const values = ndjsonValues(record.text);
      if ('code' in values) return none;
      return {
        recordId: values.get('record_id') ?? '',
        householdId: values.get('household_id') ?? '',
      };
    }
    const fields = splitCsvRecord(record.text);
    if (fields === undefined || fields.length !== columnCount) return none;
    return { recordId: fields[recordIndex] ?? '', householdId: fields[householdIndex] ?? '' };
  };
}

type RowValues = ReadonlyMap<string, string>;

function csvValues(
  text: string,
  positions: ReadonlyMap<string, number>,
  columnCount: number,
): RowValues | Unreadable {
  const fields = splitCsvRecord(text);
  if (fields === undefined) return { code: 'csv_quotes' };
  if (fields.length !== columnCount) {
    return { code: 'field_count', params: { count: fields.length, expected: columnCount } };
  }
  const values = new Map<string, string>();
  for (const [column, index] of positions) values.set(column, fields[index] ?? '');
  return values;
}

/** Why a record cannot be read at all. */
interface Unreadable {
  readonly code: RefusalCode;
  readonly params?: RefusalParams;
}

function ndjsonValues(text: string): RowValues | Unreadable {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { code: 'json_invalid' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { code: 'json_not_object' };
  }
  const values = new Map<string, string>();
  for (const [key, child] of Object.entries(value)) {
    if (typeof child === 'object' && child !== null)
      return { code: 'json_nested', params: { key } };
    // The generator writes the flag as a boolean and the band as a number; both are read
    // back through the same text checks as CSV so the two formats accept the same rows.
    values.set(key, child === null ? '' : String(child));
  }
  return values;
}

function unreadable(line: number, why: Unreadable): ParsedRow {
  return {
    line,
    recordId: '',
    householdId: '',
    relationship: '',
    errors: [refusedField('record', why.code, why.params)],
    valid: undefined,
  };
}

function parseValues(line: number, values: RowValues, options: RowParserOptions): ParsedRow {
  const errors: RefusedField[] = [];
  for (const key of values.keys()) {
    if (!importColumns.includes(key)) errors.push(refusedField(key, 'unknown_column'));
  }
  const recordId = values.get('record_id') ?? '';
  const householdId = values.get('household_id') ?? '';
  const relationship = values.get('relationship') ?? '';
  if (!identifierPattern.test(recordId)) errors.push(refusedField('record_id', 'identifier'));
  if (!identifierPattern.test(householdId)) {
    errors.push(refusedField('household_id', 'identifier'));
  }
  if (!relationshipSet.has(relationship)) {
    errors.push(refusedField('relationship', 'one_of', { values: RELATIONSHIPS.join(', ') }));
  }
  const incomeBand = parseIncomeBand(values.get('income_band') ?? '', errors);
  const attributes = personAttributes(values);
  const result = validatePersonAttributes(attributes, { today: options.today, pathPrefix: '' });
  if (!result.ok) {
    for (const error of result.errors) errors.push(asRefusedField(error, error.field.slice(1)));
  }
  const stateCode = values.get('state_code') ?? '';
  if (options.regions !== undefined && stateCode !== '' && !options.regions.has(stateCode)) {
    errors.push(refusedField('state_code', 'outside_regions'));
  }
  const known = { line, recordId, householdId, relationship };
  if (errors.length > 0 || !result.ok) return { ...known, errors, valid: undefined };
  const valid: ValidRow = {
    line,
    recordId,
    householdId,
    // Safe: membership in RELATIONSHIPS was checked above.
    relationship: relationship as Relationship,
    stateCode,
    plain: result.plain,
    sealed: result.sealed,
    phone: values.get('phone') ?? '',
    incomeBand,
  };
  return { ...known, errors, valid };
}

/** The catalogue attributes of a row; empty values are left out (not recorded). */
function personAttributes(values: RowValues): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  for (const column of attributeColumns) {
    const value = values.get(column) ?? '';
    if (value === '') continue;
    attributes[column] = column === 'birth_date_approximate' ? booleanOrText(value) : value;
  }
  return attributes;
}

function booleanOrText(value: string): boolean | string {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

function parseIncomeBand(text: string, errors: RefusedField[]): number | null {
  if (text === '') return null;
  const band = /^[1-5]$/.test(text) ? Number(text) : undefined;
  if (band === undefined) {
    errors.push(refusedField('income_band', 'integer_range', { min: 1, max: 5 }));
    return null;
  }
  return band;
}

/**
 * A catalogue field error with its code, under the import's field name. The catalogue gives
 * every error a code; one without (from another version) keeps its English sentence.
 */
export function asRefusedField(error: FieldError, field: string): RefusedField {
  if (error.code !== undefined && isRefusalCode(error.code)) {
    return refusedField(field, error.code, error.params);
  }
  return refusedField(field, 'text_pattern', { allowed: error.reason });
}
