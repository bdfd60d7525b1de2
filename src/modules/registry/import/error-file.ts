import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { csvRow } from '../../../platform/csv.js';
import type { RowError } from './household-grouper.js';

/** Header of the error file. */
export const errorFileHeader = 'line,record_id,field,reason\r\n';

/**
 * The error file: one CSV line per refused field (`line,record_id,field,reason`), in line
 * order, written by the shared `csvRow`: a record id such as `=HYPERLINK(…)` arrives in a
 * spreadsheet as text, never as a formula. It is a function of the file and the job's fixed settings, so every run (a resume
 * too) writes it whole to `<path>.partial` and renames it into place at the end: a reader
 * never sees a half-written file, and a resume cannot list a line twice.
 *
 * @example
 *   const errors = ErrorFile.create('/tmp/p.csv.errors.csv');
 *   await errors.write([{ line: 7, recordId: 'R7', field: 'phone', reason: 'must be …' }]);
 *   await errors.commit();
 */
export class ErrorFile {
  readonly #path: string;
  readonly #stream: WriteStream;
  readonly #failure: Promise<never>;
  #rows = 0;
  readonly #lines = new Set<number>();

  private constructor(filePath: string) {
    this.#path = filePath;
    this.#stream = createWriteStream(`${filePath}.partial`);
    this.#failure = new Promise<never>((_resolve, reject) => this.#stream.once('error', reject));
    this.#failure.catch(() => undefined);
    this.#stream.write(errorFileHeader);
  }

  static create(filePath: string): ErrorFile {
    return new ErrorFile(filePath);
  }

  /** Distinct lines with at least one error so far. */
  get invalidRows(): number {
    return this.#lines.size;
  }

  get path(): string {
    return this.#path;
  }

  async write(errors: readonly RowError[]): Promise<void> {
    if (errors.length === 0) return;
    let text = '';
    for (const error of errors) {
      this.#lines.add(error.line);
      this.#rows += 1;
      text += csvRow([error.line, error.recordId, error.field, error.reason]);
    }
    if (!this.#stream.write(text)) await Promise.race([once(this.#stream, 'drain'), this.#failure]);
  }

  /** Finishes the file and puts it in place. */
  async commit(): Promise<void> {
    this.#stream.end();
    await Promise.race([finished(this.#stream), this.#failure]);
    await rename(`${this.#path}.partial`, this.#path);
  }

  /** Stops writing after a failure; the partial file is left for inspection. */
  abandon(): void {
    this.#stream.destroy();
  }
}
