import { availableParallelism } from 'node:os';
import type { Kysely } from 'kysely';
import type { DatabaseKind } from '../../../platform/db/database.js';
import type { Database } from '../../../platform/db/schema.js';
import type { AuditEntryInput } from '../../../shared/audit/audit-entry.js';
import { backfillSearchKeys } from '../search/search-backfill.js';
import type { EncodedBatch } from './batch-encoder.js';
import type { ChunkResult, ChunkSettings, ChunkTask } from './chunk-encoder.js';
import { type ChunkExecutor, inlineExecutor, workerExecutor } from './chunk-executor.js';
import { ErrorFile, type ErrorFileForm } from './error-file.js';
import { FileChunker } from './file-chunker.js';
import { importLimits } from './limits.js';
import {
  type BatchAuditor,
  committedRanges,
  createOrFindJob,
  jobCounts,
  markJob,
  writeBatch,
} from './repository.js';
import { rowKeysReader } from './row-parser.js';
import { type ImportFileFacts, readRecords, splitCsvRecord } from './source-file.js';
import { UinRegister } from './uin-register.js';
import { WriteQueue } from './write-queue.js';

/**
 * `personImporter`: imports a checked file (see `inspectImportFile`) as one resumable job.
 * Rows are parsed and validated in file order, grouped into households, and written in
 * batches of whole households, each batch one transaction that also records its line range
 * (the checkpoint) and one audit entry. A second run of the same file skips the committed
 * ranges; once finished, it imports nothing.
 *
 * @example
 *   const facts = await inspectImportFile('/tmp/p.csv');
 *   const outcome = await personImporter({ db, databaseKind: 'postgres', masterKey, audit,
 *     facts, errorFilePath: '/tmp/p.csv.errors.csv' });
 *   outcome.personsImported; // persons of the job, this run and earlier ones
 */
export interface PersonImportProps {
  db: Kysely<Database>;
  databaseKind: DatabaseKind;
  masterKey: Buffer;
  audit: BatchAuditor;
  facts: ImportFileFacts;
  errorFilePath: string;
  /**
   * The refused rows as CSV in a language (the command line), or stored as codes for the API
   * to serve in each reader's language; CSV in Spanish by default.
   */
  errorFileForm?: ErrorFileForm;
  /** States rows may be in; null or absent for a system job (any state). */
  regions?: readonly string[] | null;
  /** The operator who started the import; null for the command line. */
  startedBy?: string | null;
  /** Reference day for a new job's date checks (today by default). */
  today?: Date;
  batchPersons?: number;
  connections?: number;
  /**
   * Worker threads that parse, validate and encode; 0 does it in this thread. By default one
   * per core (at most `workersMax`) on PostgreSQL for files of `workerFileBytesMin` or more.
   */
  workers?: number;
  onProgress?: (progress: ImportProgress) => void;
  /** Milliseconds between progress reports (default `importLimits.progressIntervalMs`). */
  progressIntervalMs?: number;
  /** Called once the job row exists (the API answers with its id). */
  onJob?: (jobId: string) => void;
}

export interface ImportProgress {
  jobId: string;
  linesRead: number;
  linesTotal: number;
  /** Persons committed by this run. */
  personsWritten: number;
  /** Persons found committed by an earlier run. */
  personsSkipped: number;
  rowsInvalid: number;
  elapsedMs: number;
}

export interface ImportOutcome {
  jobId: string;
  /** True when the job had finished before: nothing was read or written. */
  alreadyFinished: boolean;
  /** True when an earlier run had committed batches. */
  resumed: boolean;
  personsImported: number;
  householdsImported: number;
  personsWritten: number;
  rowsInvalid: number;
  linesTotal: number;
  durationMs: number;
  errorFilePath: string;
}

