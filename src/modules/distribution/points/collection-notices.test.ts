import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPerson } from '../../../../test/factories.js';
import type { AuditEntryInput } from '../../../shared/audit/audit-entry.js';
import { type AccessTestApp, buildAccessTestApp } from '../../access/access-test-kit.js';
import { AuditLog } from '../../audit/index.js';
import { listStates } from '../../geography/index.js';
import {
  localDate,
  personNotifier,
  renderText,
  resolveDeferredNotices,
} from '../../notifications/index.js';
import { personAreas, textContacts } from '../../registry/index.js';
import {
  inKindProgramWithCycle,
  type SignedIn,
  signIn,
  signInSupervisor,
} from '../distribution-test-kit.js';
import { receiptReference } from '../redemption/redemption-notice.js';
import { stockDelivered } from '../stock/stock-test-kit.js';
import { collectionNotices, placeText } from './collection-notices.js';

interface Queued {
  person_id: string | null;
  template_id: string;
  parameters: Record<string, string>;
}

/**
 * Texts that distribution causes (issue 14, point 6), through the composed app: a published
 * cycle tells each holder where to collect (the open point serving the program in their
 * municipality, else their state, else the office), naming the program only when its version
 * opted in; a redemption
 * texts its receipt's reference in the redemption's commit, never the items.
 */
