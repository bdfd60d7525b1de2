import type { RawBuilder } from 'kysely';
import { localDate } from '../../notifications/index.js';
import type { DistributionDependencies } from '../distribution-context.js';
import type { PointRow } from '../point-gate.js';
import { placeText } from '../points/collection-notices.js';

/**
 * The reference a text gives for a signed receipt: `R-` and the first 8 hex digits of its
 * `receiptId` (upper case), which the printed receipt and its QR text begin with. Enough for
 * the person and the office to find the receipt; it says nothing about what was taken.
 */
export function receiptReference(receiptId: string): string {
  return `R-${receiptId.replaceAll('-', '').slice(0, 8).toUpperCase()}`;
}

/**
 * The statement that tells the person, run in the redemption's transaction as part of its write
 * (issue 14, point 6, "redemption receipt"),
 * that a collection was recorded at this point, on this day, with this receipt: "if it was not
 * you, tell the office". Never the program or the items (no program opts into more). Without
 * a notifier (tests of distribution alone) there is none.
 */
export function redemptionNoticeStatement(
  deps: DistributionDependencies,
  props: { personId: string; point: PointRow; receiptId: string; redeemedAt: Date },
): RawBuilder<unknown> | undefined {
  if (deps.notifier === undefined) return undefined;
  const place = placeText(props.point.name) ?? placeText(props.point.code) ?? 'Amparo';
  // Kept for the outbox worker to resolve the phone and language (`notifyLater`): reading and
  // opening the person's version here was a sixth of a redemption's server CPU.
  return deps.notifier.notifyLaterStatement(props.personId, {
    event: 'redemption_receipt',
    place,
    date: localDate(props.redeemedAt),
    reference: receiptReference(props.receiptId),
  });
}
