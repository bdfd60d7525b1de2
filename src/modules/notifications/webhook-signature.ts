import { createHmac, timingSafeEqual } from 'node:crypto';
import { limits } from '../../limits.js';

/**
 * Both directions of the HTTP gateway are signed with one shared secret: our requests to the
 * gateway, and its receipts and replies to us. The signature is HMAC-SHA-256 over
 * `<timestamp>.<body>` (milliseconds since 1970, the raw body bytes), sent as
 * `x-amparo-timestamp` and `x-amparo-signature: v1=<hex>`; a timestamp further than
 * `webhookClockSkewMs` from now is refused, so a captured request cannot be replayed later.
 */
export function signWebhook(secret: string, timestamp: number, body: string | Buffer): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

export function webhookSignatureValid(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: Buffer,
  now: number,
): boolean {
  if (!headers.timestamp || !headers.signature || !/^\d{1,15}$/.test(headers.timestamp)) {
    return false;
  }
  const timestamp = Number(headers.timestamp);
  if (Math.abs(now - timestamp) > limits.notifications.webhookClockSkewMs) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
