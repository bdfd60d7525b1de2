import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { AmparoError } from '../../../platform/errors.js';
import { type RefusedField, refusedField } from '../../../shared/import/refusals.js';
import { checkRecordKeys, refuseImportColumns } from '../catalogue/index.js';
import { importLimits } from './limits.js';
import { POPULATION_COLUMNS, type PopulationFormat } from './record-format.js';

/**
 * Reading an import file: its fingerprint and file-level checks (done before a job exists or
 * a row is read), then its records, streamed in chunks.
 *
 * @example
 *   const facts = await inspectImportFile('/tmp/p.csv');
 *   for await (const chunk of readRecords(facts)) for (const record of chunk) record.line;
 */

/** What a file is, once it has passed the file-level checks. */
export interface ImportFileFacts {
  readonly path: string;
  readonly name: string;
  readonly format: PopulationFormat;
  readonly bytes: number;
  readonly sha256: Buffer;
  /** Physical lines (line feeds, plus a last line without one). */
  readonly linesTotal: number;
}

/** One record of the file: where it starts and its text without the line ending. */
export interface SourceRecord {
  readonly line: number;
  readonly text: string;
}

/** The column names every file must carry (CSV header, NDJSON keys). */
export const importColumns: readonly string[] = POPULATION_COLUMNS.map(([column]) => column);
const importColumnSet = new Set(importColumns);

/** The format a file name suggests: `.ndjson`/`.jsonl` are NDJSON, anything else CSV. */
export function formatFromName(fileName: string): PopulationFormat {
  return /\.(ndjson|jsonl)$/i.test(fileName) ? 'ndjson' : 'csv';
}

/**
 * Fingerprints the file and runs the file-level checks: size, readable, CSV header (every
 * column of the format, nothing else, no forbidden column), NDJSON keys (no forbidden key in
 * any record). Throws an AmparoError naming the problem; nothing is imported then.
 */
export async function inspectImportFile(
  filePath: string,
  options: { format?: PopulationFormat; name?: string; bytesMax?: number } = {},
): Promise<ImportFileFacts> {
  const name = options.name ?? path.basename(filePath);
  const format = options.format ?? formatFromName(name);
  const bytesMax = options.bytesMax ?? importLimits.fileBytesMax;
  let bytes: number;
  try {
    const info = await stat(filePath);
    if (!info.isFile()) throw new Error('not a regular file');
    bytes = info.size;
  } catch (error) {
    throw refusal([refusedField('file', 'file_unreadable', { cause: reasonOf(error) })]);
  }
  if (bytes > bytesMax) {
    throw new AmparoError('AMP_PAYLOAD_TOO_LARGE', {
      detail: `The file has ${bytes} bytes; at most ${bytesMax} are imported at once. Split it.`,
      errors: [refusedField('file', 'file_too_large', { bytes, max: bytesMax })],
    });
  }
  if (bytes === 0) throw refusal([refusedField('file', 'file_empty')]);
  const { sha256, linesTotal } = await fingerprint(filePath);
  const facts: ImportFileFacts = { path: filePath, name, format, bytes, sha256, linesTotal };
  if (format === 'csv') await checkCsvHeader(facts);
  else await checkNdjsonKeys(facts);
  return facts;
}

async function fingerprint(filePath: string): Promise<{ sha256: Buffer; linesTotal: number }> {
  const hash = createHash('sha256');
  let lineFeeds = 0;
  let lastByte = 0x0a;
  try {
    for await (const chunk of createReadStream(filePath, { highWaterMark: 1 << 20 })) {
      // Safe: a stream opened without an encoding yields Buffers.
      const buffer = chunk as Buffer;
      hash.update(buffer);
      for (let at = buffer.indexOf(0x0a); at !== -1; at = buffer.indexOf(0x0a, at + 1)) {
        lineFeeds += 1;
      }
      lastByte = buffer[buffer.length - 1] ?? lastByte;
    }
  } catch (error) {
    throw refusal([refusedField('file', 'file_unreadable', { cause: reasonOf(error) })]);
  }
  return { sha256: hash.digest(), linesTotal: lineFeeds + (lastByte === 0x0a ? 0 : 1) };
}

async function checkCsvHeader(facts: ImportFileFacts): Promise<void> {
  let header: string | undefined;
  for await (const chunk of readRecords(facts)) {
    header = chunk[0]?.text;
    break;
  }
  const names = splitCsvRecord(header ?? '') ?? [];
  // Forbidden first: a file that names a refused category is refused for that reason.
  refuseImportColumns(names);
  const problems: RefusedField[] = [];
  const seen = new Set<string>();
  for (const column of names) {
    if (!importColumnSet.has(column)) {
      problems.push(refusedField('header', 'header_unknown_column', { column }));
    } else if (seen.has(column)) {
      problems.push(refusedField('header', 'header_repeated_column', { column }));
    }
    seen.add(column);
  }
  for (const column of importColumns) {
    if (!seen.has(column)) {
      problems.push(refusedField('header', 'header_missing_column', { column }));
    }
  }
  if (problems.length > 0) throw refusal(problems, 'the header line is not the import format: ');
}

