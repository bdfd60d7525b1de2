import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type { Dimension } from '../disclosure/linked-table.js';
import type { AggregateReadModels } from '../read-models.js';
import type { AmountCube } from './amount-protection.js';

/**
 * What a published table is (issue #17, point 2): its code, whether it is open data, its
 * titles and definitions in es and en, the breakdowns it may be read at, and how its cube is
 * built from the read models. The tables themselves are in `catalogue.ts`.
 */
export interface Text {
  readonly es: string;
  readonly en: string;
}

/** A breakdown: the finest level of each dimension it shows (absent = the total only). */
export type Breakdown = Readonly<Record<string, number>>;

export interface Cube {
  readonly dimensions: readonly Dimension[];
  readonly leafCounts: readonly { readonly key: readonly string[]; readonly count: number }[];
  /** A table of money: what is published is these amounts, protected as amounts. */
  readonly amounts?: AmountCube;
}

/** One stored cell: which breakdowns show it, its key, and its protected value. */
export interface StoredCell {
  /** Indexes into the table's `breakdowns` that show this cell. */
  readonly views: readonly number[];
  readonly key: readonly string[];
  /** Depth of each coordinate in its dimension's tree (0 = the total). */
  readonly depths: readonly number[];
  /** Rounded to the base; null when withheld. */
  readonly value: number | null;
}

export interface PublishedTable {
  readonly code: string;
  readonly public: boolean;
  readonly title: Text;
  readonly definition: Text;
  /** `dimension` or `dimension.level` → depth in that dimension's tree. */
  readonly levels: Readonly<Record<string, { dimension: string; depth: number }>>;
  readonly breakdowns: readonly Breakdown[];
  /**
   * Dimensions whose total is never published (units of two items do not add up): their
   * total's cells stay in the cube, hidden, and no breakdown shows them.
   */
  readonly withoutTotal?: readonly string[];
  /**
   * The codes of one dimension this table shows; its other cells are another table's (two
   * tables shown from one cube, protected together: coverage and its appeals).
   */
  readonly only?: { readonly dimension: string; readonly codes: readonly string[] };
  /**
   * The table whose stored cube this one is read from (its `build` answers null: the other
   * table builds, protects and stores the cells of both).
   */
  readonly storedIn?: string;
  /**
   * A table computed from the stored, protected cells of `storedIn` (post-processing of
   * published values: no other data is read, so nothing more is disclosed).
   */
  readonly derive?: (cells: readonly StoredCell[]) => StoredCell[];
  /** What a value is: a count or amount (absent), or a percentage (`percent`). */
  readonly unit?: 'percent';
  /**
   * The canonical key of the quantity a cell counts, for a cell another table publishes too
   * (the same persons counted the same way): both get one keyed draw, so averaging the two
   * tables gains nothing (`cell-noise.ts`). Null or absent: the cell is its table's own.
   */
  readonly quantityOf?: (key: readonly string[]) => string | null;
  /** The cube; null when its read model is absent (the table is then not refreshed). */
  build(models: AggregateReadModels, db: Kysely<Database>, now: Date): Promise<Cube | null>;
}
