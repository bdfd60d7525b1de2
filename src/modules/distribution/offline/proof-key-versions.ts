import type { AuditEntryInput } from '../../../shared/audit/audit-entry.js';
import type { DistributionDependencies } from '../distribution-context.js';
import { distributionLimits } from '../limits.js';
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
 * `offline.proofKeyOpenAfterSnapshotsMs` ago (its receipts may still be on their way). Any other
 * key id — a retired version, one never published — is refused,
 * `AMP_OFFLINE_CARD_PROOF_KEY_UNKNOWN`, and audited.
 *
 * @example
 *   const { version } = await proofKeyRotator(deps); // amparo keys rotate-card-proof
 *   const keys = await openProofKeys(deps, now); // by kid (hex)
 */
type Deps = Pick<DistributionDependencies, 'db' | 'keys'>;

/** The version in force: the highest recorded. */
export async function currentProofKey(deps: Deps): Promise<CardProofKey> {
  const row = await deps.db
    .selectFrom('offline_proof_key')
    .select((eb) => eb.fn.max('version').as('version'))
    .executeTakeFirst();
  return cardProofKeyFrom(deps.keys.masterKey, Number(row?.version ?? 1));
}

/**
 * The keys the sync opens at `now`, by key id (hex): the current version, and each older one a
 * snapshot published that expired less than the window ago. One statement: an index probe
 * per version (`distribution_snapshot_proof_key_idx`).
 */
export async function openProofKeys(deps: Deps, now: Date): Promise<Map<string, CardProofKey>> {
  const versions = await deps.db
    .selectFrom('offline_proof_key as k')
    .select((eb) => [
      'k.version',
      eb
        .selectFrom('distribution_snapshot as s')
        .select((inner) => inner.fn.max('s.expires_at').as('last'))
        .whereRef('s.proof_key_version', '=', 'k.version')
        .as('last_expires_at'),
    ])
    .orderBy('k.version', 'desc')
    .execute();
  const openSince = now.getTime() - distributionLimits.offline.proofKeyOpenAfterSnapshotsMs;
  const keys = new Map<string, CardProofKey>();
  for (const [index, row] of versions.entries()) {
    const last = row.last_expires_at === null ? null : new Date(row.last_expires_at);
    if (index === 0 || (last !== null && last.getTime() > openSince)) {
      const key = cardProofKeyFrom(deps.keys.masterKey, row.version);
      keys.set(key.kid.toString('hex'), key);
    }
  }
  if (keys.size === 0) {
    const key = cardProofKeyFrom(deps.keys.masterKey, 1);
    keys.set(key.kid.toString('hex'), key);
  }
  return keys;
}

/**
 * Makes the next version current (`amparo keys rotate-card-proof`): snapshots built from now on
 * publish it; proofs sealed to the previous ones keep opening while their window lasts. The new
 * row and its audit entry are written in one transaction.
 */
export async function proofKeyRotator(
  deps: Deps & Pick<DistributionDependencies, 'audit'>,
  props: { now: Date; requestId: string },
): Promise<{ version: number; previousVersion: number; kid: string }> {
  return deps.db.transaction().execute(async (trx) => {
    // Two rotations at once: the second's insert meets the first's version (primary key) and
    // fails, nothing written; it can be run again.
    const row = await trx
      .selectFrom('offline_proof_key')
      .select((eb) => eb.fn.max('version').as('version'))
      .executeTakeFirst();
    const previousVersion = Number(row?.version ?? 1);
    const version = previousVersion + 1;
    await trx
      .insertInto('offline_proof_key')
      .values({ version, created_at: props.now, created_by: 'command_line' })
      .execute();
    await deps.audit.appendInTransaction(trx, [rotationEntry(version, props.requestId)]);
    const key = cardProofKeyFrom(deps.keys.masterKey, version);
    return { version, previousVersion, kid: key.kid.toString('hex') };
  });
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
