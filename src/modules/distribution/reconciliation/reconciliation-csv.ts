import { csvRow } from '../../../platform/csv.js';
import type { Reconciliation } from './reconciliation-service.js';

/** The columns of an item: from `item` to `count_unexplained`. */
const itemColumns = 22;

const header = [
  'point',
  'program',
  'reference_date',
  'cycle_status',
  'stock_window_from',
  'stock_window_to',
  'entitled',
  'entitled_program_wide',
  'entitlements_redeemed',
  'redemptions',
  'assisted',
  'conflicts',
  'reversed_redemptions',
  'item',
  'redeemed',
  'stock_out_for_redemptions',
  'integrity_gap',
  'reversed',
  'reversed_stock_out',
  'reversed_returned',
  'delivered',
  'transferred_in',
  'transferred_out',
  'transfer_returned',
  'transfer_shortfall',
  'adjusted',
  'on_hand',
  'in_transit_out',
  'in_transit_in',
  'counted_at',
  'count_expected',
  'counted',
  'count_discrepancy',
  'count_corrected',
  'count_unexplained',
  'last_signed_off_at',
  'last_sign_off_current',
  'refused_offline_receipts',
  'refused_receipt',
  'refused_device',
  'refused_device_time',
  'refused_synced_at',
  'refused_reason',
  'refused_lines',
];

/**
 * A point's reconciliation as CSV for a spreadsheet: one row per item with the cycle's counts
 * repeated (so the sheet filters and sums without merged cells), every cell through the
 * platform's `csvRow` (RFC 4180 quoting, formulas neutralised), a UTF-8 byte-order mark so a
 * spreadsheet reads "Pérez" and "conciliación" right. After the items, one row per offline receipt
 * the sync refused (its receipt, device, times, reason and the lines the device claims, as
 * `item:quantity` joined by spaces), the item columns empty: what a device sends is written as
 * text through `csvRow` like every other cell, so a crafted label or code is not a formula.
 *
 * @example
 *   reply.type('text/csv; charset=utf-8').send(reconciliationCsv(report));
 */
export function reconciliationCsv(report: Reconciliation): string {
  const figures = report.figures;
  const last = report.signOffs[0];
  const common = [
    figures.pointCode,
    figures.programCode,
    figures.referenceDate,
    figures.cycleStatus,
    figures.stockWindow.from,
    figures.stockWindow.to,
    figures.entitled,
    figures.entitledProgramWide,
    figures.entitlementsRedeemed,
    figures.redemptions,
    figures.assisted,
    figures.conflicts,
    figures.reversed,
  ];
  const signed = [
    last?.signedAt ?? null,
    last === undefined ? null : last.current,
    figures.refusedOffline ?? 0,
  ];
  const noRefusal = Array(6).fill(null);
  const lines = figures.items.map((item) =>
    csvRow([
      ...common,
      item.item,
      item.redeemed,
      item.stockOutForRedemptions,
      item.integrityGap,
      item.reversed,
      item.reversedStockOut,
      item.reversedReturned,
      item.delivered,
      item.transferredIn,
      item.transferredOut,
      item.transferReturned,
      item.transferShortfall,
      item.adjusted,
      item.onHand,
      item.inTransitOut,
      item.inTransitIn,
      item.count?.countedAt ?? null,
      item.count?.expected ?? null,
      item.count?.counted ?? null,
      item.count?.discrepancy ?? null,
      item.count?.corrected ?? null,
      item.count?.unexplained ?? null,
      ...signed,
      ...noRefusal,
    ]),
  );
  if (lines.length === 0) {
    lines.push(csvRow([...common, ...Array(itemColumns).fill(null), ...signed, ...noRefusal]));
  }
  for (const refused of report.refusedReceipts) {
    lines.push(
      csvRow([
        ...common,
        ...Array(itemColumns).fill(null),
        ...signed,
        refused.receiptId,
        refused.deviceLabel,
        refused.deviceTime,
        refused.syncedAt,
        refused.reason,
        refused.lines.map((line) => `${line.item}:${line.quantity}`).join(' '),
      ]),
    );
  }
  return `\uFEFF${csvRow(header)}${lines.join('')}`;
}
