import { AmparoError } from '../../../platform/errors.js';
import { allowanceOf } from '../devices/device-service.js';
import type { DistributionDependencies } from '../distribution-context.js';
import { type PointGrant, refusalEntry, refuseAudited } from '../point-gate.js';

export interface ActiveDevice {
  id: string;
  publicKey: Buffer;
  /** The offline allowance per snapshot. */
  receiptsMax: number;
  unitsMax: number;
}

/**
 * The point's registered device that is not revoked, or an audited refusal: no such device at
 * this point (`AMP_NOT_FOUND`), or revoked (`AMP_DEVICE_REVOKED`: no snapshot, no receipt).
 */
export async function activeDeviceAt(
  deps: DistributionDependencies,
  gate: PointGrant,
  deviceId: string,
): Promise<ActiveDevice> {
  const resource = { type: 'distribution_point' as const, id: gate.point.id };
  const row = /^[0-9a-f-]{36}$/i.test(deviceId)
    ? await deps.db
        .selectFrom('distribution_device')
        .select(['id', 'public_key', 'revoked_at', 'receipts_max', 'units_max'])
        .where('id', '=', deviceId)
        .where('point_id', '=', gate.point.id)
        .executeTakeFirst()
    : undefined;
  if (row === undefined) {
    await deps.audit.append(refusalEntry(gate.write, resource, 'AMP_NOT_FOUND'));
    throw new AmparoError('AMP_NOT_FOUND', { detail: 'No such device at this point' });
  }
  if (row.revoked_at !== null) {
    return refuseAudited(
      deps,
      gate.write,
      resource,
      'AMP_DEVICE_REVOKED',
      'The device was revoked',
    );
  }
  return { id: row.id, publicKey: row.public_key, ...allowanceOf(row) };
}
