import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { csvRow } from '../../../platform/csv.js';
import {
  isRefusalCode,
  type RefusalLanguage,
  type RefusalParams,
  renderRefusal,
} from '../../../shared/import/refusals.js';
import type { RowError } from './household-grouper.js';
import { importLimits } from './limits.js';

/**
 * The refused rows of an import in two forms. Stored: one JSON object a line with the
 * refusal's code and parameters (what the server keeps for an API import). Read: CSV
 * `line,record_id,field,reason`, the reason said in the reader's language, every cell through
 * the shared spreadsheet-safe `csvRow` (a record id `=HYPERLINK(…)` stays text).
 *
 * @example
 *   storedRefusalLine({ line: 7, recordId: 'R7', field: 'sex', code: 'one_of', params: { values: 'F, M' } });
 *   for await (const text of refusedRowsCsv('/tmp/x.refusals.ndjson', 'es')) reply.raw.write(text);
 */

/** Header of the CSV form; column names stay the same in every language (programs read them). */
export const refusedRowsCsvHeader = 'line,record_id,field,reason\r\n';

/** One refused field in the CSV form. */
export function refusedRowCsvLine(error: RowError, language: RefusalLanguage): string {
  return csvRow([error.line, error.recordId, error.field, renderRefusal(error, language)]);
}

/** One refused field in the stored form. */
export function storedRefusalLine(error: RowError): string {
  return `${JSON.stringify({
    line: error.line,
    recordId: error.recordId,
    field: error.field,
    code: error.code,
    params: error.params,
  })}\n`;
}

/** Reads one stored line back; a line this version cannot read is a broken invariant. */
export function parseStoredRefusal(text: string): RowError {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null) throw new Error('stored refusal: not an object');
  const line = Reflect.get(value, 'line');
  const recordId = Reflect.get(value, 'recordId');
  const field = Reflect.get(value, 'field');
  const code = Reflect.get(value, 'code');
  const params = Reflect.get(value, 'params');
  if (
    typeof line !== 'number' ||
    typeof recordId !== 'string' ||
    typeof field !== 'string' ||
    typeof code !== 'string' ||
    !isRefusalCode(code) ||
    typeof params !== 'object' ||
    params === null
  ) {
    throw new Error(`stored refusal: unexpected line ${text.slice(0, 80)}`);
  }
  // Safe: written by `storedRefusalLine` from RefusalParams (strings and numbers only).
  return { line, recordId, field, code, params: params as RefusalParams };
}

/** The stored file as CSV in `language`, a few hundred lines per piece of text. */
export async function* refusedRowsCsv(
  storedPath: string,
  language: RefusalLanguage,
): AsyncGenerator<string> {
  yield refusedRowsCsvHeader;
  const lines = createInterface({ input: createReadStream(storedPath), crlfDelay: Infinity });
  let text = '';
  for await (const line of lines) {
    if (line === '') continue;
    text += refusedRowCsvLine(parseStoredRefusal(line), language);
    if (text.length > importLimits.refusedRowsPieceCharsMax) {
      yield text;
      text = '';
    }
  }
  if (text !== '') yield text;
}

/** The first `count` stored refusals (the console shows them on the import page). */
export async function firstStoredRefusals(storedPath: string, count: number): Promise<RowError[]> {
  const lines = createInterface({ input: createReadStream(storedPath), crlfDelay: Infinity });
  const found: RowError[] = [];
  for await (const line of lines) {
    if (line === '') continue;
    found.push(parseStoredRefusal(line));
    if (found.length >= count) break;
  }
  lines.close();
  return found;
}
