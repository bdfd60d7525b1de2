import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../../web/src/i18n/en.js';
import { es } from '../../../web/src/i18n/es.js';
import { actions } from '../../shared/access/policy.js';
import { type AccessTestApp, buildAccessTestApp } from '../access/access-test-kit.js';
import { createCardPerson, signedInOperator } from './credentials-test-kit.js';

/**
 * Downloading a card to print it is a read, not an issuance (issue 10, point 6): one issue and
 * two downloads are one `credential.issue` and two `credential.download` entries, and the
 * person's access history words them differently.
 */
describe('card download', () => {
  let kit: AccessTestApp;
  let clerk: string;
  let auditor: string;

  beforeAll(async () => {
    kit = await buildAccessTestApp();
    clerk = await signedInOperator(kit, 'clerk.dl', ['enrolment_clerk']);
    auditor = await signedInOperator(kit, 'auditor.dl', ['auditor']);
  });
  afterAll(async () => kit?.close());

  async function clerkReads(): Promise<number> {
    const rows = await kit.database.asAdmin((admin) =>
      admin
        .selectFrom('operator_read_window as w')
        .innerJoin('operator as o', 'o.id', 'w.operator_id')
        .select('w.reads')
        .where('o.username', '=', 'clerk.dl')
        .execute(),
    );
    return rows.reduce((sum, row) => sum + row.reads, 0);
  }

  async function historyActions(personId: string): Promise<string[]> {
    const response = await kit.app.inject({
      url: `/api/persons/${personId}/access-history?purpose=audit`,
      cookies: { amparo_session: auditor },
    });
    expect(response.statusCode).toBe(200);
    const body: { entries: { action: string; outcome: string }[] } = response.json();
    return body.entries.filter((line) => line.outcome === 'allowed').map((line) => line.action);
  }

  it('records one issue and two downloads as one credential.issue and two credential.download', async () => {
    const holder = await createCardPerson(kit.database.db, kit.masterKey);
    const issued = await kit.app.inject({
      method: 'POST',
      url: `/api/persons/${holder.id}/credentials?purpose=enrolment`,
      cookies: { amparo_session: clerk },
      payload: { clientId: randomUUID() },
    });
    expect(issued.statusCode).toBe(201);
    const { credentialId } = issued.json();
    for (const format of ['png', 'pdf']) {
      const download = await kit.app.inject({
        url: `/api/credentials/${credentialId}/card.${format}?purpose=enrolment`,
        cookies: { amparo_session: clerk },
      });
      expect(download.statusCode, format).toBe(200);
    }
    const seen = await historyActions(holder.id);
    expect(seen.filter((action) => action === 'credential.issue')).toHaveLength(1);
    expect(seen.filter((action) => action === 'credential.download')).toHaveLength(2);
  });

  it('audits a download with the card attributes and counts it against the read quota', async () => {
    const holder = await createCardPerson(kit.database.db, kit.masterKey);
    const issued = await kit.app.inject({
      method: 'POST',
      url: `/api/persons/${holder.id}/credentials?purpose=enrolment`,
      cookies: { amparo_session: clerk },
      payload: { clientId: randomUUID() },
    });
    const readsBefore = await clerkReads();
    const download = await kit.app.inject({
      url: `/api/credentials/${issued.json().credentialId}/card.png?purpose=enrolment`,
      cookies: { amparo_session: clerk },
    });
    expect(await clerkReads()).toBe(readsBefore + 1);
    const requestId = String(download.headers['x-request-id']);
    const entries = await kit.database.asAdmin((admin) =>
      admin.selectFrom('audit_entry').select('entry').execute(),
    );
    const mine = entries
      .map((row) => JSON.parse(row.entry))
      .filter((entry) => entry.requestId === requestId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ action: 'credential.download', outcome: 'allowed' });
    expect(mine[0].fields).toContain('given_names');
  });

  it('refuses a download for a purpose the clerk does not hold, and audits the refusal', async () => {
    const holder = await createCardPerson(kit.database.db, kit.masterKey);
    const issued = await kit.app.inject({
      method: 'POST',
      url: `/api/persons/${holder.id}/credentials?purpose=enrolment`,
      cookies: { amparo_session: clerk },
      payload: { clientId: randomUUID() },
    });
    const refused = await kit.app.inject({
      url: `/api/credentials/${issued.json().credentialId}/card.png?purpose=appeal`,
      cookies: { amparo_session: clerk },
    });
    expect(refused.statusCode).toBe(403);
    const denied = await kit.database.asAdmin((admin) =>
      admin.selectFrom('audit_entry').select('entry').execute(),
    );
    expect(
      denied
        .map((row) => JSON.parse(row.entry))
        .filter(
          (entry) =>
            entry.requestId === refused.headers['x-request-id'] &&
            entry.action === 'credential.download' &&
            entry.outcome === 'denied',
        ),
    ).toHaveLength(1);
  });
});

describe("the person's access history wording", () => {
  const personActions = actions.filter((action) =>
    /^(person|credential|citizen_code)\./.test(action),
  );

  it.each([
    ['es', es],
    ['en', en],
  ] as const)('has its own %s wording for every action on a person', (_language, dictionary) => {
    const wordings: Record<string, string> = dictionary.history.action;
    const missing = personActions.filter((action) => wordings[action] === undefined);
    expect(missing).toEqual([]);
    expect(wordings['credential.download']).not.toBe(wordings['credential.issue']);
    expect(wordings['credential.download']).not.toBe(wordings['credential.read']);
  });
});
