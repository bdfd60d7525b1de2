import { createPublicKey, randomUUID, verify } from 'node:crypto';
import { AmparoError } from '../../../platform/errors.js';
import { writeAuditEntry } from '../../../shared/audit/write-audit-entry.js';
import {
  type DistributionContext,
  type DistributionDependencies,
  nowOf,
} from '../distribution-context.js';
import { distributionLimits } from '../limits.js';
import { guardPoint, refusalEntry, refuseAudited } from '../point-gate.js';
import { operatorIdOf } from '../points/point-service.js';
import type { DeviceRevocationReason } from '../tables.js';

/**
 * A point's offline devices (issue #15, point 5, first part). The device makes its Ed25519 key
 * pair itself (WebCrypto; the private key never leaves it) and shows the supervisor its public
 * key with a signature over `registrationMessage(pointId, publicKey)`: registering checks that
 * signature, so only a key the device holds is registered, for exactly this point. A revoked
 * device stays listed; its offline receipts will be refused.
 *
 * @example
 *   const message = registrationMessage(pointId, publicKey); // signed on the device
 *   await deviceRegistrar(deps, context, pointId, { publicKey, proof, label: 'Tablet 3' });
 */
export function registrationMessage(pointId: string, publicKeyBase64url: string): Buffer {
  return Buffer.from(`amparo device registration v1\n${pointId}\n${publicKeyBase64url}`, 'utf8');
}

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 raw key bytes follow it. */
const ed25519SpkiPrefix = Buffer.from('302a300506032b6570032100', 'hex');

function proofValid(pointId: string, publicKey: string, proof: string): Buffer | null {
  const raw = Buffer.from(publicKey, 'base64url');
  const signature = Buffer.from(proof, 'base64url');
  if (raw.length !== 32 || signature.length !== 64) return null;
  try {
    const key = createPublicKey({
      key: Buffer.concat([ed25519SpkiPrefix, raw]),
      format: 'der',
      type: 'spki',
    });
    return verify(null, registrationMessage(pointId, publicKey), key, signature) ? raw : null;
  } catch {
    return null;
  }
}

export interface DeviceView {
  id: string;
  label: string;
  publicKey: string;
  registeredBy: string;
  registeredAt: string;
  revokedAt: string | null;
  revocationReason: DeviceRevocationReason | null;
  receiptsMax: number;
  unitsMax: number;
}

export async function deviceRegistrar(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  props: {
    publicKey: string;
    proof: string;
    label: string;
    receiptsMax?: number;
    unitsMax?: number;
  },
): Promise<DeviceView> {
  const gate = await guardPoint(deps, context, 'distribution.device_manage', pointId);
  const resource = { type: 'distribution_point' as const, id: gate.point.id };
  const raw = proofValid(gate.point.id, props.publicKey, props.proof);
  if (raw === null) {
    return refuseAudited(
      deps,
      gate.write,
      resource,
      'AMP_DEVICE_PROOF_INVALID',
      'The proof is not a signature of this registration by this Ed25519 key',
      [{ field: '/proof', reason: 'not signed by the key', code: 'proof_invalid' }],
    );
  }
  const taken = await deps.db
    .selectFrom('distribution_device')
    .select('id')
    .where('public_key', '=', raw)
    .executeTakeFirst();
  if (taken !== undefined) {
    await deps.audit.append(refusalEntry(gate.write, resource, 'AMP_CONFLICT'));
    throw new AmparoError('AMP_CONFLICT', { detail: 'This key is already registered' });
  }
  const device = {
    id: randomUUID(),
    point_id: gate.point.id,
    public_key: raw,
    label: props.label,
    registered_by: operatorIdOf(gate.write.actor) as string, // Safe: only operators hold it.
    registered_at: nowOf(deps),
    revoked_at: null,
    revoked_by: null,
    revocation_reason: null,
    receipts_max: props.receiptsMax ?? null,
    units_max: props.unitsMax ?? null,
  };
  await deps.db.transaction().execute(async (trx) => {
    await trx.insertInto('distribution_device').values(device).execute();
    await deps.audit.appendInTransaction(trx, [
      writeAuditEntry(gate.write, resource, ['device'], context.requestId),
    ]);
  });
  return viewOf(device);
}

export async function deviceRevoker(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  deviceId: string,
  props: { reason: DeviceRevocationReason },
): Promise<DeviceView> {
  const gate = await guardPoint(deps, context, 'distribution.device_manage', pointId);
  const resource = { type: 'distribution_point' as const, id: gate.point.id };
  const now = nowOf(deps);
  const revoked = await deps.db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('distribution_device')
      .set({
        revoked_at: now,
        revoked_by: operatorIdOf(gate.write.actor),
        revocation_reason: props.reason,
      })
      .where('id', '=', deviceId)
      .where('point_id', '=', gate.point.id)
      .where('revoked_at', 'is', null)
      .returningAll()
      .executeTakeFirst();
    if (row !== undefined) {
      await deps.audit.appendInTransaction(trx, [
        writeAuditEntry(gate.write, resource, ['device'], context.requestId),
      ]);
    }
    return row;
  });
  if (revoked === undefined) {
    await deps.audit.append(refusalEntry(gate.write, resource, 'AMP_NOT_FOUND'));
    throw new AmparoError('AMP_NOT_FOUND', {
      detail: 'No device of this point that is not revoked already',
    });
  }
  return viewOf(revoked);
}

export async function devicesLister(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
): Promise<DeviceView[]> {
  const { point, grant } = await guardPoint(deps, context, 'distribution.point_read', pointId);
  const rows = await deps.db
    .selectFrom('distribution_device')
    .selectAll()
    .where('point_id', '=', point.id)
    .orderBy('registered_at')
    .execute();
  await grant.record([]);
  return rows.map(viewOf);
}

/** The device's offline allowance per snapshot: its own, or the default. */
export function allowanceOf(row: { receipts_max: number | null; units_max: number | null }): {
  receiptsMax: number;
  unitsMax: number;
} {
  const limits = distributionLimits.offline;
  return {
    receiptsMax: row.receipts_max ?? limits.receiptsPerSnapshotMax,
    unitsMax: row.units_max ?? limits.unitsPerSnapshotMax,
  };
}

function viewOf(row: {
  id: string;
  label: string;
  public_key: Buffer;
  registered_by: string;
  registered_at: Date;
  revoked_at: Date | null;
  revocation_reason: DeviceRevocationReason | null;
  receipts_max: number | null;
  units_max: number | null;
}): DeviceView {
  return {
    id: row.id,
    label: row.label,
    publicKey: row.public_key.toString('base64url'),
    registeredBy: row.registered_by,
    registeredAt: row.registered_at.toISOString(),
    revokedAt: row.revoked_at?.toISOString() ?? null,
    revocationReason: row.revocation_reason,
    ...allowanceOf(row),
  };
}
