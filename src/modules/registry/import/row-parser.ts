import type { FieldError } from '../../../platform/errors.js';
import { RELATIONSHIPS, type Relationship } from '../../demo/population-record.js';
import type { PopulationFormat } from '../../demo/record-format.js';
import { type AttributeValues, validatePersonAttributes } from '../catalogue/index.js';
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
  readonly errors: readonly FieldError[];
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
    if (typeof values === 'string') {
      return unreadable(record.line, values);
    }
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
      if (typeof values === 'string') return none;
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
): RowValues | string {
  const fields = splitCsvRecord(text);
  if (fields === undefined) return 'is not a well-formed CSV record (quotes)';
  if (fields.length !== columnCount) {
    return `has ${fields.length} fields; the header has ${columnCount}`;
  }
  const values = new Map<string, string>();
  for (const [column, index] of positions) values.set(column, fields[index] ?? '');
  return values;
}

function ndjsonValues(text: string): RowValues | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'is not valid JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'is not a JSON object';
  }
  const values = new Map<string, string>();
  for (const [key, child] of Object.entries(value)) {
    if (typeof child === 'object' && child !== null) return `has a nested value under "${key}"`;
    // The generator writes the flag as a boolean and the band as a number; both are read
    // back through the same text checks as CSV so the two formats accept the same rows.
    values.set(key, child === null ? '' : String(child));
  }
  return values;
}

function unreadable(line: number, reason: string): ParsedRow {
  return {
    line,
    recordId: '',
    householdId: '',
    relationship: '',
    errors: [{ field: 'record', reason }],
    valid: undefined,
  };
}

function parseValues(line: number, values: RowValues, options: RowParserOptions): ParsedRow {
  const errors: FieldError[] = [];
  for (const key of values.keys()) {
    if (!importColumns.includes(key)) {
      errors.push({ field: key, reason: 'is not a column of the import format' });
    }
  }
  const recordId = values.get('record_id') ?? '';
  const householdId = values.get('household_id') ?? '';
  const relationship = values.get('relationship') ?? '';
  if (!identifierPattern.test(recordId)) {
    errors.push({ field: 'record_id', reason: 'must be 1–64 letters, digits, . _ : -' });
  }
  if (!identifierPattern.test(householdId)) {
    errors.push({ field: 'household_id', reason: 'must be 1–64 letters, digits, . _ : -' });
  }
  if (!relationshipSet.has(relationship)) {
    errors.push({ field: 'relationship', reason: `must be one of ${RELATIONSHIPS.join(', ')}` });
  }
  const incomeBand = parseIncomeBand(values.get('income_band') ?? '', errors);
  const attributes = personAttributes(values);
  const result = validatePersonAttributes(attributes, { today: options.today, pathPrefix: '' });
  if (!result.ok) {
    for (const error of result.errors)
      errors.push({ field: error.field.slice(1), reason: error.reason });
  }
  const stateCode = values.get('state_code') ?? '';
  if (options.regions !== undefined && stateCode !== '' && !options.regions.has(stateCode)) {
    errors.push({ field: 'state_code', reason: 'is outside the regions of the import' });
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

function parseIncomeBand(text: string, errors: FieldError[]): number | null {
  if (text === '') return null;
  const band = /^[1-5]$/.test(text) ? Number(text) : undefined;
  if (band === undefined) {
    errors.push({ field: 'income_band', reason: 'must be an integer from 1 to 5' });
    return null;
  }
  return band;
}
