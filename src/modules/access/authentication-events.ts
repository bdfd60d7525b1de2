/**
 * What the access module reports to the application (for the audit log). Events never
 * carry a password, TOTP code, one-time code, token, username as typed or ID number: an
 * unknown username may be someone's password typed in the wrong field.
 */
export type SignInFailureReason =
  | 'unknown_subject'
  | 'wrong_password'
  | 'wrong_totp'
  | 'replayed_totp'
  | 'disabled'
  /** Refused unchecked: too soon after failures of this account from this address. */
  | 'throttled'
  /** Refused unchecked: too soon after many failures of this account from any address. */
  | 'account_throttled'
  /** Refused unchecked: too many failures from this address over all accounts. */
  | 'address_throttled'
  | 'no_valid_code'
  | 'wrong_code';

export interface SignInAttemptEvent {
  kind: 'operator' | 'citizen';
  outcome: 'success' | 'failure' | 'refused';
  /** Internal only: the answer to the client is the same for every failure. */
  reason: SignInFailureReason | null;
  /** The operator, when the username named one (also for failures). */
  operatorId: string | null;
  /** The person, when the ID number named one (also for failures). */
  personId: string | null;
  /** The session created, on success. */
  sessionId: string | null;
  at: Date;
}

export type AuthenticationEvent =
  | { type: 'sign_out'; sessionId: string; at: Date }
  | { type: 'device_token_created'; operatorId: string; sessionId: string; at: Date }
  | { type: 'device_token_revoked'; operatorId: string; sessionId: string; at: Date }
  | { type: 'password_changed'; operatorId: string; sessionsRevoked: number; at: Date }
  /** The person set their own password and TOTP secret with both enrolment code halves. */
  | { type: 'operator_enrolled'; operatorId: string; at: Date }
  | {
      type: 'citizen_code_issued';
      personId: string;
      channel: 'sms' | 'slip';
      /** The clerk, for a printed slip. */
      operatorId: string | null;
      at: Date;
    };
