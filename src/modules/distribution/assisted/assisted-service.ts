import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { limits } from '../../../limits.js';
import type { SecondCheckRefusalCode } from '../../../shared/api/distribution.js';
import { writeAuditEntry } from '../../../shared/audit/write-audit-entry.js';
import {
  householdCardCheck,
  newOneTimeCode,
  type OnlineCardCheck,
  oneTimeCodeVerdict,
} from '../../credentials/index.js';
import { localDate } from '../../notifications/index.js';
import {
  type AssistedIdentities,
  type DistributionContext,
  type DistributionDependencies,
  nowOf,
  settingsOf,
} from '../distribution-context.js';
import { DistributionError } from '../distribution-error.js';
import { guardPoint, type PointGrant, refusalEntry, refuseAudited } from '../point-gate.js';
import { operatorIdOf } from '../points/point-service.js';
import type { EntitlementAnswer } from '../redemption/entitlement-state.js';
import { personAnswers, refuseClosed } from '../redemption/redemption-service.js';
import { auditingRefusals } from '../refusals.js';
import { type AssistedMethod, type AssistedReason, redeemableStates } from '../tables.js';
import { assistedCodeHash, assistedCodeLabel } from './assisted-code.js';
import { type AssistedRow, checkRefusal, findAssisted } from './assisted-row.js';

/**
 * Redemption without the card (issue #15, point 4; safeguard 9). The operator names the person
 * by ID number, the reason there is no card, and one second check; the check is started here
 * (counted against the operator's daily bound, a code texted to the phone on file, or the photo
 * on file shown) and passed next (the code, the operator's attestation, or a household member's
 * valid card). Only then does the point learn what the person may take, and only this operator
 * at this point may redeem under it, through the same locked redemption as with the card. Every
 * step is audited on the person, so it is in their access history.
 *
 * @example
 *   const started = await assistedStarter(deps, context, pointId, { uin, reason: 'lost', method: 'phone_code' });
 *   const { entitlements } = await assistedChecker(deps, context, pointId, started.assistedId, { code });
 */
export interface AssistedStartAnswer {
  assistedId: string;
  method: AssistedMethod;
  reason: AssistedReason;
  codeExpiresAt: string | null;
  /** The photo on file (base64), for method `photo_attested` only. */
  photo: string | null;
}

function identitiesOf(deps: DistributionDependencies): AssistedIdentities {
  if (deps.identities === undefined) {
    throw new Error('Assisted redemption needs the registry port (identities) wired in app.ts');
  }
  return deps.identities;
}

