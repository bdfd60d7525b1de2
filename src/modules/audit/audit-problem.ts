/** What `amparo audit verify` reports as the first thing found wrong. */
export type AuditProblemKind =
  | 'entry_missing'
  | 'entry_edited'
  | 'entry_mac_invalid'
  | 'tree_head_missing'
  | 'tree_head_unknown_key'
  | 'tree_head_signature_invalid'
  | 'tree_head_root_mismatch'
  | 'tree_head_inconsistent'
  // A staged entry (audit_pending) whose HMAC does not verify: forged or edited there.
  | 'pending_entry_mac_invalid'
  // Against a head remembered outside the database (trusted-heads.ts):
  | 'log_rolled_back'
  | 'trusted_head_inconsistent'
  | 'trusted_head_invalid';

/** The first thing found wrong, in log order. */
export interface AuditProblem {
  kind: AuditProblemKind;
  /** The first bad entry, when the problem is with an entry (or the entry that revealed it). */
  leafIndex: number | null;
  /** The tree head concerned, when the problem is with a head. */
  treeSize: number | null;
  detail: string;
}
