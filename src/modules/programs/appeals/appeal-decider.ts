import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import {
  eligibilityFacts,
  latestCorrectionSince,
  readEligibilityFacts,
} from '../../registry/index.js';
import { programLimits } from '../limits.js';
import { ProgramsError } from '../programs-error.js';
import { evaluateFormula } from '../rules/rule-evaluator.js';
import type { AppealOutcome } from '../tables.js';
import { refuseAppealOverBudget } from './appeal-budget.js';
import {
  type AppealDependencies,
  type AppealRequest,
  auditStep,
  guardAppealPerson,
  stepActor,
} from './appeal-guard.js';
import { addStep, appealScope, lockAppeal } from './appeal-service.js';
import { checkedVersion, dateText } from './benefit-status.js';

export type AppealDecision =
  | { outcome: 'upheld'; reason: string }
  | { outcome: 'rejected'; reason: string }
  /** The record holds a wrong fact: sent to a registry correction, decided after it. */
  | { outcome: 'data_error'; reason: string; fields: string[] };

/** Told of every final decision inside its transaction (the person's text message). */
export type AppealDecidedHook = (
  trx: Transaction<Database>,
  decided: { appealId: string; personId: string; programId: string; outcome: AppealOutcome },
) => Promise<void>;

type LockedAppeal = Awaited<ReturnType<typeof lockAppeal>>;

/**
 * Decides an appeal (issue #13, point 7), by the officer it is assigned to and never by whoever
 * filed it. Upheld grants the entitlement in the appealed cycle, marked `basis = 'appeal'` — the
 * only way besides the rule (the database refuses an appeal entitlement without an upheld
 * appeal). Rejected carries a reason. A data error sends the record to a registry correction
 * (`person.correct` for purpose `appeal`, a registry supervisor's work) and waits: the final
 * decision then names the corrected version, and upholding needs the correction made.
 * Concurrent decisions queue on the appeal's row lock: exactly one takes effect, the other
 * finds it decided (409).
 *
 * @example
 *   await appealDecider(deps, { actor, purpose: 'appeal', requestId, appealId,
 *     decision: { outcome: 'rejected', reason: 'La edad registrada es correcta.' } });
 */
export async function appealDecider(
  deps: AppealDependencies & { onDecided?: AppealDecidedHook | undefined },
  props: AppealRequest & { appealId: string; decision: AppealDecision },
): Promise<{ appealId: string; status: string; entitlementId: string | null }> {
  const scope = await appealScope(deps, props.appealId);
  const { grant, regionCode } = await guardAppealPerson(deps, props, 'appeal.decide', scope, false);
  checkDecision(props.decision);
  return deps.db.transaction().execute(async (trx) => {
    const appeal = await lockAppeal(trx, props.appealId);
    const actor = stepActor(props, grant);
    if (appeal.filed_by === actor.actor_id) {
      throw new AmparoError('AMP_FORBIDDEN', {
        detail: 'You filed this appeal: someone else must decide it',
      });
    }
    if (appeal.status !== 'assigned' && appeal.status !== 'awaiting_correction') {
      throw new AmparoError('AMP_CONFLICT', {
        detail:
          appeal.status === 'filed'
            ? 'Take the appeal first: it is decided by the officer it is assigned to'
            : `The appeal is ${appeal.status}`,
      });
    }
    if (appeal.assigned_to !== actor.actor_id) {
      throw new AmparoError('AMP_CONFLICT', {
        detail: 'The appeal is assigned to another officer: take it to decide it',
      });
    }
    // Upholding locks the cycle's row against other upholdings (their budget is counted one
    // after the other); other decisions share it.
    const cycle = await trx
      .selectFrom('program_cycle')
      .select(['id', 'status', 'reference_date', 'round'])
      .where('id', '=', appeal.cycle_id)
      .$call((query) =>
        props.decision.outcome === 'upheld' ? query.forNoKeyUpdate() : query.forShare(),
      )
      .executeTakeFirstOrThrow();
    if (cycle.status === 'closed') {
      throw new ProgramsError('AMP_APPEAL_CYCLE_CLOSED', 'The appealed cycle is closed');
    }
    const result = await applyDecision(trx, appeal, props.decision, {
      actorId: actor.actor_id,
      referenceDate: dateText(cycle.reference_date),
      round: cycle.round,
    });
    const kind = props.decision.outcome;
    await addStep(trx, appeal.id, kind, props, grant);
    await auditStep(deps, trx, props, {
      grant,
      action: 'appeal.decide',
      personId: appeal.person_id,
      regionCode,
      fields: kind === 'data_error' ? ['appeal', ...props.decision.fields] : ['appeal'],
    });
    if (kind !== 'data_error') {
      await deps.onDecided?.(trx, {
        appealId: appeal.id,
        personId: appeal.person_id,
        programId: appeal.program_id,
        outcome: kind,
      });
    }
    return { appealId: appeal.id, ...result };
  });
}

