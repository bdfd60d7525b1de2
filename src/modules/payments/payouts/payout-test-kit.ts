import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '../../../../test/db.js';
import { AuditLog } from '../../audit/audit-log.js';
import { buildAuditKeys } from '../../audit/audit-test-support.js';
import type { PayoutDependencies } from './payout-gate.js';

/**
 * A test database with an audit log and the payout verbs' dependencies, sealing creditors
 * under `masterKey`.
 */
export async function payoutTestWorld(
  masterKey: Buffer,
): Promise<{ database: TestDatabase; deps: PayoutDependencies }> {
  const database = await createTestDatabase();
  const audit = await AuditLog.open({
    db: database.db,
    keys: { ...buildAuditKeys(), masterKey: randomBytes(32) },
  });
  return { database, deps: { db: database.db, audit, masterKey } };
}
