import { type IdempotentResult, runIdempotent } from '../../../platform/db/idempotency.js';
import { AmparoError } from '../../../platform/errors.js';
import { authorize } from '../../../shared/access/policy.js';
import { parsePersonAttributes } from '../catalogue/index.js';
import type { CorrectionReason } from '../tables.js';
import {
  appendVersion,
  authorizeWrite,
  lockForChange,
  phoneDigest,
  type RegistryWriteDependencies,
  recordedBy,
  type WriteContext,
  type WriteGrant,
  writeAuditEntry,
} from './person-writer.js';
import { findPerson } from './repository.js';

export interface CorrectionRequest {
  clientId: string;
  /** Only the attributes that change; null clears an optional one. */
  attributes: Record<string, unknown>;
  reason: CorrectionReason;
}

export interface VersionAnswer {
  personId: string;
  status: 'active' | 'deceased' | 'merged';
  version: number;
}

const addressCodes = ['state_code', 'municipality_code', 'parish_code'] as const;

/**
 * Corrects a person's attributes: a new version holding the whole record with the changes
 * applied (earlier versions stay as they were), sensitive attributes sealed again under the
 * same data key, the phone index and search keys moved to the new version. Moving a person
 * to another state needs the operator to cover both states.
 *
 * @example
 *   await personCorrector(deps, { actor, purpose: 'enrolment', requestId, personId,
 *     request: { clientId, attributes: { first_surname: 'Pérez' }, reason: 'clerical_error' } });
 */
export async function personCorrector(
  deps: RegistryWriteDependencies,
  props: WriteContext & { personId: string; request: CorrectionRequest },
): Promise<IdempotentResult<VersionAnswer>> {
  const patch = parsePersonAttributes(props.request.attributes, { partial: true });
  const write = await authorizePersonWrite(deps, props, 'person.correct');
  let corrected: Record<string, unknown> = {};
  const result = await runIdempotent<VersionAnswer>(
    deps.db,
    { scope: 'registry.correct', clientId: props.request.clientId, request: withId(props) },
    async (trx) => {
      const current = await lockForChange(trx, deps.masterKey, props.personId);
      const plain = withoutNulls({ ...current.plain, ...patch.plain });
      const sealed = withoutNulls({ ...current.sealed, ...patch.sealed });
      corrected = { plain, phone: sealed.phone };
      if (addressCodes.some((code) => code in patch.plain)) checkAddressChain(plain);
      checkNewRegion(write, current.person.regionCode, plain.state_code);
      const version = await appendVersion(trx, deps.masterKey, current.person, {
        plain,
        sealed,
        reason: 'correction',
        correctionReason: props.request.reason,
        recordedBy: recordedBy(write.actor),
      });
      const fields = [...Object.keys(patch.plain), ...Object.keys(patch.sealed)];
      await deps.audit.appendInTransaction(trx, [
        writeAuditEntry(write, { type: 'person', id: props.personId }, fields, props.requestId),
      ]);
      const status = current.person.status === 'deceased' ? 'deceased' : 'active';
      return { status: 200, body: { personId: props.personId, status, version } };
    },
  );
  if (!result.replayed) {
    // The index keeps the earlier version too: a duplicate of either is worth a look.
    // Safe: `plain` was set in the transaction that just committed.
    const plain = corrected.plain as Record<string, unknown>;
    deps.duplicates.recordEnrolment(props.personId, {
      attributes: plain,
      phoneDigest: phoneDigest(deps.masterKey, corrected.phone)?.toString('hex') ?? null,
    });
  }
  return { status: result.status, body: result.body };
}

export interface DeathRequest {
  clientId: string;
  /** YYYY-MM-DD, not in the future and not before the date of birth. */
  dateOfDeath: string;
}

/**
 * Records a death: status deceased, the date on the person, and a new version (reason
 * death) so the history shows when and by whom it was recorded.
 *
 * @example
 *   await deathRecorder(deps, { actor, purpose: 'enrolment', requestId, personId,
 *     request: { clientId, dateOfDeath: '2024-03-01' } });
 */