/**
 * NDJSON has no header: every record's keys are checked before anything is imported, so a
 * forbidden key on the last line refuses the file as a forbidden CSV column would.
 */
async function checkNdjsonKeys(facts: ImportFileFacts): Promise<void> {
  const keys = new Set<string>();
  for await (const chunk of readRecords(facts)) {
    for (const record of chunk) {
      let value: unknown;
      try {
        value = JSON.parse(record.text);
      } catch {
        continue; // a row error, reported with its line during the import
      }
      if (typeof value !== 'object' || value === null) continue;
      for (const [key, child] of Object.entries(value)) {
        keys.add(key);
        if (typeof child === 'object' && child !== null) {
          const scan = checkRecordKeys(child, `line ${record.line}/${key}`);
          if (scan.findings.length > 0 || scan.incomplete !== undefined) {
            refuseImportColumns(scan.findings.map((finding) => finding.name).concat(key));
          }
        }
      }
    }
  }
  refuseImportColumns([...keys]);
}

/**
 * Streams the records of the file in chunks, skipping blank lines. A CSV record whose quoted
 * field holds a line break continues on the next physical line; `line` is where it starts.
 */
export async function* readRecords(facts: ImportFileFacts): AsyncGenerator<SourceRecord[]> {
  let carry = '';
  let line = 0;
  let pending: { line: number; text: string } | undefined;
  const stream = createReadStream(facts.path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  for await (const piece of stream) {
    // Safe: a stream opened with an encoding yields strings.
    const text = carry + (piece as string);
    const records: SourceRecord[] = [];
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      line += 1;
      pending = takeLine(text.slice(start, end), line, pending, facts.format, records);
      start = end + 1;
    }
    carry = text.slice(start);
    if (carry.length > importLimits.lineBytesMax) throw lineTooLong(line + 1);
    if (records.length > 0) yield records;
  }
  const records: SourceRecord[] = [];
  if (carry !== '') pending = takeLine(carry, line + 1, pending, facts.format, records);
  if (pending !== undefined) records.push(pending);
  if (records.length > 0) yield records;
}

function takeLine(
  raw: string,
  line: number,
  pending: { line: number; text: string } | undefined,
  format: PopulationFormat,
  out: SourceRecord[],
): { line: number; text: string } | undefined {
  const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  if (format === 'ndjson' || (pending === undefined && !text.includes('"'))) {
    if (pending !== undefined) out.push(pending);
    if (text.trim() !== '') out.push({ line, text: line === 1 ? stripBom(text) : text });
    return undefined;
  }
  const record =
    pending === undefined
      ? { line, text: line === 1 ? stripBom(text) : text }
      : { line: pending.line, text: `${pending.text}\n${text}` };
  if (record.text.length > importLimits.lineBytesMax) throw lineTooLong(record.line);
  if (quotesBalanced(record.text)) {
    out.push(record);
    return undefined;
  }
  return record;
}

function quotesBalanced(text: string): boolean {
  let quotes = 0;
  for (let at = text.indexOf('"'); at !== -1; at = text.indexOf('"', at + 1)) quotes += 1;
  return quotes % 2 === 0;
}

/**
 * Splits one CSV record (RFC 4180) into fields; undefined when a quoted field is malformed
 * (a quote inside an unquoted field, text after a closing quote).
 *
 * @example
 *   splitCsvRecord('a,"b, c","say ""hi"""'); // ['a', 'b, c', 'say "hi"']
 */
export function splitCsvRecord(text: string): string[] | undefined {
  if (!text.includes('"')) return text.split(',');
  const fields: string[] = [];
  let at = 0;
  while (at <= text.length) {
    if (text[at] === '"') {
      let value = '';
      let cursor = at + 1;
      for (;;) {
        const quote = text.indexOf('"', cursor);
        if (quote === -1) return undefined;
        value += text.slice(cursor, quote);
        if (text[quote + 1] === '"') {
          value += '"';
          cursor = quote + 2;
          continue;
        }
        at = quote + 1;
        break;
      }
      if (at < text.length && text[at] !== ',') return undefined;
      fields.push(value);
    } else {
      const comma = text.indexOf(',', at);
      const end = comma === -1 ? text.length : comma;
      const value = text.slice(at, end);
      if (value.includes('"')) return undefined;
      fields.push(value);
      at = end;
    }
    at += 1;
  }
  return fields;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function lineTooLong(line: number): AmparoError {
  return refusal([
    refusedField(`line ${line}`, 'line_too_long', { max: importLimits.lineBytesMax, line }),
  ]);
}

/**
 * The file is refused: the detail says why in English, and each problem is a field error
 * with its code, which the console says in the operator's language.
 */
function refusal(problems: readonly RefusedField[], lead = ''): AmparoError {
  const reasons = problems.map((problem) => problem.reason).join('; ');
  return new AmparoError('AMP_VALIDATION', {
    detail: `The file cannot be imported: ${lead}${reasons}. Nothing was imported.`,
    errors: problems.slice(0, importLimits.fileProblemsMax),
  });
}

function reasonOf(error: unknown): string {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string')
    return error.code;
  return error instanceof Error ? error.message : String(error);
}
