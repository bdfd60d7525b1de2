import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCbor, encodeCbor } from '../../shared/claim169/cbor.js';
import { type AccessTestApp, buildAccessTestApp } from '../access/access-test-kit.js';
import { decodePng, findQrText } from './card-image.js';
import { credentialIdFromText } from './card-payload.js';
import { signedPayloadOf } from './card-test-kit.js';
import { type CardPerson, createCardPerson, signedInOperator } from './credentials-test-kit.js';
import { RevocationState, verifyRevocationList } from './revocation-list.js';
import { type TrustedKeys, trustedKeysFromList, verifyTrustList } from './trust-list.js';
import { judgeCredential } from './verdict.js';

/**
 * Issuance, printing, revocation and the published lists end to end: real database, real
 * sign-in, and a verifier that knows only the published lists and the trust-list anchor.
 */
describe('credentials API', () => {
  let kit: AccessTestApp;
  let clerk: string;
  let supervisor: string;
  let otherRegionClerk: string;
  let auditor: string;
  let person: CardPerson;
  let trusted: TrustedKeys;

  beforeAll(async () => {
    kit = await buildAccessTestApp();
    clerk = await signedInOperator(kit, 'clerk.a', ['enrolment_clerk']);
    supervisor = await signedInOperator(kit, 'super.a', ['registry_supervisor']);
    otherRegionClerk = await signedInOperator(kit, 'clerk.b', ['enrolment_clerk'], ['VE-B']);
    auditor = await signedInOperator(kit, 'auditor.a', ['auditor']);
    person = await createCardPerson(kit.database.db, kit.masterKey);
    const list = await kit.app.inject({ url: '/api/credentials/trust-list' });
    expect(list.statusCode).toBe(200);
    trusted = trustedKeysFromList(verifyTrustList(list.body, kit.keys.trustListSigning.publicKey));
  });
  afterAll(async () => kit?.close());

  const issue = (
    cookie: string,
    personId: string,
    clientId: string,
    query = '?purpose=enrolment',
  ) =>
    kit.app.inject({
      method: 'POST',
      url: `/api/persons/${personId}/credentials${query}`,
      cookies: { amparo_session: cookie },
      payload: { clientId },
    });
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  async function fullRevocations(): Promise<RevocationState> {
    const response = await kit.app.inject({ url: '/api/credentials/revocation-list' });
    expect(response.statusCode).toBe(200);
    return new RevocationState(
      verifyRevocationList(response.body, kit.keys.trustListSigning.publicKey),
    );
  }

  it('issues a card whose printed QR verifies against the published trust list', async () => {
    const issued = await issue(clerk, person.id, randomUUID());
    expect(issued.statusCode).toBe(201);
    const { credentialId, qrText, replacedCredentialId } = issued.json();
    expect(credentialId).toMatch(/^[0-9a-f]{32}$/);
    expect(replacedCredentialId).toBeNull();
    const png = await kit.app.inject({
      url: `/api/credentials/${credentialId}/card.png?purpose=enrolment`,
      cookies: { amparo_session: clerk },
    });
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    const text = findQrText(decodePng(png.rawPayload));
    expect(text).toBe(qrText);
    const verdict = await judgeCredential(text, {
      trusted,
      revocations: await fullRevocations(),
      now: nowSeconds(),
    });
    expect(verdict.status).toBe('valid');
    expect(verdict.fields).toMatchObject({
      uin: person.uin,
      fullName: person.fullName,
      dateOfBirth: '19880102',
      sex: 'female',
    });
    const pdf = await kit.app.inject({
      url: `/api/credentials/${credentialId}/card.pdf?purpose=enrolment`,
      cookies: { amparo_session: clerk },
    });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('answers a retry with the same client id with the same card, issuing nothing new', async () => {
    const clientId = randomUUID();
    const other = await createCardPerson(kit.database.db, kit.masterKey);
    const first = await issue(clerk, other.id, clientId);
    const retry = await issue(clerk, other.id, clientId);
    expect(retry.statusCode).toBe(201);
    expect(retry.json()).toEqual(first.json());
    const rows = await kit.database.db
      .selectFrom('credential')
      .select('id')
      .where('person_id', '=', other.id)
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('keeps a card’s cti to print it again, and prints a card issued without one as it was', async () => {
    const holder = await createCardPerson(kit.database.db, kit.masterKey);
    const issued = (await issue(clerk, holder.id, randomUUID())).json();
    const stored = await kit.database.db
      .selectFrom('credential')
      .select('cwt_id')
      .where('id', '=', Buffer.from(issued.credentialId, 'hex'))
      .executeTakeFirstOrThrow();
    const claims = decodeCbor(signedPayloadOf(issued.qrText)) as Map<number, unknown>;
    expect(stored.cwt_id?.toString('hex')).toBe(
      Buffer.from(claims.get(7) as Uint8Array).toString('hex'),
    );
    // A card issued before migration 0141: the same claims without the cti, its id their hash.
    claims.delete(7);
    const olderId = createHash('sha256').update(encodeCbor(claims)).digest().subarray(0, 16);
    await kit.database.asAdmin((admin) =>
      sql`update credential set id = ${olderId}, cwt_id = null
        where id = ${Buffer.from(issued.credentialId, 'hex')}`.execute(admin),
    );
    const png = await kit.app.inject({
      url: `/api/credentials/${olderId.toString('hex')}/card.png?purpose=enrolment`,
      cookies: { amparo_session: clerk },
    });
    expect(png.statusCode, png.body).toBe(200);
    const text = findQrText(decodePng(png.rawPayload)) ?? '';
    expect(Buffer.from(await credentialIdFromText(text)).toString('hex')).toBe(
      olderId.toString('hex'),
    );
    expect((decodeCbor(signedPayloadOf(text)) as Map<number, unknown>).has(7)).toBe(false);
    const verdict = await judgeCredential(text, { trusted, now: nowSeconds() });
    expect(verdict.status).toBe('valid');
  });

  it('revokes the previous card on reissue; the verifier refuses it with the full list', async () => {
    const before = (await issue(clerk, person.id, randomUUID())).json();
    const reissued = await issue(supervisor, person.id, randomUUID());
    expect(reissued.statusCode).toBe(201);
    expect(reissued.json().replacedCredentialId).toBe(before.credentialId);
    const revocations = await fullRevocations();
    const context = { trusted, revocations, now: nowSeconds() };
    const old = await judgeCredential(before.qrText, context);
    expect(old).toMatchObject({ status: 'revoked', revocationReason: 'reissued' });
    expect((await judgeCredential(reissued.json().qrText, context)).status).toBe('valid');
    const active = await kit.database.db
      .selectFrom('credential')
      .select('id')
      .where('person_id', '=', person.id)
      .where('status', '=', 'active')
      .execute();
    expect(active.map((row) => row.id.toString('hex'))).toEqual([reissued.json().credentialId]);
  });

  it('lets a supervisor revoke a card, which a verifier holding base + delta refuses', async () => {
    const holder = await createCardPerson(kit.database.db, kit.masterKey);
    const card = (await issue(clerk, holder.id, randomUUID())).json();
    const base = await fullRevocations();
    const unchanged = await kit.app.inject({
      url: `/api/credentials/revocation-list?since=${base.version}`,
    });
    expect(unchanged.statusCode).toBe(204);
    const refused = await kit.app.inject({
      method: 'POST',
      url: `/api/credentials/${card.credentialId}/revoke?purpose=enrolment`,
      cookies: { amparo_session: clerk },
      payload: { reason: 'lost' },
    });
    expect(refused.statusCode).toBe(403);
    const revoked = await kit.app.inject({
      method: 'POST',
      url: `/api/credentials/${card.credentialId}/revoke?purpose=enrolment`,
      cookies: { amparo_session: supervisor },
      payload: { reason: 'lost' },
    });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revocationListVersion).toBe(base.version + 1);
    expect(
      (await judgeCredential(card.qrText, { trusted, revocations: base, now: nowSeconds() }))
        .status,
    ).toBe('valid');
    const delta = await kit.app.inject({
      url: `/api/credentials/revocation-list?since=${base.version}`,
    });
    expect(delta.statusCode).toBe(200);
    const parsed = verifyRevocationList(delta.body, kit.keys.trustListSigning.publicKey);
    expect(parsed).toMatchObject({ kind: 'delta', baseVersion: base.version });
    expect(parsed.entries).toHaveLength(1);
    base.apply(parsed);
    const verdict = await judgeCredential(card.qrText, {
      trusted,
      revocations: base,
      now: nowSeconds(),
    });
    expect(verdict).toMatchObject({ status: 'revoked', revocationReason: 'lost' });
    const again = await kit.app.inject({
      method: 'POST',
      url: `/api/credentials/${card.credentialId}/revoke?purpose=enrolment`,
      cookies: { amparo_session: supervisor },
      payload: { reason: 'stolen' },
    });
    expect(again.statusCode).toBe(409);
    const reprint = await kit.app.inject({
      url: `/api/credentials/${card.credentialId}/card.png?purpose=enrolment`,
      cookies: { amparo_session: clerk },
    });
    expect(reprint.statusCode).toBe(409);
  });

  it('revokes a card when the holder is recorded deceased, in the same write', async () => {
    const holder = await createCardPerson(kit.database.db, kit.masterKey);
    const issued = await issue(clerk, holder.id, randomUUID());
    expect(issued.statusCode).toBe(201);
    const credentialId = Uint8Array.from(Buffer.from(issued.json().credentialId, 'hex'));
    expect((await fullRevocations()).reasonFor(credentialId)).toBeUndefined();
    const death = await kit.app.inject({
      method: 'POST',
      url: `/api/persons/${holder.id}/death?purpose=enrolment`,
      cookies: { amparo_session: supervisor },
      payload: { clientId: randomUUID(), dateOfDeath: '2026-01-02' },
    });
    expect(death.statusCode).toBe(200);
    expect((await fullRevocations()).reasonFor(credentialId)).toBe('deceased');
  });

  it('refuses a wrong role (403), another region (404), a missing purpose (403), a deceased person (409)', async () => {
    expect((await issue(auditor, person.id, randomUUID())).statusCode).toBe(403);
    const outside = await issue(otherRegionClerk, person.id, randomUUID());
    expect(outside.statusCode).toBe(404);
    expect(outside.body).not.toContain(person.uin);
    expect((await issue(clerk, person.id, randomUUID(), '')).statusCode).toBe(403);
    expect((await issue(clerk, person.id, randomUUID(), '?purpose=distribution')).statusCode).toBe(
      403,
    );
    const deceased = await createCardPerson(kit.database.db, kit.masterKey);
    await kit.database.asAdmin((admin) =>
      admin
        .updateTable('person')
        .set({ status: 'deceased' })
        .where('id', '=', deceased.id)
        .execute(),
    );
    const dead = await issue(clerk, deceased.id, randomUUID());
    expect(dead.statusCode).toBe(409);
    const unauthenticated = await kit.app.inject({
      method: 'POST',
      url: `/api/persons/${person.id}/credentials?purpose=enrolment`,
      payload: { clientId: randomUUID() },
    });
    expect(unauthenticated.statusCode).toBe(401);
  });

  it('audits issuance with the card attributes, in the same transaction as the credential', async () => {
    const holder = await createCardPerson(kit.database.db, kit.masterKey);
    await issue(clerk, holder.id, randomUUID());
    const entries = await kit.database.asAdmin((admin) =>
      admin.selectFrom('audit_entry').select('entry').execute(),
    );
    const texts = entries.map((row) => row.entry);
    const issuance = texts.filter(
      (text) =>
        text.includes('credential.issue') && text.includes(holder.id) && text.includes('allowed'),
    );
    expect(issuance).toHaveLength(1);
    expect(issuance[0]).toContain('given_names');
  });
});
