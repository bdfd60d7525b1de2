import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import type { RefusalLanguage } from '../../../shared/import/refusals.js';
import type { RowError } from './household-grouper.js';
import { refusedRowCsvLine, refusedRowsCsvHeader, storedRefusalLine } from './refused-rows.js';

/**
 * How the file is written: as CSV with each reason in a language (the command line), or
 * stored as codes and parameters (`stored`, one JSON object a line) so that the API can
 * serve it in the language each reader asks for (`refused-rows.ts`).
 */
export type ErrorFileForm = { readonly language: RefusalLanguage } | 'stored';

/**
 * The error file: one line per refused field, in line order; in CSV
 * `line,record_id,field,reason` (reason in the reader's language; cells written by the shared
 * spreadsheet-safe `csvRow`). It is a function of the file and the job's fixed settings, so every run (a resume
 * too) writes it whole to `<path>.partial` and renames it into place at the end: a reader
 * never sees a half-written file, and a resume cannot list a line twice.
 *
 * @example
 *   const errors = ErrorFile.create('/tmp/p.csv.errors.csv', { language: 'es' });
 *   await errors.write([{ line: 7, recordId: 'R7', field: 'phone', code: 'phone_e164', params: {} }]);
 *   await errors.commit();
 */
export class ErrorFile {
  readonly #path: string;
  readonly #stream: WriteStream;
  readonly #failure: Promise<never>;
  #rows = 0;
  readonly #lines = new Set<number>();
  readonly #lineOf: (error: RowError) => string;

  private constructor(filePath: string, form: ErrorFileForm) {
    this.#path = filePath;
    this.#stream = createWriteStream(`${filePath}.partial`);
    this.#failure = new Promise<never>((_resolve, reject) => this.#stream.once('error', reject));
    this.#failure.catch(() => undefined);
    if (form === 'stored') {
      this.#lineOf = storedRefusalLine;
    } else {
      const { language } = form;
      this.#lineOf = (error) => refusedRowCsvLine(error, language);
      this.#stream.write(refusedRowsCsvHeader);
    }
  }

  static create(filePath: string, form: ErrorFileForm): ErrorFile {
    return new ErrorFile(filePath, form);
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
      text += this.#lineOf(error);
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