describe('collection and receipt texts', () => {
  let kit: AccessTestApp;
  let supervisor: SignedIn;
  let publisher: SignedIn;
  let operator: SignedIn;
  const people: Record<'near' | 'inState' | 'silent', string> = {
    near: '',
    inState: '',
    silent: '',
  };
  let fuel: { programId: string; cycleId: string };
  let soap: { programId: string; cycleId: string };
  let nearPoint: string;

  const person = async (municipality: string, phone: string | null) =>
    (
      await buildPerson(kit, {
        region: 'VE-M',
        phone,
        attributes: {
          given_names: 'Ana',
          first_surname: 'Rivas',
          sex: 'F',
          birth_date: '1980-03-04',
          state_code: 'VE-M',
          municipality_code: municipality,
        },
      })
    ).id;

  const point = async (
    code: string,
    name: string,
    municipalityCode: string,
    programs: string[],
  ) => {
    const created = await kit.app.inject({
      method: 'POST',
      url: '/api/distribution/points?purpose=distribution',
      cookies: supervisor.cookies,
      payload: { code, name, kind: 'kiosk', regionCode: 'VE-M', municipalityCode },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { pointId } = created.json() as { pointId: string };
    const changed = await kit.app.inject({
      method: 'POST',
      url: `/api/distribution/points/${pointId}/changes?purpose=distribution`,
      cookies: supervisor.cookies,
      payload: { addOperators: [operator.operatorId], addPrograms: programs },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    return pointId;
  };

  const publish = async (cycleId: string) => {
    const response = await kit.app.inject({
      method: 'POST',
      url: `/api/program-cycles/${cycleId}/publish?purpose=eligibility_review`,
      cookies: publisher.cookies,
      payload: {},
    });
    expect(response.statusCode, response.body).toBe(200);
  };

  const queued = async (templatePrefix: string): Promise<Queued[]> =>
    kit.database.db
      .selectFrom('notification_outbox')
      .select(['person_id', 'template_id', 'parameters'])
      .where('template_id', 'like', `${templatePrefix}%`)
      .orderBy('created_at')
      .execute();

  beforeAll(async () => {
    kit = await buildAccessTestApp({ rateLimitRequestsMax: 100_000 });
    supervisor = await signInSupervisor(kit, ['VE-M']);
    operator = await signIn(kit, ['distribution_operator'], ['VE-M']);
    // The programs are national: publishing one takes every state.
    const states = listStates().map((state) => state.code);
    publisher = await signIn(kit, ['program_officer'], states);
    people.near = await person('VE-M-02', '+584125550401');
    people.inState = await person('VE-M-07', '+584125550402');
    people.silent = await person('VE-M-02', null);
    const basket = [{ item: 'fuel_litre', quantity: 20, unit: 'litre' }];
    fuel = await inKindProgramWithCycle(kit, {
      code: 'fuel_m',
      regionCode: 'VE-M',
      basket,
      unpublished: true,
    });
    soap = await inKindProgramWithCycle(kit, {
      code: 'soap_m',
      regionCode: 'VE-M',
      basket,
      unpublished: true,
    });
    // By code, "a-…" comes first in the state; the municipality's own point beats it.
    await point('a-sucre', 'Mercado Sucre', 'VE-M-05', [fuel.programId]);
    nearPoint = await point('b-bolivar', 'Escuela Bolívar #2', 'VE-M-02', [fuel.programId]);
  }, 240_000);
  afterAll(async () => kit?.close());

  it('tells each holder the nearest open point serving the program, in the publication', async () => {
    await publish(fuel.cycleId);
    const today = localDate(kit.now());
    const texts = await queued('programs.entitlement_published');
    expect(texts.map((row) => [row.person_id, row.template_id, row.parameters])).toEqual(
      expect.arrayContaining([
        [
          people.near,
          'programs.entitlement_published',
          { place: 'Escuela Bolívar 2', date: today },
        ],
        [people.inState, 'programs.entitlement_published', { place: 'Mercado Sucre', date: today }],
      ]),
    );
    expect(texts).toHaveLength(2);
    // Nothing names the program or the benefit (no program opted into being named).
    for (const row of texts) {
      for (const language of ['es', 'en'] as const) {
        const text = renderText(row.template_id, language, row.parameters);
        expect(text).not.toMatch(/fuel|Programa|Program |litre/i);
      }
    }
  });

  it('sends to the office where no open point serves the program', async () => {
    await publish(soap.cycleId);
    const office = await queued('programs.entitlement_published_office');
    expect(office.map((row) => row.person_id).sort()).toEqual([people.near, people.inState].sort());
    expect(office[0]?.parameters).toEqual({ date: localDate(kit.now()) });
  });

  it('pages through a large cycle: every holder once, whatever the page size', async () => {
    const notifier = personNotifier({
      masterKey: kit.masterKey,
      contacts: textContacts(kit.masterKey, { appendInTransaction: async () => undefined }),
    });
    const handler = collectionNotices({ notifier, areas: personAreas(), pageSizeMax: 1 });
    const before = (await queued('programs.entitlement_published')).filter(
      (row) => row.template_id === 'programs.entitlement_published',
    ).length;
    await expect(
      kit.database.db.transaction().execute(async (trx) => {
        await handler(trx, { id: fuel.cycleId, programId: fuel.programId });
        const inside = await trx
          .selectFrom('notification_outbox')
          .select('person_id')
          .where('template_id', '=', 'programs.entitlement_published')
          .execute();
        // Three holders, one a page: the two with a phone are told once more, nobody twice.
        expect(inside.length - before).toBe(2);
        expect(new Set(inside.map((row) => row.person_id)).size).toBe(2);
        throw new Error('rolled back on purpose');
      }),
    ).rejects.toThrow(/on purpose/);
  });

  it('names the program only when its version opted in, each person in their language (issue 14, point 4)', async () => {
    const spanish = await person('VE-M-03', '+584125550403');
    const english = (
      await buildPerson(kit, {
        region: 'VE-M',
        phone: '+584125550404',
        attributes: {
          given_names: 'John',
          first_surname: 'Reed',
          sex: 'M',
          birth_date: '1979-05-06',
          state_code: 'VE-M',
          municipality_code: 'VE-M-03',
          preferred_language: 'en',
        },
      })
    ).id;
    const basket = [{ item: 'lamp_oil', quantity: 1, unit: 'litre' }];
    const named = await inKindProgramWithCycle(kit, {
      code: 'lamp',
      regionCode: 'VE-M',
      basket,
      nameInTexts: true,
      unpublished: true,
    });
    const plain = await inKindProgramWithCycle(kit, {
      code: 'candle',
      regionCode: 'VE-M',
      basket,
      unpublished: true,
    });
    await point('c-plaza', 'Plaza Miranda', 'VE-M-03', [named.programId, plain.programId]);
    const ours = async () =>
      (await queued('programs.entitlement_published')).filter(
        (row) => row.person_id === spanish || row.person_id === english,
      );
    const today = localDate(kit.now());

    await publish(named.cycleId);
    const namedTexts = await ours();
    expect(namedTexts.map((row) => [row.person_id, row.template_id, row.parameters])).toEqual(
      expect.arrayContaining([
        [
          spanish,
          'programs.entitlement_published_named',
          { program: 'Programa lamp', place: 'Plaza Miranda', date: today },
        ],
        [
          english,
          'programs.entitlement_published_named',
          { program: 'Program lamp', place: 'Plaza Miranda', date: today },
        ],
      ]),
    );
    expect(namedTexts).toHaveLength(2);

    // The same benefit from a program that did not opt in: nothing names it, in any language.
    await publish(plain.cycleId);
    const plainTexts = (await ours()).slice(2);
    expect(plainTexts.map((row) => row.template_id)).toEqual([
      'programs.entitlement_published',
      'programs.entitlement_published',
    ]);
    for (const row of plainTexts) {
      expect(row.parameters).toEqual({ place: 'Plaza Miranda', date: today });
      for (const language of ['es', 'en'] as const) {
        expect(renderText(row.template_id, language, row.parameters)).not.toMatch(
          /candle|lamp|Programa|Program /i,
        );
      }
    }
  });

  it('texts the receipt reference of a redemption in its commit, never the items', async () => {
    const issuer = await signIn(kit, ['registry_supervisor'], ['VE-M']);
    const issued = await kit.app.inject({
      method: 'POST',
      url: `/api/persons/${people.near}/credentials?purpose=enrolment`,
      cookies: issuer.cookies,
      payload: { clientId: randomUUID() },
    });
    expect(issued.statusCode, issued.body).toBe(201);
    const { qrText } = issued.json() as { qrText: string };
    const post = (path: string, payload: object) =>
      kit.app.inject({
        method: 'POST',
        url: `/api/distribution/points/${nearPoint}/${path}?purpose=distribution`,
        cookies: operator.cookies,
        payload,
      });
    await stockDelivered(kit, operator, nearPoint, { item: 'fuel_litre', quantity: 100 });
    const lookup = await post('entitlement-lookups', { qrText });
    const [entitlement] = (lookup.json() as { entitlements: { entitlementId: string }[] })
      .entitlements;
    const body = {
      clientId: randomUUID(),
      qrText,
      entitlementId: entitlement?.entitlementId,
      lines: [{ item: 'fuel_litre', quantity: 5 }],
    };
    const redeemed = await post('redemptions', body);
    expect(redeemed.statusCode, redeemed.body).toBe(201);
    const { receipt } = redeemed.json() as { receipt: { receiptId: string; redeemedAt: string } };
    // A retry is the same redemption: one text. It is kept with the redemption and queued
    // when the outbox worker reads the phone (`notifyLater`).
    expect((await post('redemptions', body)).statusCode).toBe(201);
    expect(await queued('distribution.redemption_receipt')).toEqual([]);
    // The worker's read of the phone is audited: one statement for the batch's entries, in
    // the person's access history (the cycle's published texts before it read it too).
    const auditor = await signIn(kit, ['auditor'], ['VE-M']);
    const contactReads = async () => {
      const history = await kit.app.inject({
        url: `/api/persons/${people.near}/access-history?purpose=audit`,
        cookies: auditor.cookies,
      });
      expect(history.statusCode, history.body).toBe(200);
      return (history.json() as { entries: Record<string, unknown>[] }).entries.filter(
        (line) => line.action === 'person.contact_read',
      );
    };
    const readsBefore = await contactReads();
    const auditLog = await AuditLog.open({ db: kit.database.db, keys: kit.keys });
    const batches: (readonly AuditEntryInput[])[] = [];
    const contacts = textContacts(kit.masterKey, {
      appendInTransaction: (trx, entries) => {
        batches.push(entries);
        return auditLog.appendInTransaction(trx, entries);
      },
    });
    try {
      await resolveDeferredNotices(
        { db: kit.database.db, masterKey: kit.masterKey, contacts },
        kit.now(),
        100,
      );
    } finally {
      await auditLog.close();
    }
    expect(batches.map((entries) => entries.map((entry) => entry.resource.id))).toEqual([
      [people.near],
    ]);
    const [read, ...earlier] = await contactReads();
    // Inclusion proofs change as the log grows: the entries are compared by leaf.
    const leaves = (lines: Record<string, unknown>[]) => lines.map((line) => line.leafIndex);
    expect(leaves(earlier)).toEqual(leaves(readsBefore));
    expect(read).toMatchObject({
      actorKind: 'system',
      role: 'system',
      purpose: 'notification',
      outcome: 'allowed',
    });
    const receipts = await queued('distribution.redemption_receipt');
    expect(receipts).toEqual([
      {
        person_id: people.near,
        template_id: 'distribution.redemption_receipt',
        parameters: {
          place: 'Escuela Bolívar 2',
          date: localDate(new Date(receipt.redeemedAt)),
          reference: receiptReference(receipt.receiptId),
        },
      },
    ]);
    expect(receiptReference(receipt.receiptId)).toBe(
      `R-${receipt.receiptId.slice(0, 8).toUpperCase()}`,
    );
    const text = renderText('distribution.redemption_receipt', 'es', receipts[0]?.parameters ?? {});
    expect(text).not.toMatch(/fuel|litre|\b5\b/);
  });

  it('keeps a place to what a text may carry', () => {
    expect(placeText('Escuela Bolívar #2')).toBe('Escuela Bolívar 2');
    expect(placeText('Centro de Salud "La Esperanza" / Módulo Norte — Sector 4')).toBe(
      'Centro de Salud La Esperanza Módulo',
    );
    expect(placeText('x'.repeat(50))).toBe('x'.repeat(40));
    expect(placeText('###')).toBeUndefined();
  });
});