export async function deathRecorder(
  deps: RegistryWriteDependencies,
  props: WriteContext & { personId: string; request: DeathRequest },
): Promise<IdempotentResult<VersionAnswer>> {
  const { dateOfDeath } = props.request;
  checkCalendarDate(dateOfDeath, 'body/dateOfDeath');
  const write = await authorizePersonWrite(deps, props, 'person.record_death');
  const result = await runIdempotent<VersionAnswer>(
    deps.db,
    { scope: 'registry.death', clientId: props.request.clientId, request: withId(props) },
    async (trx) => {
      const current = await lockForChange(trx, deps.masterKey, props.personId);
      if (current.person.status === 'deceased') {
        throw new AmparoError('AMP_CONFLICT', {
          detail: 'A death is already recorded for this person',
          errors: [{ field: 'params/personId', reason: 'already deceased' }],
        });
      }
      const birth = current.plain.birth_date;
      if (typeof birth === 'string' && birth.length === 10 && dateOfDeath < birth) {
        throw new AmparoError('AMP_VALIDATION', {
          detail: 'The date of death is before the date of birth',
          errors: [{ field: 'body/dateOfDeath', reason: 'is before birth_date' }],
        });
      }
      const version = await appendVersion(trx, deps.masterKey, current.person, {
        plain: current.plain,
        sealed: current.sealed,
        reason: 'death',
        status: 'deceased',
        dateOfDeath,
        recordedBy: recordedBy(write.actor),
      });
      // Subscribers act in this transaction (credentials revokes the card: a dead person's
      // card must stop verifying); if one fails, the death is not recorded either.
      await deps.events.publish(trx, 'personDied', { personId: props.personId });
      await deps.audit.appendInTransaction(trx, [
        writeAuditEntry(write, { type: 'person', id: props.personId }, ['status'], props.requestId),
      ]);
      return { status: 200, body: { personId: props.personId, status: 'deceased', version } };
    },
  );
  return { status: result.status, body: result.body };
}

/** Guard for a write to an existing person: refused, missing and out-of-region look alike. */
export async function authorizePersonWrite(
  deps: RegistryWriteDependencies,
  props: WriteContext & { personId: string },
  action: 'person.correct' | 'person.record_death' | 'person.merge' | 'person.move',
): Promise<WriteGrant> {
  const person = await findPerson(deps.db, { personId: props.personId });
  return authorizeWrite(deps, props, {
    action,
    resource: { type: 'person', id: props.personId },
    regionCode: person?.regionCode ?? null,
    personId: person?.id ?? null,
    exists: person !== undefined,
  });
}

/** The idempotency request: the body and the person it is about. */
export function withId(props: { personId: string; request: object }): object {
  return { personId: props.personId, ...props.request };
}

function withoutNulls(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== null));
}

/**
 * After a partial change of address codes, the whole chain must still hold (a new parish
 * must lie in the municipality already recorded); refused as 400 naming the code.
 */
function checkAddressChain(plain: Record<string, unknown>): void {
  const chain = Object.fromEntries(
    addressCodes.filter((code) => plain[code] !== undefined).map((code) => [code, plain[code]]),
  );
  parsePersonAttributes(chain, { partial: true });
}

function checkNewRegion(write: WriteGrant, from: string, to: unknown): void {
  if (typeof to !== 'string' || to === from) return;
  const decision = authorize(
    write.actor,
    write.action,
    { regionCode: to, personId: null },
    write.grant.purpose,
  );
  if (!decision.allowed) {
    throw new AmparoError('AMP_FORBIDDEN', {
      detail: 'You may not move a person to a region you do not cover',
      errors: [{ field: 'body/attributes/state_code', reason: 'is outside your regions' }],
    });
  }
}

/** A real calendar date YYYY-MM-DD, not in the future. */
export function checkCalendarDate(value: string, field: string, today: Date = new Date()): void {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = match ? new Date(`${value}T00:00:00Z`) : undefined;
  const real = date !== undefined && date.toISOString().slice(0, 10) === value;
  if (!real) {
    throw new AmparoError('AMP_VALIDATION', {
      detail: 'The date is not valid',
      errors: [{ field, reason: 'must be a real date, YYYY-MM-DD' }],
    });
  }
  if (value > today.toISOString().slice(0, 10)) {
    throw new AmparoError('AMP_VALIDATION', {
      detail: 'The date is in the future',
      errors: [{ field, reason: 'must not be in the future' }],
    });
  }
}
