import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import {
  CSV_HEADER,
  type PopulationFormat,
  TRUTH_HEADER,
  toCsvLine,
  toNdjsonLine,
  toTruthLine,
} from '../registry/index.js';
import { WRITE_CHUNK_RECORDS } from './limits.js';
import type { PopulationOptions } from './options.js';
import { generatePopulation } from './population.js';

/**
 * Writes a demo population file and its ground truth, streaming with backpressure so memory
 * stays constant however many persons are asked for.
 *
 * @example
 * const result = await writePopulation({ persons: 1000, seed: '7', duplicateShare: 0.05,
 *   referenceDate: '2026-01-01', out: '/tmp/people.csv' });
 * result.duplicates; // 50
 */
export interface WritePopulationOptions extends PopulationOptions {
  /** Path of the population file. */
  readonly out: string;
  readonly format?: PopulationFormat;
  /** Path of the `record_id,person_id` file; defaults to `<out>.truth.csv`. */
  readonly truthOut?: string;
  /** Called every few thousand records and once at the end. */
  readonly onProgress?: (progress: PopulationProgress) => void;
}

export interface PopulationProgress {
  readonly records: number;
  readonly total: number;
  readonly elapsedMs: number;
}

export interface WritePopulationResult {
  readonly records: number;
  readonly duplicates: number;
  readonly bytes: number;
  readonly durationMs: number;
  readonly out: string;
  readonly truthOut: string;
}

export async function writePopulation(
  options: WritePopulationOptions,
): Promise<WritePopulationResult> {
  const started = performance.now();
  const format = options.format ?? 'csv';
  const truthOut = options.truthOut ?? `${options.out}.truth.csv`;
  const output = createWriteStream(options.out);
  const truth = createWriteStream(truthOut);
  const toLine = format === 'csv' ? toCsvLine : toNdjsonLine;
  let records = 0;
  let duplicates = 0;
  let chunk = format === 'csv' ? CSV_HEADER : '';
  let truthChunk = TRUTH_HEADER;
  // Either stream may fail while we wait on the other one; listen from the start so an
  // error always rejects this call instead of crashing the process as an unhandled event.
  const failure = new Promise<never>((_resolve, reject) => {
    output.once('error', reject);
    truth.once('error', reject);
  });
  failure.catch(() => undefined);
  const settle = (work: Promise<unknown>) => Promise.race([work, failure]);
  try {
    for (const record of generatePopulation(options)) {
      chunk += toLine(record);
      truthChunk += toTruthLine(record);
      records += 1;
      if (record.duplicateOfRecordId !== '') duplicates += 1;
      if (records % WRITE_CHUNK_RECORDS === 0) {
        await settle(Promise.all([write(output, chunk), write(truth, truthChunk)]));
        chunk = '';
        truthChunk = '';
        options.onProgress?.({
          records,
          total: options.persons,
          elapsedMs: performance.now() - started,
        });
      }
    }
    await settle(Promise.all([write(output, chunk), write(truth, truthChunk)]));
    output.end();
    truth.end();
    await settle(Promise.all([finished(output), finished(truth)]));
  } catch (error) {
    output.destroy();
    truth.destroy();
    throw error;
  }
  const durationMs = performance.now() - started;
  options.onProgress?.({ records, total: options.persons, elapsedMs: durationMs });
  return {
    records,
    duplicates,
    bytes: output.bytesWritten,
    durationMs,
    out: options.out,
    truthOut,
  };
}

/** Writes and, when the stream's buffer is full, waits until it drains (backpressure). */
async function write(stream: WriteStream, text: string): Promise<void> {
  if (text === '' || stream.write(text)) return;
  await once(stream, 'drain');
}
