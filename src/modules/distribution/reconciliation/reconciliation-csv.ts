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
  'dispute_receipt',
  'dispute_device_time',
  'dispute_synced_at',
  'dispute_item',
  'dispute_unit',
  'dispute_withdrawn',
  'dispute_taken_back',
  'disputed',
  'dispute_decision',
  'dispute_returned',
  'dispute_written_off',
  'dispute_reason',
  'dispute_decided_by',
  'dispute_decided_at',
];

/** The columns of a refused receipt, and of a carry-over dispute. */
const refusalColumns = 6;
const disputeColumns = 14;

/**
 * A point's reconciliation as CSV for a spreadsheet: one row per item with the cycle's counts
 * repeated (so the sheet filters and sums without merged cells), every cell through the
 * platform's `csvRow` (RFC 4180 quoting, formulas neutralised), a UTF-8 byte-order mark so a
 * spreadsheet reads "Pérez" and "conciliación" right. After the items, one row per offline receipt
 * the sync refused (its receipt, device, times, reason and the lines the device claims, as
 * `item:quantity` joined by spaces), the item columns empty: what a device sends is written as
 * text through `csvRow` like every other cell, so a crafted label or code is not a formula. Then
 * one row per carry-over dispute listed beside the figures (decided or not: the decision columns
 * are empty until it is), the item and refusal columns empty; its reason, a supervisor's free
 * text, goes through `csvRow` too. No entitlement id is written: the sheet names no one.
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
  const noRefusal = Array(refusalColumns).fill(null);
  const noDispute = Array(disputeColumns).fill(null);
  const noItem = Array(itemColumns).fill(null);
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
      ...noDispute,
    ]),
  );
  if (lines.length === 0) {
    lines.push(csvRow([...common, ...noItem, ...signed, ...noRefusal, ...noDispute]));
  }
  for (const refused of report.refusedReceipts) {
    lines.push(
      csvRow([
        ...common,
        ...noItem,
        ...signed,
        refused.receiptId,
        refused.deviceLabel,
        refused.deviceTime,
        refused.syncedAt,
        refused.reason,
        refused.lines.map((line) => `${line.item}:${line.quantity}`).join(' '),
        ...noDispute,
      ]),
    );
  }
  for (const dispute of report.carryOverDisputes) {
    const { decision } = dispute;
    lines.push(
      csvRow([
        ...common,
        ...noItem,
        ...signed,
        ...noRefusal,
        dispute.receiptId,
        dispute.deviceTime,
        dispute.syncedAt,
        dispute.item,
        dispute.unit,
        dispute.withdrawn,
        dispute.takenBack,
        dispute.disputed,
        decision?.outcome ?? null,
        decision?.quantityReturned ?? null,
        decision?.quantityWrittenOff ?? null,
        decision?.reason ?? null,
        decision?.decidedBy ?? null,
        decision?.decidedAt ?? null,
      ]),
    );
  }
  return `\uFEFF${csvRow(header)}${lines.join('')}`;
}
