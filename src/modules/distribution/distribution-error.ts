import { defineErrors, type ErrorAnswer, ModuleError } from '../../platform/errors.js';

/**
 * The typed error of the distribution module, registered with the platform's one error
 * registry so the problem handler answers it as problem+json. Every one of these refusals
 * changes nothing (no stock, no entitlement) and is audited by the service that throws it.
 *
 * @example
 *   throw new DistributionError('AMP_STOCK_INSUFFICIENT', '3 food_box on hand, 5 asked'); // refused
 */
export const distributionErrorCodes = [
  /** The operator is not (or no longer) assigned to this point. */
  'AMP_POINT_NOT_ASSIGNED',
  /** The point is closed: no redemptions and no stock movements. */
  'AMP_POINT_CLOSED',
  /** The point does not serve this program (its allow-list). */
  'AMP_PROGRAM_NOT_SERVED',
  /** A movement would take the stock below zero and no override was recorded. */
  'AMP_STOCK_INSUFFICIENT',
  /** A stock adjustment without its reason (loss, damage, count correction). */
  'AMP_ADJUSTMENT_REASON_REQUIRED',
  /** A transfer the receiving point already accepted or refused: it is decided once. */
  'AMP_TRANSFER_DECIDED',
  /** A transfer accepted with more than was sent: an excess is a count correction instead. */
  'AMP_TRANSFER_OVER_RECEIVED',
  /** A transfer accepted with less than was sent, and no reason for the shortfall. */
  'AMP_TRANSFER_SHORTFALL_REASON_REQUIRED',
  /**
   * The operator who sent a transfer tried to accept it at the receiving point: its arrival is
   * confirmed by someone else there, or by a supervisor (who may write stock off anyway).
   */
  'AMP_TRANSFER_SELF_ACCEPTANCE',
  /**
   * A supervisor who handed goods over at the point in the cycle, as its operator, tried to sign
   * its reconciliation off: another supervisor signs the figures that count their hand-overs.
   */
  'AMP_SIGN_OFF_SAME_OPERATOR',
  /**
   * A supervisor who handed goods over at the point in a cycle whose stock window holds the count
   * (or the count a correction explains) tried to record it or correct it: another supervisor does.
   */
  'AMP_STOCK_COUNT_OWN_HAND_OVERS',
  /** A supervisor with a hand-over in a carry-over dispute tried to decide it: another does. */
  'AMP_DISPUTE_OWN_HAND_OVER',
  /** A carry-over dispute already decided: it is decided once. */
  'AMP_DISPUTE_DECIDED',
  /** More recorded as brought back than was disputed. */
  'AMP_DISPUTE_OVER_RETURNED',
  /** The card was refused by the verifier: forged, revoked, expired, unreadable. */
  'AMP_CARD_REFUSED',
  /** The entitlement cannot be redeemed now: consumed, cancelled, expired, suspended, blocked. */
  'AMP_ENTITLEMENT_NOT_REDEEMABLE',
  /** A line asks for more than remains of the item, or for an item the basket does not hold. */
  'AMP_QUANTITY_ABOVE_REMAINING',
  /**
   * Redemption without the card: the ID number names no one with an open entitlement this point
   * serves. One answer for an unknown number, a person of elsewhere and a person with nothing
   * here, so the start reveals neither who exists nor whose photo is on file (safeguard 7).
   */
  'AMP_NOTHING_TO_REDEEM',
  /** The entitlement's program is suspended: nothing of it is handed over until it resumes. */
  'AMP_PROGRAM_SUSPENDED',
  /** A supervisor holds the entitlement for review (blocked): nothing until the hold ends. */
  'AMP_ENTITLEMENT_BLOCKED',
  /** The entitlement's cycle is not published yet (pre-activated): nothing before it is. */
  'AMP_ENTITLEMENT_PRE_ACTIVATED',
  /** The entitlement is under a hold in force already: one hold at a time. */
  'AMP_ENTITLEMENT_HOLD_EXISTS',
  /** The hold is not in force (lifted or lapsed already). */
  'AMP_ENTITLEMENT_HOLD_ENDED',
  /** An objection to this hold was filed already: one per hold. */
  'AMP_HOLD_OBJECTION_FILED',
  /** The objection was decided already: it is decided once. */
  'AMP_HOLD_OBJECTION_DECIDED',
  /** The hold objected to has ended (lifted or lapsed): nothing to object to or decide. */
  'AMP_HOLD_OBJECTION_HOLD_ENDED',
  /** The supervisor who placed the hold, or whoever filed the objection, tried to decide it. */
  'AMP_HOLD_OBJECTION_SEPARATION',
  /** The second check of an assisted redemption failed. */
  'AMP_SECOND_CHECK_FAILED',
  /** The operator reached the day's bound of assisted redemptions. */
  'AMP_ASSISTED_LIMIT_REACHED',
  /** A device's public key is not an Ed25519 key, or its proof is not signed by it. */
  'AMP_DEVICE_PROOF_INVALID',
  /** The device was revoked: no snapshot, and none of its receipts is counted any more. */
  'AMP_DEVICE_REVOKED',
  /** The device's clock is too far from the server's: its receipts' times cannot be trusted. */
  'AMP_DEVICE_CLOCK_OFF',
  /** An offline receipt was made with a snapshot past its expiry, or one not issued to the device. */
  'AMP_SNAPSHOT_EXPIRED',
  /** The point holds more entitlements than one snapshot may carry. */
  'AMP_SNAPSHOT_TOO_LARGE',
  /** An offline receipt whose signature is not the device's over its content. */
  'AMP_OFFLINE_SIGNATURE_INVALID',
  /** A receipt id already synced with other content. */
  'AMP_OFFLINE_RECEIPT_MISMATCH',
  /** A receipt beyond the device's allowance for its snapshot (receipts or units). */
  'AMP_OFFLINE_ALLOWANCE_EXCEEDED',
  /** A conflict receipt synced before receipts kept their card: it cannot be counted later. */
  'AMP_OFFLINE_RECEIPT_WITHOUT_CARD',
  /**
   * An offline hand-over without the card whose household member's card was the person's own,
   * or whose holder was not in the person's household at the receipt's time.
   */
  'AMP_OFFLINE_HOUSEHOLD_REFUSED',
  /** An offline hand-over without the card naming another operator than the snapshot's. */
  'AMP_OFFLINE_OPERATOR_MISMATCH',
  /**
   * An offline receipt without the QR text of the card scanned (an app from before card
   * proofs): nothing shows the card was at the counter, so nothing is counted.
   */
  'AMP_OFFLINE_CARD_PROOF_MISSING',
  /**
   * An offline receipt whose QR text is not a card the issuer signed, or not the card the
   * receipt names.
   */
  'AMP_OFFLINE_CARD_PROOF_INVALID',
  'AMP_OFFLINE_CARD_PROOF_SEALED_INVALID',
  /**
   * An offline receipt whose card proof is sealed to a key version the server no longer opens
   * (retired: every snapshot that published it expired more than
   * `AMPARO_OFFLINE_PROOF_KEY_OPEN_DAYS` ago, 30 by default) or never published (proof-key-versions.ts).
   */
  'AMP_OFFLINE_CARD_PROOF_KEY_UNKNOWN',
  /** An offline receipt for an entitlement the snapshot it names did not hold. */
  'AMP_OFFLINE_NOT_IN_SNAPSHOT',
  /**
   * An offline receipt that does not name the operator who made it (an app from before the
   * device's local unlock): no one answers for it, so nothing is counted.
   */
  'AMP_OFFLINE_OPERATOR_MISSING',
  /**
   * An offline receipt whose operator was not an active distribution operator assigned to the
   * point at the receipt's time.
   */
  'AMP_OFFLINE_OPERATOR_NOT_ASSIGNED',
] as const;

