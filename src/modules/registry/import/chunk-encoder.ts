import { BatchEncoder, type EncodedBatch } from './batch-encoder.js';
import { type ClosedHousehold, HouseholdGrouper, type RowError } from './household-grouper.js';
import type { PopulationFormat } from './record-format.js';
import { rowParser } from './row-parser.js';

/**
 * The CPU work of the import for one chunk of the file: parse and validate every row, group
 * the rows into households (with what earlier chunks saw, so the result is the one a single
 * pass over the file gives), leave out households an earlier run committed, and encode the
 * rest as one batch. It runs in an import worker, or in the calling thread for small files
 * and PGlite (see chunk-executor.ts); both give the same result.
 *
 * @example
 *   const encoder = new ChunkEncoder(settings);
 *   const result = encoder.encode({ lines: [2, 3], texts: ['R1,H1,head,…', 'R2,H1,…'],
 *     recordIdsSeen: [], householdIdsClosed: [] });
 *   result.batch?.uin.length; // persons to write
 */
export interface ChunkSettings {
  readonly format: PopulationFormat;
  /** The CSV header's columns in file order (empty for NDJSON). */
  readonly header: readonly string[];
  /** The job's reference day, `YYYY-MM-DD`. */
  readonly today: string;
  /** States rows may be in; null for any. */
  readonly regions: readonly string[] | null;
  /** Line ranges of batches committed by earlier runs of the job. */
  readonly committed: ReadonlyArray<{ firstLine: number; lastLine: number }>;
  /** A copy of the master key (a worker gets its own; it is never logged). */
  readonly masterKey: Uint8Array;
}

/** Consecutive records of the file, starting and ending at household boundaries. */
export interface ChunkTask {
  readonly lines: readonly number[];
  readonly texts: readonly string[];
  /** Record ids of this chunk that appeared in an earlier chunk. */
  readonly recordIdsSeen: readonly string[];
  /** Household ids of this chunk that were closed in an earlier chunk. */
  readonly householdIdsClosed: readonly string[];
}

export interface ChunkResult {
  /** Every error of the chunk's rows, in the order of the error file. */
  readonly errors: RowError[];
  /** Persons of households an earlier run committed. */
  readonly personsSkipped: number;
  /** The households to write; undefined when none is left. */
  readonly batch: EncodedBatch | undefined;
}

export class ChunkEncoder {
  readonly #parse: ReturnType<typeof rowParser>;
  readonly #encoder: BatchEncoder;
  readonly #committed: ReadonlyArray<{ firstLine: number; lastLine: number }>;

  constructor(settings: ChunkSettings) {
    this.#parse = rowParser({
      format: settings.format,
      header: settings.header,
      today: new Date(`${settings.today}T00:00:00Z`),
      regions: settings.regions === null ? undefined : new Set(settings.regions),
    });
    this.#encoder = new BatchEncoder(Buffer.from(settings.masterKey));
    this.#committed = mergeRanges(settings.committed);
  }

  encode(task: ChunkTask): ChunkResult {
    const grouper = new HouseholdGrouper({
      recordIdsSeen: task.recordIdsSeen,
      householdIdsClosed: task.householdIdsClosed,
    });
    const state = { errors: [] as RowError[], households: [] as ClosedHousehold[], skipped: 0 };
    for (let index = 0; index < task.texts.length; index += 1) {
      const record = { line: task.lines[index] ?? 0, text: task.texts[index] ?? '' };
      this.#take(grouper.add(this.#parse(record)), grouper, state);
    }
    this.#take(grouper.finish(), grouper, state);
    state.errors.push(...sortByLine(grouper.takeLooseErrors()));
    return {
      errors: state.errors,
      personsSkipped: state.skipped,
      batch: state.households.length > 0 ? this.#encoder.encode(state.households) : undefined,
    };
  }

  #take(
    household: ClosedHousehold | undefined,
    grouper: HouseholdGrouper,
    state: { errors: RowError[]; households: ClosedHousehold[]; skipped: number },
  ): void {
    if (household === undefined) return;
    const loose = grouper.takeLooseErrors();
    if (loose.length > 0) state.errors.push(...sortByLine([...household.errors, ...loose]));
    else state.errors.push(...household.errors);
    if (household.members.length === 0) return;
    if (this.#committedBefore(household.firstLine)) {
      state.skipped += household.members.length;
      return;
    }
    state.households.push(household);
  }

  /** Binary search in the merged ranges. */
  #committedBefore(line: number): boolean {
    let low = 0;
    let high = this.#committed.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const range = this.#committed[middle];
      if (range === undefined) return false;
      if (line < range.firstLine) high = middle - 1;
      else if (line > range.lastLine) low = middle + 1;
      else return true;
    }
    return false;
  }
}

/** Sorted, non-overlapping ranges covering the same lines. */
function mergeRanges(
  ranges: ReadonlyArray<{ firstLine: number; lastLine: number }>,
): Array<{ firstLine: number; lastLine: number }> {
  const sorted = [...ranges].sort((a, b) => a.firstLine - b.firstLine);
  const merged: Array<{ firstLine: number; lastLine: number }> = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && range.firstLine <= last.lastLine + 1) {
      last.lastLine = Math.max(last.lastLine, range.lastLine);
    } else merged.push({ ...range });
  }
  return merged;
}

export function sortByLine(errors: RowError[]): RowError[] {
  return errors.sort((a, b) => a.line - b.line);
}
