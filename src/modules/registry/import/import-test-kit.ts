import { readFileSync, writeFileSync } from 'node:fs';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { generatePopulation } from '../../demo/population.js';
import type { PopulationRecord } from './population-record.js';
import { CSV_HEADER, toCsvLine, toNdjsonLine } from './record-format.js';
import { splitCsvRecord } from './source-file.js';

/**
 * Test data for the importer: a small demo population with known faults written into known
 * lines, so the tests know which lines must be refused without asking the importer.
 *
 * @example
 *   const file = buildFaultyPopulation(80);
 *   writeFileSync(path, file.csv);
 *   file.invalidLines; // lines the error file must list
 */
export interface FaultyPopulation {
  readonly csv: string;
  readonly ndjson: string;
  /** CSV line (header is line 1) → the field the fault is in. */
  readonly faults: ReadonlyMap<number, string>;
  /** Every line that must be refused: faulty lines and their households' other rows. */
  readonly invalidLines: ReadonlySet<number>;
  readonly rows: number;
  /** Record id of each data line (CSV numbering), for rows the importer must accept. */
  readonly recordIdByLine: ReadonlyMap<number, string>;
}

export const testReferenceDate = new Date('2026-01-01T00:00:00Z');

export function demoRecords(persons: number, seed = 'import-test'): PopulationRecord[] {
  return [...generatePopulation({ persons, seed, duplicateShare: 0, referenceDate: '2026-01-01' })];
}

/**
 * The generator's records with six faults: a bad phone, an unknown relationship, a record
 * repeated inside its household, a head whose date is a bare year without the flag (its
 * household loses its head), a second head in another household, and a row with a field
 * missing. NDJSON carries the same rows minus the unreadable one, on the same lines minus
 * one (no header).
 */
export function buildFaultyPopulation(persons: number): FaultyPopulation {
  const records = demoRecords(persons);
  const households = groupBy(records, (record) => record.householdId).filter((h) => h.length >= 3);
  if (households.length < 4) throw new Error('need four households of three or more');
  const [badPhone, badHead, twoHeads, repeated] = households as [
    PopulationRecord[],
    PopulationRecord[],
    PopulationRecord[],
    PopulationRecord[],
  ];
  const rows: Array<{ record: PopulationRecord; fault?: string; household?: boolean }> = [];
  for (const record of records) {
    if (record === badPhone[1])
      rows.push({ record: { ...record, phone: '04121234567' }, fault: 'phone' });
    else if (record === badPhone[2]) {
      rows.push({
        record: { ...record, relationship: 'cousin' as 'child' },
        fault: 'relationship',
      });
    } else if (record === badHead[0]) {
      rows.push({
        record: { ...record, birthDate: '1970', birthDateApproximate: false },
        fault: 'birth_date',
        household: true,
      });
    } else if (record === twoHeads[1]) {
      rows.push({
        record: { ...record, relationship: 'head' },
        fault: 'relationship',
        household: true,
      });
    } else rows.push({ record });
    if (record === repeated[1]) rows.push({ record, fault: 'record_id' });
  }
  return assemble(rows, [badHead, twoHeads]);
}

function assemble(
  rows: Array<{ record: PopulationRecord; fault?: string; household?: boolean }>,
  refusedHouseholds: PopulationRecord[][],
): FaultyPopulation {
  const refusedIds = new Set(refusedHouseholds.map((household) => household[0]?.householdId));
  const faults = new Map<number, string>();
  const invalidLines = new Set<number>();
  const recordIdByLine = new Map<number, string>();
  let csv = CSV_HEADER;
  let ndjson = '';
  rows.forEach((row, index) => {
    const line = index + 2;
    csv += toCsvLine(row.record);
    ndjson += toNdjsonLine(row.record);
    recordIdByLine.set(line, row.record.recordId);
    if (row.fault !== undefined) faults.set(line, row.fault);
    if (row.fault !== undefined || refusedIds.has(row.record.householdId)) invalidLines.add(line);
  });
  // One unreadable row at the end: a field short. Not in the NDJSON file.
  const unreadableLine = rows.length + 2;
  csv += 'R99999999,H9999999,head,Ana\r\n';
  faults.set(unreadableLine, 'record');
  invalidLines.add(unreadableLine);
  return { csv, ndjson, faults, invalidLines, rows: rows.length + 1, recordIdByLine };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item)) ?? [];
    group.push(item);
    groups.set(key(item), group);
  }
  return [...groups.values()];
}

/** The error file as rows of `line, record_id, field, reason`. */
export function readErrorFile(
  filePath: string,
): Array<{ line: number; recordId: string; field: string; reason: string }> {
  const [header, ...lines] = readFileSync(filePath, 'utf8')
    .split('\r\n')
    .filter((line) => line !== '');
  if (header !== 'line,record_id,field,reason') throw new Error(`unexpected header ${header}`);
  return lines.map((line) => {
    const [number, recordId, field, reason] = splitCsvRecord(line) ?? [];
    return {
      line: Number(number),
      recordId: recordId ?? '',
      field: field ?? '',
      reason: reason ?? '',
    };
  });
}

export function writeText(filePath: string, text: string): string {
  writeFileSync(filePath, text);
  return filePath;
}

/** Counts of what an import wrote, read back as the application role. */
export async function registryCounts(db: Kysely<Database>) {
  const count = async (table: string) => {
    const result = await sql<{
      n: number;
    }>`select count(*)::int as n from ${sql.table(table)}`.execute(db);
    return result.rows[0]?.n ?? 0;
  };
  return {
    persons: await count('person'),
    versions: await count('person_version'),
    keys: await count('person_key'),
    households: await count('household'),
    memberships: await count('household_membership'),
    importRows: await count('import_row'),
    batches: await count('import_batch'),
  };
}
