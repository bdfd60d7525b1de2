import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db.js';
import { createTestKeyStore } from '../../../test/keys.js';
import { logCapture } from '../../../test/log-capture.js';
import { type App, build } from '../../app.js';
import { loadConfig } from '../../config.js';
import type { KeyStore } from '../../platform/crypto/key-store.js';
import { AuditLog } from './audit-log.js';
import { buildAuditEntry } from './audit-test-support.js';
import { verifyAuditLog } from './audit-verify.js';
import type { AuditSigningStatus } from './signing-health.js';

interface Readiness {
  status: string;
  auditSigning: AuditSigningStatus;
}

/**
 * Background signing that fails must not end the server (before the fix the rejected signing
 * promise was never handled, and Node exits on an unhandled rejection): it is logged, alerted
 * once per failing streak, shown by /readyz as `degraded` (200), retried with backoff, and
 * recovers by itself once the fault is gone. Faults are made as the database superuser.
 */
describe('background tree-head signing that fails', () => {
  let database: TestDatabase;
  let keys: KeyStore;
  let app: App | undefined;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    database = await createTestDatabase();
    keys = createTestKeyStore();
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await database?.close();
  });

  async function startApp(logs: ReturnType<typeof logCapture>): Promise<App> {
    const config = loadConfig({ LOG_LEVEL: 'info', AMPARO_WEB_DIR: '/nonexistent' });
    const started = await build(config, {
      database: database.handle,
      keys,
      logDestination: logs.stream,
      auditTimer: true,
      audit: {
        signEveryMs: 25,
        signLockTimeoutMs: 300,
        signRetryDelayMs: { minMs: 10, maxMs: 50 },
      },
    });
    await started.ready();
    return started;
  }

  async function readiness(): Promise<{ code: number; body: Readiness }> {
    const response = await app!.inject({ method: 'GET', url: '/readyz' });
    return { code: response.statusCode, body: response.json<Readiness>() };
  }

  async function signingAlerts(): Promise<number> {
    const rows = await database.db
      .selectFrom('security_alert')
      .select('id')
      .where('kind', '=', 'audit_signing_failed')
      .execute();
    return rows.length;
  }

  async function expectFailingThenRecovering(
    expectedCode: string,
    fault: { inject?: () => Promise<void>; release: () => Promise<void> },
  ): Promise<void> {
    const logs = logCapture();
    const alertsBefore = await signingAlerts();
    app = await startApp(logs);
    await fault.inject?.();

    // Several attempts fail: the process is still here, serving, and says why.
    await vi.waitFor(
      async () => {
        const { body } = await readiness();
        expect(body.auditSigning.consecutiveFailures).toBeGreaterThanOrEqual(3);
      },
      { timeout: 20_000, interval: 20 },
    );
    const failing = await readiness();
    expect(failing.code).toBe(200);
    expect(failing.body).toMatchObject({
      status: 'degraded',
      auditSigning: { state: 'failing', failedStep: 'sign', lastErrorCode: expectedCode },
    });
    expect(failing.body.auditSigning.nextRetryAt).not.toBeNull();
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    // One alert for the streak, however many attempts failed.
    expect(await signingAlerts()).toBe(alertsBefore + 1);
    expect(logs.text()).toContain('audit tree head signing failed; will retry');

    await fault.release();
    await vi.waitFor(
      async () => {
        const { code, body } = await readiness();
        expect(code).toBe(200);
        expect(body.status).toBe('ready');
        expect(body.auditSigning.state).toBe('ok');
      },
      { timeout: 20_000, interval: 20 },
    );
    expect(logs.text()).toContain('audit tree head signing recovered');
    expect(
      await database.db.selectFrom('audit_tree_head').select('tree_size').execute(),
    ).not.toEqual([]);
    expect((await verifyAuditLog(database.db, keys)).ok).toBe(true);
    expect(unhandled).toEqual([]);
  }

  it('survives a refused insert, reports it, and recovers once the grant is back', async () => {
    // Made before the app starts: on PGlite's single connection the superuser statements of
    // asAdmin would otherwise interleave with the signer's.
    await database.asAdmin((admin) =>
      sql`revoke insert on audit_tree_head from amparo_app`.execute(admin),
    );
    await expectFailingThenRecovering('42501', {
      release: () =>
        database.asAdmin(async (admin) => {
          await sql`grant insert on audit_tree_head to amparo_app`.execute(admin);
        }),
    });
  });

  it('survives a lock held on audit_tree_head, and appends go on while it is held', async () => {
    // New entries, so the background signer has something to sign.
    const writer = await AuditLog.open({ db: database.db, keys });
    await Promise.all([writer.append(buildAuditEntry()), writer.append(buildAuditEntry())]);
    await writer.close();
    let lock: { release(): Promise<void> } | undefined;
    await expectFailingThenRecovering('55P03', {
      // After start-up: opening the log reads the latest head, which the lock would hold up.
      inject: async () => {
        lock = await holdTreeHeadLock(database);
      },
      release: async () => {
        // A refused sign-in is audited: its entry is appended despite the stuck signer.
        const before = await auditSize();
        const response = await app!.inject({
          method: 'POST',
          url: '/api/auth/sign-in',
          payload: { username: 'nobody', password: 'not-a-password', totp: '000000' },
        });
        expect(response.statusCode).toBe(401);
        expect(await auditSize()).toBeGreaterThan(before);
        await lock?.release();
      },
    });
  });

  async function auditSize(): Promise<number> {
    const row = await database.db
      .selectFrom('audit_entry')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }
});

/**
 * Holds `audit_tree_head` so the signer cannot read or write it. On PostgreSQL a superuser
 * connection takes ACCESS EXCLUSIVE in an open transaction, exactly as an attacker or a stuck
 * maintenance job would, and the signer gives up at its lock timeout (SQLSTATE 55P03). PGlite
 * has one connection, so no second session can hold a lock while the signer runs; there a
 * trigger raises the very error a lock timeout raises (55P03) until it is dropped, which
 * exercises the same path from the failed statement on.
 */
async function holdTreeHeadLock(database: TestDatabase): Promise<{ release(): Promise<void> }> {
  if (database.kind === 'postgres') {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holder = database.asAdmin((admin) =>
      admin.transaction().execute(async (trx) => {
        await sql`lock table audit_tree_head in access exclusive mode`.execute(trx);
        locked();
        await released;
      }),
    );
    await isLocked;
    return {
      async release() {
        release();
        await holder;
      },
    };
  }
  await database.asAdmin(async (admin) => {
    await sql`create function audit_test_locked() returns trigger language plpgsql as $$
      begin raise exception using errcode = '55P03', message = 'lock held (test)'; end $$`.execute(
      admin,
    );
    await sql`create trigger audit_test_locked before insert on audit_tree_head
      for each row execute function audit_test_locked()`.execute(admin);
  });
  return {
    release: () =>
      database.asAdmin(async (admin) => {
        await sql`drop trigger audit_test_locked on audit_tree_head`.execute(admin);
        await sql`drop function audit_test_locked()`.execute(admin);
      }),
  };
}
