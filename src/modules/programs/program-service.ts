import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import { AmparoError } from '../../platform/errors.js';
import {
  type CheckedContent,
  checkContent,
  contentOf,
  type ProgramContent,
  versionRow,
} from './program-content.js';
import {
  decidePublicationRow,
  findProgram,
  findProgramByCode,
  findPublication,
  findVersion,
  insertProgram,
  insertPublication,
  insertVersion,
  latestVersionNumber,
  type ProgramRow,
  recordStatus,
} from './program-repository.js';
import { planFormula, planRule } from './rules/rule-plan.js';

/**
 * The verbs of program management. Every change of content is a new version; a version is
 * published only when one operator asked and a different one approved; a published version
 * never changes (the database refuses it too, migration 0030).
 *
 * @example
 *   const { programId } = await programCreator(db, { code: 'food_box', content, operatorId });
 *   const { publicationId } = await publicationRequester(db, { programId, version: 1, operatorId });
 *   await publicationDecider(db, { publicationId, approve: true, operatorId: secondOperatorId });
 */
const codePattern = /^[a-z][a-z0-9_]{2,39}$/;

export async function programCreator(
  db: Kysely<Database>,
  props: { code: string; content: ProgramContent; operatorId: string | null },
): Promise<{ programId: string; version: number }> {
  if (!codePattern.test(props.code)) {
    throw new AmparoError('AMP_VALIDATION', {
      errors: [
        { field: '/code', reason: 'lower-case letters, digits and _, 3 to 40, a letter first' },
      ],
    });
  }
  const checked = checkContent(props.content);
  const programId = randomUUID();
  await db.transaction().execute(async (trx) => {
    if ((await findProgramByCode(trx, props.code)) !== undefined) {
      throw new AmparoError('AMP_CONFLICT', { detail: `A program named ${props.code} exists` });
    }
    await insertProgram(trx, { id: programId, code: props.code, createdBy: props.operatorId });
    await insertVersion(
      trx,
      versionRow(checked, programId, 1, props.operatorId),
      checked.content.nameInTexts === true,
    );
  });
  return { programId, version: 1 };
}

/** A new version of the program's content; the published one stays in force until replaced. */
export async function programVersionSaver(
  db: Kysely<Database>,
  props: { programId: string; content: ProgramContent; operatorId: string | null },
): Promise<{ version: number }> {
  const checked = checkContent(props.content);
  return db.transaction().execute(async (trx) => {
    const program = await openProgram(trx, props.programId);
    const version = (await latestVersionNumber(trx, program.id)) + 1;
    await insertVersion(
      trx,
      versionRow(checked, program.id, version, props.operatorId),
      checked.content.nameInTexts === true,
    );
    return { version };
  });
}

/** The program, locked; a closed program refuses every change. */
async function openProgram(db: Kysely<Database>, programId: string): Promise<ProgramRow> {
  const program = await findProgram(db, programId, true);
  if (program === undefined) throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such program' });
  if (program.status === 'closed') {
    throw new AmparoError('AMP_CONFLICT', { detail: 'The program is closed' });
  }
  return program;
}

/** The stored content of a version, checked again: a rule must still plan to be published. */
async function checkedVersion(
  db: Kysely<Database>,
  programId: string,
  version: number,
): Promise<CheckedContent> {
  const row = await findVersion(db, programId, version);
  if (row === undefined) throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such version' });
  const checked = checkContent(contentOf(row));
  planRule(checked.rule);
  if (checked.formula !== undefined) planFormula(checked.formula);
  return checked;
}

export async function publicationRequester(
  db: Kysely<Database>,
  props: { programId: string; version: number; operatorId: string },
): Promise<{ publicationId: string }> {
  const publicationId = randomUUID();
  await db.transaction().execute(async (trx) => {
    const program = await openProgram(trx, props.programId);
    if (program.published_version !== null && props.version <= program.published_version) {
      throw new AmparoError('AMP_CONFLICT', { detail: 'Only a newer version can be published' });
    }
    await checkedVersion(trx, program.id, props.version);
    const pending = await trx
      .selectFrom('program_publication')
      .select('id')
      .where('program_id', '=', program.id)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    if (pending !== undefined) {
      throw new AmparoError('AMP_CONFLICT', { detail: 'A publication is already waiting' });
    }
    await insertPublication(trx, { id: publicationId, ...props, requestedBy: props.operatorId });
  });
  return { publicationId };
}

/**
 * Approves (publishing the version) or refuses a publication request. The one who asked may
 * refuse (withdraw) but never approve. Of two concurrent decisions exactly one takes effect.
 */
export async function publicationDecider(
  db: Kysely<Database>,
  props: { publicationId: string; approve: boolean; operatorId: string },
): Promise<{ status: 'approved' | 'refused' }> {
  return db.transaction().execute(async (trx) => {
    const request = await findPublication(trx, props.publicationId, true);
    if (request === undefined) {
      throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such publication request' });
    }
    if (request.status !== 'pending') {
      throw new AmparoError('AMP_CONFLICT', { detail: 'The request was already decided' });
    }
    if (props.approve && request.requested_by === props.operatorId) {
      throw new AmparoError('AMP_FORBIDDEN', {
        detail: 'A different operator must approve the publication',
      });
    }
    const status = props.approve ? 'approved' : 'refused';
    const program = await openProgram(trx, request.program_id);
    if (props.approve) await checkedVersion(trx, program.id, request.version);
    if (!(await decidePublicationRow(trx, request.id, status, props.operatorId))) {
      throw new AmparoError('AMP_CONFLICT', { detail: 'The request was already decided' });
    }
    if (props.approve) {
      await recordStatus(trx, {
        id: randomUUID(),
        program,
        to: 'published',
        version: request.version,
        changedBy: props.operatorId,
      });
    }
    return { status };
  });
}

/** Suspends a published program, resumes a suspended one, or closes either for good. */
export async function programStatusChanger(
  db: Kysely<Database>,
  props: { programId: string; to: 'suspended' | 'published' | 'closed'; operatorId: string },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const program = await openProgram(trx, props.programId);
    const allowed: Record<string, readonly string[]> = {
      suspended: ['published'],
      published: ['suspended'],
      closed: ['published', 'suspended'],
    };
    const version = program.published_version;
    if (!(allowed[props.to] ?? []).includes(program.status) || version === null) {
      throw new AmparoError('AMP_CONFLICT', {
        detail: `A ${program.status} program cannot become ${props.to}`,
      });
    }
    await recordStatus(trx, {
      id: randomUUID(),
      program,
      to: props.to,
      version,
      changedBy: props.operatorId,
    });
  });
}
