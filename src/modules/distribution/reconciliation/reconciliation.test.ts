import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessTestApp } from '../../access/access-test-kit.js';
import {
  approvedCycle,
  auditedAs,
  type CardHolder,
  createPoint,
  distributionScene,
  inKindProgramWithCycle,
  pointCall,
  type SignedIn,
} from '../distribution-test-kit.js';
import { stockDelivered } from '../stock/stock-test-kit.js';

/** The first day of the month `back` months before this one (UTC), as a reference date. */
const monthStart = (back: number) => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1))
    .toISOString()
    .slice(0, 10);
};

/**
 * The reconciliation of a point and cycle against the shelf (review of issue #15, point 7), on
 * PostgreSQL and PGlite alike: a physical count beside what the ledger said was on hand, its
 * discrepancy explained by a later `count_correction`; "entitled" as the point's (its area, as its
 * offline snapshot, and whom it served), the program-wide figure beside it; the stock figures
 * bounded by the cycle's window, so the next cycle's delivery is not this one's.
 */
describe('reconciliation: counts, the point’s entitled, the cycle’s window', () => {
  let kit: AccessTestApp;
  let supervisor: SignedIn;
  let officer: SignedIn;
  let operator: SignedIn;
  let inTown: CardHolder;
  let elsewhereInState: CardHolder;
  let programId: string;
  let cycleId: string;
  let point: string;

  beforeAll(async () => {
    const scene = await distributionScene({
      people: [
        { region: 'VE-A', municipality: 'VE-A-01' },
        { region: 'VE-A', municipality: 'VE-A-02' },
      ],
      program: {
        code: 'recon_box',
        regions: ['VE-A'],
        referenceDate: monthStart(2),
        basket: [{ item: 'food_box', quantity: 1, unit: 'box' }],
      },
    });
    ({ kit, supervisor, officer, operator, programId, cycleId } = scene);
    [inTown, elsewhereInState] = scene.people as [CardHolder, CardHolder];
    point = await createPoint(kit, supervisor, {
      municipalityCode: 'VE-A-01',
      operators: [operator.operatorId],
      programs: [programId],
    });
  }, 120_000);
  afterAll(async () => kit?.close());

  const call = (method: 'GET' | 'POST', url: string, who: SignedIn, payload?: object) =>
    pointCall(kit)(method, `${point}/${url}`, who, payload);

  async function figuresOf(cycle: string, at = point) {
    const response = await pointCall(kit)(
      'GET',
      `${at}/cycles/${cycle}/reconciliation`,
      supervisor,
    );
    expect(response.statusCode, response.body).toBe(200);
    return response.json().figures as Record<string, unknown> & {
      items: (Record<string, unknown> & { item: string })[];
    };
  }

  it('shows a count below the ledger as a discrepancy, explained by a count correction', async () => {
    await stockDelivered(kit, operator, point, { item: 'food_box', quantity: 10 });
    const counted = await call('POST', 'stock-counts', operator, {
      clientId: randomUUID(),
      item: 'food_box',
      countedQuantity: 7,
    });
    expect(counted.statusCode, counted.body).toBe(201);
    expect(counted.json()).toMatchObject({ counted: 7, expected: 10, discrepancy: -3 });
    expect(await auditedAs(kit, String(counted.headers['x-request-id']))).toContainEqual({
      action: 'distribution.stock_count',
      outcome: 'allowed',
      reasonCode: null,
    });
    // A count moves no stock.
    const before = await figuresOf(cycleId);
    expect(before.items).toEqual([
      expect.objectContaining({
        item: 'food_box',
        delivered: 10,
        adjusted: 0,
        onHand: 10,
        integrityGap: 0,
        count: expect.objectContaining({
          expected: 10,
          counted: 7,
          discrepancy: -3,
          corrected: 0,
          unexplained: -3,
        }),
      }),
    ]);

    const corrected = await call('POST', 'adjustments', supervisor, {
      clientId: randomUUID(),
      item: 'food_box',
      quantityDelta: -3,
      reason: 'count_correction',
    });
    expect(corrected.statusCode, corrected.body).toBe(201);
    const after = await figuresOf(cycleId);
    expect(after.items[0]).toMatchObject({
      adjusted: -3,
      onHand: 7,
      count: { expected: 10, counted: 7, discrepancy: -3, corrected: -3, unexplained: 0 },
    });

    const csv = await call('GET', `cycles/${cycleId}/reconciliation.csv`, supervisor);
    expect(csv.statusCode).toBe(200);
    const [header, row] = csv.body
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    const columns = header?.split(',') ?? [];
    const cells = row?.split(',') ?? [];
    expect(cells).toHaveLength(columns.length);
    // Carry-over disputes have their columns (offline-late-close.test.ts fills them): none here.
    expect(columns).toEqual(expect.arrayContaining(['dispute_receipt', 'dispute_decision']));
    expect(cells[columns.indexOf('dispute_receipt')]).toBe('');
    const cell = (name: string) => cells[columns.indexOf(name)];
    expect([
      cell('count_expected'),
      cell('counted'),
      cell('count_discrepancy'),
      cell('count_corrected'),
      cell('count_unexplained'),
      cell('integrity_gap'),
    ]).toEqual(['10', '7', '-3', '-3', '0', '0']);
  });

  it("counts as entitled the point's area and whom it served; the program's beside it", async () => {
    // The program entitles both; the point names VE-A-01: the other town's holder is not its own.
    expect(await figuresOf(cycleId)).toMatchObject({ entitled: 1, entitledProgramWide: 2 });
    const [entitlement] = (
      await call('POST', 'entitlement-lookups', operator, { qrText: elsewhereInState.qrText })
    ).json().entitlements as { entitlementId: string }[];
    const redeemed = await call('POST', 'redemptions', operator, {
      clientId: randomUUID(),
      qrText: elsewhereInState.qrText,
      entitlementId: entitlement?.entitlementId,
      lines: [{ item: 'food_box', quantity: 1 }],
    });
    expect(redeemed.statusCode, redeemed.body).toBe(201);
    // Served here: now the point's too.
    expect(await figuresOf(cycleId)).toMatchObject({
      entitled: 2,
      entitledProgramWide: 2,
      entitlementsRedeemed: 1,
    });
    expect(JSON.stringify(await figuresOf(cycleId))).not.toContain(inTown.personId);
  });

  it("leaves a delivery in the next cycle's window out of this cycle's figures", async () => {
    const other = await inKindProgramWithCycle(kit, {
      code: 'recon_window',
      regions: ['VE-A'],
      referenceDate: monthStart(1),
      basket: [{ item: 'rice', quantity: 1, unit: 'kg' }],
    });
    const at = await createPoint(kit, supervisor, {
      operators: [operator.operatorId],
      programs: [other.programId],
    });
    await stockDelivered(kit, operator, at, { item: 'rice', quantity: 100 });
    const closed = await kit.app.inject({
      method: 'POST',
      url: `/api/program-cycles/${other.cycleId}/close?purpose=eligibility_review`,
      cookies: officer.cookies,
      payload: {},
    });
    expect(closed.statusCode, closed.body).toBe(200);
    // The next cycle's month is this one: its window starts at the close of the first.
    const { cycleId: next } = await approvedCycle(kit, other.programId, monthStart(0));
    await stockDelivered(kit, operator, at, { item: 'rice', quantity: 40 });

    const first = await figuresOf(other.cycleId, at);
    expect(first.items).toEqual([
      expect.objectContaining({ item: 'rice', delivered: 100, onHand: 140 }),
    ]);
    const window = first.stockWindow as { from: string; to: string };
    expect(window.from).toBe(`${monthStart(1)}T00:00:00.000Z`);
    expect(window.to).not.toBeNull();
    const second = await figuresOf(next, at);
    expect(second.items).toEqual([
      expect.objectContaining({ item: 'rice', delivered: 40, onHand: 140 }),
    ]);
    expect(second.stockWindow).toEqual({ from: window.to, to: null });
  });
  it('tells a sign-off made under the earlier definition of the figures from figures that changed', async () => {
    // A sign-off kept from before the figures were redefined (no stock window in them), and one now.
    await kit.database.asAdmin((admin) =>
      admin
        .insertInto('reconciliation_sign_off')
        .values({
          id: randomUUID(),
          point_id: point,
          cycle_id: cycleId,
          signed_by: supervisor.operatorId,
          signed_at: new Date(Date.now() - 86_400_000),
          figures: JSON.stringify({ entitled: 2, items: [] }),
          figures_sha256: Buffer.alloc(32, 1),
          // As migration 0161 filled it for figures without a stock window.
          figures_version: 1,
          note: 'before',
        })
        .execute(),
    );
    const signed = await call('POST', `cycles/${cycleId}/reconciliation/sign-offs`, supervisor, {
      note: 'now',
    });
    expect(signed.statusCode, signed.body).toBe(201);
    const read = await call('GET', `cycles/${cycleId}/reconciliation`, supervisor);
    const signOffs = (read.json().signOffs as { note: string }[]).filter((each) =>
      ['before', 'now'].includes(each.note),
    );
    expect(signOffs).toEqual([
      expect.objectContaining({ note: 'now', current: true }),
      expect.objectContaining({ note: 'before', current: false, earlierDefinition: true }),
    ]);
    expect(signOffs[0]).not.toHaveProperty('earlierDefinition');
  });
});
