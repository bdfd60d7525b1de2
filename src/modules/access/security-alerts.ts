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

/** One alert as auditors see it: the kind, who caused it, counts and codes, when. */
export interface SecurityAlertView {
  id: string;
  kind: string;
  operatorId: string | null;
  details: Record<string, unknown>;
  createdAt: string;
}

/** The newest alerts first, at most `limit` of them. */
export async function listSecurityAlerts(
  db: Kysely<Database>,
  limit: number,
): Promise<SecurityAlertView[]> {
  const rows = await db
    .selectFrom('security_alert')
    .select(['id', 'kind', 'operator_id', 'details', 'created_at'])
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    operatorId: row.operator_id,
    details: row.details,
    createdAt: row.created_at.toISOString(),
  }));
}
