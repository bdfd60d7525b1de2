import { derivedId } from '../accounts/account-ids.js';

/**
 * Ledger ids a payout derives from its instruction (as the disbursement derives its transfer
 * from the entitlement): the reservation, its post or void, and a return are each one id per
 * instruction, so no file, however often or in whatever order it arrives, moves the money twice.
 */
export const payoutPendingId = (instructionId: string): string =>
  derivedId('payout-pending', instructionId);
export const payoutPostId = (instructionId: string): string =>
  derivedId('payout-post', instructionId);
export const payoutVoidId = (instructionId: string): string =>
  derivedId('payout-void', instructionId);
export const payoutReturnId = (instructionId: string): string =>
  derivedId('payout-return', instructionId);

/** The transfer that moves a rejected return's money back out of suspense (one per payment). */
export const payoutReturnReversalId = (instructionId: string): string =>
  derivedId('payout-return-reversal', instructionId);

/** The suspense account of a currency: returned and unmatched money waits there. */
export const suspenseAccountId = (currency: string): string => derivedId('suspense', currency);

/**
 * An unmatched movement's transfer id: from the bank's own reference when it gives one (so the
 * same movement in a camt.054 and then in the day's camt.053 is moved once), else from the
 * file and the place in it.
 */
export function unmatchedMovementId(movement: {
  account: string;
  direction: string;
  amountMinor: bigint;
  bankReference: string | null;
  bookingDate: string | null;
  fileSha256: string;
  location: string;
}): string {
  return movement.bankReference === null
    ? derivedId('payout-unmatched-file', movement.fileSha256, movement.location)
    : derivedId(
        'payout-unmatched',
        movement.account,
        movement.direction,
        movement.amountMinor.toString(),
        movement.bankReference,
        movement.bookingDate ?? '',
      );
}
