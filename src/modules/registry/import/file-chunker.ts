import type { ChunkTask } from './chunk-encoder.js';
import type { RowKeys } from './row-parser.js';
import type { SourceRecord } from './source-file.js';

/**
 * Cuts the file's records into chunks for the import workers. A chunk ends where a household
 * closes (the first row of a new household after at least `rowsTarget` rows), so households
 * never span chunks, and each chunk carries what earlier chunks saw: the record ids that are
 * repeats of earlier rows and the household ids that closed earlier. With those, a worker's
 * `HouseholdGrouper` refuses exactly the rows a single pass over the file refuses.
 *
 * It follows the grouper's rules on the two ids only (see `rowKeysReader`): a row without a
 * household id, or of a household closed before, belongs to no household and closes nothing.
 *
 * @example
 *   const chunker = new FileChunker(rowKeysReader({ format: 'csv', header }), 5000);
 *   for (const record of records) { const chunk = chunker.add(record); if (chunk) send(chunk); }
 *   const last = chunker.finish();
 */
export class FileChunker {
  readonly #keysOf: (record: SourceRecord) => RowKeys;
  readonly #rowsTarget: number;
  readonly #recordIds = new Set<string>();
  readonly #closedIds = new Set<string>();
  #openId: string | undefined;
  #chunk = emptyChunk();

  constructor(keysOf: (record: SourceRecord) => RowKeys, rowsTarget: number) {
    this.#keysOf = keysOf;
    this.#rowsTarget = rowsTarget;
  }

  /** Adds the next record; returns the chunk it ends, if any (the record opens the next). */
  add(record: SourceRecord): ChunkTask | undefined {
    const { recordId, householdId } = this.#keysOf(record);
    let ended: ChunkTask | undefined;
    if (householdId !== '' && householdId !== this.#openId && !this.#closedIds.has(householdId)) {
      // A new household: the open one closes here, a boundary a chunk may end at.
      if (this.#openId !== undefined) {
        this.#closedIds.add(this.#openId);
        this.#chunk.closedHere.add(this.#openId);
      }
      this.#openId = householdId;
      if (this.#chunk.texts.length >= this.#rowsTarget) ended = this.#take();
    } else if (householdId !== '' && householdId !== this.#openId) {
      // A late row of a closed household: an error, unless it closed inside this chunk (the
      // worker sees that itself).
      if (!this.#chunk.closedHere.has(householdId)) this.#chunk.householdIdsClosed.add(householdId);
    }
    this.#noteRecordId(recordId);
    this.#chunk.lines.push(record.line);
    this.#chunk.texts.push(record.text);
    return ended;
  }

  /** The last chunk, if it has records. */
  finish(): ChunkTask | undefined {
    return this.#chunk.texts.length > 0 ? this.#take() : undefined;
  }

  #noteRecordId(recordId: string): void {
    if (recordId === '') return;
    if (!this.#recordIds.has(recordId)) {
      this.#recordIds.add(recordId);
      this.#chunk.firstSeenHere.add(recordId);
    } else if (!this.#chunk.firstSeenHere.has(recordId)) {
      this.#chunk.recordIdsSeen.add(recordId);
    }
  }

  #take(): ChunkTask {
    const chunk = this.#chunk;
    this.#chunk = emptyChunk();
    return {
      lines: chunk.lines,
      texts: chunk.texts,
      recordIdsSeen: [...chunk.recordIdsSeen],
      householdIdsClosed: [...chunk.householdIdsClosed],
    };
  }
}

function emptyChunk() {
  return {
    lines: [] as number[],
    texts: [] as string[],
    recordIdsSeen: new Set<string>(),
    householdIdsClosed: new Set<string>(),
    /** Ids first seen in this chunk: a repeat of one is the worker's to find. */
    firstSeenHere: new Set<string>(),
    /** Households closed after this chunk began. */
    closedHere: new Set<string>(),
  };
}
