import assert from 'node:assert/strict';

/** A payment as a refund splits it: the price and the program's share of it. */
export interface RefundablePayment {
  amountMinor: bigint;
  subsidyMinor: bigint;
}

/**
 * How a refund of `amountMinor` is split between the payer's wallet and the subsidising
 * program, when `refundedBeforeMinor` of the payment was refunded already (issue #16, point 5).
 *
 * The program gets back its share of the payment **over the refunds so far, rounded down**:
 * after refunds totalling `r`, the program has had `⌊r × subsidy / amount⌋` back, and this
 * refund's part is the difference between that figure after and before it; the payer's part is
 * the rest of the refund. So each refund's two parts add up to it exactly, in minor units, and
 * once the whole payment is refunded the wallet has had back exactly what it paid and the
 * program exactly its share, however the refunds were cut. Rounding down gives the odd minor unit
 * to the payer first, as the payment's own split does (the program's share rounded down).
 *
 * @example
 *   refundSplit({ amountMinor: 3n, subsidyMinor: 2n }, 0n, 1n); // { payerMinor: 1n, subsidyMinor: 0n }
 *   refundSplit({ amountMinor: 3n, subsidyMinor: 2n }, 1n, 2n); // { payerMinor: 0n, subsidyMinor: 2n }
 */
export function refundSplit(
  payment: RefundablePayment,
  refundedBeforeMinor: bigint,
  amountMinor: bigint,
): { payerMinor: bigint; subsidyMinor: bigint } {
  assert.ok(amountMinor > 0n, 'a refund moves at least one minor unit');
  assert.ok(refundedBeforeMinor >= 0n, 'refunds so far are not negative');
  assert.ok(refundedBeforeMinor + amountMinor <= payment.amountMinor, 'never more than was paid');
  assert.ok(payment.subsidyMinor >= 0n && payment.subsidyMinor <= payment.amountMinor);
  const programShare = (refunded: bigint) =>
    (refunded * payment.subsidyMinor) / payment.amountMinor;
  const subsidyMinor =
    programShare(refundedBeforeMinor + amountMinor) - programShare(refundedBeforeMinor);
  return { payerMinor: amountMinor - subsidyMinor, subsidyMinor };
}