export async function assistedStarter(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  props: { uin: string; reason: AssistedReason; method: AssistedMethod },
): Promise<AssistedStartAnswer> {
  const identities = identitiesOf(deps);
  const person = await identities.activePersonByUin(deps.db, props.uin);
  const resource = { type: 'person' as const, id: person?.personId ?? null };
  const gate = await guardPoint(deps, context, 'distribution.assisted_redeem', pointId, {
    resource,
    countsAsPersonRead: true,
  });
  await refuseClosed(deps, gate, resource);
  if (person === undefined || !(await somethingToRedeem(deps, gate, person.personId))) {
    // One answer whether the number names no one, someone of elsewhere or someone with nothing
    // here: before this, any active number in the country was confirmed, and its photo shown.
    await deps.audit.append(refusalEntry(gate.write, resource, 'AMP_NOTHING_TO_REDEEM'));
    throw new DistributionError(
      'AMP_NOTHING_TO_REDEEM',
      'Nothing to redeem here for this ID number',
    );
  }
  const operatorId = operatorIdOf(gate.write.actor) as string; // Safe: only operators hold the action.
  const now = nowOf(deps);
  const assistedId = randomUUID();
  const code = props.method === 'phone_code' ? newOneTimeCode() : null;
  const codeExpiresAt =
    code === null ? null : new Date(now.getTime() + limits.distribution.assistedCodeTtlMs);
  return auditingRefusals(deps, gate.write, resource, () =>
    deps.db.transaction().execute(async (trx) => {
      // One operator's starts are counted one at a time, so parallel starts cannot pass the bound.
      await sql`select pg_advisory_xact_lock(hashtext(${operatorId}))`.execute(trx);
      const day = localDate(now);
      const counted = await trx
        .selectFrom('assisted_redemption')
        .select((eb) => eb.fn.countAll<string>().as('count'))
        .where('operator_id', '=', operatorId)
        .where('started_day', '=', day)
        .executeTakeFirstOrThrow();
      const max = settingsOf(deps).assistedPerOperatorPerDay;
      if (Number(counted.count) >= max) {
        throw new DistributionError(
          'AMP_ASSISTED_LIMIT_REACHED',
          `${max} redemptions without the card today: the supervisor has been shown them`,
        );
      }
      await trx
        .insertInto('assisted_redemption')
        .values({
          id: assistedId,
          point_id: gate.point.id,
          operator_id: operatorId,
          person_id: person.personId,
          reason: props.reason,
          method: props.method,
          code_hash: code === null ? null : assistedCodeHash(deps.keys.masterKey, assistedId, code),
          code_expires_at: codeExpiresAt,
          household_credential_id: null,
          started_at: now,
          started_day: day,
          verified_at: null,
          failed_at: null,
        })
        .execute();
      if (code !== null) await textCode(deps, trx, person.personId, code);
      const photo =
        props.method === 'photo_attested' ? await identities.photoOf(trx, person.personId) : null;
      if (props.method === 'photo_attested' && photo === null) {
        throw checkRefusal('There is no photo on file: choose another check', 'no_photo');
      }
      await deps.audit.appendInTransaction(trx, [
        writeAuditEntry(gate.write, resource, photo === null ? [] : ['photo'], context.requestId),
      ]);
      return {
        assistedId,
        method: props.method,
        reason: props.reason,
        codeExpiresAt: codeExpiresAt?.toISOString() ?? null,
        photo,
      };
    }),
  );
}

/**
 * Whether the person holds an entitlement this point serves and could hand over now: the
 * lookup's own answers (`personAnswers`), so the start asks exactly what the card scan asks.
 */
async function somethingToRedeem(
  deps: DistributionDependencies,
  gate: PointGrant,
  personId: string,
): Promise<boolean> {
  const answers = await personAnswers(deps, gate, personId);
  return answers.some((answer) => redeemableStates.includes(answer.state));
}

async function textCode(
  deps: DistributionDependencies,
  trx: Parameters<AssistedIdentities['photoOf']>[0],
  personId: string,
  code: string,
): Promise<void> {
  if (deps.notifier === undefined) throw new Error('Assisted redemption needs the notifier');
  const validMinutes = String(Math.round(limits.distribution.assistedCodeTtlMs / 60_000));
  const messageId = await deps.notifier.notify(trx, personId, {
    event: 'redemption_code',
    code,
    validMinutes,
  });
  if (messageId === null) {
    throw checkRefusal('There is no phone on file: choose another check', 'no_phone');
  }
}

/** The second check's proof: the code, the operator's attestation, or a member's card. */
export interface AssistedProof {
  code?: string | undefined;
  attestation?: boolean | undefined;
  householdQrText?: string | undefined;
}

/**
 * Passes the second check of a started assisted redemption and answers what the person may
 * take here. Refused (and audited): a check started at another point or by another operator, a
 * wrong, expired or already used code, a missing attestation, a card that is refused, the
 * person's own card, or a card of someone outside the household. A wrong code is counted
 * (committed) before the refusal; at the bound the check fails for good.
 */
