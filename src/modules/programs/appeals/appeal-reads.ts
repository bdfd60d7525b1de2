import { type Kysely, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { appealReference } from '../../../shared/api/appeals.js';
import { guardRegionalAccess } from '../../access/index.js';
import { readEligibilityFacts } from '../../registry/index.js';
import { programLimits } from '../limits.js';
import type { RuleOutcome } from '../rules/rule-evaluator.js';
import type { ClauseExplanation } from '../rules/rule-explainer.js';
import type { AppealOutcome, AppealStatus } from '../tables.js';
import type { AppealDependencies, AppealRequest } from './appeal-guard.js';
import { guardAppealPerson } from './appeal-guard.js';
import { appealScope } from './appeal-service.js';
import {
  type BenefitLine,
  benefitStatus,
  checkedVersion,
  dateText,
  explainFor,
} from './benefit-status.js';

/**
 * The reads of appeals and "my benefits", each through the person-access guard and audited
 * as a read of the person's data (the facts explained are named in the entry's fields).
 *
 * @example
 *   const lines = await personBenefits(deps, { actor, purpose: 'self', requestId, personId });
 */
export async function personBenefits(
  deps: AppealDependencies,
  props: AppealRequest & { personId: string; now?: Date },
): Promise<BenefitLine[]> {
  const { grant } = await guardAppealPerson(
    deps,
    props,
    'person.benefits',
    { personId: props.personId },
    true,
  );
  const lines = await benefitStatus(
    deps.db,
    props.personId,
    props.now ?? new Date(),
    deps.masterKey === undefined ? undefined : { masterKey: deps.masterKey },
  );
  const read = new Set<string>();
  for (const line of lines)
    for (const clause of line.clauses) for (const name of Object.keys(clause.facts)) read.add(name);
  await grant.record([...read].sort());
  return lines;
}

export interface AppealView {
  id: string;
  reference: string;
  personId: string;
  program: { id: string; code: string; name: { es: string; en: string } };
  cycle: { id: string; referenceDate: string; status: string };
  version: number;
  status: AppealStatus;
  statement: string;
  filedBy: 'citizen' | 'operator';
  filedAt: string;
  assigned: boolean;
  assignedToCaller: boolean;
  assignDueAt: string;
  decideDueAt: string;
  overdue: boolean;
  outcome: AppealOutcome | null;
  reason: string | null;
  dataErrorFields: string[];
  correctionVersion: number | null;
  decidedAt: string | null;
  entitlementId: string | null;
  closedReason: string | null;
  steps: Array<{
    step: number;
    kind: string;
    actorKind: string;
    actorRole: string | null;
    at: string;
  }>;
}

const openStatuses = ['filed', 'assigned', 'awaiting_correction'] as const;

function appealRows(db: Kysely<Database>) {
  return db
    .selectFrom('appeal as a')
    .innerJoin('program as p', 'p.id', 'a.program_id')
    .innerJoin('program_version as v', (join) =>
      join.onRef('v.program_id', '=', 'a.program_id').onRef('v.version', '=', 'a.version'),
    )
    .innerJoin('program_cycle as c', 'c.id', 'a.cycle_id')
    .selectAll('a')
    .select(['p.code', 'v.name_es', 'v.name_en', 'c.reference_date', 'c.status as cycle_status']);
}

type AppealRow = Awaited<ReturnType<ReturnType<typeof appealRows>['execute']>>[number];

async function viewsOf(
  db: Kysely<Database>,
  rows: AppealRow[],
  callerId: string | null,
  now: Date,
): Promise<AppealView[]> {
  const ids = rows.map((row) => row.id);
  const steps =
    ids.length === 0
      ? []
      : await db
          .selectFrom('appeal_step')
          .selectAll()
          .where('appeal_id', 'in', ids)
          .orderBy('appeal_id')
          .orderBy('step')
          .execute();
  return rows.map((row) => {
    const open = (openStatuses as readonly string[]).includes(row.status);
    return {
      id: row.id,
      reference: appealReference(row.id),
      personId: row.person_id,
      program: { id: row.program_id, code: row.code, name: { es: row.name_es, en: row.name_en } },
      cycle: {
        id: row.cycle_id,
        referenceDate: dateText(row.reference_date),
        status: row.cycle_status,
      },
      version: row.version,
      status: row.status,
      statement: row.statement,
      filedBy: row.filed_by_kind,
      filedAt: row.filed_at.toISOString(),
      assigned: row.assigned_to !== null,
      assignedToCaller: callerId !== null && row.assigned_to === callerId,
      assignDueAt: row.assign_due_at.toISOString(),
      decideDueAt: row.decide_due_at.toISOString(),
      overdue:
        open && (row.decide_due_at < now || (row.status === 'filed' && row.assign_due_at < now)),
      outcome: row.outcome,
      reason: row.decision_reason,
      dataErrorFields: row.data_error_fields ?? [],
      correctionVersion: row.correction_version,
      decidedAt: row.decided_at?.toISOString() ?? null,
      entitlementId: row.entitlement_id,
      closedReason: row.closed_reason,
      steps: steps
        .filter((step) => step.appeal_id === row.id)
        .map((step) => ({
          step: step.step,
          kind: step.kind,
          actorKind: step.actor_kind,
          actorRole: step.actor_role,
          at: step.at.toISOString(),
        })),
    };
  });
}

const callerOf = (props: AppealRequest) =>
  props.actor?.kind === 'operator' ? props.actor.operatorId : null;

/** A person's appeals, newest first, with every step: the person's own view. */
export async function personAppeals(
  deps: AppealDependencies,
  props: AppealRequest & { personId: string },
): Promise<AppealView[]> {
  const { grant } = await guardAppealPerson(
    deps,
    props,
    'appeal.read',
    { personId: props.personId },
    true,
  );
  const rows = await appealRows(deps.db)
    .where('a.person_id', '=', props.personId)
    .orderBy('a.filed_at', 'desc')
    .limit(programLimits.appeals.listPageSizeMax)
    .execute();
  await grant.record(['appeal']);
  return viewsOf(deps.db, rows, callerOf(props), new Date());
}

/** One appeal with the explanation on the person's record today at the cycle's date. */
export async function appealView(
  deps: AppealDependencies,
  props: AppealRequest & { appealId: string },
): Promise<AppealView & { explanation: AppealExplanation }> {
  const scope = await appealScope(deps, props.appealId);
  const { grant } = await guardAppealPerson(deps, props, 'appeal.read', scope, true);
  const rows = await appealRows(deps.db).where('a.id', '=', props.appealId).execute();
  const [view] = await viewsOf(deps.db, rows, callerOf(props), new Date());
  // Safe: the guard refused (404) when the appeal does not exist.
  const appeal = view as AppealView;
  const version = await deps.db
    .selectFrom('program_version')
    .selectAll()
    .where('program_id', '=', appeal.program.id)
    .where('version', '=', appeal.version)
    .executeTakeFirstOrThrow();
  const checked = checkedVersion(version);
  const sealed =
    deps.masterKey === undefined
      ? undefined
      : { masterKey: deps.masterKey, names: checked.rule.sealedVariables };
  const facts =
    (await readEligibilityFacts(deps.db, appeal.personId, appeal.cycle.referenceDate, sealed)) ??
    {};
  const explanation = explainFor(checked, facts);
  const read = new Set(explanation.clauses.flatMap((clause) => Object.keys(clause.facts)));
  await grant.record(['appeal', ...[...read].sort()]);
  return {
    ...appeal,
    explanation: { ...explanation, failedClause: explanation.failedClause ?? null },
  };
}

export interface AppealExplanation {
  outcome: RuleOutcome;
  clauses: ClauseExplanation[];
  failedClause: ClauseExplanation | null;
}

export type AppealQueueView = 'open' | 'mine' | 'overdue' | 'decided';

/**
 * The program officers' queue: appeals of the regions where the caller may decide, oldest
 * deadline first. `mine`: assigned to the caller; `overdue`: past a service level. No
 * statement or name: the officer opens an appeal to read it (audited there).
 */
export async function appealQueue(
  deps: AppealDependencies,
  props: AppealRequest & { view: AppealQueueView; now?: Date },
): Promise<AppealView[]> {
  const { grant, regions } = await guardRegionalAccess(deps, {
    actor: props.actor,
    action: 'appeal.decide',
    resource: { type: 'person', id: null },
    purpose: props.purpose,
    requestId: props.requestId,
  });
  const now = props.now ?? new Date();
  let query = appealRows(deps.db).where('a.region_code', 'in', regions.length ? regions : ['-']);
  if (props.view === 'decided') query = query.where('a.status', '=', 'decided');
  else query = query.where('a.status', 'in', [...openStatuses]);
  if (props.view === 'mine') query = query.where('a.assigned_to', '=', callerOf(props));
  if (props.view === 'overdue') {
    query = query.where(
      sql<boolean>`(a.decide_due_at < ${now} or (a.status = 'filed' and a.assign_due_at < ${now}))`,
    );
  }
  const rows = await query
    .orderBy('a.decide_due_at')
    .limit(programLimits.appeals.listPageSizeMax)
    .execute();
  await grant.record([]);
  return (await viewsOf(deps.db, rows, callerOf(props), now)).map((view) => ({
    ...view,
    statement: '',
  }));
}
