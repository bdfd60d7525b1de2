import { type Kysely, sql } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { raiseSecurityAlert, type SecurityAlertKind } from '../../access/index.js';

/**
 * Raises an alert naming an operator unless one of the same kind already names them with the same
 * value of the detail `key`: the pattern scans look back over a window every minute, and each
 * pattern they find is alerted once. Answers whether it raised one.
 *
 * @example
 *   await alertOnce(db, 'payee_account_takeover', clerkId, 'payeeSetAt', { payeeSetAt, … });
 */
export async function alertOnce(
  db: Kysely<Database>,
  kind: SecurityAlertKind,
  operatorId: string,
  key: string,
  details: Record<string, unknown>,
): Promise<boolean> {
  const already = await db
    .selectFrom('security_alert')
    .select('id')
    .where('kind', '=', kind)
    .where('operator_id', '=', operatorId)
    .where(sql<string>`details->>${key}`, '=', String(details[key]))
    .executeTakeFirst();
  if (already !== undefined) return false;
  await raiseSecurityAlert(db, kind, operatorId, details);
  return true;
}
