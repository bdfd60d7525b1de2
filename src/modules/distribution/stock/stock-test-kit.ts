import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Transfer } from '../../../shared/api/stock-transfers.js';
import { type AccessTestApp, buildAccessTestApp } from '../../access/access-test-kit.js';
import { pointCall, type SignedIn, signIn, signInSupervisor } from '../distribution-test-kit.js';

/**
 * Who the stock and transfer route tests act as: a test app (rate limit lifted: a test makes
 * many calls), a program officer of VE-A who registers and supervises the points, and two
 * distribution operators of VE-A, assigned to no point yet (each test places them).
 *
 * @example
 *   const scene = await stockScene();
 *   [sender, receiver] = scene.operators;
 *   from = await createPoint(scene.kit, scene.supervisor, { operators: [sender.operatorId] });
 */
export interface StockScene {
  kit: AccessTestApp;
  supervisor: SignedIn;
  operators: [SignedIn, SignedIn];
}

export async function stockScene(): Promise<StockScene> {
  const kit = await buildAccessTestApp({ rateLimitRequestsMax: 100_000 });
  const supervisor = await signInSupervisor(kit);
  const first = await signIn(kit, ['distribution_operator'], ['VE-A']);
  const second = await signIn(kit, ['distribution_operator'], ['VE-A']);
  return { kit, supervisor, operators: [first, second] };
}

/** `who` records a delivery of `quantity` of `item` at the point; the test fails unless 201. */
export async function stockDelivered(
  kit: AccessTestApp,
  who: SignedIn,
  pointId: string,
  line: { item: string; quantity: number },
): Promise<void> {
  const delivered = await pointCall(kit)('POST', `${pointId}/deliveries`, who, {
    clientId: randomUUID(),
    ...line,
  });
  expect(delivered.statusCode, delivered.body).toBe(201);
}

/** `who` sends `quantity` of `item` from one point to another: the transfer, which must be 201. */
export async function transferSent(
  kit: AccessTestApp,
  who: SignedIn,
  props: { from: string; to: string; item: string; quantity: number },
): Promise<Transfer> {
  const sent = await pointCall(kit)('POST', `${props.from}/transfers`, who, {
    clientId: randomUUID(),
    toPointId: props.to,
    item: props.item,
    quantity: props.quantity,
  });
  expect(sent.statusCode, sent.body).toBe(201);
  return sent.json().transfer as Transfer;
}

/**
 * `who`, at `pointId`, asks to decide a transfer (the receiver's acceptance or refusal, the
 * sender's cancellation) with a new client id: the answer, unchecked, for the test to judge.
 *
 * @example
 *   const late = await transferDecision(kit, receiver, to, id, 'acceptance', { quantityReceived: 5 });
 */
export function transferDecision(
  kit: AccessTestApp,
  who: SignedIn,
  pointId: string,
  transferId: string,
  decision: 'acceptance' | 'refusal' | 'cancellation',
  body: object = {},
) {
  return pointCall(kit)('POST', `${pointId}/transfers/${transferId}/${decision}`, who, {
    clientId: randomUUID(),
    ...body,
  });
}
