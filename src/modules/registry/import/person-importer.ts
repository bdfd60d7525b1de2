import type { Kysely } from 'kysely';
import type { DatabaseKind } from '../../../platform/db/database.js';
import type { Database } from '../../../platform/db/schema.js';
import type { AuditEntryInput } from '../../audit/audit-entry.js';
import { backfillSearchKeys } from '../search-backfill.js';
import { BatchEncoder } from './batch-encoder.js';
import { ErrorFile } from './error-file.js';
import { type ClosedHousehold, HouseholdGrouper, type RowError } from './household-grouper.js';
import { importLimits } from './limits.js';
import {
  type BatchAuditor,
  committedRanges,
  createOrFindJob,
  jobCounts,
  markJob,
  writeBatch,
} from './repository.js';
import { rowParser } from './row-parser.js';
import {
  type ImportFileFacts,
  readRecords,
  type SourceRecord,
  splitCsvRecord,
} from './source-file.js';
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
  /** States rows may be in; null or absent for a system job (any state). */
  regions?: readonly string[] | null;
  /** The operator who started the import; null for the command line. */
  startedBy?: string | null;
  /** Reference day for a new job's date checks (today by default). */
  today?: Date;
  batchPersons?: number;
  connections?: number;
  onProgress?: (progress: ImportProgress) => void;
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
  // Bulk rows skip the per-person path, so their name search keys are written now.
  await backfillSearchKeys(db);
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

/** One run of a job: the reading loop and its state. */
class ImportRun {
  personsWritten = 0;
  #personsSkipped = 0;
  #linesRead = 0;
  #lastProgressAt = 0;
  #batch: ClosedHousehold[] = [];
  #batchPersons = 0;
  #rangeIndex = 0;
  readonly #started = performance.now();
  readonly #encoder: BatchEncoder;
  readonly #queue: WriteQueue;
  readonly #grouper = new HouseholdGrouper();
  readonly #errors: ErrorFile;
  readonly #batchPersonsTarget: number;

  constructor(
    readonly props: PersonImportProps,
    readonly jobId: string,
    readonly ranges: ReadonlyArray<{ firstLine: number; lastLine: number }>,
    readonly settings: JobSettings,
  ) {
    this.#encoder = new BatchEncoder(props.masterKey);
    // PGlite is one connection: a second writer would only wait for it.
    const connections = props.databaseKind === 'pglite' ? 1 : props.connections;
    this.#queue = new WriteQueue(connections ?? importLimits.insertConnections);
    this.#errors = ErrorFile.create(props.errorFilePath);
    this.#batchPersonsTarget = props.batchPersons ?? importLimits.batchPersonsTarget;
  }

  get rowsInvalid(): number {
    return this.#errors.invalidRows;
  }

  async execute(): Promise<void> {
    try {
      await this.#readAll();
      await this.#takeHousehold(this.#grouper.finish());
      await this.#errors.write(sortByLine(this.#grouper.takeLooseErrors()));
      await this.#dispatch();
      await this.#queue.drain();
      await this.#errors.commit();
    } catch (error) {
      this.#errors.abandon();
      await this.#queue.drain().catch(() => undefined);
      throw error;
    }
    this.#report(true);
  }

  async #readAll(): Promise<void> {
    const { facts } = this.props;
    let parse: ((record: SourceRecord) => ReturnType<ReturnType<typeof rowParser>>) | undefined;
    const options = {
      format: facts.format,
      today: this.settings.today,
      regions: this.settings.regions,
    };
    if (facts.format === 'ndjson') parse = rowParser({ ...options, header: [] });
    for await (const chunk of readRecords(facts)) {
      for (const record of chunk) {
        this.#linesRead = record.line;
        if (parse === undefined) {
          // The header was checked by inspectImportFile; here it gives the column order.
          parse = rowParser({ ...options, header: splitCsvRecord(record.text) ?? [] });
          continue;
        }
        await this.#takeHousehold(this.#grouper.add(parse(record)));
      }
      this.#report(false);
    }
    this.#linesRead = facts.linesTotal;
  }

  async #takeHousehold(household: ClosedHousehold | undefined): Promise<void> {
    if (household === undefined) return;
    const loose = this.#grouper.takeLooseErrors();
    const errors: RowError[] =
      loose.length > 0 ? sortByLine([...household.errors, ...loose]) : [...household.errors];
    await this.#errors.write(errors);
    if (household.members.length === 0) return;
    if (this.#committedBefore(household.firstLine)) {
      this.#personsSkipped += household.members.length;
      return;
    }
    this.#batch.push(household);
    this.#batchPersons += household.members.length;
    if (this.#batchPersons >= this.#batchPersonsTarget) await this.#dispatch();
  }

  /** Ranges are sorted and households arrive in line order, so one forward walk suffices. */
  #committedBefore(line: number): boolean {
    for (;;) {
      const range = this.ranges[this.#rangeIndex];
      if (range === undefined) return false;
      if (line > range.lastLine) {
        this.#rangeIndex += 1;
        continue;
      }
      return line >= range.firstLine;
    }
  }

  async #dispatch(): Promise<void> {
    if (this.#batch.length === 0) return;
    const batch = this.#encoder.encode(this.#batch);
    this.#batch = [];
    this.#batchPersons = 0;
    const { props, jobId } = this;
    await this.#queue.submit(async () => {
      await writeBatch(props.db, {
        jobId,
        batch,
        recordedBy: this.settings.startedBy,
        audit: props.audit,
        auditEntry: batchAuditEntry(jobId, batch),
        redrawUin: () => this.#encoder.drawUin(),
        asynchronousCommit: props.databaseKind === 'postgres',
      });
      this.personsWritten += batch.person.id.length;
    });
  }

  #report(final: boolean): void {
    const now = performance.now();
    if (!final && now - this.#lastProgressAt < importLimits.progressIntervalMs) return;
    this.#lastProgressAt = now;
    this.props.onProgress?.({
      jobId: this.jobId,
      linesRead: this.#linesRead,
      linesTotal: this.props.facts.linesTotal,
      personsWritten: this.personsWritten,
      personsSkipped: this.#personsSkipped,
      rowsInvalid: this.#errors.invalidRows,
      elapsedMs: now - this.#started,
    });
  }
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
    person: { id: readonly string[] };
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
    requestId: `import:${jobId}:lines:${batch.firstLine}-${batch.lastLine}:persons:${batch.person.id.length}`,
  };
}

function sortByLine(errors: RowError[]): RowError[] {
  return errors.sort((a, b) => a.line - b.line);
}
