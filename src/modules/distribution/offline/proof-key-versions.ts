import type { Transaction } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import type { ProofKeyVersionState } from '../../../shared/api/card-proof-key.js';
import type { AuditEntryInput } from '../../../shared/audit/audit-entry.js';
import { type DistributionDependencies, settingsOf } from '../distribution-context.js';
import { type CardProofKey, cardProofKeyFrom } from './sealed-card-proof.js';

/**
 * Versions of the card-proof key (receipt v5, sealed-card-proof.ts; migration 0158): the key can
 * be rotated without rotating the master key. A version's private key is derived from the master
 * key with the version in the HKDF info, so nothing secret is stored; `offline_proof_key` lists
 * the versions (append-only) and the highest is in force. A snapshot publishes the version in
 * force (`proofKeyVersion`, `proofKey`) and records it (`distribution_snapshot.proof_key_version`).
 *
 * The sync opens a sealed proof with the version its key id names, while that version is
 * **open**: the current one, or an older one while a snapshot that published it expired less than
 * the window ago (`AMPARO_OFFLINE_PROOF_KEY_OPEN_DAYS`, 30 by default: its receipts may still be
 * on their way). Any other key id — a retired version, one never published — is refused,
 * `AMP_OFFLINE_CARD_PROOF_KEY_UNKNOWN`, and audited. The administrators' screen reads the same
 * states (`proofKeyVersionStates`), so what it calls open is what the sync opens.
 *
 * @example
 *   const { version } = await proofKeyRotator(deps, { now, requestId, by: 'command_line' });
 *   const keys = await openProofKeys(deps, now); // by kid (hex)
 */
type Deps = Pick<DistributionDependencies, 'db' | 'keys' | 'settings'>;

/** The version in force: the highest recorded. */
export async function currentProofKey(deps: Pick<Deps, 'db' | 'keys'>): Promise<CardProofKey> {
  const row = await deps.db
    .selectFrom('offline_proof_key')
    .select((eb) => eb.fn.max('version').as('version'))
    .executeTakeFirst();
  return cardProofKeyFrom(deps.keys.masterKey, Number(row?.version ?? 1));
}

/**
 * Each version newest first (at most `limit`) with its state at `now`: current (the highest),
 * open (a snapshot that published it expired less than the window ago) or closed. A version
 * stopped being published when the next one was made (`retiredAt`); it opens until the window
 * after its last snapshot's expiry, or not at all once retired if no snapshot published it. One
 * statement: an index probe per version (`distribution_snapshot_proof_key_idx`).
 */
export async function proofKeyVersionStates(
  deps: Pick<Deps, 'db' | 'settings'>,
  now: Date,
  limit?: number,
): Promise<ProofKeyVersionState[]> {
  let query = deps.db
    .selectFrom('offline_proof_key as k')
    .select((eb) => [
      'k.version',
      'k.created_at',
      'k.created_by',
      eb
        .selectFrom('distribution_snapshot as s')
        .select((inner) => inner.fn.max('s.expires_at').as('last'))
        .whereRef('s.proof_key_version', '=', 'k.version')
        .as('last_expires_at'),
    ])
    .orderBy('k.version', 'desc');
  if (limit !== undefined) query = query.limit(limit);
  const rows = await query.execute();
  const windowMs = settingsOf(deps).offlineProofKeyOpenMs;
  return rows.map((row, index) => {
    const newer = index === 0 ? undefined : rows[index - 1];
    const retiredAt = newer === undefined ? null : new Date(newer.created_at);
    const last = row.last_expires_at === null ? null : new Date(row.last_expires_at);
    const openUntil =
      retiredAt === null ? null : last === null ? retiredAt : new Date(last.getTime() + windowMs);
    const state =
      retiredAt === null
        ? 'current'
        : openUntil !== null && openUntil.getTime() > now.getTime()
          ? 'open'
          : 'closed';
    return {
      version: row.version,
      createdAt: new Date(row.created_at).toISOString(),
      createdBy: row.created_by,
      retiredAt: retiredAt?.toISOString() ?? null,
      lastSnapshotExpiresAt: last?.toISOString() ?? null,
      openUntil: openUntil?.toISOString() ?? null,
      state,
    };
  });
}

