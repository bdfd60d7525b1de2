/**
 * A payment instruction's status in a payout batch (migration 0065, `return_pending` 0131), as
 * the server stores it and the console shows it: one list, so a status added on one side is
 * added on both.
 */
export type PayoutStatus =
  | 'pending'
  | 'refused'
  | 'accepted'
  | 'rejected'
  | 'settled'
  | 'return_pending'
  | 'returned'
  | 'cancelled';
