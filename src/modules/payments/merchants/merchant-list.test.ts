import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccessTestApp, buildAccessTestApp } from '../../access/access-test-kit.js';
import { type SignedIn, signIn } from '../../distribution/distribution-test-kit.js';
import { cashCycle } from '../payments-test-kit.js';
import { registeredMerchant } from './merchant-test-kit.js';

/**
 * The merchant list (`GET /api/payments/merchants`, issue #16 point 5's console): a finance
 * officer or an auditor lists the merchants of the states in their regions, a merchant's staff
 * only its own; paged by name; audited; never the settlement account.
 */
describe('merchant list', () => {
  let kit: AccessTestApp;
  let financeA: SignedIn;
  let financeB: SignedIn;
  let own: { merchantId: string; staff: SignedIn };
  const inA: string[] = [];
  let inB: string;

  const register = async (finance: SignedIn, name: string, stateCode: string) => {
    const merchantId = randomUUID();
    const answer = await kit.app.inject({
      method: 'POST',
      url: '/api/payments/merchants?purpose=distribution',
      cookies: finance.cookies,
      payload: {
        merchantId,
        name,
        stateCode,
        currency: 'USD',
        settlement: { bankCode: '0102', accountNumber: '01020000000000000777', holder: 'person' },
        staffOperatorIds: [],
        subsidies: [],
      },
    });
    expect(answer.statusCode, answer.body).toBe(201);
    return merchantId;
  };
  const list = (who: SignedIn, query: string) =>
    kit.app.inject({ url: `/api/payments/merchants?${query}`, cookies: who.cookies });

  beforeAll(async () => {
    kit = await buildAccessTestApp();
    own = await registeredMerchant(kit, { holder: 'organisation' });
    inA.push(own.merchantId);
    financeA = await signIn(kit, ['finance_officer'], ['VE-A']);
    financeB = await signIn(kit, ['finance_officer'], ['VE-B']);
    for (const name of ['Abasto Central', 'Zapatería Norte', 'Mercal Sur']) {
      inA.push(await register(financeA, name, 'VE-A'));
    }
    inB = await register(financeB, 'Farmacia Oriente', 'VE-B');
  });
  afterAll(async () => kit?.close());

  it('pages the merchants of the caller’s regions by name, each once, and audits each page', async () => {
    const seen: Array<{ merchantId: string; name: string }> = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const query: string = `purpose=distribution&limit=2${after ? `&after=${after}` : ''}`;
      const page = await list(financeA, query);
      expect(page.statusCode, page.body).toBe(200);
      const body = page.json() as { merchants: typeof seen; next: string | null };
      expect(body.merchants.length).toBeLessThanOrEqual(2);
      seen.push(...body.merchants);
      after = body.next;
      pages += 1;
    } while (after !== null && pages < 10);
    expect(pages).toBe(2);
    expect(seen.map((m) => m.merchantId).sort()).toEqual([...inA].sort());
    expect(seen.map((m) => m.name)).toEqual([
      'Abasto Central',
      'Bodega La Esquina',
      'Mercal Sur',
      'Zapatería Norte',
    ]);
    for (const merchant of seen) {
      expect(Object.keys(merchant).sort()).toEqual(
        ['accountId', 'approvedAt', 'currency', 'merchantId', 'name', 'stateCode'].sort(),
      );
    }
    const entries = await kit.database.asAdmin((admin) =>
      admin.selectFrom('audit_entry').select('entry').execute(),
    );
    const reads = entries
      .map(
        (row) =>
          JSON.parse(String(row.entry)) as {
            action: string;
            outcome: string;
            resource: { type: string; id: string | null };
            actor: { id: string };
            fields: string[];
          },
      )
      .filter(
        (entry) =>
          entry.action === 'merchant.read' &&
          entry.resource.id === null &&
          entry.actor.id === financeA.operatorId,
      );
    expect(reads.map((entry) => [entry.outcome, entry.resource.type, entry.fields])).toEqual([
      ['allowed', 'merchant', []],
      ['allowed', 'merchant', []],
    ]);
  });

  it('keeps regions apart, filters by state, and lists a merchant’s staff only its own', async () => {
    const listedB = await list(financeB, 'purpose=distribution');
    expect(listedB.statusCode, listedB.body).toBe(200);
    const b = listedB.json();
    expect(b.merchants.map((m: { merchantId: string }) => m.merchantId)).toEqual([inB]);
    const outside = (await list(financeA, 'purpose=distribution&stateCode=VE-B')).json();
    expect(outside).toEqual({ merchants: [], next: null });
    const staff = (await list(own.staff, 'purpose=distribution')).json();
    expect(staff.merchants.map((m: { merchantId: string }) => m.merchantId)).toEqual([
      own.merchantId,
    ]);
    const auditor = await signIn(kit, ['auditor'], ['VE-B']);
    const audited = (await list(auditor, 'purpose=audit')).json();
    expect(audited.merchants.map((m: { merchantId: string }) => m.merchantId)).toEqual([inB]);
  });

  it('refuses a bad query, a missing purpose and a role without merchant.read', async () => {
    for (const query of [
      'purpose=distribution&limit=0',
      'purpose=distribution&limit=101',
      'purpose=distribution&after=not-a-uuid',
      'purpose=distribution&stateCode=Anzoategui',
      'purpose=distribution&name=x',
    ]) {
      const answer = await list(financeA, query);
      expect([query, answer.statusCode]).toEqual([query, 400]);
      expect(answer.json().code).toBe('AMP_VALIDATION');
    }
    const unknownCursor = await list(financeA, `purpose=distribution&after=${randomUUID()}`);
    expect([unknownCursor.statusCode, unknownCursor.json().code]).toEqual([400, 'AMP_VALIDATION']);
    expect((await list(financeA, '')).statusCode).toBe(403);
    const clerk = await signIn(kit, ['enrolment_clerk'], ['VE-A']);
    expect((await list(clerk, 'purpose=distribution')).statusCode).toBe(403);
  });

  it('registers staff named by username and several subsidising programs chosen by name; refuses a username that is not a merchant operator', async () => {
    const cashier = await signIn(kit, ['merchant'], ['VE-A']);
    const clerk = await signIn(kit, ['enrolment_clerk'], ['VE-A']);
    const usernameOf = async (operatorId: string) =>
      (
        await kit.database.db
          .selectFrom('operator')
          .select('username')
          .where('id', '=', operatorId)
          .executeTakeFirstOrThrow()
      ).username;
    const { programId: first } = await cashCycle(kit.database.db, {
      code: 'sub_uno',
      amountMinor: 1n,
    });
    const { programId: second } = await cashCycle(kit.database.db, {
      code: 'sub_dos',
      amountMinor: 1n,
    });
    const choices = await kit.app.inject({
      url: '/api/payments/merchant-choices?purpose=distribution',
      cookies: financeA.cookies,
    });
    expect(choices.statusCode, choices.body).toBe(200);
    expect(choices.json().programs).toEqual(
      expect.arrayContaining([
        { programId: first, code: 'sub_uno', name: { es: 'Bono', en: 'Bonus' }, currency: 'VES' },
        { programId: second, code: 'sub_dos', name: { es: 'Bono', en: 'Bonus' }, currency: 'VES' },
      ]),
    );
    const byStaff = await kit.app.inject({
      url: '/api/payments/merchant-choices?purpose=distribution',
      cookies: own.staff.cookies,
    });
    expect(byStaff.statusCode).toBe(403);

    const merchantId = randomUUID();
    const registration = (staffUsernames: string[]) =>
      kit.app.inject({
        method: 'POST',
        url: '/api/payments/merchants?purpose=distribution',
        cookies: financeA.cookies,
        payload: {
          merchantId,
          name: 'Abasto Dos Programas',
          stateCode: 'VE-A',
          currency: 'VES',
          settlement: {
            bankCode: '0102',
            accountNumber: '01020000000000000778',
            holder: 'organisation',
          },
          staffOperatorIds: [],
          staffUsernames,
          subsidies: [
            { programId: first, shareBasisPoints: 5_000 },
            { programId: second, shareBasisPoints: 1_250 },
          ],
        },
      });
    const cashierName = await usernameOf(cashier.operatorId);
    const refused = await registration([
      cashierName,
      'nadie.aqui',
      await usernameOf(clerk.operatorId),
    ]);
    expect([refused.statusCode, refused.json().code]).toEqual([400, 'AMP_VALIDATION']);
    expect(refused.json().errors).toEqual([
      { field: '/staffUsernames/1', reason: 'no operator has this username' },
      {
        field: '/staffUsernames/2',
        reason: 'this operator does not hold the role merchant (or is disabled)',
      },
    ]);
    expect(
      await kit.database.db
        .selectFrom('merchant')
        .select('id')
        .where('id', '=', merchantId)
        .execute(),
    ).toEqual([]);

    const registered = await registration([cashierName.toUpperCase()]);
    expect(registered.statusCode, registered.body).toBe(201);
    const subsidies = await kit.database.db
      .selectFrom('merchant_subsidy')
      .select(['program_id', 'share_basis_points'])
      .where('merchant_id', '=', merchantId)
      .orderBy('share_basis_points', 'desc')
      .execute();
    expect(subsidies).toEqual([
      { program_id: first, share_basis_points: 5_000 },
      { program_id: second, share_basis_points: 1_250 },
    ]);
    const mine = await kit.app.inject({
      url: '/api/payments/merchants/mine',
      cookies: cashier.cookies,
    });
    expect(mine.json().merchants).toEqual([expect.objectContaining({ merchantId })]);
  });
});
