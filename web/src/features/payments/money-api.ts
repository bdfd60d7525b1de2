import type { PayoutStatus } from '../../../../src/shared/api/payouts.js';

/** What the money routes answer (src/modules/payments), as the console reads it. */
export interface Adjustment {
  id: string;
  kind: 'manual' | 'frozen_balance';
  debitAccountId: string;
  creditAccountId: string;
  currency: string;
  amountMinor: string;
  reasonCode: string;
  note: string;
  status: 'proposed' | 'approved' | 'rejected' | 'applied' | 'failed';
  proposedAt: string;
  mine: boolean;
}

export interface FrozenBalance {
  personId: string;
  reason: 'death' | 'merge' | 'erasure';
  currency: 'VES' | 'USD';
  accountId: string;
  balanceMinor: string;
  destination: 'survivor' | 'estate';
  pendingAdjustmentId: string | null;
}

/** A sent payout whose person then died, was merged or erased (`GET /api/payouts/flagged`). */
export interface FlaggedPayout {
  instructionId: string;
  endToEndId: string;
  batchId: string;
  messageId: string;
  currency: string;
  amountMinor: string;
  status: PayoutStatus;
  reason: 'death' | 'merge' | 'erasure';
  statusWhenFlagged: string;
  flaggedAt: string;
}

export interface Progress {
  id: string;
  status: 'running' | 'finished';
  chunksTotal: number;
  chunksDone: number;
  entitlementsTotal: string;
  creditedCount: string;
  creditedMinor: string;
  skippedCount: string;
  refusedCount: string;
  currency: string;
}

export interface TrialBalance {
  lines: Array<{
    currency: string;
    kind: string;
    accounts: number;
    debitsPostedMinor: string;
    creditsPostedMinor: string;
  }>;
  currencies: Array<{
    currency: string;
    debitsPostedMinor: string;
    creditsPostedMinor: string;
    balanced: boolean;
  }>;
}

/**
 * An amount typed by a person ("1250,50", "1250.5", "1.250,50") as minor units in text, the
 * way the API takes amounts; what is not an amount is sent as is, for the server to refuse.
 *
 * @example
 *   minorFrom('1.250,50'); // '125050'
 */
export function minorFrom(typed: string): string {
  const text = typed.trim().replace(/\s/g, '');
  const match = /^(\d{1,3}(?:[.,]\d{3})*|\d+)(?:[.,](\d{1,2}))?$/.exec(text);
  if (match === null) return text;
  const whole = (match[1] ?? '0').replace(/[.,]/g, '');
  const cents = (match[2] ?? '').padEnd(2, '0');
  return (BigInt(whole) * 100n + BigInt(cents)).toString();
}

/** Minor units as text with two decimals: '125050' → '1250.50'. */
export function amountText(minor: string): string {
  const negative = minor.startsWith('-');
  const digits = (negative ? minor.slice(1) : minor).padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** A payout batch as `GET /api/payouts/batches` lists it: figures, no creditor. */
export interface PayoutBatch {
  id: string;
  status: 'preparing' | 'ready' | 'cancelled';
  messageId: string;
  programId: string;
  programName: { es: string; en: string } | null;
  cycleIds: string[];
  currency: string;
  requestedExecutionDate: string;
  paymentsCount: number;
  amountTotalMinor: string;
  createdAt: string;
  sentAt: string | null;
  cancelledAt: string | null;
  /** A second finance officer's approval: the file is downloaded only after it. */
  approvedAt: string | null;
  /** Instructions left out: their person had no usable payee account (`…/exclusions`). */
  excludedCount: number;
  byStatus: Array<{ status: PayoutStatus; count: number; amountMinor: string }>;
  /** Still preparing and no run holds it (the one that made it died): it can be resumed. */
  resumable: boolean;
}

/** One payment of a batch (`GET /api/payouts/batches/:id/payments`): no creditor. */
export interface BatchPayment {
  seq: number;
  endToEndId: string;
  accountKind: 'bank_account' | 'mobile_money';
  bankCode: string | null;
  amountMinor: string;
  status: PayoutStatus;
  statusReason: string | null;
  updatedAt: string;
}

export type BankFileFormat = 'pain.002' | 'camt.053' | 'camt.054' | 'mt940';

/** What applying a bank's file did (`POST /api/payouts/bank-files`), counted by payment. */
export interface BankFileOutcome {
  id: string;
  format: string;
  messageId: string;
  replayed: boolean;
  summary: Record<
    'accepted' | 'rejected' | 'settled' | 'returned' | 'suspense' | 'unchanged' | 'refused',
    number
  >;
}
