import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPerson } from '../../../../test/factories.js';
import { limits } from '../../../limits.js';
import { type AccessTestApp, buildAccessTestApp } from '../../access/access-test-kit.js';
import { type SignedIn, signIn } from '../../distribution/distribution-test-kit.js';
import { cyclePublisher } from '../../programs/index.js';
import { deniedCodes } from '../merchants/merchant-test-kit.js';
import { cashCycle, openCashEntitlements } from '../payments-test-kit.js';
import {
  payableCashCycle,
  payingAccountStoredForTest,
  routeTestPayee,
  testBatchRequest,
} from './payout-test-kit.js';

/**
 * Before a payout batch (issue #16): the cash cycles offered, and a cycle's preview — its unpaid
 * open cash entitlements, what a batch would pay and whom it would leave out and why — which the
 * console sends whole; after the batch, what it paid is no longer offered. An approved cycle not
 * yet published is offered and previewed, but a batch of it is refused until it is published.
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
    ({ programId, cycleId } = await payableCashCycle(kit, {
      code: 'bono_vista',
      amountMinor: 70_00n,
      fundedMinor: 500_00n,
      payees: [{ personId: paidPerson, payee: routeTestPayee }],
      // Approved only: the first test previews it, is refused a batch, then publishes it.
      unpublished: true,
    }));
    await payingAccountStoredForTest(kit.database.db, { scope: 'program', key: programId });
  });
  afterAll(async () => kit?.close());

  const get = (url: string, cookies = finance.cookies) =>
    kit.app.inject({ url: `${url}?purpose=distribution`, cookies });

  it('previews a cycle, the batch sent from it pays the one with an account, and then offers only the other', async () => {
    const offered = async (status: string) => {
      const cycles = await get('/api/payouts/cycles');
      expect(cycles.statusCode, cycles.body).toBe(200);
      expect(cycles.json().cycles).toEqual([
        expect.objectContaining({
          cycleId,
          programId,
          status,
          currency: 'VES',
          programName: { es: 'Bono', en: 'Bonus' },
        }),
      ]);
    };
    // Approved, not published: offered and previewed (no money moves), but no batch is made.
    await offered('approved');
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
    const make = () =>
      kit.app.inject({
        method: 'POST',
        url: '/api/payouts/batches?purpose=distribution',
        cookies: finance.cookies,
        payload: testBatchRequest(programId, payable),
      });
    const early = await make();
    expect([early.statusCode, early.json().code]).toEqual([409, 'AMP_CYCLE_NOT_PUBLISHED']);
    expect(early.json().errors).toHaveLength(2);
    expect(await deniedCodes(kit, 'payout.manage')).toEqual(['AMP_CYCLE_NOT_PUBLISHED']);
    expect(await kit.database.db.selectFrom('payout_batch').select('id').execute()).toEqual([]);
    await cyclePublisher(kit.database.db, { cycleId, operatorId: randomUUID() });
    await offered('published');
    const made = await make();
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

  it('counts a cycle of thousands in SQL and lists only the first of those it would leave out', async () => {
    const size = 3000;
    const big = await cashCycle(kit.database.db, { code: 'bono_grande', amountMinor: 70_00n });
    // Persons and entitlements written straight in SQL: a few thousand enrolments would take
    // minutes. The i-th person is owed 1000 + i; the first third have a usable payee account, the
    // next sixth one held until tomorrow, the rest none.
    const tag = randomUUID();
    await sql`insert into person (id, uin, region_code)
      select md5(${tag} || i)::uuid, '9' || lpad(i::text, 9, '0'), 'VE-A'
        from generate_series(1, ${size}) as i`.execute(kit.database.db);
    await sql`insert into program_cycle_member (cycle_id, round, person_id, region_code, amount_minor)
      select c.id, c.round, md5(${tag} || i)::uuid, 'VE-A', 1000 + i
        from program_cycle c, generate_series(1, ${size}) as i
       where c.id = ${big.cycleId}`.execute(kit.database.db);
    await sql`insert into entitlement (id, cycle_id, program_id, person_id, basis, amount_minor)
      select gen_random_uuid(), ${big.cycleId}, ${big.programId}, md5(${tag} || i)::uuid, 'rule',
             1000 + i
        from generate_series(1, ${size}) as i`.execute(kit.database.db);
    // The app's clock, which judges the holds.
    const tomorrow = new Date(kit.now().getTime() + 24 * 60 * 60_000);
    await sql`insert into payee_account (id, person_id, account_kind, bank_code, payee_sealed,
                set_method, set_by, approved_by, check_id, set_at, held_until, hold_reason)
      select gen_random_uuid(), md5(${tag} || i)::uuid, 'bank_account', '0134',
             decode(repeat('00', 40), 'hex'),
             case when i <= ${size / 3} then 'staff_phone_code' else 'staff_two_person' end,
             gen_random_uuid(),
             case when i <= ${size / 3} then null else gen_random_uuid() end,
             gen_random_uuid(), ${kit.now()}::timestamptz - interval '1 hour',
             case when i <= ${size / 3} then null else ${tomorrow}::timestamptz end,
             case when i <= ${size / 3} then null else 'staff_two_person' end
        from generate_series(1, ${size / 2}) as i`.execute(kit.database.db);
    const kindOf = new Map<string, 'usable' | 'held' | 'none'>();
    const { rows } = await sql<{ person_id: string; i: number }>`
      select md5(${tag} || i)::uuid as person_id, i from generate_series(1, ${size}) as i`.execute(
      kit.database.db,
    );
    for (const row of rows)
      kindOf.set(row.person_id, row.i <= size / 3 ? 'usable' : row.i <= size / 2 ? 'held' : 'none');
    // The cycle also entitles the two persons of the first test: one with an account, one without.
    kindOf.set(paidPerson, 'usable').set(leftOutPerson, 'none');
    const owed = (i: number) => BigInt(1000 + i);
    let includedAmount = 70_00n;
    for (let i = 1; i <= size / 3; i += 1) includedAmount += owed(i);

    const preview = await get(`/api/payouts/cycles/${big.cycleId}/preview`);
    expect(preview.statusCode, preview.body).toBe(200);
    const body = preview.json();
    const excludedPersons = [...kindOf].filter(([, kind]) => kind !== 'usable').map(([id]) => id);
    expect(body).toMatchObject({
      openCount: size + 2,
      alreadyPaidCount: 0,
      leftForNextBatch: 0,
      includedCount: size / 3 + 1,
      includedAmountMinor: includedAmount.toString(),
      excludedCount: excludedPersons.length,
    });
    expect(body.payable).toHaveLength(size + 2);
    const listed = body.excluded as Array<{ personId: string; reason: string; heldUntil: unknown }>;
    expect(listed).toHaveLength(limits.payouts.previewExclusionsListedMax);
    // The first of them in person order, each with its own reason.
    expect(listed.map((item) => item.personId)).toEqual(
      excludedPersons.sort().slice(0, limits.payouts.previewExclusionsListedMax),
    );
    for (const item of listed) {
      expect(item.reason).toBe(
        kindOf.get(item.personId) === 'held' ? 'payee_account_held' : 'no_payee_account',
      );
      expect(item.heldUntil).toBe(
        kindOf.get(item.personId) === 'held' ? tomorrow.toISOString() : null,
      );
    }
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
