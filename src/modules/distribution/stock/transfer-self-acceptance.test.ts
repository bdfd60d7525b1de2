import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Transfer } from '../../../shared/api/stock-transfers.js';
import type { AccessTestApp } from '../../access/access-test-kit.js';
import { auditedAs, createPoint, onHandAt, type SignedIn } from '../distribution-test-kit.js';
import { stockDelivered, stockScene, transferDecision, transferSent } from './stock-test-kit.js';

/**
 * The review of session 17 (issue #15): an operator assigned to two points sent 500 units from
 * one to the other and accepted them at the second with nothing received and a "loss" — a
 * write-off without the supervisor's `distribution.stock_adjust`. Whoever sent a transfer now
 * never accepts it (short or whole) unless they are a supervisor; another operator of the
 * receiving point does. The refusal is audited and counts nothing.
 */
describe('a transfer is not accepted by its sender', () => {
  let kit: AccessTestApp;
  let supervisor: SignedIn;
  let both: SignedIn;
  let receiver: SignedIn;
  let pointA: string;
  let pointB: string;

  beforeAll(async () => {
    const scene = await stockScene();
    ({ kit, supervisor } = scene);
    [both, receiver] = scene.operators;
    pointA = await createPoint(kit, supervisor, {
      kind: 'warehouse',
      operators: [both.operatorId],
    });
    pointB = await createPoint(kit, supervisor, {
      operators: [both.operatorId, receiver.operatorId],
    });
    await stockDelivered(kit, both, pointA, { item: 'rice_kg', quantity: 1_000 });
  }, 60_000);
  afterAll(async () => kit?.close());

  const onHand = (point: string) => onHandAt(kit, supervisor, point, 'rice_kg');
  const send = (who: SignedIn, quantity: number): Promise<Transfer> =>
    transferSent(kit, who, { from: pointA, to: pointB, item: 'rice_kg', quantity });
  const accept = (who: SignedIn, id: string, body: object) =>
    transferDecision(kit, who, pointB, id, 'acceptance', body);
  const outcomeOf = (id: string) =>
    kit.database.db
      .selectFrom('stock_transfer_outcome')
      .select('outcome')
      .where('transfer_id', '=', id)
      .execute();

  it('refuses the sender writing the goods off as lost at the other point, and audits it', async () => {
    const transfer = await send(both, 500);
    expect([await onHand(pointA), await onHand(pointB)]).toEqual([500, 0]);
    const writeOff = await accept(both, transfer.id, {
      quantityReceived: 0,
      shortfallReason: 'loss',
    });
    expect(writeOff.statusCode, writeOff.body).toBe(403);
    expect(writeOff.json().code).toBe('AMP_TRANSFER_SELF_ACCEPTANCE');
    expect(await auditedAs(kit, String(writeOff.headers['x-request-id']))).toContainEqual({
      action: 'distribution.transfer_accept',
      outcome: 'denied',
      reasonCode: 'AMP_TRANSFER_SELF_ACCEPTANCE',
    });
    // Nor may they take the whole of it in: a receipt signed by its sender is no receipt.
    const whole = await accept(both, transfer.id, { quantityReceived: 500 });
    expect(whole.statusCode).toBe(403);
    expect(whole.json().code).toBe('AMP_TRANSFER_SELF_ACCEPTANCE');
    expect(await outcomeOf(transfer.id)).toEqual([]);
    expect([await onHand(pointA), await onHand(pointB)]).toEqual([500, 0]);

    // Another operator of the receiving point counts what arrived.
    const counted = await accept(receiver, transfer.id, { quantityReceived: 500 });
    expect(counted.statusCode, counted.body).toBe(201);
    expect([await onHand(pointA), await onHand(pointB)]).toEqual([500, 500]);
  });

  it('lets the sender refuse (the goods only go back) and a supervisor accept their own short', async () => {
    const sentBack = await send(both, 20);
    const refused = await transferDecision(kit, both, pointB, sentBack.id, 'refusal');
    expect(refused.statusCode, refused.body).toBe(201);
    expect(await onHand(pointA)).toBe(500);

    // A supervisor holds distribution.stock_adjust: they could write the stock off anyway.
    const bySupervisor = await send(supervisor, 10);
    const accepted = await accept(supervisor, bySupervisor.id, {
      quantityReceived: 8,
      shortfallReason: 'damage',
    });
    expect(accepted.statusCode, accepted.body).toBe(201);
    expect(accepted.json().transfer).toMatchObject({ state: 'accepted', shortfall: 2 });
  });
});
