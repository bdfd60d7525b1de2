import type { PayoutCurrency } from './minor-units.js';

/**
 * One movement on the bank account as a statement reports it, whatever the format
 * (camt.053, camt.054, MT940). A batch-booked entry with several transactions gives one
 * movement per transaction, each with its own end-to-end id and amount.
 */
export interface StatementMovement {
  /** Where it is in the file: "Stmt[0]/Ntry[3]/NtryDtls[0]/TxDtls[1]" or "line 12". */
  readonly location: string;
  readonly amountMinor: bigint;
  readonly currency: PayoutCurrency;
  /** Seen from the account holder (Amparo): a payout leaving is a debit. */
  readonly direction: 'credit' | 'debit';
  /** Booked, or only announced (pending, information): only booked movements reconcile. */
  readonly booked: boolean;
  /** The bank reversed an earlier entry (camt `RvslInd`, MT940 `RC`/`RD`). */
  readonly reversal: boolean;
  /** A returned payment: the bank gives the money back with a reason (camt `RtrInf`, MT940 `RTI`). */
  readonly returned: boolean;
  readonly returnReason: string | null;
  /** The payout's end-to-end id, when the bank gives it back. */
  readonly endToEndId: string | null;
  /** The bank's own reference for the entry (camt `AcctSvcrRef`, MT940 after `//`). */
  readonly bankReference: string | null;
  /** YYYY-MM-DD. */
  readonly bookingDate: string | null;
}

/** A statement or notification of one account, read and checked. */
export interface BankStatement {
  readonly format: 'camt.053' | 'camt.054' | 'mt940';
  /** The message (camt `GrpHdr/MsgId`) or transaction reference (MT940 `:20:`). */
  readonly messageId: string;
  /** The statement's own id (camt `Stmt/Id`, MT940 `:28C:`). */
  readonly statementId: string;
  /** The account as the bank writes it (20 digits for a Venezuelan account). */
  readonly account: string;
  readonly currency: PayoutCurrency;
  readonly openingBalanceMinor: bigint | null;
  readonly closingBalanceMinor: bigint | null;
  readonly movements: readonly StatementMovement[];
}
