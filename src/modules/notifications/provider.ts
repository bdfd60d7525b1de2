/**
 * What every SMS provider does for the outbox worker: take one rendered message and say
 * whether it was accepted (with the provider's id for each part, which receipts name), refused
 * for good, or not taken now (the provider is down: the worker retries with backoff).
 */
export interface OutgoingText {
  /** The outbox id; providers that can carry a reference send it. */
  id: string;
  /** E.164 phone number. */
  to: string;
  text: string;
}

export type SendOutcome =
  /** Accepted: one provider id per SMS part, in order. */
  | { kind: 'accepted'; partIds: string[] }
  /** Refused for this message (bad number, content): not retried. */
  | { kind: 'refused'; reason: string }
  /**
   * Not taken, and the provider did not get it (unreachable, throttled, bind lost before the
   * submit was written): retried later. A provider that cannot tell must answer `accepted` or
   * `refused`, never this: the outbox prefers sending too little to sending twice.
   */
  | { kind: 'unavailable'; reason: string };

export interface SmsProvider {
  /** Short name kept with each message (`file`, `webhook`, `smpp`). */
  readonly name: string;
  send(message: OutgoingText): Promise<SendOutcome>;
  /** Releases connections; pending sends settle first. */
  close(): Promise<void>;
}
