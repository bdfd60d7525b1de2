import type { Generated } from 'kysely';
import type {
  AccountKind,
  LedgerCurrency,
  ReferenceKind,
  TransferReason,
  TransferResult,
} from './ledger-codes.js';

/** Kysely types of the ledger's tables; `migrations/0060_ledger.sql` is the truth. */
export interface LedgerTables {
  ledger_account: {
    id: string;
    currency: LedgerCurrency;
    kind: AccountKind;
    /** TigerBeetle account flags (`accountFlags`). */
    flags: number;
    reference_id: string | null;
    debits_pending: Generated<bigint>;
    debits_posted: Generated<bigint>;
    credits_pending: Generated<bigint>;
    credits_posted: Generated<bigint>;
    created_at: Generated<Date>;
  };
  ledger_transfer: {
    id: string;
    seq: Generated<bigint>;
    debit_account_id: string;
    credit_account_id: string;
    amount: bigint;
    pending_id: string | null;
    /** TigerBeetle transfer flags (`transferFlags`). */
    flags: number;
    timeout_seconds: number;
    expires_at: Date | null;
    currency: LedgerCurrency;
    reason: TransferReason;
    reference_kind: ReferenceKind | null;
    reference_id: string | null;
    result: TransferResult;
    created_at: Date;
  };
}
