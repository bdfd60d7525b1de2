/**
 * PostgreSQL array literals (`{"a","b"}`), built where the rows are encoded (an import
 * worker) so that the thread holding the database connections only passes one string per
 * column. A statement casts the text parameter (`$1::uuid[]`, `$2::jsonb[]`), exactly as it
 * would cast an array parameter, so the values stay parameters: nothing is spliced into SQL.
 *
 * @example
 *   textArrayLiteral(['a', 'say "hi"']); // '{"a","say \"hi\""}'
 *   byteaArrayLiteral([Buffer.of(1, 2)]); // '{"\\x0102"}'
 */

/** An array of arbitrary texts: every element quoted, `"` and `\` escaped. */
export function textArrayLiteral(values: readonly string[]): string {
  let literal = '{';
  for (let index = 0; index < values.length; index += 1) {
    if (index > 0) literal += ',';
    literal += quoteElement(values[index] ?? '');
  }
  return `${literal}}`;
}

/**
 * An array of elements that need no quoting: UUIDs, digit strings, integers. Each is checked,
 * since a comma or brace would otherwise change the array's shape.
 */
export function plainArrayLiteral(values: readonly (string | number)[]): string {
  for (const value of values) {
    if (typeof value === 'string' && !plainElementPattern.test(value)) {
      throw new Error('an array element that needs quoting was passed as plain');
    }
  }
  return `{${values.join(',')}}`;
}

/** An array of byte strings in PostgreSQL's hex format. */
export function byteaArrayLiteral(values: readonly Buffer[]): string {
  return hexArrayLiteral(values.map((value) => value.toString('hex')));
}

/** An array of byte strings given as lowercase hex digits. */
export function hexArrayLiteral(hexValues: readonly string[]): string {
  let literal = '{';
  for (let index = 0; index < hexValues.length; index += 1) {
    if (index > 0) literal += ',';
    // Inside an array literal a backslash escapes, so `\x` is written `\\x`.
    literal += `"\\\\x${hexValues[index]}"`;
  }
  return `${literal}}`;
}

const plainElementPattern = /^[0-9A-Za-z-]+$/;
const needsEscapePattern = /["\\]/;

function quoteElement(value: string): string {
  if (!needsEscapePattern.test(value)) return `"${value}"`;
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}
