import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
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
 * Tells the person, in the redemption's transaction (issue 14, point 6, "redemption receipt"),
 * that a collection was recorded at this point, on this day, with this receipt: "if it was not
 * you, tell the office". Never the program or the items (no program opts into more). Without
 * a notifier (tests of distribution alone) nothing is queued.
 */
export async function queueRedemptionNotice(
  trx: Kysely<Database>,
  deps: DistributionDependencies,
  props: { personId: string; point: PointRow; receiptId: string; redeemedAt: Date },
): Promise<void> {
  if (deps.notifier === undefined) return;
  const place = placeText(props.point.name) ?? placeText(props.point.code) ?? 'Amparo';
  // Kept for the outbox worker to resolve the phone and language (`notifyLater`): reading and
  // opening the person's version here was a sixth of a redemption's server CPU.
  await deps.notifier.notifyLater(trx, props.personId, {
    event: 'redemption_receipt',
    place,
    date: localDate(props.redeemedAt),
    reference: receiptReference(props.receiptId),
  });
}
