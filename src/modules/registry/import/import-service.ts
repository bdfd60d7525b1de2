import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { DatabaseKind } from '../../../platform/db/database.js';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import type { Actor, Purpose } from '../../../shared/access/actor.js';
import { decisionTable } from '../../../shared/access/policy.js';
import type { AuditEntryInput } from '../../../shared/audit/audit-entry.js';
import { guardRegionalAccess } from '../../access/index.js';
import { importLimits } from './limits.js';
import { personImporter } from './person-importer.js';
import type { PopulationFormat } from './record-format.js';
import { firstStoredRefusals } from './refused-rows.js';
import { type BatchAuditor, findJob, jobCounts } from './repository.js';
import { inspectImportFile } from './source-file.js';

/**
 * The import as an API job: the upload is streamed to a file (with a size limit), checked as
 * a whole, then imported in the background; the job's state is read back from the database,
 * so any server process can answer for it.
 *
 * @example
 *   const started = await importStarter(deps, { actor, body: request.raw, format: 'csv', … });
 *   started.jobId; // poll GET /api/imports/:id
 */
export interface ImportServiceDependencies {
  db: Kysely<Database>;
  databaseKind: DatabaseKind;
  masterKey: Buffer;
  audit: BatchAuditor & { append(entry: AuditEntryInput): Promise<unknown> };
  /** Where uploads and error files are kept. */
  directory: string;
  log: FastifyBaseLogger;
}

/**
 * Who may import: the `person.import` rows of docs/ACCESS.md (a registry supervisor, purpose
 * enrolment, into the regions they serve). The attempt is audited, allowed or refused, through
 * the person-access guard; the answer carries the regions rows may be imported into.
 */
async function importAuthorizer(
  deps: ImportServiceDependencies,
  props: { actor: Actor | null; purpose: Purpose | null; requestId: string },
) {
  return guardRegionalAccess(deps, {
    actor: props.actor,
    action: 'person.import',
    resource: { type: 'person', id: null },
    purpose: props.purpose,
    requestId: props.requestId,
  });
}

/** Progress and error files of imports: for any role with a `person.import` row. */
function requireImporter(actor: Actor | null): void {
  if (actor === null) throw new AmparoError('AMP_UNAUTHENTICATED');
  const roles: readonly string[] = actor.kind === 'operator' ? actor.roles : [];
  const mayImport = decisionTable.some(
    (rule) => rule.action === 'person.import' && roles.includes(rule.role),
  );
  if (!mayImport)
    throw new AmparoError('AMP_FORBIDDEN', { detail: 'None of your roles may import persons' });
}

const running = new Set<string>();

export async function importStarter(
  deps: ImportServiceDependencies,
  props: {
    actor: Actor | null;
    purpose: Purpose | null;
    body: Readable;
    format: PopulationFormat;
    fileName: string;
    requestId: string;
  },
): Promise<{ jobId: string; status: 'running' | 'finished' }> {
  const { grant, operator, regions } = await importAuthorizer(deps, props);
  if (running.size >= importLimits.serverJobsRunningMax) {
    throw new AmparoError('AMP_CONFLICT', {
      detail: 'Imports are already running; try again later',
    });
  }
  await mkdir(deps.directory, { recursive: true, mode: 0o700 });
  const upload = path.join(deps.directory, `${randomUUID()}.upload`);
  await receive(props.body, upload);
  let facts: Awaited<ReturnType<typeof inspectImportFile>>;
  try {
    facts = await inspectImportFile(upload, {
      format: props.format,
      name: props.fileName,
      bytesMax: importLimits.uploadBytesMax,
    });
  } catch (error) {
    await rm(upload, { force: true });
    throw error;
  }
  await grant.record([]);
  return startInBackground(deps, facts, upload, { operatorId: operator.operatorId, regions });
}

async function startInBackground(
  deps: ImportServiceDependencies,
  facts: Awaited<ReturnType<typeof inspectImportFile>>,
  upload: string,
  importer: { operatorId: string; regions: readonly string[] },
): Promise<{ jobId: string; status: 'running' | 'finished' }> {
  let announce!: (jobId: string) => void;
  const jobKnown = new Promise<string>((resolve) => {
    announce = resolve;
  });
  const work = personImporter({
    db: deps.db,
    databaseKind: deps.databaseKind,
    masterKey: deps.masterKey,
    audit: deps.audit,
    facts,
    errorFilePath: errorFilePath(deps, facts.sha256),
    errorFileForm: 'stored',
    regions: importer.regions,
    startedBy: importer.operatorId,
    onJob: (jobId) => {
      running.add(jobId);
      announce(jobId);
    },
  });
  const jobId = await Promise.race([jobKnown, work.then((outcome) => outcome.jobId)]);
  const settled = work.then(
    () => undefined,
    (error: unknown) => deps.log.error({ err: error, jobId }, 'import job failed'),
  );
  void settled.finally(async () => {
    running.delete(jobId);
    await rm(upload, { force: true });
  });
  const job = await findJob(deps.db, jobId);
  return { jobId, status: job?.status === 'finished' ? 'finished' : 'running' };
}

/** Streams the body to `file`, refusing (413) past the upload limit. */
async function receive(body: Readable, file: string): Promise<void> {
  let bytes = 0;
  try {
    await pipeline(
      body,
      async function* limit(source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          bytes += chunk.length;
          if (bytes > importLimits.uploadBytesMax) {
            throw new AmparoError('AMP_PAYLOAD_TOO_LARGE', {
              detail: `An import file may have at most ${importLimits.uploadBytesMax} bytes; split it`,
            });
          }
          yield chunk;
        }
      },
      createWriteStream(file, { mode: 0o600 }),
    );
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  }
}

export function errorFilePath(
  deps: Pick<ImportServiceDependencies, 'directory'>,
  sha256: Buffer,
): string {
  // Codes and parameters, one JSON object a line: served in the language each reader asks.
  return path.join(deps.directory, `${sha256.toString('hex')}.refusals.ndjson`);
}

/** The job's state and counts, for the operator who may import. */
export async function importReader(
  deps: ImportServiceDependencies,
  props: { actor: Actor | null; jobId: string },
) {
  requireImporter(props.actor);
  const job = await findJob(deps.db, props.jobId);
  if (job === undefined) throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such import' });
  const counts = await jobCounts(deps.db, job.id);
  const refusedRows =
    job.status === 'finished' && (job.rows_invalid ?? 0) > 0
      ? await firstStoredRefusals(
          errorFilePath(deps, job.file_sha256),
          importLimits.refusedRowsPreviewMax,
        ).catch(() => [])
      : [];
  return {
    job,
    view: {
      id: job.id,
      status: job.status,
      fileName: job.file_name,
      fileBytes: Number(job.file_bytes),
      format: job.format,
      linesTotal: job.lines_total,
      personsImported: counts.persons,
      householdsImported: counts.households,
      batchesCommitted: counts.batches,
      rowsInvalid: job.rows_invalid,
      startedAt: job.started_at.toISOString(),
      finishedAt: job.finished_at?.toISOString() ?? null,
      failure: job.failure,
      refusedRows,
    },
  };
}