export async function personImporter(props: PersonImportProps): Promise<ImportOutcome> {
  const started = performance.now();
  const { db, facts } = props;
  const job = await createOrFindJob(db, facts, {
    referenceDate: (props.today ?? new Date()).toISOString().slice(0, 10),
    regions: props.regions ?? null,
    startedBy: props.startedBy ?? null,
  });
  props.onJob?.(job.id);
  if (job.status === 'finished') {
    const counts = await jobCounts(db, job.id);
    return outcome(job.id, true, true, counts, 0, job.rows_invalid ?? 0, facts, started, props);
  }
  const ranges = await committedRanges(db, job.id);
  await markJob(db, job.id, { status: 'running', failure: null });
  const run = new ImportRun(props, job.id, ranges, {
    today: new Date(`${job.reference_date}T00:00:00Z`),
    regions: job.regions === null ? undefined : new Set(job.regions),
    startedBy: job.started_by,
  });
  try {
    await run.execute();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await markJob(db, job.id, { status: 'failed', failure: message }).catch(() => undefined);
    throw error;
  }
  // Every batch writes its persons' name search keys. A job resumed from a run of an older
  // version may have batches without them; the backfill finds those (and only those).
  if (ranges.length > 0) await backfillSearchKeys(db);
  await markJob(db, job.id, { status: 'finished', rowsInvalid: run.rowsInvalid });
  const counts = await jobCounts(db, job.id);
  return outcome(
    job.id,
    false,
    ranges.length > 0,
    counts,
    run.personsWritten,
    run.rowsInvalid,
    facts,
    started,
    props,
  );
}

function outcome(
  jobId: string,
  alreadyFinished: boolean,
  resumed: boolean,
  counts: { persons: number; households: number },
  personsWritten: number,
  rowsInvalid: number,
  facts: ImportFileFacts,
  started: number,
  props: PersonImportProps,
): ImportOutcome {
  return {
    jobId,
    alreadyFinished,
    resumed,
    personsImported: counts.persons,
    householdsImported: counts.households,
    personsWritten,
    rowsInvalid,
    linesTotal: facts.linesTotal,
    durationMs: performance.now() - started,
    errorFilePath: props.errorFilePath,
  };
}

interface JobSettings {
  today: Date;
  regions: ReadonlySet<string> | undefined;
  startedBy: string | null;
}

/**
 * One run of a job. The main thread reads the file, cuts it into chunks at household
 * boundaries (FileChunker) and hands them to the executor (a worker pool, or this thread for
 * small files and PGlite), which parses, validates and encodes them. Results are taken in file
 * order: their errors go to the error file, their UINs are checked against the process's, and
 * their batches are written on up to `connections` connections while later chunks are being
 * encoded. At most `chunksInFlightPerWorker` chunks per worker wait, which bounds memory.
 */
class ImportRun {
  personsWritten = 0;
  #personsSkipped = 0;
  #linesRead = 0;
  #lastProgressAt = 0;
  readonly #started = performance.now();
  readonly #uins = new UinRegister();
  readonly #queue: WriteQueue;
  readonly #errors: ErrorFile;
  readonly #batchPersonsTarget: number;
  readonly #inFlight: Array<{ lastLine: number; result: Promise<ChunkResult> }> = [];
  readonly #workers: number;

  constructor(
    readonly props: PersonImportProps,
    readonly jobId: string,
    readonly ranges: ReadonlyArray<{ firstLine: number; lastLine: number }>,
    readonly settings: JobSettings,
  ) {
    // PGlite is one connection: a second writer would only wait for it.
    const connections = props.databaseKind === 'pglite' ? 1 : props.connections;
    this.#queue = new WriteQueue(connections ?? importLimits.insertConnections);
    this.#errors = ErrorFile.create(props.errorFilePath, props.errorFileForm ?? { language: 'es' });
    this.#batchPersonsTarget = props.batchPersons ?? importLimits.batchPersonsTarget;
    this.#workers = props.workers ?? defaultWorkers(props);
  }

  get rowsInvalid(): number {
    return this.#errors.invalidRows;
  }

  async execute(): Promise<void> {
    let executor: ChunkExecutor | undefined;
    try {
      const header = await this.#header();
      executor = this.#executor(header);
      await this.#readAll(executor, header);
      while (this.#inFlight.length > 0) await this.#takeOldest();
      await this.#queue.drain();
      await this.#errors.commit();
    } catch (error) {
      this.#errors.abandon();
      await this.#queue.drain().catch(() => undefined);
      await Promise.allSettled(this.#inFlight.map((chunk) => chunk.result));
      throw error;
    } finally {
      await executor?.close();
    }
    this.#report(true);
  }

  /** The CSV header's columns (checked by inspectImportFile); none for NDJSON. */
  async #header(): Promise<string[]> {
    if (this.props.facts.format === 'ndjson') return [];
    for await (const chunk of readRecords(this.props.facts)) {
      return splitCsvRecord(chunk[0]?.text ?? '') ?? [];
    }
    return [];
  }

  #executor(header: string[]): ChunkExecutor {
    const settings: ChunkSettings = {
      format: this.props.facts.format,
      header,
      today: this.settings.today.toISOString().slice(0, 10),
      regions: this.settings.regions === undefined ? null : [...this.settings.regions],
      committed: this.ranges,
      masterKey: this.props.masterKey,
    };
    return this.#workers > 0 ? workerExecutor(settings, this.#workers) : inlineExecutor(settings);
  }