function checkDecision(decision: AppealDecision): void {
  if (decision.reason.trim() === '') {
    throw new AmparoError('AMP_VALIDATION', {
      errors: [{ field: '/reason', reason: 'say why, in words the person understands' }],
    });
  }
  if (decision.outcome !== 'data_error') return;
  const known = new Set(eligibilityFacts().map((fact) => fact.name));
  const unknown = decision.fields.filter((field) => !known.has(field));
  if (decision.fields.length === 0 || unknown.length > 0) {
    throw new AmparoError('AMP_VALIDATION', {
      errors: [{ field: '/fields', reason: 'name the facts a rule reads that are wrong' }],
    });
  }
}

async function applyDecision(
  trx: Transaction<Database>,
  appeal: LockedAppeal,
  decision: AppealDecision,
  context: { actorId: string; referenceDate: string; round: number },
): Promise<{ status: string; entitlementId: string | null }> {
  const now = new Date();
  if (decision.outcome === 'data_error') {
    await trx
      .updateTable('appeal')
      .set({
        status: 'awaiting_correction',
        data_error_fields: decision.fields,
        decision_reason: decision.reason,
        updated_at: now,
      })
      .where('id', '=', appeal.id)
      .execute();
    return { status: 'awaiting_correction', entitlementId: null };
  }
  const correction =
    appeal.status === 'awaiting_correction'
      ? await latestCorrectionSince(trx, appeal.person_id, await dataErrorAt(trx, appeal.id))
      : undefined;
  if (decision.outcome === 'upheld' && appeal.status === 'awaiting_correction' && !correction) {
    throw new AmparoError('AMP_CONFLICT', {
      detail: 'The registry correction this appeal waits for has not been made yet',
    });
  }
  await trx
    .updateTable('appeal')
    .set({
      status: 'decided',
      outcome: decision.outcome,
      decision_reason: decision.reason,
      correction_version: correction?.version ?? null,
      decided_by: context.actorId,
      decided_at: now,
      updated_at: now,
    })
    .where('id', '=', appeal.id)
    .execute();
  if (decision.outcome === 'rejected') return { status: 'decided', entitlementId: null };
  const entitlementId = await grantByAppeal(trx, appeal, context);
  await trx
    .updateTable('appeal')
    .set({ entitlement_id: entitlementId })
    .where('id', '=', appeal.id)
    .execute();
  return { status: 'decided', entitlementId };
}

/** When the data error was found: corrections after it are the ones the appeal waits for. */
async function dataErrorAt(trx: Transaction<Database>, appealId: string): Promise<Date> {
  const step = await trx
    .selectFrom('appeal_step')
    .select('at')
    .where('appeal_id', '=', appealId)
    .where('kind', '=', 'data_error')
    .orderBy('step', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
  return step.at;
}

/** The entitlement an upheld appeal grants, with the amount the cycle's version gives. */
async function grantByAppeal(
  trx: Transaction<Database>,
  appeal: LockedAppeal,
  cycle: { referenceDate: string; round: number },
): Promise<string> {
  const row = await trx
    .selectFrom('program_version')
    .selectAll()
    .where('program_id', '=', appeal.program_id)
    .where('version', '=', appeal.version)
    .executeTakeFirstOrThrow();
  const checked = checkedVersion(row);
  const { benefit } = checked.content;
  let amountMinor: bigint | null = null;
  if ('amountMinor' in benefit) amountMinor = benefit.amountMinor;
  else if (checked.formula !== undefined) {
    const facts = (await readEligibilityFacts(trx, appeal.person_id, cycle.referenceDate)) ?? {};
    const amount = evaluateFormula(checked.formula, facts);
    if (amount === undefined || amount < 0n || amount > programLimits.amountMinorMax) {
      throw new ProgramsError(
        'AMP_FORMULA_FAILED',
        "The benefit formula gives no valid amount on this person's record; correct the record first",
      );
    }
    amountMinor = amount;
  }
  const held = await trx
    .selectFrom('entitlement')
    .select('id')
    .where('cycle_id', '=', appeal.cycle_id)
    .where('person_id', '=', appeal.person_id)
    .executeTakeFirst();
  if (held !== undefined) {
    throw new AmparoError('AMP_CONFLICT', { detail: 'The person already holds this benefit' });
  }
  await refuseAppealOverBudget(trx, {
    cycleId: appeal.cycle_id,
    round: cycle.round,
    checked,
    amountMinor,
  });
  const id = randomUUID();
  await trx
    .insertInto('entitlement')
    .values({
      id,
      cycle_id: appeal.cycle_id,
      program_id: appeal.program_id,
      person_id: appeal.person_id,
      basis: 'appeal',
      amount_minor: amountMinor,
    })
    .execute();
  return id;
}
