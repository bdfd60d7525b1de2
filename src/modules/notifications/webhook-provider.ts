import { limits } from '../../limits.js';
import type { OutgoingText, SendOutcome, SmsProvider } from './provider.js';
import { smsLayout } from './segments.js';
import { signWebhook } from './webhook-signature.js';

/**
 * A generic HTTP SMS gateway: each message is one signed POST of
 * `{ id, to, text, encoding, segments }` (webhook-signature.ts). The gateway answers 2xx with
 * `{ messageIds: [...] }` (one per part, or `{ messageId }`), which its receipts name later.
 *
 * - 2xx: accepted; 4xx: refused (not retried); 429 and 5xx: unavailable (retried).
 * - No connection at all: unavailable. A request sent and never answered (timeout): refused,
 *   since the gateway may have it — the outbox prefers sending too little to sending twice.
 *
 * @example
 *   const provider = webhookProvider({ url: 'https://sms.example/send', secret });
 */
export function webhookProvider(options: {
  url: string;
  secret: string;
  fetch?: typeof fetch;
  now?: () => number;
}): SmsProvider {
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  return {
    name: 'webhook',
    async send(message: OutgoingText): Promise<SendOutcome> {
      const layout = smsLayout(message.text);
      const body = JSON.stringify({
        id: message.id,
        to: message.to,
        text: message.text,
        encoding: layout.encoding,
        segments: layout.segments,
      });
      const timestamp = now();
      let response: Response;
      try {
        response = await doFetch(options.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-amparo-timestamp': String(timestamp),
            'x-amparo-signature': signWebhook(options.secret, timestamp, body),
          },
          body,
          signal: AbortSignal.timeout(limits.notifications.webhookTimeoutMs),
        });
      } catch (error) {
        const code = (error as { cause?: { code?: string } }).cause?.code;
        // Refused or unresolvable: nothing reached the gateway.
        if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
          return { kind: 'unavailable', reason: 'unreachable' };
        }
        return { kind: 'refused', reason: 'no_response' };
      }
      if (response.status === 429 || response.status >= 500) {
        return { kind: 'unavailable', reason: `status_${response.status}` };
      }
      if (!response.ok) return { kind: 'refused', reason: `status_${response.status}` };
      const answer = (await response.json().catch(() => null)) as {
        messageIds?: unknown;
        messageId?: unknown;
      } | null;
      const ids = Array.isArray(answer?.messageIds)
        ? answer.messageIds.filter((id): id is string => typeof id === 'string' && id.length > 0)
        : typeof answer?.messageId === 'string'
          ? [answer.messageId]
          : [];
      // Accepted without ids: sent, but no receipt can ever name it.
      return { kind: 'accepted', partIds: ids.slice(0, 255).map((id) => id.slice(0, 128)) };
    },
    async close() {},
  };
}