export async function assistedChecker(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  assistedId: string,
  proof: AssistedProof,
): Promise<{ assistedId: string; entitlements: EntitlementAnswer[] }> {
  const { gate, row, resource } = await assistedAt(deps, context, pointId, assistedId);
  const refuse = (message: string, code: SecondCheckRefusalCode | OnlineCardCheck['status']) =>
    refuseAudited(deps, gate.write, resource, 'AMP_SECOND_CHECK_FAILED', message, [
      { field: '/', reason: message, code },
    ]);
  if (row.verified_at !== null) return refuse('This check was already used', 'used');
  if (row.failed_at !== null) return refuse('This check failed: start a new one', 'failed');
  const now = nowOf(deps);
  let householdCredentialId: Buffer | null = null;
  if (row.method === 'phone_code') {
    const failure = await codeFailure(deps, row, proof.code, now);
    if (failure !== null) return refuse(failure.message, failure.code);
  } else if (row.method === 'photo_attested') {
    if (proof.attestation !== true) {
      return refuse('The operator must attest that the photo is of this person', 'attestation');
    }
  } else {
    const card = await householdCardCheck(deps, identitiesOf(deps).sameHousehold, {
      personId: row.person_id,
      qrText: proof.householdQrText ?? '',
      now,
    });
    if ('refusal' in card) return refuse(card.refusal.message, card.refusal.code);
    householdCredentialId = card.credentialId;
  }
  const passed = await deps.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('assisted_redemption')
      .set({ verified_at: now, household_credential_id: householdCredentialId })
      .where('id', '=', row.id)
      .where('verified_at', 'is', null)
      .where('failed_at', 'is', null)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) return false;
    await deps.audit.appendInTransaction(trx, [
      writeAuditEntry(gate.write, resource, ['second_check'], context.requestId),
    ]);
    return true;
  });
  // Two operators' screens entering the same right code at once: one passes.
  if (!passed) return refuse('This check was already used', 'used');
  return { assistedId: row.id, entitlements: await personAnswers(deps, gate, row.person_id) };
}

async function codeFailure(
  deps: DistributionDependencies,
  row: AssistedRow,
  code: string | undefined,
  now: Date,
): Promise<{ message: string; code: SecondCheckRefusalCode } | null> {
  const verdict = oneTimeCodeVerdict(deps.keys.masterKey, assistedCodeLabel, row, code, now);
  if (verdict === 'expired') {
    await deps.db
      .updateTable('assisted_redemption')
      .set({ failed_at: now })
      .where('id', '=', row.id)
      .where('verified_at', 'is', null)
      .where('failed_at', 'is', null)
      .execute();
    return { message: 'The code expired: start a new check', code: 'expired' };
  }
  if (verdict === 'right') return null;
  const attemptsMax = limits.distribution.assistedCodeAttemptsMax;
  await deps.db
    .updateTable('assisted_redemption')
    .set((eb) => ({
      code_attempts: eb('code_attempts', '+', 1),
      failed_at: sql<Date | null>`case when code_attempts + 1 >= ${attemptsMax} then ${now}::timestamptz else null end`,
    }))
    .where('id', '=', row.id)
    .where('verified_at', 'is', null)
    .where('failed_at', 'is', null)
    .execute();
  return { message: 'The code is wrong', code: 'wrong_code' };
}

/**
 * The gate for a started assisted redemption: the action at this point (the person as the
 * audited resource), then the check must have been started at this very point by this very
 * operator — another point's or another operator's check is refused and audited.
 */
export async function assistedAt(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  assistedId: string,
): Promise<{
  gate: PointGrant;
  row: AssistedRow;
  resource: { type: 'person'; id: string | null };
}> {
  const found = await findAssisted(deps.db, assistedId);
  const resource = { type: 'person' as const, id: found?.person_id ?? null };
  const gate = await guardPoint(deps, context, 'distribution.assisted_redeem', pointId, {
    resource,
    countsAsPersonRead: true,
  });
  const operatorId = operatorIdOf(gate.write.actor);
  if (found === undefined || found.point_id !== gate.point.id || found.operator_id !== operatorId) {
    return refuseAudited(
      deps,
      gate.write,
      resource,
      'AMP_SECOND_CHECK_FAILED',
      'No such check was started at this point by you',
      [
        {
          field: '/assistedId',
          reason: 'not started here by you',
          code: 'unknown' satisfies SecondCheckRefusalCode,
        },
      ],
    );
  }
  await refuseClosed(deps, gate, resource);
  return { gate, row: found, resource };
}
