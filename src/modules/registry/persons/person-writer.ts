import type { Kysely, Transaction } from 'kysely';
import { blindIndex, unwrapDataKey } from '../../../platform/crypto/envelope.js';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import type { Actor, Purpose } from '../../../shared/access/actor.js';
import type { Action } from '../../../shared/access/policy.js';
import type { AuditEntryInput } from '../../../shared/audit/audit-entry.js';
import {
  type Grant,
  guardPersonAccess,
  type TransactionalAuditRecorder,
} from '../../access/index.js';
import type { RegistryEvents } from '../registry-events.js';
import type { DuplicateChecker } from '../review/duplicate-checker.js';
import { nameSearchKeys } from '../search/search-keys.js';
import type { CorrectionReason } from '../tables.js';
import {
  advancePerson,
  insertVersion,
  type LockedPerson,
  lockPerson,
  readVersion,
  setPhoneDigest,
  setSearchKeys,
} from './repository.js';
import { openVersion, sealVersion } from './sealed-attributes.js';

/**
 * What the registry's write side needs. `appendInTransaction` puts the audit entry of a
 * write in the write's own transaction: a person is never changed without its audit entry,
 * and an audit entry never describes a write that rolled back.
 */
export interface RegistryWriteDependencies {
  db: Kysely<Database>;
  audit: TransactionalAuditRecorder;
  masterKey: Buffer;
  duplicates: DuplicateChecker;
  /** Deaths and merges are published here, inside their transaction (registry-events.ts). */
  events: RegistryEvents;
}

/** Who writes, why, and for which request: the common part of every write verb's props. */
export interface WriteContext {
  actor: Actor | null;
  purpose: Purpose | null;
  requestId: string;
}

/** A granted write: the guard's decision plus what the in-transaction audit entry needs. */
export interface WriteGrant {
  grant: Grant;
  actor: Actor;
  action: Action;
  regionCode: string | null;
}

/**
 * Runs the access guard for a write. Refusals are audited by the guard itself (outside any
 * transaction, so they stay recorded); the allowed entry is written later, inside the
 * write's transaction, by `auditWrite`. Writes do not count against the read quota.
 */
export async function authorizeWrite(
  deps: RegistryWriteDependencies,
  context: WriteContext,
  access: {
    action: Action;
    resource: AuditEntryInput['resource'];
    regionCode: string | null;
    personId: string | null;
    exists: boolean;
  },
): Promise<WriteGrant> {
  const grant = await guardPersonAccess(deps, {
    actor: context.actor,
    action: access.action,
    resource: access.resource,
    regionCode: access.regionCode,
    personId: access.personId,
    exists: access.exists,
    purpose: context.purpose,
    requestId: context.requestId,
    countsAsPersonRead: false,
  });
  // Safe: the guard throws AMP_UNAUTHENTICATED when there is no actor.
  const actor = context.actor as Actor;
  return { grant, actor, action: access.action, regionCode: access.regionCode };
}

/** The audit entry of an allowed write: one builder in src/shared/audit/ for every module. */
export { writeAuditEntry } from '../../../shared/audit/write-audit-entry.js';

/** The operator id recorded on versions and memberships; null for system jobs. */
export function recordedBy(actor: Actor): string | null {
  return actor.kind === 'operator' ? actor.operatorId : null;
}

// Sealing and opening live in sealed-attributes.ts, the one place that names their context.
export { openVersion, sealVersion } from './sealed-attributes.js';

/** The person's data key, or a 409 when it was destroyed by an erasure. */
export function personDataKey(masterKey: Buffer, personId: string, wrapped: Buffer | null): Buffer {
  if (wrapped === null) {
    throw new AmparoError('AMP_CONFLICT', {
      detail: 'This record was erased: its data can no longer be changed',
    });
  }
  return unwrapDataKey(masterKey, wrapped, personId);
}

/** The phone's blind-index digest, or null when there is no phone. */
export function phoneDigest(masterKey: Buffer, phone: unknown): Buffer | null {
  return typeof phone === 'string' && phone.length > 0
    ? blindIndex(masterKey, 'phone', phone)
    : null;
}

/** A new current version of a locked person: attributes and any status change it records. */
export interface VersionChange {
  plain: Record<string, unknown>;
  sealed: Record<string, unknown>;
  reason: 'correction' | 'death' | 'merge' | 'move';
  correctionReason?: CorrectionReason;
  status?: 'deceased' | 'merged';
  mergedInto?: string;
  dateOfDeath?: string;
}

/**
 * Appends the next version of a locked person (earlier versions are never touched), sealing
 * the sensitive attributes again under the same data key with the new version's associated
 * data, and moves the person's current version, region, phone index and search keys to it.
 * Returns the new version number.
 */
export async function appendVersion(
  trx: Transaction<Database>,
  masterKey: Buffer,
  person: LockedPerson & { dataKey: Buffer },
  change: VersionChange & { recordedBy: string | null },
): Promise<number> {
  const version = person.currentVersion + 1;
  // Safe: state_code is a required catalogue attribute, present in every stored version.
  const regionCode = (change.plain.state_code as string | undefined) ?? person.regionCode;
  const hasSealed = Object.keys(change.sealed).length > 0;
  await insertVersion(trx, {
    personId: person.id,
    version,
    attributes: change.plain,
    sealed: hasSealed ? sealVersion(person.dataKey, person.id, version, change.sealed) : null,
    reason: change.reason,
    recordedBy: change.recordedBy,
    ...(change.correctionReason !== undefined ? { correctionReason: change.correctionReason } : {}),
  });
  await advancePerson(trx, person.id, {
    version,
    regionCode,
    ...(change.status !== undefined ? { status: change.status } : {}),
    ...(change.mergedInto !== undefined ? { mergedInto: change.mergedInto } : {}),
    ...(change.dateOfDeath !== undefined ? { dateOfDeath: change.dateOfDeath } : {}),
  });
  await setPhoneDigest(trx, person.id, phoneDigest(masterKey, change.sealed.phone));
  await setSearchKeys(trx, person.id, regionCode, nameSearchKeys(change.plain));
  return version;
}

/** Locks a person for a change and opens its current version; 404 when it does not exist. */
export async function lockForChange(
  trx: Transaction<Database>,
  masterKey: Buffer,
  personId: string,
): Promise<{
  person: LockedPerson & { dataKey: Buffer };
  plain: Record<string, unknown>;
  sealed: Record<string, unknown>;
}> {
  const locked = await lockPerson(trx, personId);
  if (locked === undefined) throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such record' });
  if (locked.status === 'erased' || locked.wrappedKey === null) {
    throw new AmparoError('AMP_CONFLICT', {
      detail: 'This record was erased: it can no longer be changed',
      errors: [{ field: 'params/personId', reason: 'the record is erased' }],
    });
  }
  if (locked.status === 'merged') {
    throw new AmparoError('AMP_CONFLICT', {
      detail: `This record was merged into ${locked.mergedInto}: change that record instead`,
      errors: [{ field: 'params/personId', reason: 'the record is merged' }],
    });
  }
  const dataKey = personDataKey(masterKey, locked.id, locked.wrappedKey);
  const current = await readVersion(trx, locked.id, locked.currentVersion);
  return {
    person: { ...locked, dataKey },
    plain: current.attributes,
    sealed: openVersion(dataKey, locked.id, locked.currentVersion, current.sealed),
  };
}
