import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/db.js';
import type { AuditEntryInput } from '../../shared/audit/audit-entry.js';
import {
  type ForgottenRequests,
  grantEvictionAlerter,
  installGrantScope,
  rememberGrant,
} from './request-grants.js';
import { listSecurityAlerts } from './security-alerts.js';

/**
 * The gate's record of grants is capped (`limits.access.grantRequestsTrackedMax`); a request
 * forgotten to stay within it may still be live, and a refusal after its grant would go
 * unaudited. Forgetting is never silent: it raises a security alert for auditors.
 */
describe('the record of grants at its cap', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database?.close());

  const denied = (requestId: string): AuditEntryInput => ({
    actor: { kind: 'operator', id: 'op', role: null, region: null },
    action: 'person.read',
    resource: { type: 'person', id: null },
    purpose: null,
    fields: [],
    outcome: 'denied',
    reasonCode: null,
    requestId,
  });

  it('tells of the oldest live request it forgets, with its grants not yet recorded', async () => {
    const forgotten: ForgottenRequests[] = [];
    const app = Fastify();
    installGrantScope(app, {
      trackedMax: 2,
      onForgotten: async (each) => {
        forgotten.push(each);
      },
    });
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let arrived = 0;
    app.get('/held', async (request) => {
      // A grant the gate made for this request, never recorded: a refusal would need it.
      rememberGrant(denied(request.id), { append: async () => undefined });
      arrived += 1;
      await held;
      return { ok: true };
    });
    await app.ready();
    const first = app.inject({ url: '/held' });
    const second = app.inject({ url: '/held' });
    while (arrived < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(forgotten).toEqual([]);
    const third = app.inject({ url: '/held' });
    while (arrived < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(forgotten).toEqual([{ requests: 1, unfinishedGrants: 1 }]);
    release();
    await Promise.all([first, second, third]);
    // Each answer's onResponse hook runs as its reply finishes: give them that moment.
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Answered requests are forgotten without a word: the record is empty again.
    await app.inject({ url: '/held' });
    expect(forgotten).toHaveLength(1);
    await app.close();
  });

  it("counts each app's own requests: another app's live requests never push this one's out", async () => {
    const forgotten: ForgottenRequests[] = [];
    const other = Fastify();
    installGrantScope(other, { trackedMax: 10 });
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let arrived = 0;
    other.get('/held', async () => {
      arrived += 1;
      await held;
      return { ok: true };
    });
    await other.ready();
    const otherRequests = [other.inject({ url: '/held' }), other.inject({ url: '/held' })];
    while (arrived < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    const app = Fastify();
    installGrantScope(app, {
      trackedMax: 2,
      onForgotten: async (each) => {
        forgotten.push(each);
      },
    });
    let granted = 0;
    app.get('/grant', async (request) => {
      // The grant is remembered: this app's record holds the request while it runs.
      rememberGrant(denied(request.id), { append: async () => undefined })();
      granted += 1;
      return { ok: true };
    });
    await app.ready();
    await app.inject({ url: '/grant' });
    await app.inject({ url: '/grant' });
    expect(granted).toBe(2);
    expect(forgotten).toEqual([]);
    release();
    await Promise.all(otherRequests);
    await Promise.all([app.close(), other.close()]);
  });

  it('raises a grant_tracking_evicted alert at once, then at most one a minute with the count', async () => {
    let now = 1_000_000;
    const alert = grantEvictionAlerter(database.db, { now: () => now, trackedMax: 2 });
    const alerts = async () =>
      (await listSecurityAlerts(database.db, 100)).filter(
        (row) => row.kind === 'grant_tracking_evicted',
      );
    await alert({ requests: 1, unfinishedGrants: 1 });
    expect((await alerts()).map((row) => row.details)).toEqual([
      { requests: 1, unfinishedGrants: 1, trackedMax: 2 },
    ]);
    await alert({ requests: 1, unfinishedGrants: 0 });
    await alert({ requests: 1, unfinishedGrants: 2 });
    expect(await alerts()).toHaveLength(1);
    now += 60_000;
    await alert({ requests: 1, unfinishedGrants: 0 });
    const raised = await alerts();
    expect(raised).toHaveLength(2);
    expect(raised.map((row) => row.details)).toContainEqual({
      requests: 3,
      unfinishedGrants: 2,
      trackedMax: 2,
    });
  });
});
