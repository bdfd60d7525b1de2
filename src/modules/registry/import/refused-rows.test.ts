import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RowError } from './household-grouper.js';
import {
  firstStoredRefusals,
  parseStoredRefusal,
  refusedRowCsvLine,
  refusedRowsCsv,
  storedRefusalLine,
} from './refused-rows.js';

const workDir = mkdtempSync(path.join(tmpdir(), 'amparo-refused-rows-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const sex: RowError = {
  line: 7,
  recordId: 'R7',
  field: 'sex',
  code: 'one_of',
  params: { values: 'F, M' },
};
/** An NDJSON key is copied into the file as the field name: a spreadsheet must not run it. */
const hostileKey: RowError = {
  line: 9,
  recordId: 'R9',
  field: '=HYPERLINK("http://x","y")',
  code: 'unknown_column',
  params: {},
};

describe('refused rows', () => {
  it('stores codes and parameters, and reads them back unchanged', () => {
    expect(parseStoredRefusal(storedRefusalLine(sex).trimEnd())).toEqual(sex);
    expect(() => parseStoredRefusal('{"line":1,"code":"no_such_code"}')).toThrow();
  });

  it('writes each reason in the language asked for, with spreadsheet-safe cells', () => {
    expect(refusedRowCsvLine(sex, 'es')).toBe('7,R7,sex,"debe ser uno de: F, M"\r\n');
    expect(refusedRowCsvLine(sex, 'en')).toBe('7,R7,sex,"must be one of F, M"\r\n');
    expect(refusedRowCsvLine(hostileKey, 'en')).toBe(
      `9,R9,"'=HYPERLINK(""http://x"",""y"")",is not a column of the import format\r\n`,
    );
  });

  it('serves a stored file as CSV in either language, and its first rows', async () => {
    const stored = path.join(workDir, 'job.refusals.ndjson');
    writeFileSync(stored, storedRefusalLine(sex) + storedRefusalLine(hostileKey));
    let spanish = '';
    for await (const piece of refusedRowsCsv(stored, 'es')) spanish += piece;
    expect(spanish.split('\r\n')).toEqual([
      'line,record_id,field,reason',
      '7,R7,sex,"debe ser uno de: F, M"',
      `9,R9,"'=HYPERLINK(""http://x"",""y"")",no es una columna del formato de importación`,
      '',
    ]);
    expect(await firstStoredRefusals(stored, 1)).toEqual([sex]);
  });
});