/** The keys the sync opens at `now`, by key id (hex): the current version and the open ones. */
export async function openProofKeys(deps: Deps, now: Date): Promise<Map<string, CardProofKey>> {
  const keys = new Map<string, CardProofKey>();
  for (const each of await proofKeyVersionStates(deps, now)) {
    if (each.state === 'closed') continue;
    const key = cardProofKeyFrom(deps.keys.masterKey, each.version);
    keys.set(key.kid.toString('hex'), key);
  }
  if (keys.size === 0) {
    const key = cardProofKeyFrom(deps.keys.masterKey, 1);
    keys.set(key.kid.toString('hex'), key);
  }
  return keys;
}

/** Who rotates: the command on the server, or an administrator in the console (its grant). */
export type ProofKeyRotation =
  | { by: 'command_line' }
  | {
      by: 'console';
      /** The version the administrator saw current: another rotation since is a conflict. */
      currentVersion: number;
      /** The gate's allowed entry (`distribution.proof_key_rotate`), written with the row. */
      allowedEntry: (fields: readonly string[]) => AuditEntryInput;
    };

/**
 * Makes the next version current (`amparo keys rotate-card-proof`, or an administrator's
 * `POST /api/distribution/card-proof-key/rotations`): snapshots built from now on publish it;
 * proofs sealed to the previous ones keep opening while their window lasts. The new row and its
 * audit entry are written in one transaction. From the console, a rotation names the version it
 * saw current, and is refused (`AMP_CONFLICT`, nothing written) if another came first.
 */
export async function proofKeyRotator(
  deps: Pick<Deps, 'db' | 'keys'> & Pick<DistributionDependencies, 'audit'>,
  props: { now: Date; requestId: string } & ProofKeyRotation,
): Promise<{ version: number; previousVersion: number; kid: string }> {
  return deps.db.transaction().execute(async (trx) => {
    // Two rotations at once: the second's insert meets the first's version (primary key) and
    // fails, nothing written; it can be run again.
    const previousVersion = await highestVersion(trx);
    if (props.by === 'console' && props.currentVersion !== previousVersion) {
      // Another administrator rotated since this one looked: one click, one rotation. Refused
      // after the gate, so the error handler audits the grant as denied with this code.
      throw new AmparoError('AMP_CONFLICT', {
        detail: `Version ${previousVersion} is current now, not ${props.currentVersion}`,
      });
    }
    const version = previousVersion + 1;
    await trx
      .insertInto('offline_proof_key')
      .values({ version, created_at: props.now, created_by: props.by })
      .execute();
    const resource = { type: 'offline_proof_key', id: String(version) } as const;
    const entry =
      props.by === 'console'
        ? { ...props.allowedEntry(['version']), resource }
        : rotationEntry(version, props.requestId);
    await deps.audit.appendInTransaction(trx, [entry]);
    const key = cardProofKeyFrom(deps.keys.masterKey, version);
    return { version, previousVersion, kid: key.kid.toString('hex') };
  });
}

async function highestVersion(trx: Transaction<Database>): Promise<number> {
  const row = await trx
    .selectFrom('offline_proof_key')
    .select((eb) => eb.fn.max('version').as('version'))
    .executeTakeFirst();
  return Number(row?.version ?? 1);
}

function rotationEntry(version: number, requestId: string): AuditEntryInput {
  return {
    actor: { kind: 'system', id: 'cli:keys', role: null, region: null },
    action: 'distribution.proof_key_rotate',
    resource: { type: 'offline_proof_key', id: String(version) },
    purpose: null,
    fields: [],
    outcome: 'allowed',
    reasonCode: null,
    requestId,
  };
}
