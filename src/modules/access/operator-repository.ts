import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { Role } from '../../shared/access/roles.js';
import { forgetCachedSessions } from './session-cache.js';

export interface OperatorCredentials {
  id: string;
  username: string;
  displayName: string;
  passwordHash: string;
  totpSecretSealed: Buffer;
  totpLastStep: number | null;
  roles: Role[];
  regions: string[];
  disabledAt: Date | null;
  passwordChangeRequired: boolean;
}

export async function findOperatorByUsername(
  db: Kysely<Database>,
  username: string,
): Promise<OperatorCredentials | undefined> {
  return findOperator(db, 'username', username);
}

export async function findOperatorById(
  db: Kysely<Database>,
  id: string,
): Promise<OperatorCredentials | undefined> {
  return findOperator(db, 'id', id);
}

async function findOperator(
  db: Kysely<Database>,
  column: 'id' | 'username',
  value: string,
): Promise<OperatorCredentials | undefined> {
  const row = await db
    .selectFrom('operator')
    .select([
      'id',
      'username',
      'display_name',
      'password_hash',
      'totp_secret_sealed',
      'totp_last_step',
      'roles',
      'regions',
      'disabled_at',
      'password_change_required',
    ])
    .where(column, '=', value)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    passwordHash: row.password_hash,
    totpSecretSealed: row.totp_secret_sealed,
    totpLastStep: row.totp_last_step === null ? null : Number(row.totp_last_step),
    roles: row.roles,
    regions: row.regions,
    disabledAt: row.disabled_at,
    passwordChangeRequired: row.password_change_required,
  };
}

/**
 * Records `step` as the operator's last accepted TOTP step, only if it is later than the
 * stored one. False means another request used this step (or a later one) first: a replay.
 * The conditional UPDATE makes the check and the write one atomic step.
 */
export async function claimTotpStep(
  db: Kysely<Database>,
  operatorId: string,
  step: number,
): Promise<boolean> {
  const result = await db
    .updateTable('operator')
    .set({ totp_last_step: BigInt(step) })
    .where('id', '=', operatorId)
    .where((eb) =>
      eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', BigInt(step))]),
    )
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function updatePasswordHash(
  db: Kysely<Database>,
  operatorId: string,
  passwordHash: string,
): Promise<void> {
  await db
    .updateTable('operator')
    .set({ password_hash: passwordHash, password_change_required: false })
    .where('id', '=', operatorId)
    .execute();
  forgetCachedSessions();
}
