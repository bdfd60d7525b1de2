import type { EntitlementForRedemption } from '../../programs/index.js';
import type { DistributionDependencies } from '../distribution-context.js';
import { DistributionError } from '../distribution-error.js';
import type { PointRow } from '../point-gate.js';
import type { EntitlementAnswer, ItemBalance } from './entitlement-state.js';
import { type Receipt, receiptKeyFrom, type SignedReceipt, signReceipt } from './receipt.js';

/**
 * What a redemption asks for and what it answers, shared by the one-at-a-time path
 * (redemption-service.ts) and the batch of concurrent card redemptions (redemption-batch.ts):
 * the lines taken from what remains, and the signed receipt.
 *
 * @example
 *   const after = takeLines(items, [{ item: 'fuel', quantity: 30 }]); // refuses too much
 */
export interface RedemptionLine {
  item: string;
  quantity: number;
}

export interface RedemptionAnswer extends SignedReceipt {
  redemptionId: string;
  entitlement: EntitlementAnswer;
}

/** What remains after taking the lines; refuses an item not in the basket or too much of one. */
export function takeLines(
  items: readonly ItemBalance[],
  lines: readonly RedemptionLine[],
): ItemBalance[] {
  const after = items.map((line) => ({ ...line }));
  const seen = new Set<string>();
  lines.forEach((line, index) => {
    const balance = after.find((each) => each.item === line.item);
    if (balance === undefined || seen.has(line.item) || line.quantity > balance.remaining) {
      const reason =
        balance === undefined
          ? 'not in the basket'
          : seen.has(line.item)
            ? 'named twice'
            : `only ${balance.remaining} ${balance.unit} remain`;
      throw new DistributionError('AMP_QUANTITY_ABOVE_REMAINING', `${line.item}: ${reason}`, [
        {
          field: `/lines/${index}/quantity`,
          reason,
          code: 'above_remaining',
          params: { item: line.item, remaining: balance?.remaining ?? 0 },
        },
      ]);
    }
    seen.add(line.item);
    balance.remaining -= line.quantity;
  });
  return after;
}

export type ReceiptLine = Receipt['lines'][number];

export function linesAfter(
  lines: readonly RedemptionLine[],
  after: readonly ItemBalance[],
): ReceiptLine[] {
  return lines.map((line) => {
    const balance = after.find((each) => each.item === line.item) as ItemBalance;
    return {
      item: line.item,
      unit: balance.unit,
      quantity: line.quantity,
      remainingAfter: balance.remaining,
    };
  });
}

export function signedReceiptOf(
  deps: DistributionDependencies,
  point: PointRow,
  input: {
    redemptionId: string;
    entitlement: EntitlementForRedemption;
    mode: Receipt['mode'];
    lines: ReceiptLine[];
    redeemedAt: Date;
  },
): SignedReceipt {
  return signReceipt(receiptKeyFrom(deps.keys.masterKey), {
    v: 1,
    receiptId: input.redemptionId,
    pointCode: point.code,
    programCode: input.entitlement.programCode,
    entitlementId: input.entitlement.entitlementId,
    mode: input.mode,
    redeemedAt: input.redeemedAt.toISOString(),
    lines: input.lines,
  });
}
