import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPerson } from '../../../../test/factories.js';
import { type AccessTestApp, buildAccessTestApp } from '../../access/access-test-kit.js';
import { type SignedIn, signIn } from '../../distribution/distribution-test-kit.js';
import { cashCycle, openCashEntitlements } from '../payments-test-kit.js';
import { debtorFor } from './paying-account.js';
import { payableCashCycle, routeTestPayee, storedPayeesForTest } from './payout-test-kit.js';

/**
 * The agency's paying (debtor) account stored once (migration 0129): per program for its payout
 * batches, per currency for the merchant settlement; set by a finance officer, each change a new
 * version and audited; a batch or settlement naming no debtor pays from it, one naming another
 * is refused, and none stored is refused too — also when the request names a debtor of its own
 * (a file always debits the stored account; nothing is made).
 */
describe('the stored paying account', () => {
  let kit: AccessTestApp;
  let finance: SignedIn;
  let auditor: SignedIn;
  let programId: string;
  let entitlementId: string;
  const stored = { name: 'Programa Bono Tesoro', accountNumber: '01020123456789012345' };

  beforeAll(async () => {
    kit = await buildAccessTestApp();
    finance = await signIn(kit, ['finance_officer'], ['VE-A']);
    auditor = await signIn(kit, ['auditor'], ['VE-A']);
    const personId = (await buildPerson(kit, { phone: null })).id;
    const cycle = await payableCashCycle(kit, {
      code: 'bono_pagadora',
      amountMinor: 40_00n,
      fundedMinor: 500_00n,
      payees: [{ personId, payee: routeTestPayee }],
    });
    programId = cycle.programId;
    entitlementId = cycle.entitlements[0]?.entitlementId ?? '';
  });
  afterAll(async () => kit?.close());

  const programUrl = () =>
    `/api/payments/programs/${programId}/paying-account?purpose=distribution`;
  const put = (url: string, payload: Record<string, unknown>, by = finance) =>
    kit.app.inject({ method: 'POST', url, payload, cookies: by.cookies });
  const get = (url: string, by = finance) =>
    kit.app.inject({ method: 'GET', url, cookies: by.cookies });
  const batch = (debtor?: Record<string, string>) =>
    kit.app.inject({
      method: 'POST',
      url: '/api/payouts/batches?purpose=distribution',
      cookies: finance.cookies,
      payload: {
        clientId: randomUUID(),
        programId,
        currency: 'VES',
        requestedExecutionDate: '2026-12-07',
        ...(debtor ? { debtor } : {}),
        instructions: [
          { referenceKind: 'entitlement', referenceId: entitlementId, amountMinor: '4000' },
        ],
      },
    });
  const auditedSets = async () =>
    (
      await kit.database.db
        .selectFrom('audit_entry')
        .select('entry')
        .where('entry', 'like', '%payment.paying_account_set%')
        .execute()
    ).map((row) => JSON.parse(row.entry) as { outcome: string; resource: { id: string } });

  it("a program's batch pays from the account stored once, refuses another, and none stored", async () => {
    const none = await get(programUrl());
    expect(none.statusCode, none.body).toBe(200);
    expect(none.json()).toEqual({ current: null, history: [] });
    const refused = await batch();
    expect([refused.statusCode, refused.json().code]).toEqual([409, 'AMP_PAYING_ACCOUNT_REQUIRED']);
    // A debtor of its own while none is stored: refused the same way, nothing made.
    const named = await batch({
      name: 'Otra cuenta',
      accountNumber: '01050000000000000009',
      bankCode: '0105',
    });
    expect([named.statusCode, named.json().code]).toEqual([409, 'AMP_PAYING_ACCOUNT_REQUIRED']);
    const batches = await kit.database.db
      .selectFrom('payout_batch')
      .select('id')
      .where('program_id', '=', programId)
      .execute();
    expect(batches).toEqual([]);

    // A bank code that is not the account's first four digits: the bank would refuse the file.
    const wrongBank = await put(programUrl(), { ...stored, bankCode: '0134', expectedVersion: 0 });
    expect([wrongBank.statusCode, wrongBank.json().code]).toEqual([
      422,
      'AMP_PAYEE_ACCOUNT_INVALID',
    ]);
    // The auditor reads it but may not set it.
    const byAuditor = await put(programUrl(), { ...stored, expectedVersion: 0 }, auditor);
    expect(byAuditor.statusCode).toBe(403);

    const set = await put(programUrl(), { ...stored, expectedVersion: 0 });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({
      ...stored,
      bankCode: '0102',
      version: 1,
      setBy: finance.operatorId,
    });
    const audited = await auditedSets();
    expect(audited.filter((entry) => entry.outcome === 'allowed')).toEqual([
      expect.objectContaining({ resource: expect.objectContaining({ id: programId }) }),
    ]);
    // Read before a change by another officer: the stale version is refused, nothing stored.
    const stale = await put(programUrl(), { ...stored, name: 'Otro', expectedVersion: 0 });
    expect([stale.statusCode, stale.json().code]).toEqual([409, 'AMP_CONFLICT']);

    const other = await batch({ name: 'Otra cuenta', accountNumber: '01050000000000000009' });
    expect([other.statusCode, other.json().code]).toEqual([409, 'AMP_PAYING_ACCOUNT_MISMATCH']);
    const made = await batch();
    expect(made.statusCode, made.body).toBe(201);
    const row = await kit.database.db
      .selectFrom('payout_batch')
      .select(['debtor_name', 'debtor_account', 'debtor_bank_code'])
      .where('id', '=', made.json().id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      debtor_name: stored.name,
      debtor_account: stored.accountNumber,
      debtor_bank_code: '0102',
    });

    const changed = await put(programUrl(), {
      name: 'Programa Bono Nuevo',
      accountNumber: '01340000000000000077',
      expectedVersion: 1,
    });
    expect(changed.statusCode, changed.body).toBe(200);
    const read = await get(programUrl().replace('distribution', 'audit'), auditor);
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json().current).toMatchObject({ version: 2, bankCode: '0134' });
    expect(read.json().history.map((item: { version: number }) => item.version)).toEqual([2, 1]);
  });

  it('two officers saving at once from the same version: one is stored, the other 409', async () => {
    const cycle = await cashCycle(kit.database.db, { code: 'bono_a_la_vez', amountMinor: 10_00n });
    const url = `/api/payments/programs/${cycle.programId}/paying-account?purpose=distribution`;
    // On PostgreSQL both read version 0 and the unique version refuses the second insert; on
    // PGlite they run one after the other and the second reads version 1: 409 either way.
    const answers = await Promise.all(
      ['Cuenta Uno', 'Cuenta Dos', 'Cuenta Tres'].map((name) =>
        put(url, { ...stored, name, expectedVersion: 0 }),
      ),
    );
    const outcomes = answers.map((answer) => `${answer.statusCode} ${answer.json().code ?? ''}`);
    expect(outcomes.sort(), answers.map((answer) => answer.body).join('\n')).toEqual([
      '200 ',
      '409 AMP_CONFLICT',
      '409 AMP_CONFLICT',
    ]);
    const read = await get(url);
    expect(read.json().history).toHaveLength(1);
  });

  it('a program id typed in capitals names the same program', async () => {
    const cycle = await cashCycle(kit.database.db, {
      code: 'bono_mayusculas',
      amountMinor: 10_00n,
    });
    const upper = `/api/payments/programs/${cycle.programId.toUpperCase()}/paying-account?purpose=distribution`;
    const set = await put(upper, { ...stored, expectedVersion: 0 });
    expect(set.statusCode, set.body).toBe(200);
    const lower = await get(
      `/api/payments/programs/${cycle.programId}/paying-account?purpose=distribution`,
    );
    expect(lower.json().current).toMatchObject({ ...stored, version: 1 });
    const again = await get(upper);
    expect(again.json().current).toMatchObject({ version: 1 });
    // A batch naming its program in capitals is held to the stored account as well.
    const other = { name: 'Otra cuenta', accountNumber: '01050000000000000009' };
    await expect(
      debtorFor(kit.database.db, { scope: 'program', key: cycle.programId.toUpperCase() }, other),
    ).rejects.toMatchObject({ code: 'AMP_PAYING_ACCOUNT_MISMATCH' });
  });

  it('a batch naming another debtor is refused before any payee account is opened', async () => {
    const personId = (await buildPerson(kit, { phone: null })).id;
    const cycle = await cashCycle(kit.database.db, { code: 'bono_sin_abrir', amountMinor: 10_00n });
    const entitlement = (await openCashEntitlements(kit.database.db, cycle.cycleId)).find(
      (item) => item.personId === personId,
    );
    await storedPayeesForTest({ db: kit.database.db, masterKey: kit.masterKey }, [
      {
        personId,
        payee: {
          holderName: 'Luis Mora',
          account: { kind: 'bank_account', accountNumber: '01340000000000000002' },
          bank: { bankCode: '0134' },
        },
      },
    ]);
    // A tripwire: the person's newest payee account does not open (its box is bound to another
    // row's id), so a batch that opened it would fail on it.
    const row = await kit.database.db
      .selectFrom('payee_account')
      .selectAll()
      .where('person_id', '=', personId)
      .executeTakeFirstOrThrow();
    await kit.database.db
      .insertInto('payee_account')
      .values({
        ...row,
        id: randomUUID(),
        check_id: randomUUID(),
        set_at: new Date(row.set_at.getTime() + 1_000),
      })
      .execute();
    const url = `/api/payments/programs/${cycle.programId}/paying-account?purpose=distribution`;
    expect((await put(url, { ...stored, expectedVersion: 0 })).statusCode).toBe(200);
    const refused = await kit.app.inject({
      method: 'POST',
      url: '/api/payouts/batches?purpose=distribution',
      cookies: finance.cookies,
      payload: {
        clientId: randomUUID(),
        programId: cycle.programId,
        currency: 'VES',
        requestedExecutionDate: '2026-12-07',
        debtor: { name: 'Otra cuenta', accountNumber: '01050000000000000009' },
        instructions: [
          {
            referenceKind: 'entitlement',
            referenceId: entitlement?.entitlementId ?? '',
            amountMinor: '1000',
          },
        ],
      },
    });
    expect([refused.statusCode, refused.json().code], refused.body).toEqual([
      409,
      'AMP_PAYING_ACCOUNT_MISMATCH',
    ]);
  });

  it("the merchants' settlement of a currency pays from its stored account", async () => {
    const url = '/api/payments/merchant-settlements/paying-accounts/USD?purpose=distribution';
    const settle = (settlementDate: string, debtor?: Record<string, string>) =>
      kit.app.inject({
        method: 'POST',
        url: '/api/payments/merchant-settlements?purpose=distribution',
        cookies: finance.cookies,
        payload: { settlementDate, currency: 'USD', ...(debtor ? { debtor } : {}) },
      });
    const refused = await settle('2026-11-02');
    expect([refused.statusCode, refused.json().code]).toEqual([409, 'AMP_PAYING_ACCOUNT_REQUIRED']);
    const named = await settle('2026-11-02', {
      name: 'Tesoro Amparo',
      accountNumber: '01020000000000000010',
      bankCode: '0102',
    });
    expect([named.statusCode, named.json().code]).toEqual([409, 'AMP_PAYING_ACCOUNT_REQUIRED']);
    const runs = await kit.database.db
      .selectFrom('merchant_settlement_run')
      .select('settlement_date')
      .where('currency', '=', 'USD')
      .execute();
    expect(runs).toEqual([]);
    const set = await put(url, {
      name: 'Tesoro Amparo',
      accountNumber: '01020000000000000009',
      expectedVersion: 0,
    });
    expect(set.statusCode, set.body).toBe(200);
    const other = await settle('2026-11-02', {
      name: 'Tesoro Amparo',
      accountNumber: '01020000000000000010',
      bankCode: '0102',
    });
    expect([other.statusCode, other.json().code]).toEqual([409, 'AMP_PAYING_ACCOUNT_MISMATCH']);
    const settled = await settle('2026-11-02');
    expect(settled.statusCode, settled.body).toBe(201);
    const run = await kit.database.db
      .selectFrom('merchant_settlement_run')
      .select(['debtor_account', 'debtor_bank_code'])
      .where('settlement_date', '=', '2026-11-02')
      .where('currency', '=', 'USD')
      .executeTakeFirstOrThrow();
    expect(run).toEqual({ debtor_account: '01020000000000000009', debtor_bank_code: '0102' });
    // The other currency has none of its own.
    const ves = await get(
      '/api/payments/merchant-settlements/paying-accounts/VES?purpose=distribution',
    );
    expect(ves.json().current).toBeNull();
  });
});
