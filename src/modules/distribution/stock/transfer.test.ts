import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Transfer, TransferListing } from '../../../shared/api/stock-transfers.js';
import type { AccessTestApp } from '../../access/access-test-kit.js';
import {
  auditedAs,
  createPoint,
  inKindProgramWithCycle,
  onHandAt,
  pointCall,
  type SignedIn,
} from '../distribution-test-kit.js';
import { stockDelivered, stockScene, transferDecision, transferSent } from './stock-test-kit.js';

/**
 * Transfers between points (issue #15, point 2; migration 0123): the goods leave the sender at
 * once and are in transit, seen by both points, until the receiving point — and only it — accepts
 * them with what arrived (a shortfall with its reason) or refuses them (back to the sender). A
 * transfer is decided once, even by two requests at the same moment; every refusal is audited
 * and changes nothing; the reconciliation counts stock in transit on hand at neither point.
 */
describe('stock transfers between points', () => {
  let kit: AccessTestApp;
  let supervisor: SignedIn;
  let sender: SignedIn;
  let receiver: SignedIn;
  let from: string;
  let to: string;
  let cycleId: string;

  beforeAll(async () => {
    const scene = await stockScene();
    ({ kit, supervisor } = scene);
    [sender, receiver] = scene.operators;
    from = await createPoint(kit, supervisor, {
      kind: 'warehouse',
      operators: [sender.operatorId],
    });
    to = await createPoint(kit, supervisor, { operators: [receiver.operatorId] });
    ({ cycleId } = await inKindProgramWithCycle(kit, {
      code: 'transfer_recon',
      basket: [{ item: 'rice_kg', quantity: 1, unit: 'kg' }],
    }));
    await stockDelivered(kit, sender, from, { item: 'rice_kg', quantity: 100 });
  }, 60_000);
  afterAll(async () => kit?.close());

  const post = (who: SignedIn, url: string, payload: object) =>
    pointCall(kit)('POST', url, who, payload);
  const onHand = (point: string) => onHandAt(kit, supervisor, point, 'rice_kg');
  const send = (quantity: number): Promise<Transfer> =>
    transferSent(kit, sender, { from, to, item: 'rice_kg', quantity });
  const listing = async (who: SignedIn, point: string, query = '') => {
    const response = await kit.app.inject({
      url: `/api/distribution/points/${point}/transfers?purpose=distribution${query}`,
      cookies: who.cookies,
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as TransferListing;
  };
  const accept = (who: SignedIn, point: string, id: string, body: object) =>
    transferDecision(kit, who, point, id, 'acceptance', body);
  const refuse = (who: SignedIn, point: string, id: string) =>
    transferDecision(kit, who, point, id, 'refusal');

  it('takes the goods off the sender at once and shows them in transit to both points', async () => {
    const transfer = await send(30);
    expect(transfer).toMatchObject({
      direction: 'outgoing',
      state: 'in_transit',
      quantitySent: 30,
    });
    expect(await onHand(from)).toBe(70);
    expect(await onHand(to)).toBe(0);
    const sent = await listing(sender, from);
    expect(sent.inTransit).toEqual([{ item: 'rice_kg', outgoing: 30, incoming: 0 }]);
    const incoming = await listing(receiver, to, '&state=in_transit');
    expect(incoming.transfers.map((each) => [each.id, each.direction])).toEqual([
      [transfer.id, 'incoming'],
    ]);
    expect(incoming.inTransit).toEqual([{ item: 'rice_kg', outgoing: 0, incoming: 30 }]);
  });

  it('lets only the receiving point decide, refusing and auditing anyone else', async () => {
    const [pending] = (await listing(receiver, to, '&state=in_transit')).transfers;
    if (pending === undefined) throw new Error('no transfer in transit');
    const bySender = await accept(sender, to, pending.id, { quantityReceived: 30 });
    expect(bySender.statusCode).toBe(403);
    expect(bySender.json().code).toBe('AMP_POINT_NOT_ASSIGNED');
    expect(await auditedAs(kit, String(bySender.headers['x-request-id']))).toContainEqual({
      action: 'distribution.transfer_accept',
      outcome: 'denied',
      reasonCode: 'AMP_POINT_NOT_ASSIGNED',
    });
    // At its own point the sender finds no transfer into it to accept or refuse.
    for (const attempt of [
      await accept(sender, from, pending.id, { quantityReceived: 30 }),
      await refuse(sender, from, pending.id),
    ]) {
      expect(attempt.statusCode).toBe(404);
      expect(await auditedAs(kit, String(attempt.headers['x-request-id']))).toContainEqual(
        expect.objectContaining({ outcome: 'denied', reasonCode: 'AMP_NOT_FOUND' }),
      );
    }
    expect([await onHand(from), await onHand(to)]).toEqual([70, 0]);
  });

  it('accepts what arrived, a shortfall only with its reason, and only once', async () => {
    const [pending] = (await listing(receiver, to, '&state=in_transit')).transfers;
    if (pending === undefined) throw new Error('no transfer in transit');
    const noReason = await accept(receiver, to, pending.id, { quantityReceived: 28 });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().code).toBe('AMP_TRANSFER_SHORTFALL_REASON_REQUIRED');
    expect(await auditedAs(kit, String(noReason.headers['x-request-id']))).toContainEqual({
      action: 'distribution.transfer_accept',
      outcome: 'denied',
      reasonCode: 'AMP_TRANSFER_SHORTFALL_REASON_REQUIRED',
    });
    const tooMany = await accept(receiver, to, pending.id, { quantityReceived: 31 });
    expect(tooMany.json().code).toBe('AMP_TRANSFER_OVER_RECEIVED');
    expect(await onHand(to)).toBe(0);

    const body = {
      clientId: randomUUID(),
      quantityReceived: 28,
      shortfallReason: 'damage',
      note: 'Two sacks torn',
    };
    const accepted = await post(receiver, `${to}/transfers/${pending.id}/acceptance`, body);
    expect(accepted.statusCode, accepted.body).toBe(201);
    expect(accepted.json()).toMatchObject({
      balanceAfter: 28,
      transfer: {
        state: 'accepted',
        quantityReceived: 28,
        shortfall: 2,
        shortfallReason: 'damage',
      },
    });
    expect(await auditedAs(kit, String(accepted.headers['x-request-id']))).toContainEqual({
      action: 'distribution.transfer_accept',
      outcome: 'allowed',
      reasonCode: null,
    });
    // The device's retry gets the first answer; another acceptance or a refusal is refused.
    const retry = await post(receiver, `${to}/transfers/${pending.id}/acceptance`, body);
    expect(retry.json()).toEqual(accepted.json());
    const again = await accept(supervisor, to, pending.id, { quantityReceived: 30 });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('AMP_TRANSFER_DECIDED');
    expect((await refuse(receiver, to, pending.id)).json().code).toBe('AMP_TRANSFER_DECIDED');
    expect([await onHand(from), await onHand(to)]).toEqual([70, 28]);
    expect((await listing(sender, from)).inTransit).toEqual([]);
  });

  it('refused, puts the goods back at the sender as a return, not as stock received', async () => {
    const transfer = await send(10);
    expect(await onHand(from)).toBe(60);
    const refused = await post(receiver, `${to}/transfers/${transfer.id}/refusal`, {
      clientId: randomUUID(),
      note: 'Not ordered',
    });
    expect(refused.statusCode, refused.body).toBe(201);
    expect(refused.json()).toMatchObject({ balanceAfter: 70, transfer: { state: 'refused' } });
    expect(await auditedAs(kit, String(refused.headers['x-request-id']))).toContainEqual({
      action: 'distribution.transfer_refuse',
      outcome: 'allowed',
      reasonCode: null,
    });
    expect([await onHand(from), await onHand(to)]).toEqual([70, 28]);
    const ledger = await kit.app.inject({
      url: `/api/distribution/points/${from}/movements?purpose=distribution&limit=2`,
      cookies: sender.cookies,
    });
    expect(
      (ledger.json() as { movements: { kind: string; quantityDelta: number }[] }).movements.map(
        (each) => [each.kind, each.quantityDelta],
      ),
    ).toEqual([
      ['transfer_return', 10],
      ['transfer_out', -10],
    ]);
  });

  it('decides a transfer once when acceptances and a refusal arrive at the same moment', async () => {
    const transfer = await send(5);
    const answers = await Promise.all([
      accept(receiver, to, transfer.id, { quantityReceived: 5 }),
      accept(supervisor, to, transfer.id, { quantityReceived: 5 }),
      refuse(receiver, to, transfer.id),
    ]);
    const codes = answers.map((answer) => answer.statusCode).sort();
    expect(codes).toEqual([201, 409, 409]);
    for (const answer of answers.filter((each) => each.statusCode === 409)) {
      expect(answer.json().code).toBe('AMP_TRANSFER_DECIDED');
    }
    const outcomes = await kit.database.db
      .selectFrom('stock_transfer_outcome')
      .select('outcome')
      .where('transfer_id', '=', transfer.id)
      .execute();
    expect(outcomes).toHaveLength(1);
    const moved = await kit.database.db
      .selectFrom('stock_movement')
      .select(['kind', 'quantity_delta'])
      .where('transfer_id', '=', transfer.id)
      .execute();
    expect(moved).toHaveLength(2);
    // Counted once, whichever won: at the receiver if accepted, back at the sender if refused.
    const won = outcomes[0]?.outcome;
    expect([await onHand(from), await onHand(to)]).toEqual(
      won === 'accepted' ? [65, 33] : [70, 28],
    );
  });

  it('counts stock in transit in the reconciliation of both points, on hand at neither', async () => {
    await send(7);
    const figures = async (who: SignedIn, point: string) => {
      const response = await kit.app.inject({
        url: `/api/distribution/points/${point}/cycles/${cycleId}/reconciliation?purpose=distribution`,
        cookies: who.cookies,
      });
      expect(response.statusCode, response.body).toBe(200);
      return response.json().figures.items as Record<string, unknown>[];
    };
    const onHandFrom = await onHand(from);
    const onHandTo = await onHand(to);
    // Sent: 30 (28 arrived, 2 short), 10 (refused, back), 5 (decided above), 7 (in transit).
    const [atSender] = await figures(sender, from);
    expect(atSender).toMatchObject({
      item: 'rice_kg',
      delivered: 100,
      transferredOut: 52,
      transferReturned: onHandFrom === 58 ? 10 : 15,
      transferShortfall: 2,
      transferredIn: 0,
      onHand: onHandFrom,
      inTransitOut: 7,
      inTransitIn: 0,
    });
    const [atReceiver] = await figures(receiver, to);
    expect(atReceiver).toMatchObject({
      item: 'rice_kg',
      transferredIn: onHandTo,
      transferredOut: 0,
      transferShortfall: 0,
      onHand: onHandTo,
      inTransitOut: 0,
      inTransitIn: 7,
    });
    // Every unit delivered is on hand at one point, in transit, or recorded short.
    expect(onHandFrom + onHandTo + 7 + 2).toBe(100);
  });

  const cancel = (
    who: SignedIn,
    point: string,
    id: string,
    body: object = { reason: 'sent_in_error' },
  ) => transferDecision(kit, who, point, id, 'cancellation', body);
  const figuresAtSender = async () => {
    const response = await kit.app.inject({
      url: `/api/distribution/points/${from}/cycles/${cycleId}/reconciliation?purpose=distribution`,
      cookies: supervisor.cookies,
    });
    const [figures] = response.json().figures.items as {
      inTransitOut: number;
      transferReturned: number;
      onHand: number;
    }[];
    if (figures === undefined) throw new Error('no reconciliation figures at the sender');
    return figures;
  };

  it("cancelled by the sender's supervisor, with a reason, puts the goods back once", async () => {
    const [pending] = (await listing(sender, from, '&state=in_transit')).transfers;
    if (pending === undefined) throw new Error('no transfer in transit');
    const before = await figuresAtSender();
    const onHandBefore = await onHand(from);
    // A reason is required by the schema; the sender's operator and the receiver may not cancel.
    expect((await cancel(supervisor, from, pending.id, {})).statusCode).toBe(400);
    const byOperator = await cancel(sender, from, pending.id);
    expect(byOperator.statusCode).toBe(403);
    expect(await auditedAs(kit, String(byOperator.headers['x-request-id']))).toContainEqual(
      expect.objectContaining({ action: 'distribution.transfer_cancel', outcome: 'denied' }),
    );
    expect((await cancel(supervisor, to, pending.id)).statusCode).toBe(404);

    const cancelled = await cancel(supervisor, from, pending.id, {
      reason: 'wrong_point',
      note: 'Meant for the other kiosk',
    });
    expect(cancelled.statusCode, cancelled.body).toBe(201);
    expect(cancelled.json()).toMatchObject({
      balanceAfter: onHandBefore + pending.quantitySent,
      transfer: {
        state: 'cancelled',
        cancelReason: 'wrong_point',
        note: 'Meant for the other kiosk',
      },
    });
    expect(await auditedAs(kit, String(cancelled.headers['x-request-id']))).toContainEqual({
      action: 'distribution.transfer_cancel',
      outcome: 'allowed',
      reasonCode: null,
    });
    const late = await accept(receiver, to, pending.id, { quantityReceived: pending.quantitySent });
    expect(late.statusCode).toBe(409);
    expect(late.json().code).toBe('AMP_TRANSFER_DECIDED');
    expect((await cancel(supervisor, from, pending.id)).json().code).toBe('AMP_TRANSFER_DECIDED');
    expect((await listing(receiver, to, '&state=cancelled')).transfers.map((t) => t.id)).toEqual([
      pending.id,
    ]);
    expect((await listing(receiver, to)).inTransit).toEqual([]);
    const ledger = await kit.app.inject({
      url: `/api/distribution/points/${from}/movements?purpose=distribution&limit=1`,
      cookies: sender.cookies,
    });
    expect(ledger.json().movements[0]).toMatchObject({
      kind: 'transfer_return',
      quantityDelta: pending.quantitySent,
    });
    // The reconciliation moves the units from in transit to returned, and still adds up.
    const after = await figuresAtSender();
    expect(after).toMatchObject({
      inTransitOut: before.inTransitOut - pending.quantitySent,
      transferReturned: before.transferReturned + pending.quantitySent,
      onHand: before.onHand + pending.quantitySent,
    });
  });

  it('decides once when the sender cancels as the receiver accepts', async () => {
    const transfer = await send(4);
    const answers = await Promise.all([
      cancel(supervisor, from, transfer.id),
      accept(receiver, to, transfer.id, { quantityReceived: 4 }),
    ]);
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([201, 409]);
    const loser = answers.find((answer) => answer.statusCode === 409);
    expect(loser?.json().code).toBe('AMP_TRANSFER_DECIDED');
    const moved = await kit.database.db
      .selectFrom('stock_movement')
      .select('kind')
      .where('transfer_id', '=', transfer.id)
      .execute();
    expect(moved.map((row) => row.kind).sort()).toEqual(
      answers[0]?.statusCode === 201
        ? ['transfer_out', 'transfer_return']
        : ['transfer_in', 'transfer_out'],
    );
  });

  it('keeps one outcome and exact stock when cancellations race acceptances and a refusal', async () => {
    const [fromBefore, toBefore] = [await onHand(from), await onHand(to)];
    const transfers = [await send(3), await send(2), await send(1)];
    const rounds = await Promise.all(
      transfers.map((transfer) =>
        Promise.all([
          cancel(supervisor, from, transfer.id, { reason: 'wrong_quantity' }),
          accept(receiver, to, transfer.id, { quantityReceived: transfer.quantitySent }),
          cancel(supervisor, from, transfer.id, { reason: 'not_dispatched' }),
          accept(supervisor, to, transfer.id, { quantityReceived: transfer.quantitySent }),
          refuse(receiver, to, transfer.id),
        ]),
      ),
    );
    const ids = transfers.map((transfer) => transfer.id);
    const outcomes = await kit.database.db
      .selectFrom('stock_transfer_outcome')
      .select(['transfer_id', 'outcome', 'cancel_reason'])
      .where('transfer_id', 'in', ids)
      .execute();
    const movements = await kit.database.db
      .selectFrom('stock_movement')
      .select(['transfer_id', 'kind'])
      .where('transfer_id', 'in', ids)
      .orderBy('kind')
      .execute();
    let [fromExpected, toExpected] = [fromBefore, toBefore];
    for (const [index, transfer] of transfers.entries()) {
      const answers = rounds[index] ?? [];
      const won = answers.filter((answer) => answer.statusCode === 201);
      expect(won, answers.map((answer) => answer.body).join('\n')).toHaveLength(1);
      for (const lost of answers.filter((answer) => answer.statusCode !== 201)) {
        expect(lost.statusCode).toBe(409);
        expect(lost.json().code).toBe('AMP_TRANSFER_DECIDED');
      }
      // One outcome row, the winner's; its two movements, the second where the goods went.
      const state = (won[0]?.json().transfer as Transfer | undefined)?.state;
      expect(outcomes.filter((row) => row.transfer_id === transfer.id)).toEqual([
        {
          transfer_id: transfer.id,
          outcome: state,
          cancel_reason: state === 'cancelled' ? expect.any(String) : null,
        },
      ]);
      expect(
        movements.filter((row) => row.transfer_id === transfer.id).map((row) => row.kind),
      ).toEqual(
        state === 'accepted'
          ? ['transfer_in', 'transfer_out']
          : ['transfer_out', 'transfer_return'],
      );
      if (state === 'accepted') {
        fromExpected -= transfer.quantitySent;
        toExpected += transfer.quantitySent;
      }
    }
    expect([await onHand(from), await onHand(to)]).toEqual([fromExpected, toExpected]);
    expect((await listing(sender, from)).inTransit).toEqual([]);
  });

  it('pages through the ledger without skipping or repeating a movement', async () => {
    const seen: string[] = [];
    let before: string | null = null;
    do {
      const page: { movements: { id: string }[]; nextBefore: string | null } = (
        await kit.app.inject({
          url: `/api/distribution/points/${from}/movements?purpose=distribution&limit=2${before ? `&before=${before}` : ''}`,
          cookies: supervisor.cookies,
        })
      ).json();
      seen.push(...page.movements.map((movement) => movement.id));
      before = page.nextBefore;
    } while (before !== null);
    const all = await kit.database.db
      .selectFrom('stock_movement')
      .select('id')
      .where('point_id', '=', from)
      .execute();
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(all.map((row) => row.id).sort());
  });
});