export type DistributionErrorCode = (typeof distributionErrorCodes)[number];

export class DistributionError extends ModuleError<DistributionErrorCode> {
  override readonly name = 'DistributionError';
}

const distributionAnswers: Record<DistributionErrorCode, ErrorAnswer> = {
  AMP_POINT_NOT_ASSIGNED: { status: 403, title: 'You are not assigned to this distribution point' },
  AMP_POINT_CLOSED: { status: 409, title: 'The distribution point is closed' },
  AMP_PROGRAM_NOT_SERVED: {
    status: 409,
    title: 'The distribution point does not serve this program',
  },
  AMP_STOCK_INSUFFICIENT: { status: 409, title: 'Not enough stock at the distribution point' },
  AMP_ADJUSTMENT_REASON_REQUIRED: {
    status: 400,
    title: 'A stock adjustment needs its reason (loss, damage, count_correction)',
  },
  AMP_TRANSFER_DECIDED: {
    status: 409,
    title: 'The receiving point already accepted or refused this transfer',
  },
  AMP_TRANSFER_OVER_RECEIVED: {
    status: 422,
    title: 'More cannot arrive than was sent; record an excess as a count correction',
  },
  AMP_TRANSFER_SHORTFALL_REASON_REQUIRED: {
    status: 400,
    title: 'Less arrived than was sent: say why (loss, damage, count_correction)',
  },
  AMP_TRANSFER_SELF_ACCEPTANCE: {
    status: 403,
    title: 'Whoever sent a transfer does not accept it: another operator or a supervisor does',
  },
  AMP_SIGN_OFF_SAME_OPERATOR: {
    status: 403,
    title:
      'You handed goods over at this point in this cycle: another supervisor signs its reconciliation off',
  },
  AMP_DISPUTE_DECIDED: { status: 409, title: 'This carry-over dispute was already decided' },
  AMP_STOCK_COUNT_OWN_HAND_OVERS: {
    status: 403,
    title:
      'You handed goods over at this point in this cycle: another supervisor counts its stock or corrects the count',
  },
  AMP_DISPUTE_OWN_HAND_OVER: {
    status: 403,
    title:
      'You handed goods over in this dispute or at this point in its cycle: another supervisor decides it',
  },
  AMP_DISPUTE_OVER_RETURNED: {
    status: 422,
    title: 'More cannot be brought back than was handed out twice',
  },
  AMP_CARD_REFUSED: { status: 422, title: 'The card was refused by the verifier' },
  AMP_ENTITLEMENT_NOT_REDEEMABLE: { status: 409, title: 'The entitlement cannot be redeemed now' },
  AMP_QUANTITY_ABOVE_REMAINING: {
    status: 422,
    title: 'More was asked than remains of the entitlement',
  },
  AMP_NOTHING_TO_REDEEM: {
    status: 404,
    title: 'Nothing to redeem here for this ID number',
  },
  AMP_PROGRAM_SUSPENDED: { status: 409, title: 'The program is suspended' },
  AMP_ENTITLEMENT_BLOCKED: { status: 409, title: 'The entitlement is held for review' },
  AMP_ENTITLEMENT_PRE_ACTIVATED: {
    status: 409,
    title: 'The entitlement is not handed over yet: its cycle is not published',
  },
  AMP_ENTITLEMENT_HOLD_EXISTS: { status: 409, title: 'The entitlement is held already' },
  AMP_ENTITLEMENT_HOLD_ENDED: { status: 409, title: 'The hold has ended already' },
  AMP_HOLD_OBJECTION_FILED: { status: 409, title: 'An objection to this hold was filed already' },
  AMP_HOLD_OBJECTION_DECIDED: { status: 409, title: 'The objection was decided already' },
  AMP_HOLD_OBJECTION_HOLD_ENDED: {
    status: 409,
    title: 'The hold has ended already (lifted or lapsed): nothing is left to decide',
  },
  AMP_HOLD_OBJECTION_SEPARATION: {
    status: 403,
    title: 'Whoever placed the hold or filed the objection cannot decide it',
  },
  AMP_SECOND_CHECK_FAILED: {
    status: 422,
    title: 'The second check of an assisted redemption failed',
  },
  AMP_ASSISTED_LIMIT_REACHED: {
    status: 429,
    title: "You reached today's bound of redemptions without the card",
  },
  AMP_DEVICE_PROOF_INVALID: {
    status: 422,
    title: "The device's key or its proof of holding it is not valid",
  },
  AMP_DEVICE_REVOKED: { status: 403, title: 'The device was revoked' },
  AMP_DEVICE_CLOCK_OFF: {
    status: 422,
    title: "The device's clock is too far from the server's; set it and sync again",
  },
  AMP_SNAPSHOT_EXPIRED: {
    status: 422,
    title: 'The offline receipt was made with an expired or unknown snapshot',
  },
  AMP_SNAPSHOT_TOO_LARGE: {
    status: 413,
    title: 'The point holds more entitlements than one snapshot may carry',
  },
  AMP_OFFLINE_SIGNATURE_INVALID: {
    status: 422,
    title: "The offline receipt is not signed by the device's key",
  },
  AMP_OFFLINE_HOUSEHOLD_REFUSED: {
    status: 422,
    title: "The household member's card was not of the person's household at the hand-over",
  },
  AMP_OFFLINE_OPERATOR_MISMATCH: {
    status: 422,
    title: 'This offline hand-over names another operator than the one its snapshot was issued to',
  },
  AMP_OFFLINE_RECEIPT_WITHOUT_CARD: {
    status: 409,
    title: 'This offline receipt does not name its card: only the counted receipt may stand',
  },
  AMP_OFFLINE_RECEIPT_MISMATCH: {
    status: 409,
    title: 'This receipt id was already synced with other content',
  },
  AMP_OFFLINE_ALLOWANCE_EXCEEDED: {
    status: 422,
    title: "The receipt is beyond the device's offline allowance for its snapshot",
  },
  AMP_OFFLINE_CARD_PROOF_MISSING: {
    status: 422,
    title:
      "The offline receipt does not carry the card's QR text (an app version from before card proofs)",
  },
  AMP_OFFLINE_CARD_PROOF_INVALID: {
    status: 422,
    title: "The offline receipt's QR text is not the issuer's signed card it names",
  },
  AMP_OFFLINE_CARD_PROOF_SEALED_INVALID: {
    status: 422,
    title:
      "The offline receipt's sealed card proof does not open with the server's key (altered, or sealed for another receipt or key)",
  },
  AMP_OFFLINE_CARD_PROOF_KEY_UNKNOWN: {
    status: 422,
    title:
      "The offline receipt's card proof is sealed to a key version the server does not open (retired after a rotation, or never published)",
  },
  AMP_OFFLINE_NOT_IN_SNAPSHOT: {
    status: 422,
    title: 'The offline receipt is for an entitlement its snapshot did not hold',
  },
  AMP_OFFLINE_OPERATOR_MISSING: {
    status: 422,
    title:
      'The offline receipt does not name the operator who made it (an app version from before the local unlock)',
  },
  AMP_OFFLINE_OPERATOR_NOT_ASSIGNED: {
    status: 422,
    title:
      "The offline receipt's operator was not an active distribution operator assigned to the point at its time",
  },
};

defineErrors({
  errorClass: DistributionError,
  answers: distributionAnswers,
  example: (code) => new DistributionError(code, `Example of ${code}.`),
});
