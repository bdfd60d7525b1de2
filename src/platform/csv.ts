/**
 * Every CSV Amparo writes goes through `csvCell` (or `csvRow`): RFC 4180 quoting plus the
 * neutralisation of spreadsheet formulas (CSV injection, per the OWASP guidance). A cell
 * that a spreadsheet would read as a formula, one starting with `=`, `+`, `-`, `@`, a tab or
 * a carriage return, is written as text: prefixed with a single quote and quoted, so
 * `=HYPERLINK("http://x","click")` arrives in the sheet as the visible text, not a link, and
 * `+cmd|' /C calc'!A0` never reaches DDE.
 *
 * Values that only look like numbers are left alone: a cell made of a sign, digits, spaces
 * and `( ) . - /` (a phone number `+584121234567`, an amount `-12.50`, a dash `-` standing for
 * "none") can neither call a function nor reach another program, so it keeps its exact text
 * and a file Amparo wrote still reads back byte for byte. Anything with a letter, `=`, `|`,
 * `!`, `"` or `@` in it does not qualify and is neutralised.
 *
 * Storing such values is not refused: a locality or a record id is data, shown as text by the
 * API and the console; only a spreadsheet evaluates it, so the defence sits where CSV is
 * written (see docs/ACCESS.md, "What is protected and how").
 *
 * @example
 *   csvCell('=SUM(1+1)'); // `"'=SUM(1+1)"`
 *   csvCell('+584121234567'); // '+584121234567'
 *   csvCell('Pérez, Ana'); // '"Pérez, Ana"'
 *   csvRow([7, 'R7', 'phone', 'must be E.164']); // '7,R7,phone,must be E.164\r\n'
 */

/** A value a CSV cell may be made from; null and undefined are written as empty cells. */
export type CsvValue = string | number | bigint | boolean | null | undefined;

/** Characters that make a spreadsheet evaluate a cell (OWASP CSV injection). */
const formulaStart = /^[=+\-@\t\r]/;
/** A signed number, a phone number or a lone dash: no function call can hide in it. */
const numberLike = /^[+-]?[0-9 ().\-/]*$/;
/** Characters that need the cell quoted (RFC 4180). */
const needsQuotes = /[",\r\n]/;

/**
 * One CSV cell: quoted when it holds a comma, quote or line break, and neutralised when a
 * spreadsheet would evaluate it.
 */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : String(value);
  if (formulaStart.test(text) && !numberLike.test(text)) {
    return `"'${text.replaceAll('"', '""')}"`;
  }
  return needsQuotes.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV line of cells, CRLF-terminated as RFC 4180 asks. */
export function csvRow(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** Whether `csvCell` neutralises this value (for tests and documentation). */
export function isFormulaLike(text: string): boolean {
  return formulaStart.test(text) && !numberLike.test(text);
}