  async #readAll(executor: ChunkExecutor, header: string[]): Promise<void> {
    const { facts } = this.props;
    const chunker = new FileChunker(
      rowKeysReader({ format: facts.format, header }),
      this.#batchPersonsTarget,
    );
    const windowSize = importLimits.chunksInFlightPerWorker * Math.max(1, this.#workers);
    let skipHeader = facts.format === 'csv';
    for await (const records of readRecords(facts)) {
      for (const record of records) {
        if (skipHeader) {
          skipHeader = false;
          continue;
        }
        const chunk = chunker.add(record);
        if (chunk === undefined) continue;
        this.#send(executor, chunk, lastOf(chunk.lines));
        while (this.#inFlight.length > windowSize) await this.#takeOldest();
      }
    }
    const last = chunker.finish();
    if (last !== undefined) {
      this.#send(executor, last, facts.linesTotal);
    }
  }

  #send(executor: ChunkExecutor, chunk: ChunkTask, lastLine: number): void {
    const result = executor.run(chunk);
    // A failure is taken when its turn comes (or at clean-up); until then it is not an
    // unhandled rejection, which would end the process.
    result.catch(() => undefined);
    this.#inFlight.push({ lastLine, result });
  }

  /** Takes the oldest chunk's result: its errors, then its batch to the write queue. */
  async #takeOldest(): Promise<void> {
    const oldest = this.#inFlight.shift();
    if (oldest === undefined) return;
    const result = await oldest.result;
    await this.#errors.write(result.errors);
    this.#personsSkipped += result.personsSkipped;
    this.#linesRead = oldest.lastLine;
    if (result.batch !== undefined) await this.#write(result.batch);
    this.#report(false);
  }

  async #write(batch: EncodedBatch): Promise<void> {
    this.#uins.claim(batch.uin);
    const { props, jobId } = this;
    await this.#queue.submit(async () => {
      await writeBatch(props.db, {
        jobId,
        batch,
        recordedBy: this.settings.startedBy,
        audit: props.audit,
        auditEntry: batchAuditEntry(jobId, batch),
        redrawUin: () => this.#uins.draw(),
        asynchronousCommit: props.databaseKind === 'postgres',
      });
      this.personsWritten += batch.personId.length;
    });
  }

  #report(final: boolean): void {
    const now = performance.now();
    const interval = this.props.progressIntervalMs ?? importLimits.progressIntervalMs;
    if (!final && now - this.#lastProgressAt < interval) return;
    this.#lastProgressAt = now;
    this.props.onProgress?.({
      jobId: this.jobId,
      linesRead: final ? this.props.facts.linesTotal : this.#linesRead,
      linesTotal: this.props.facts.linesTotal,
      personsWritten: this.personsWritten,
      personsSkipped: this.#personsSkipped,
      rowsInvalid: this.#errors.invalidRows,
      elapsedMs: now - this.#started,
    });
  }
}

/**
 * Workers pay off on PostgreSQL with a file of more than a few batches; PGlite has one
 * connection in this process, and a small file (the start-up seed) would wait for the
 * workers to load longer than it takes to import.
 */
function defaultWorkers(props: PersonImportProps): number {
  if (props.databaseKind !== 'postgres') return 0;
  if (props.facts.bytes < importLimits.workerFileBytesMin) return 0;
  return Math.min(importLimits.workersMax, availableParallelism());
}

function lastOf(lines: readonly number[]): number {
  return lines[lines.length - 1] ?? 0;
}

/**
 * One audit entry per committed batch. The entry shape has no count or range field, so the
 * line range and person count travel in `requestId` (the job's correlation id).
 */
export function batchAuditEntry(
  jobId: string,
  batch: {
    firstLine: number;
    lastLine: number;
    personId: readonly string[];
    fields: readonly string[];
  },
): AuditEntryInput {
  return {
    actor: { kind: 'system', id: `import:${jobId}`, role: 'system', region: null },
    action: 'person.import',
    resource: { type: 'person', id: null },
    purpose: 'enrolment',
    fields: batch.fields,
    outcome: 'allowed',
    reasonCode: null,
    requestId: `import:${jobId}:lines:${batch.firstLine}-${batch.lastLine}:persons:${batch.personId.length}`,
  };
}
