import smpp, { type Pdu, type Session } from 'smpp';
import { limits } from '../../limits.js';
import type { OutgoingText, SendOutcome, SmsProvider } from './provider.js';
import { smsParts } from './segments.js';

export interface SmppProviderOptions {
  /** `smpp://host:port` of the SMS centre. */
  url: string;
  systemId: string;
  password: string;
  /** The sender shown on the phone (short code or alphanumeric). */
  sourceAddr: string;
  /** A delivery receipt (deliver_sm with esm_class 0x04), once per part. */
  onReceipt?: (receipt: {
    providerMessageId: string;
    status: 'delivered' | 'failed';
  }) => Promise<void>;
  /** A text a person sent (deliver_sm without the receipt bit): BAJA, STOP … */
  onInbound?: (inbound: { from: string; text: string }) => Promise<void>;
  /** A lost bind, a failed receipt handler: never personal data. */
  onError?: (error: unknown) => void;
  windowMax?: number;
  submitsPerSecondMax?: number;
}

const receiptStates: Record<string, 'delivered' | 'failed' | undefined> = {
  DELIVRD: 'delivered',
  UNDELIV: 'failed',
  EXPIRED: 'failed',
  REJECTD: 'failed',
  DELETED: 'failed',
};
// message_state TLV (SMPP 3.4, 5.2.28): 2 delivered; 3 expired, 4 deleted, 5 undeliverable, 8 rejected.
const messageStates: Record<number, 'delivered' | 'failed' | undefined> = {
  2: 'delivered',
  3: 'failed',
  4: 'failed',
  5: 'failed',
  8: 'failed',
};

/**
 * SMPP 3.4 over the npm `smpp` package (0.5.1), which neither splits long texts nor bounds the
 * window (STACK-NOTES.md): this provider does both.
 *
 * - One transceiver bind, made on the first send and again after it is lost (backoff
 *   `smppReconnectBaseMs` × 2^n, at most `smppReconnectMaxMs`); while unbound a send answers
 *   `unavailable` and the worker retries it later.
 * - Each message is GSM-7 (data_coding 0, unpacked septets) or UCS-2 (0x08) as its text needs;
 *   a long one goes as parts with a concatenation UDH (00 03 ref total n, esm_class 0x40).
 * - At most `smppWindowMax` submit_sm unanswered and `smppSubmitsPerSecondMax` a second.
 * - A submit written but never answered (the bind dropped) is `refused`, not retried: the
 *   SMS centre may have it, and the outbox prefers sending too little to sending twice.
 * - deliver_sm is answered once its handler recorded it (ESME_RX_T_APPN when it failed, so the
 *   centre sends it again); one that is not a receipt or reply we can read is answered at once.
 *
 * @example
 *   const provider = smppProvider({ url: 'smpp://smsc:2775', systemId: 'amparo', password, sourceAddr: 'AMPARO' });
 */
