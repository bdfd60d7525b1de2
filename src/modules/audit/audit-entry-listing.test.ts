import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccessTestApp,
  buildAccessTestApp,
  createTestOperator,
  sessionCookieFrom,
} from '../access/access-test-kit.js';
import { auditEntryPageSizeMax } from './audit-entry-listing.js';

interface EntryJson {
  leafIndex: number;
  action: string;
  outcome: string;
  actor: { kind: string; id: string; role: string | null };
  requestId: string | null;
}

/** `GET /api/audit/entries`: auditors page through the log, newest first, with filters. */
describe('audit entries listing', () => {
  let kit: AccessTestApp;
  let auditor: Record<string, string>;
  let clerk: Record<string, string>;
  const get = (url: string, cookies: Record<string, string> = auditor) =>
    kit.app.inject({ url, cookies });

  async function signIn(username: string, role: 'auditor' | 'enrolment_clerk') {
    const operator = await createTestOperator(kit, { username, roles: [role] });
    kit.advance(30_000);
    const response = await kit.app.inject({
      method: 'POST',
      url: '/api/auth/sign-in',
      payload: { username, password: operator.password, totp: operator.totp() },
    });
    return { amparo_session: sessionCookieFrom(response) ?? '' };
  }

  beforeAll(async () => {
    kit = await buildAccessTestApp();
    auditor = await signIn('entries.auditor', 'auditor');
    clerk = await signIn('entries.clerk', 'enrolment_clerk');
    // Three refused attempts by the clerk: denied entries to find.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect((await get('/api/audit/entries?purpose=audit', clerk)).statusCode).toBe(403);
    }
  });
  afterAll(async () => kit?.close());

  it('lists newest first, starting with the listing itself, and pages with nextBefore', async () => {
    const first = await get('/api/audit/entries?purpose=audit&limit=2');
    expect(first.statusCode).toBe(200);
    const page = first.json<{ entries: EntryJson[]; nextBefore: number }>();
    expect(page.entries).toHaveLength(2);
    const [top, second] = page.entries as [EntryJson, EntryJson];
    expect(top).toMatchObject({ action: 'audit.read', outcome: 'allowed' });
    expect(top.requestId).toBe(first.headers['x-request-id']);
    expect(top.leafIndex).toBeGreaterThan(second.leafIndex);
    expect(page.nextBefore).toBe(second.leafIndex);
    const next = (
      await get(`/api/audit/entries?purpose=audit&limit=2&before=${page.nextBefore}`)
    ).json<{
      entries: EntryJson[];
    }>();
    expect(next.entries[0]?.leafIndex).toBeLessThan(second.leafIndex);
  });

  it('filters by outcome and by action', async () => {
    const denied = (await get('/api/audit/entries?purpose=audit&outcome=denied')).json<{
      entries: EntryJson[];
    }>();
    expect(denied.entries.length).toBeGreaterThanOrEqual(3);
    expect(denied.entries.every((entry) => entry.outcome === 'denied')).toBe(true);
    const signIns = (await get('/api/audit/entries?purpose=audit&action=audit.read')).json<{
      entries: EntryJson[];
    }>();
    expect(signIns.entries.every((entry) => entry.action === 'audit.read')).toBe(true);
    const none = (
      await get('/api/audit/entries?purpose=audit&action=person.erasure_approve')
    ).json();
    expect(none).toEqual({ entries: [], nextBefore: null });
  });

  it('refuses other roles, a missing purpose and a page over the bound', async () => {
    expect((await get('/api/audit/entries?purpose=audit', clerk)).statusCode).toBe(403);
    expect((await get('/api/audit/entries')).statusCode).toBe(403);
    expect((await get('/api/audit/entries?purpose=enrolment')).statusCode).toBe(403);
    expect(
      (await get(`/api/audit/entries?purpose=audit&limit=${auditEntryPageSizeMax + 1}`)).statusCode,
    ).toBe(400);
    expect((await kit.app.inject({ url: '/api/audit/entries?purpose=audit' })).statusCode).toBe(
      401,
    );
  });
});
