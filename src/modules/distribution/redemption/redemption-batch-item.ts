import type { OperatorActor } from '../../../shared/access/actor.js';
import type { PointGrant } from '../point-gate.js';
import type { RedemptionLine } from './redemption-answer.js';

/** One card redemption handed to the batch (redemption-batch.ts): what `redeemFor` is given. */
export interface BatchedRedemption {
  gate: PointGrant;
  /** The gate's actor: only operators' card redemptions are batched. */
  reader: OperatorActor;
  personId: string;
  /** The scanned card's id (hex). */
  credentialId: string;
  requestId: string;
  clientId: string;
  /** What the idempotency key's request digest covers (as `redeemFor` is given it). */
  request: unknown;
  entitlementId: string;
  line: RedemptionLine;
}
