import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { blindIndex } from '../../../platform/crypto/envelope.js';
import { AmparoError } from '../../../platform/errors.js';
import { isValidUin } from '../uin/index.js';
import { BatchEncoder } from './batch-encoder.js';
import { demoRecords, writeText } from './import-test-kit.js';
import { CSV_HEADER, toCsvLine, toNdjsonLine } from './record-format.js';
import { inspectImportFile, readRecords, splitCsvRecord } from './source-file.js';
import { UinRegister } from './uin-register.js';

const workDir = mkdtempSync(path.join(tmpdir(), 'amparo-import-file-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

async function refusal(file: string): Promise<AmparoError> {
  const error = await inspectImportFile(file).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof AmparoError)) throw new Error(`expected a refusal, got ${String(error)}`);
  return error;
}

describe('file-level checks', () => {
  const records = demoRecords(5);

  it('refuses a CSV with a forbidden column as a whole, naming it', async () => {
    const header = `${CSV_HEADER.trimEnd()},partido\r\n`;
    const rows = records.map((record) => `${toCsvLine(record).trimEnd()},PSUV\r\n`).join('');
    const error = await refusal(writeText(path.join(workDir, 'forbidden.csv'), header + rows));
    expect(error.code).toBe('AMP_ATTRIBUTE_FORBIDDEN');
    expect(error.errors?.[0]?.reason).toMatch(/^partido: /);
    expect(error.errors?.[0]).toMatchObject({
      code: 'forbidden_column',
      params: { column: 'partido', categoryEs: 'afiliación política' },
    });
  });

  it('refuses an NDJSON file whose last record has a forbidden key', async () => {
    const lines = records.map((record) => toNdjsonLine(record));
    const last = JSON.parse(lines.pop() ?? '{}');
    lines.push(`${JSON.stringify({ ...last, religion: 'x' })}\n`);
    const error = await refusal(writeText(path.join(workDir, 'forbidden.ndjson'), lines.join('')));
    expect(error.code).toBe('AMP_ATTRIBUTE_FORBIDDEN');
  });

  it('refuses a header with a missing or unknown column', async () => {
    const header = CSV_HEADER.replace('phone,', 'telefono_fijo,');
    const error = await refusal(
      writeText(path.join(workDir, 'header.csv'), header + toCsvLine(records[0]!)),
    );
    expect(error.code).toBe('AMP_VALIDATION');
    expect(error.detail).toContain('unknown column "telefono_fijo"');
    expect(error.detail).toContain('missing column "phone"');
    // Each problem comes with a code and parameters, for the console to say in Spanish.
    expect(error.errors).toEqual([
      {
        field: 'header',
        code: 'header_unknown_column',
        params: { column: 'telefono_fijo' },
        reason: 'unknown column "telefono_fijo"',
      },
      {
        field: 'header',
        code: 'header_missing_column',
        params: { column: 'phone' },
        reason: 'missing column "phone"',
      },
    ]);
  });

  it('refuses an empty or missing file', async () => {
    const empty = await refusal(writeText(path.join(workDir, 'empty.csv'), ''));
    expect(empty.code).toBe('AMP_VALIDATION');
    expect(empty.errors).toMatchObject([{ field: 'file', code: 'file_empty' }]);
    expect((await refusal(path.join(workDir, 'absent.csv'))).code).toBe('AMP_VALIDATION');
  });

  it('gives the same file the same fingerprint, and counts its lines', async () => {
    const text = CSV_HEADER + records.map(toCsvLine).join('');
    const first = await inspectImportFile(writeText(path.join(workDir, 'a.csv'), text));
    const second = await inspectImportFile(writeText(path.join(workDir, 'b.csv'), text));
    expect(first.sha256).toEqual(second.sha256);
    expect(first.linesTotal).toBe(records.length + 1);
  });
});

describe('records', () => {
  it('splits quoted CSV fields and refuses malformed quoting', () => {
    expect(splitCsvRecord('a,"b, c","say ""hi""",')).toEqual(['a', 'b, c', 'say "hi"', '']);
    expect(splitCsvRecord('a,b"c')).toBeUndefined();
    expect(splitCsvRecord('"a"b,c')).toBeUndefined();
  });

  it('keeps a quoted line break inside one record that starts on its first line', async () => {
    const file = writeText(
      path.join(workDir, 'multiline.csv'),
      'h1,h2\r\nx,"one\r\ntwo"\r\n\r\ny,z\r\n',
    );
    const facts = {
      path: file,
      name: 'multiline.csv',
      format: 'csv' as const,
      bytes: 0,
      sha256: Buffer.alloc(32),
      linesTotal: 5,
    };
    const seen: Array<{ line: number; text: string }> = [];
    for await (const chunk of readRecords(facts)) seen.push(...chunk);
    expect(seen).toEqual([
      { line: 1, text: 'h1,h2' },
      { line: 2, text: 'x,"one\ntwo"' },
      { line: 5, text: 'y,z' },
    ]);
  });
});

describe('BatchEncoder', () => {
  it('derives the same phone blind index as the envelope', () => {
    const masterKey = randomBytes(32);
    const encoder = new BatchEncoder(masterKey);
    expect(encoder.phoneDigest('+584121234567')).toEqual(
      blindIndex(masterKey, 'phone', '+584121234567'),
    );
  });

  it('draws valid UINs from its random pool', () => {
    const encoder = new BatchEncoder(randomBytes(32));
    const uins = Array.from({ length: 2000 }, () => encoder.drawUin());
    expect(uins.every(isValidUin)).toBe(true);
  });
});

describe('UinRegister', () => {
  it('never hands out the same UIN twice in one process', () => {
    const register = new UinRegister();
    const uins = Array.from({ length: 5000 }, () => register.draw());
    expect(new Set(uins).size).toBe(uins.length);
  });

  it('replaces a UIN claimed before, as two workers drawing the same number would', () => {
    const register = new UinRegister();
    const first = ['2764440235', '3958201746'];
    register.claim(first);
    const second = ['2764440235', '4072918366'];
    register.claim(second);
    expect(second[0]).not.toBe('2764440235');
    expect(isValidUin(second[0] ?? '')).toBe(true);
    expect(second[1]).toBe('4072918366');
  });
});
