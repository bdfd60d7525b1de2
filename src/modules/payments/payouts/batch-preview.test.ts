import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPerson } from '../../../../test/factories.js';
import { type AccessTestApp, buildAccessTestApp } from '../../access/access-test-kit.js';
import { type SignedIn, signIn } from '../../distribution/distribution-test-kit.js';
import { cashCycle, fundedProgramAccount, openCashEntitlements } from '../payments-test-kit.js';
import { storedPayeesForTest } from './payout-test-kit.js';

/**
 * Before a payout batch (issue #16): the cash cycles offered, and a cycle's preview — its unpaid
 * open cash entitlements, what a batch would pay and whom it would leave out and why — which the
 * console sends whole; after the batch, what it paid is no longer offered.
 */
describe('payout batch preview routes', () => {
  let kit: AccessTestApp;
  let finance: SignedIn;
  let programId: string;
  let cycleId: string;
  let paidPerson: string;
  let leftOutPerson: string;

  beforeAll(async () => {
    kit = await buildAccessTestApp();
    finance = await signIn(kit, ['finance_officer'], ['VE-A']);
    paidPerson = (await buildPerson(kit, { phone: null })).id;
    leftOutPerson = (await buildPerson(kit, { phone: null })).id;
    ({ programId, cycleId } = await cashCycle(kit.database.db, {
      code: 'bono_vista',
      amountMinor: 70_00n,
    }));
    await fundedProgramAccount(kit.database.db, programId, 500_00n);
    await storedPayeesForTest({ db: kit.database.db, masterKey: kit.masterKey }, [
      {
        personId: paidPerson,
        payee: {
          holderName: 'Ana Pérez',
          account: { kind: 'bank_account', accountNumber: '01340000000000000001' },
          bank: { bankCode: '0134' },
        },
      },
    ]);
  });
  afterAll(async () => kit?.close());

  const get = (url: string, cookies = finance.cookies) =>
    kit.app.inject({ url: `${url}?purpose=distribution`, cookies });

  it('previews a cycle, the batch sent from it pays the one with an account, and then offers only the other', async () => {
    const cycles = await get('/api/payouts/cycles');
    expect(cycles.statusCode, cycles.body).toBe(200);
    expect(cycles.json().cycles).toEqual([
      expect.objectContaining({
        cycleId,
        programId,
        currency: 'VES',
        programName: { es: 'Bono', en: 'Bonus' },
      }),
    ]);
    const preview = await get(`/api/payouts/cycles/${cycleId}/preview`);
    expect(preview.statusCode, preview.body).toBe(200);
    const entitlements = await openCashEntitlements(kit.database.db, cycleId);
    const leftOut = entitlements.find((item) => item.personId === leftOutPerson);
    expect(preview.json()).toMatchObject({
      openCount: 2,
      alreadyPaidCount: 0,
      leftForNextBatch: 0,
      includedCount: 1,
      includedAmountMinor: '7000',
      excluded: [
        {
          entitlementId: leftOut?.entitlementId,
          personId: leftOutPerson,
          amountMinor: '7000',
          reason: 'no_payee_account',
          heldUntil: null,
        },
      ],
    });
    const payable = preview.json().payable as Array<{ entitlementId: string; amountMinor: string }>;
    expect(payable.map((item) => item.entitlementId).sort()).toEqual(
      entitlements.map((item) => item.entitlementId).sort(),
    );
    const made = await kit.app.inject({
      method: 'POST',
      url: '/api/payouts/batches?purpose=distribution',
      cookies: finance.cookies,
      payload: {
        clientId: randomUUID(),
        programId,
        currency: 'VES',
        requestedExecutionDate: '2026-12-07',
        debtor: { name: 'Programa Bono', accountNumber: '01020123456789012345', bankCode: '0102' },
        instructions: payable.map((item) => ({
          referenceKind: 'entitlement',
          referenceId: item.entitlementId,
          amountMinor: item.amountMinor,
        })),
      },
    });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json()).toMatchObject({ paymentsCount: 1, excludedCount: 1 });
    const after = await get(`/api/payouts/cycles/${cycleId}/preview`);
    expect(after.json()).toMatchObject({
      openCount: 2,
      alreadyPaidCount: 1,
      includedCount: 0,
      payable: [{ entitlementId: leftOut?.entitlementId }],
    });
  });

  it('answers an unknown cycle 404 and refuses a role without payout.manage', async () => {
    const unknown = await get(`/api/payouts/cycles/${randomUUID()}/preview`);
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'AMP_NOT_FOUND']);
    const auditor = await signIn(kit, ['auditor'], ['VE-A']);
    for (const url of ['/api/payouts/cycles', `/api/payouts/cycles/${cycleId}/preview`]) {
      const refused = await kit.app.inject({
        url: `${url}?purpose=audit`,
        cookies: auditor.cookies,
      });
      expect([refused.statusCode, refused.json().code], url).toEqual([403, 'AMP_FORBIDDEN']);
    }
  });
});
