import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type WritePopulationOptions, writePopulation } from './write-population.js';

/** The format as the brief specifies it, written out by hand so the code cannot drift from it. */
const EXPECTED_COLUMNS =
  'record_id,household_id,relationship,given_names,first_surname,second_surname,sex,birth_date,' +
  'birth_date_approximate,birth_state_code,nationality,state_code,municipality_code,parish_code,' +
  'locality,address_line,phone,preferred_language,income_band,disability_status';

const directory = mkdtempSync(join(tmpdir(), 'amparo-demo-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

function optionsFor(name: string, overrides: Partial<WritePopulationOptions> = {}) {
  return {
    persons: 1500,
    seed: 'write-test',
    duplicateShare: 0.1,
    referenceDate: '2026-01-01',
    out: join(directory, name),
    ...overrides,
  };
}

/** A strict RFC 4180 reader, independent of the writer. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[index + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      index += 1;
    } else field += char;
  }
  if (field !== '' || row.length > 0) throw new Error('CSV does not end with CRLF');
  return rows;
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

describe('writePopulation', () => {
  it('writes the exact header and one well-formed row per record', async () => {
    const result = await writePopulation(optionsFor('people.csv'));
    const rows = parseCsv(readFileSync(result.out, 'utf8'));
    expect(rows[0]?.join(',')).toBe(EXPECTED_COLUMNS);
    expect(rows).toHaveLength(1501);
    expect(rows.filter((row) => row.length !== 20)).toEqual([]);
    expect(result.records).toBe(1500);
    expect(result.duplicates).toBe(150);
    expect(result.bytes).toBe(readFileSync(result.out).length);
  });

  it('quotes fields that contain commas so they read back intact', async () => {
    const result = await writePopulation(optionsFor('quoted.csv', { persons: 200 }));
    const text = readFileSync(result.out, 'utf8');
    const addresses = parseCsv(text)
      .slice(1)
      .map((row) => row[15] ?? '');
    expect(addresses.some((address) => address.includes(', '))).toBe(true);
    expect(text).toContain(`,"${addresses[0]}",`);
  });

  it('is byte-identical for the same options and differs for another seed', async () => {
    const first = await writePopulation(optionsFor('a.csv'));
    const second = await writePopulation(optionsFor('b.csv'));
    const other = await writePopulation(optionsFor('c.csv', { seed: 'other' }));
    expect(sha256(first.out)).toBe(sha256(second.out));
    expect(sha256(first.truthOut)).toBe(sha256(second.truthOut));
    expect(sha256(first.out)).not.toBe(sha256(other.out));
  });

  it('writes the ground truth beside the file, one line per record', async () => {
    const result = await writePopulation(optionsFor('truth.csv'));
    expect(result.truthOut).toBe(`${result.out}.truth.csv`);
    const truth = parseCsv(readFileSync(result.truthOut, 'utf8'));
    const people = parseCsv(readFileSync(result.out, 'utf8'));
    expect(truth[0]).toEqual(['record_id', 'person_id']);
    expect(truth.slice(1).map((row) => row[0])).toEqual(people.slice(1).map((row) => row[0]));
    const persons = new Set(truth.slice(1).map((row) => row[1]));
    expect(persons.size).toBe(1500 - 150);
  });

  it('writes NDJSON with the same keys in the same order, booleans and numbers typed', async () => {
    const csv = await writePopulation(optionsFor('same.csv'));
    const ndjson = await writePopulation(
      optionsFor('same.ndjson', { format: 'ndjson', truthOut: join(directory, 'nd-truth.csv') }),
    );
    const lines = readFileSync(ndjson.out, 'utf8').trimEnd().split('\n');
    const csvRows = parseCsv(readFileSync(csv.out, 'utf8')).slice(1);
    expect(lines).toHaveLength(1500);
    lines.forEach((line, index) => {
      const row: Record<string, unknown> = JSON.parse(line);
      expect(Object.keys(row).join(',')).toBe(EXPECTED_COLUMNS);
      expect(typeof row.birth_date_approximate).toBe('boolean');
      expect(typeof row.income_band).toBe('number');
      expect(Object.values(row).map(String)).toEqual(csvRows[index]);
    });
    expect(sha256(ndjson.truthOut)).toBe(sha256(csv.truthOut));
  });

  it('reports progress up to the total', async () => {
    const seen: number[] = [];
    await writePopulation(
      optionsFor('progress.csv', { persons: 5000, onProgress: (p) => seen.push(p.records) }),
    );
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.at(-1)).toBe(5000);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
  });

  it('fails with the file-system error when the directory does not exist', async () => {
    await expect(
      writePopulation(optionsFor(join('missing', 'people.csv'), { persons: 10 })),
    ).rejects.toThrow(/ENOENT/);
  });

  it('fails cleanly when only the truth file cannot be written, while waiting on the other', async () => {
    const truthOut = join(directory, 'missing', 'truth.csv');
    await expect(
      writePopulation(optionsFor('ok.csv', { persons: 3000, truthOut })),
    ).rejects.toThrow(/ENOENT/);
  });
});
