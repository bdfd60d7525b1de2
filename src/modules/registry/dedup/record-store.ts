import { type PreparedValue, prepareValue } from './prepared-value.js';
import type { DedupRecord, DedupSchema, FieldSpec } from './types.js';

/**
 * One field of every record, integer-coded: each row holds the id of an interned
 * PreparedValue (-1 when missing), so a million rows cost four bytes each per field and
 * identical values are normalised once.
 */
class Column {
  readonly dictionary: PreparedValue[] = [];
  /** Rows holding each interned value: the term frequency used by the TF adjustment. */
  readonly counts: number[] = [];
  private valueIds = new Int32Array(1024);
  private readonly rawToId = new Map<string, number>();
  private readonly keyToId = new Map<string, number>();

  constructor(readonly spec: FieldSpec) {}

  set(row: number, raw: string | null | undefined): void {
    if (row >= this.valueIds.length) {
      const grown = new Int32Array(Math.max(row + 1, this.valueIds.length * 2));
      grown.set(this.valueIds);
      this.valueIds = grown;
    }
    const id = raw === null || raw === undefined ? -1 : this.intern(raw);
    this.valueIds[row] = id;
    if (id >= 0) this.counts[id] = (this.counts[id] ?? 0) + 1;
  }

  valueId(row: number): number {
    return this.valueIds[row] ?? -1;
  }

  /** The value id of every row, as a view (valid until the next append). */
  rowValueIds(rowCount: number): Int32Array {
    return this.valueIds.subarray(0, rowCount);
  }

  value(row: number): PreparedValue | null {
    const id = this.valueIds[row] ?? -1;
    return id < 0 ? null : (this.dictionary[id] ?? null);
  }

  private intern(raw: string): number {
    const known = this.rawToId.get(raw);
    if (known !== undefined) return known;
    const prepared = prepareValue(this.spec.kind, raw);
    let id = -1;
    if (prepared !== null) {
      id = this.keyToId.get(prepared.key) ?? -1;
      if (id < 0) {
        id = this.dictionary.length;
        this.dictionary.push(prepared);
        this.counts.push(0);
        this.keyToId.set(prepared.key, id);
      }
    }
    this.rawToId.set(raw, id);
    return id;
  }
}

/**
 * The records of a run or an index, column by column.
 *
 * @example
 * const store = new RecordStore(schema);
 * const row = store.append({ id: 'p1', fields: { first_surname: 'Peña' } });
 * store.value(0, row)?.key // 'peña'
 */
export class RecordStore {
  readonly ids: string[] = [];
  private readonly columns: Column[];

  constructor(readonly schema: DedupSchema) {
    this.columns = schema.fields.map((spec) => new Column(spec));
  }

  get size(): number {
    return this.ids.length;
  }

  append(record: DedupRecord): number {
    const row = this.ids.length;
    this.ids.push(record.id);
    for (const column of this.columns) column.set(row, record.fields[column.spec.name]);
    return row;
  }

  value(field: number, row: number): PreparedValue | null {
    return this.columns[field]?.value(row) ?? null;
  }

  /** Interned id of this row's value in the field, -1 when missing (same id, same key). */
  valueId(field: number, row: number): number {
    return this.columns[field]?.valueId(row) ?? -1;
  }

  /**
   * The value id of every row in the field (-1 when missing), as a view for tight loops; it
   * is valid until the next append.
   */
  valueIds(field: number): Int32Array {
    return this.columns[field]?.rowValueIds(this.ids.length) ?? new Int32Array(this.ids.length);
  }

  /** The interned value with this id. */
  valueById(field: number, id: number): PreparedValue | null {
    return id < 0 ? null : (this.columns[field]?.dictionary[id] ?? null);
  }

  /** Rows sharing this row's value in the field (0 when missing). */
  valueCount(field: number, row: number): number {
    const column = this.columns[field];
    if (column === undefined) return 0;
    const id = column.valueId(row);
    return id < 0 ? 0 : (column.counts[id] ?? 0);
  }

  /** Distinct values and their counts, for u estimation of exact levels. */
  valueCounts(field: number): readonly number[] {
    return this.columns[field]?.counts ?? [];
  }
}
