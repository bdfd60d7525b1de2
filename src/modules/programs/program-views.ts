import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import { AmparoError } from '../../platform/errors.js';
import type {
  CycleSummary,
  ProgramContentBody,
  ProgramDetail,
  ProgramSummary,
} from '../../shared/api/programs.js';
import { programLimits } from './limits.js';
import {
  type Benefit,
  type CheckedContent,
  contentOf,
  type ProgramContent,
} from './program-content.js';
import { type ProgramVersionRow, textNamedVersions } from './program-repository.js';
import { planRule } from './rules/rule-plan.js';
import { storedVersion } from './stored-version.js';

/**
 * What operators read about programs (`program.read`): every program with its latest
 * version's names, and one program with all its versions, publication requests and status
 * changes. No person data.
 *
 * @example
 *   const detail = await programDetail(db, programId);
 */
export function contentBody(content: ProgramContent): ProgramContentBody {
  return {
    nameEs: content.nameEs,
    nameEn: content.nameEn,
    descriptionEs: content.descriptionEs,
    descriptionEn: content.descriptionEn,
    kind: content.kind,
    unit: content.unit,
    regions: [...content.regions],
    cadence: content.cadence,
    benefit: benefitBody(content.benefit),
    budgetCap: content.budgetCap.toString(),
    eligibilityRule: content.eligibilityRule,
    ...(content.nameInTexts === true ? { nameInTexts: true } : {}),
  };
}

function benefitBody(benefit: Benefit): ProgramContentBody['benefit'] {
  if ('basket' in benefit) return { basket: benefit.basket.map((line) => ({ ...line })) };
  if ('amountMinor' in benefit) {
    return { amountMinor: benefit.amountMinor.toString(), currency: benefit.currency };
  }
  return { formula: benefit.formula, currency: benefit.currency };
}

/** The content a request body says; amounts from decimal text (the schema checked the digits). */
export function contentFromBody(body: ProgramContentBody): ProgramContent {
  const { benefit } = body;
  return {
    ...body,
    benefit:
      'basket' in benefit
        ? { basket: benefit.basket }
        : 'amountMinor' in benefit
          ? { amountMinor: BigInt(benefit.amountMinor), currency: benefit.currency }
          : { formula: benefit.formula, currency: benefit.currency },
    budgetCap: BigInt(body.budgetCap),
  };
}

/** Programs whose scope meets `regions` (national ones always), latest version first. */
export async function listManagedPrograms(
  db: Kysely<Database>,
  regions: readonly string[],
): Promise<ProgramSummary[]> {
  const rows = await db
    .selectFrom('program as p')
    .innerJoin('program_version as v', 'v.program_id', 'p.id')
    .select([
      'p.id',
      'p.code',
      'p.status',
      'p.published_version',
      'p.updated_at',
      'v.version',
      'v.name_es',
      'v.name_en',
      'v.regions',
    ])
    .where(({ eb, selectFrom }) =>
      eb(
        'v.version',
        '=',
        selectFrom('program_version as w')
          .select((w) => w.fn.max('w.version').as('latest'))
          .whereRef('w.program_id', '=', 'p.id'),
      ),
    )
    .orderBy('p.code')
    .execute();
  return rows
    .filter((row) => row.regions.length === 0 || row.regions.some((r) => regions.includes(r)))
    .slice(0, programLimits.listPageSizeMax)
    .map((row) => ({
      id: row.id,
      code: row.code,
      status: row.status,
      publishedVersion: row.published_version,
      latestVersion: row.version,
      name: { es: row.name_es, en: row.name_en },
      regions: row.regions,
      updatedAt: row.updated_at.toISOString(),
    }));
}

function versionView(
  row: ProgramVersionRow,
  named: ReadonlySet<number>,
): ProgramDetail['versions'][number] {
  const stored = storedVersion(row);
  return {
    version: row.version,
    content: contentBody(contentOf(row, named.has(row.version))),
    rulePlan: planView(row, stored.checked),
    ruleProblem: stored.problem,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * The stored plan, or the rule planned now for a version saved before plans were stored; no
 * plan for such a version whose rule no longer passes the checks (its `ruleProblem` says why).
 */
function planView(
  row: ProgramVersionRow,
  checked: CheckedContent | null,
): ProgramDetail['versions'][number]['rulePlan'] {
  const plan = row.rule_plan ??
    (checked === null ? undefined : planRule(checked.rule).described) ?? {
      sql: '',
      workers: [],
      sealedFacts: [],
    };
  return { sql: plan.sql, workers: [...plan.workers], sealedFacts: [...plan.sealedFacts] };
}

export async function programDetail(
  db: Kysely<Database>,
  programId: string,
): Promise<ProgramDetail> {
  const program = await db
    .selectFrom('program')
    .selectAll()
    .where('id', '=', programId)
    .executeTakeFirst();
  if (program === undefined) throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such program' });
  const versions = await db
    .selectFrom('program_version')
    .selectAll()
    .where('program_id', '=', programId)
    .orderBy('version')
    .execute();
  const named = await textNamedVersions(db, programId);
  const publications = await db
    .selectFrom('program_publication')
    .selectAll()
    .where('program_id', '=', programId)
    .orderBy('requested_at')
    .execute();
  const changes = await db
    .selectFrom('program_status_change')
    .selectAll()
    .where('program_id', '=', programId)
    .orderBy('changed_at')
    .execute();
  const latest = versions.at(-1);
  if (latest === undefined) throw new Error('a program without a version');
  return {
    program: {
      id: program.id,
      code: program.code,
      status: program.status,
      publishedVersion: program.published_version,
      latestVersion: latest.version,
      name: { es: latest.name_es, en: latest.name_en },
      regions: latest.regions,
      updatedAt: program.updated_at.toISOString(),
    },
    versions: versions.map((row) => versionView(row, named)),
    publications: publications.map((row) => ({
      id: row.id,
      version: row.version,
      requestedBy: row.requested_by,
      requestedAt: row.requested_at.toISOString(),
      status: row.status,
      decidedBy: row.decided_by,
      decidedAt: row.decided_at?.toISOString() ?? null,
    })),
    statusChanges: changes.map((row) => ({
      version: row.version,
      from: row.status_from,
      to: row.status_to,
      changedBy: row.changed_by,
      changedAt: row.changed_at.toISOString(),
    })),
  };
}

export async function listCycles(db: Kysely<Database>, programId: string): Promise<CycleSummary[]> {
  const rows = await db
    .selectFrom('program_cycle')
    .selectAll()
    .where('program_id', '=', programId)
    .orderBy('reference_date', 'desc')
    .limit(programLimits.listPageSizeMax)
    .execute();
  return rows.map(cycleSummary);
}

export function cycleSummary(row: {
  id: string;
  reference_date: string;
  version: number;
  status: CycleSummary['status'];
  round: number;
  created_at: Date;
}): CycleSummary {
  return {
    id: row.id,
    referenceDate: row.reference_date,
    version: row.version,
    status: row.status,
    round: row.round,
    createdAt: row.created_at.toISOString(),
  };
}
