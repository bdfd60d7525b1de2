import { limits } from '../../../limits.js';
import { publishedTables } from './catalogue.js';
import { defaultBreakdown } from './table-reader.js';

/** What one request for a table asked, as it is audited and logged. */
export interface AskedTable {
  /** The table code asked, as given. */
  table: string;
  /** The breakdown asked (`region.state,sex`), as given; null when none was. */
  by: string | null;
}

/**
 * What a request for a table asked (issue #17, bad input: what was asked is itself
 * information), readable whether or not it passed the route's schema: a value of another type
 * is written as JSON, anything but printable ASCII becomes `?`, and each part is cut to the
 * audit log's longest string.
 *
 * @example
 *   askedTable('people_by_age_sex_region', 'region.state,SEX\u0000');
 *   // { table: 'people_by_age_sex_region', by: 'region.state,SEX?' }
 */
export function askedTable(code: unknown, by: unknown): AskedTable {
  return { table: printable(code) ?? '', by: printable(by) };
}

/**
 * The audit entry's resource id for a request for a table: `code:breakdown`, the table's first
 * published breakdown when none was asked and the table exists (that is what is answered), the
 * code alone when neither; ended with `…` where it would exceed the audit log's longest string.
 *
 * @example
 *   askedResourceId({ table: 'people_by_age_sex_region', by: null });
 *   // 'people_by_age_sex_region:region.state,age_band,sex'
 */
export function askedResourceId(asked: AskedTable): string {
  const table = publishedTables.find((candidate) => candidate.code === asked.table);
  const by = asked.by ?? (table === undefined ? null : defaultBreakdown(table));
  return cut(by === null ? asked.table : `${asked.table}:${by}`);
}

function printable(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return cut(text.replaceAll(/[^\x20-\x7e]/g, '?'));
}

function cut(text: string): string {
  const lengthMax = limits.audit.entryStringLengthMax;
  return text.length <= lengthMax ? text : `${text.slice(0, lengthMax - 1)}…`;
}
