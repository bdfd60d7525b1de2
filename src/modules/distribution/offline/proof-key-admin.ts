import type { ProofKeyList } from '../../../shared/api/card-proof-key.js';
import { guardPersonAccess } from '../../access/index.js';
import {
  type DistributionContext,
  type DistributionDependencies,
  nowOf,
  settingsOf,
} from '../distribution-context.js';
import { distributionLimits } from '../limits.js';
import { proofKeyRotator, proofKeyVersionStates } from './proof-key-versions.js';

/**
 * The administrators' console for the offline card-proof key (docs/ACCESS.md, "The offline
 * card-proof key"): the versions and their states, and a rotation — the same one the command on
 * the server makes. Decided by the table (`distribution.proof_key_read`, `…_rotate`, scope any)
 * and audited, resource `offline_proof_key`. Nothing here reads or answers key material.
 *
 * @example
 *   const { versions } = await proofKeysLister(deps, context);
 *   await consoleProofKeyRotator(deps, context, { currentVersion: versions[0].version });
 */
export async function proofKeysLister(
  deps: DistributionDependencies,
  context: DistributionContext,
): Promise<ProofKeyList> {
  const grant = await gate(deps, context, 'distribution.proof_key_read');
  const versions = await proofKeyVersionStates(
    deps,
    nowOf(deps),
    distributionLimits.offline.proofKeyVersionsListMax,
  );
  await grant.record(['version', 'created_at', 'state']);
  return {
    openAfterSnapshotsDays: Math.round(settingsOf(deps).offlineProofKeyOpenMs / 86_400_000),
    versions,
  };
}

/**
 * An administrator's rotation: the next version made current, its row and its audit entry in
 * one transaction; refused (`AMP_CONFLICT`) when `currentVersion` is no longer the current one.
 */
export async function consoleProofKeyRotator(
  deps: DistributionDependencies,
  context: DistributionContext,
  body: { currentVersion: number },
): Promise<{ version: number; previousVersion: number }> {
  const grant = await gate(deps, context, 'distribution.proof_key_rotate');
  const { version, previousVersion } = await proofKeyRotator(deps, {
    now: nowOf(deps),
    requestId: context.requestId,
    by: 'console',
    currentVersion: body.currentVersion,
    allowedEntry: grant.allowedEntry,
  });
  return { version, previousVersion };
}

function gate(
  deps: DistributionDependencies,
  context: DistributionContext,
  action: 'distribution.proof_key_read' | 'distribution.proof_key_rotate',
) {
  return guardPersonAccess(deps, {
    actor: context.actor,
    action,
    resource: { type: 'offline_proof_key', id: null },
    regionCode: null,
    personId: null,
    exists: true,
    purpose: context.purpose,
    requestId: context.requestId,
    countsAsPersonRead: false,
  });
}