export function smppProvider(options: SmppProviderOptions): SmsProvider & {
  /** Resolves once bound (tests; the worker never waits for it). */
  bound(): Promise<void>;
} {
  const settings = limits.notifications;
  const windowMax = options.windowMax ?? settings.smppWindowMax;
  const interval = 1000 / (options.submitsPerSecondMax ?? settings.smppSubmitsPerSecondMax);
  let session: Session | undefined;
  let binding: Promise<Session> | undefined;
  let closed = false;
  let failures = 0;
  let retryAt = 0;
  let reference = Math.floor(Math.random() * 256);
  let nextSlot = 0;
  let inFlight = 0;
  const waiting: Array<() => void> = [];
  const pending = new Map<number, (pdu: Pdu | null) => void>();

  const bind = (): Promise<Session> => {
    if (session) return Promise.resolve(session);
    if (binding) return binding;
    if (Date.now() < retryAt) return Promise.reject(new Error('SMPP: waiting to reconnect'));
    binding = new Promise<Session>((resolve, reject) => {
      const candidate = smpp.connect({ url: options.url, auto_enquire_link_period: 30_000 });
      const timer = setTimeout(() => {
        candidate.destroy();
        reject(new Error('SMPP: bind timed out'));
      }, settings.smppResponseTimeoutMs);
      candidate.on('error', (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      });
      candidate.on('close', () => {
        clearTimeout(timer);
        if (session === candidate) session = undefined;
        for (const [sequence, settle] of pending) {
          pending.delete(sequence);
          settle(null);
        }
        reject(new Error('SMPP: connection closed'));
        if (!closed) noteFailure();
      });
      // Answered once recorded: a worker killed before that leaves the deliver_sm unanswered,
      // and the centre sends it again on the next bind (answered first, the receipt was lost
      // with the worker and its message stayed `sent`). A handler that fails answers
      // ESME_RX_T_APPN (0x64, a temporary error): the centre retries later.
      candidate.on('deliver_sm', (pdu: Pdu) => {
        handleDeliver(pdu).then(
          () => candidate.send(pdu.response()),
          (error: unknown) => {
            options.onError?.(error);
            candidate.send(pdu.response({ command_status: 0x64 }));
          },
        );
      });
      candidate.on('connect', () => {
        candidate.bind_transceiver(
          { system_id: options.systemId, password: options.password, interface_version: 0x34 },
          (response) => {
            clearTimeout(timer);
            if (response.command_status !== 0) {
              candidate.destroy();
              reject(new Error(`SMPP: bind refused (status ${response.command_status})`));
              return;
            }
            failures = 0;
            session = candidate;
            resolve(candidate);
          },
        );
      });
    }).finally(() => {
      binding = undefined;
    });
    return binding;
  };

  const noteFailure = () => {
    failures += 1;
    const delay = Math.min(
      settings.smppReconnectBaseMs * 2 ** (failures - 1),
      settings.smppReconnectMaxMs,
    );
    retryAt = Date.now() + delay;
  };

  const handleDeliver = async (pdu: Pdu) => {
    const esmClass = Number(pdu.esm_class ?? 0);
    const message = pdu.short_message as { message?: unknown } | Buffer | undefined;
    const text =
      message && !Buffer.isBuffer(message) && typeof message.message === 'string'
        ? message.message
        : Buffer.isBuffer(message)
          ? message.toString('latin1')
          : '';
    if ((esmClass & 0x3c) === 0x04) {
      const id =
        typeof pdu.receipted_message_id === 'string'
          ? pdu.receipted_message_id
          : /id:(\S+)/.exec(text)?.[1];
      const state =
        typeof pdu.message_state === 'number'
          ? messageStates[pdu.message_state]
          : receiptStates[/stat:(\w+)/.exec(text)?.[1] ?? ''];
      if (id && state) await options.onReceipt?.({ providerMessageId: id, status: state });
      return;
    }
    await options.onInbound?.({ from: String(pdu.source_addr ?? ''), text });
  };

  /** Waits for a place in the window and the next slot of the throughput limit. */
  const acquire = async () => {
    while (inFlight >= windowMax) await new Promise<void>((resolve) => waiting.push(resolve));
    inFlight += 1;
    const now = Date.now();
    const slot = Math.max(now, nextSlot);
    nextSlot = slot + interval;
    if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
  };
  const release = () => {
    inFlight -= 1;
    waiting.shift()?.();
  };

  /** The response, or why there is none: never written (not sent) or written but unanswered. */
  const submit = async (
    bound: Session,
    fields: Record<string, unknown>,
  ): Promise<Pdu | 'unwritten' | 'unanswered'> => {
    await acquire();
    try {
      return await new Promise<Pdu | 'unwritten' | 'unanswered'>((resolve) => {
        let sequence = 0;
        const timer = setTimeout(() => {
          pending.delete(sequence);
          resolve('unanswered');
          bound.destroy();
        }, settings.smppResponseTimeoutMs);
        const settle = (pdu: Pdu | null) => {
          clearTimeout(timer);
          pending.delete(sequence);
          resolve(pdu ?? 'unanswered');
        };
        const pdu = new smpp.PDU('submit_sm', fields);
        const written = bound.send(pdu, settle);
        sequence = pdu.sequence_number;
        if (!written) {
          clearTimeout(timer);
          resolve('unwritten');
          return;
        }
        pending.set(sequence, settle);
      });
    } finally {
      release();
    }
  };

  return {
    name: 'smpp',
    async send(message: OutgoingText): Promise<SendOutcome> {
      let bound: Session;
      try {
        bound = await bind();
      } catch (error) {
        options.onError?.(error);
        return { kind: 'unavailable', reason: 'not_bound' };
      }
      const { encoding, parts } = smsParts(message.text);
      reference = (reference + 1) % 256;
      const partIds: string[] = [];
      for (const [index, part] of parts.entries()) {
        const udh =
          parts.length > 1
            ? Buffer.from([0x05, 0x00, 0x03, reference, parts.length, index + 1])
            : Buffer.alloc(0);
        const response = await submit(bound, {
          source_addr: options.sourceAddr,
          source_addr_ton: /^\d+$/.test(options.sourceAddr) ? 0x03 : 0x05,
          destination_addr: message.to.replace(/^\+/, ''),
          dest_addr_ton: 0x01,
          dest_addr_npi: 0x01,
          esm_class: parts.length > 1 ? 0x40 : 0x00,
          data_coding: encoding === 'gsm7' ? 0x00 : 0x08,
          registered_delivery: 0x01,
          short_message: Buffer.concat([udh, part]),
        });
        if (typeof response === 'string') {
          // Parts already accepted went out: the message counts as sent (its receipts will
          // tell). A first part never written was not sent: retry. One written and not
          // answered may have been: never again.
          if (partIds.length > 0) return { kind: 'accepted', partIds };
          return response === 'unwritten'
            ? { kind: 'unavailable', reason: 'not_bound' }
            : { kind: 'refused', reason: 'no_response' };
        }
        if (response.command_status !== 0) {
          const busy =
            response.command_status === smpp.ESME_RTHROTTLED ||
            response.command_status === smpp.ESME_RMSGQFUL;
          if (index === 0 && busy) return { kind: 'unavailable', reason: 'throttled' };
          if (partIds.length > 0) return { kind: 'accepted', partIds };
          return { kind: 'refused', reason: `status_${response.command_status}` };
        }
        partIds.push(String(response.message_id));
      }
      return { kind: 'accepted', partIds };
    },
    bound: () => bind().then(() => undefined),
    async close() {
      closed = true;
      const current = session;
      session = undefined;
      if (current) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            current.destroy();
            resolve();
          }, 1000);
          current.unbind({}, () => {
            clearTimeout(timer);
            current.close(() => resolve());
          });
        });
      }
    },
  };
}
