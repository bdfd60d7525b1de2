import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { QuotaTables } from './quota-tables.js';

export type SecurityAlertKind = QuotaTables['security_alert']['kind'];

/**
 * Raises one alert for auditors (`GET /api/alerts`, the console's audit page). `details` hold
 * counts, codes and limits only: never personal data.
 *
 * @example
 *   await raiseSecurityAlert(db, 'audit_signing_failed', null, { consecutiveFailures: 1 });
 */
export async function raiseSecurityAlert(
  db: Kysely<Database>,
  kind: SecurityAlertKind,
  operatorId: string | null,
  details: Record<string, unknown>,
): Promise<void> {
  await db
    .insertInto('security_alert')
    .values({ id: randomUUID(), kind, operator_id: operatorId, details })
    .execute();
}
