import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccessTestApp,
  buildAccessTestApp,
  sessionCookieFrom,
} from '../access/access-test-kit.js';
import { decodePng, findQrText } from './card-image.js';
import { type CardPerson, createCardPerson, signedInOperator } from './credentials-test-kit.js';

/**
 * A person's cards as the console lists them (`GET /api/persons/:id/credentials`) and the
 * holder's own card (`GET /api/persons/:id/card.png?purpose=self`): real database, real
 * sign-ins (an operator's TOTP, a citizen's slip code).
 */
describe('a person’s cards', () => {
  let kit: AccessTestApp;
  let clerk: string;
  let supervisor: string;
  let otherRegionClerk: string;
  let person: CardPerson;

  beforeAll(async () => {
    kit = await buildAccessTestApp();
    clerk = await signedInOperator(kit, 'cards.clerk', ['enrolment_clerk']);
    supervisor = await signedInOperator(kit, 'cards.super', ['registry_supervisor']);
    otherRegionClerk = await signedInOperator(kit, 'cards.clerk.b', ['enrolment_clerk'], ['VE-B']);
    person = await createCardPerson(kit.database.db, kit.masterKey);
  });
  afterAll(async () => kit?.close());

  const send = (cookie: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    kit.app.inject({ method, url, cookies: { amparo_session: cookie }, payload });

  async function citizenSession(holder: CardPerson): Promise<string> {
    const slip = await send(clerk, 'POST', '/api/citizen-codes?purpose=self', {
      personId: holder.id,
    });
    expect(slip.statusCode).toBe(201);
    const verify = await kit.app.inject({
      method: 'POST',
      url: '/api/citizen/sign-in/verify',
      payload: { uin: holder.uin, code: slip.json().code },
    });
    expect(verify.statusCode).toBe(200);
    return sessionCookieFrom(verify) ?? '';
  }

  it('lists issued, reissued and revoked cards, newest first, with no personal data', async () => {
    const issue = () =>
      send(clerk, 'POST', `/api/persons/${person.id}/credentials?purpose=enrolment`, {
        clientId: randomUUID(),
      });
    const first = (await issue()).json();
    const second = (await issue()).json();
    expect(second.replacedCredentialId).toBe(first.credentialId);
    const listed = await send(
      clerk,
      'GET',
      `/api/persons/${person.id}/credentials?purpose=enrolment`,
    );
    expect(listed.statusCode).toBe(200);
    expect(listed.headers['cache-control']).toBe('no-store');
    const { credentials, truncated } = listed.json();
    expect(truncated).toBe(false);
    expect(credentials.map((card: { credentialId: string }) => card.credentialId)).toEqual([
      second.credentialId,
      first.credentialId,
    ]);
    expect(credentials[0]).toMatchObject({
      status: 'active',
      revokedAt: null,
      revocationReason: null,
    });
    expect(credentials[1]).toMatchObject({ status: 'revoked', revocationReason: 'reissued' });
    expect(new Date(credentials[1].revokedAt).getTime()).toBeGreaterThan(0);
    expect(credentials[0].kid).toBe(kit.keys.currentIssuerKid);
    expect(listed.body).not.toContain(person.uin);
    expect(listed.body).not.toContain('Pérez');
  });

  it('audits each listing and refuses another region (404) and a missing purpose (403)', async () => {
    const url = `/api/persons/${person.id}/credentials`;
    expect((await send(otherRegionClerk, 'GET', `${url}?purpose=enrolment`)).statusCode).toBe(404);
    expect((await send(clerk, 'GET', url)).statusCode).toBe(403);
    const listed = await send(supervisor, 'GET', `${url}?purpose=appeal`);
    expect(listed.statusCode).toBe(200);
    const requestId = String(listed.headers['x-request-id']);
    const entries = await kit.database.asAdmin((admin) =>
      admin.selectFrom('audit_entry').select('entry').execute(),
    );
    const mine = entries.map((row) => row.entry).filter((text) => text.includes(requestId));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toContain('"person.read"');
    expect(mine[0]).toContain('"appeal"');
  });

  it('gives the holder their own active card, and nobody else', async () => {
    const holder = await createCardPerson(kit.database.db, kit.masterKey);
    const citizen = await citizenSession(holder);
    const none = await send(citizen, 'GET', `/api/persons/${holder.id}/card.png?purpose=self`);
    expect(none.statusCode).toBe(404);
    const issued = (
      await send(clerk, 'POST', `/api/persons/${holder.id}/credentials?purpose=enrolment`, {
        clientId: randomUUID(),
      })
    ).json();
    const own = await send(citizen, 'GET', `/api/persons/${holder.id}/credentials?purpose=self`);
    expect(own.json().credentials[0]).toMatchObject({ credentialId: issued.credentialId });
    const png = await send(citizen, 'GET', `/api/persons/${holder.id}/card.png?purpose=self`);
    expect(png.statusCode).toBe(200);
    expect(findQrText(decodePng(png.rawPayload))).toBe(issued.qrText);
    const pdf = await send(citizen, 'GET', `/api/persons/${holder.id}/card.pdf?purpose=self`);
    expect(pdf.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(
      (await send(citizen, 'GET', `/api/persons/${person.id}/card.png?purpose=self`)).statusCode,
    ).toBe(404);
    expect(
      (await send(clerk, 'GET', `/api/persons/${holder.id}/card.png?purpose=self`)).statusCode,
    ).toBe(403);
    const entries = await kit.database.asAdmin((admin) =>
      admin.selectFrom('audit_entry').select('entry').execute(),
    );
    const reads = entries
      .map((row) => row.entry)
      .filter((text) => text.includes('credential.read') && text.includes(holder.id));
    // Refused once (no card yet: allowed, nothing read), then the PNG and the PDF.
    expect(reads.filter((text) => text.includes('given_names'))).toHaveLength(2);
  });
});
