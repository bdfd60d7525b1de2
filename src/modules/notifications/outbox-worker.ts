import type { Kysely } from 'kysely';
import { limits } from '../../limits.js';
import type { Database } from '../../platform/db/schema.js';
import { resolveDeferredNotices } from './deferred-notices.js';
import { e164 } from './outbox-enqueuer.js';
import {
  type ClaimedMessage,
  claimDue,
  recordAccepted,
  recordEnded,
  recordHanded,
  recordHeld,
  recordRetry,
  sentSince,
  settleStale,
} from './outbox-repository.js';
import { openedParameters, openInOutbox } from './outbox-seal.js';
import type { TextContacts } from './person-notices.js';
import type { SmsProvider } from './provider.js';
import { smsLayout } from './segments.js';
import { renderText, TemplateError } from './templates.js';

export interface OutboxWorkerOptions {
  db: Kysely<Database>;
  /** Opens the sealed recipients and secret values (one-time codes) of what it sends. */
  masterKey: Buffer;
  provider: SmsProvider;
  now?: () => Date;
  /** A pass that failed (the database, the provider); never given personal data. */
  onError?: (error: unknown) => void;
  /** Messages claimed per statement; `limits.notifications.claimBatchMax` by default. */
  batchMax?: number;
  /**
   * Messages handed to the provider at a time, marked `handed_at` first;
   * `limits.notifications.handBatchMax` by default. A worker killed mid-send leaves at most
   * this many messages whose fate is unknown (failed as interrupted).
   */
  handMax?: number;
  /**
   * How long a message may stay `sending` before another worker settles it as abandoned:
   * `limits.notifications.sendingLeaseMs` by default (`--lease` of the command).
   */
  sendingLeaseMs?: number;
  /**
   * The registry's port for phones and languages: with it, each pass first queues the messages
   * of notices kept with `notifier.notifyLater` (`resolveDeferredNotices`). A worker without it
   * leaves them to one that has it (the server's and `amparo notifications work` have it).
   */
  contacts?: TextContacts;
}

/** What one pass did, by outcome. */
export interface PassReport {
  sent: number;
  failed: number;
  retried: number;
  expired: number;
}

export interface OutboxWorker {
  /** One claim-and-send pass. */
  runOnce(): Promise<PassReport>;
  /** Passes until nothing is due; resolves to the messages sent. */
  drain(): Promise<number>;
  /** Passes every `workerIntervalMs` (at once again after a full batch) until `stop`. */
  start(): void;
  /** Stops the timer and waits for a pass under way. */
  stop(): Promise<void>;
}

/**
 * The outbox's sender: claims due messages, renders each in its language, hands it to the
 * provider and records the outcome. Runs inside the server and as `amparo notifications work`;
 * any number of workers may run against one database (claims skip locked rows).
 *
 * - Never sends past expiry: expired messages are settled before claiming, and a claimed one
 *   whose expiry passed meanwhile is expired instead of sent.
 * - A provider that is down gets the message back later, with backoff (base × 2^(n − 1));
 *   after `attemptsMax` claims it fails.
 * - Quiet hours hold everything but requested sign-in codes; so does the per-recipient limit.
 * - Claims a batch but hands it to the provider in groups of `handMax`, each marked `handed_at`
 *   first. After the lease, a message a dead worker left `sending` goes back to the queue if it
 *   was never handed, and fails as interrupted (never sent again) if it was.
 *
 * @example
 *   const worker = outboxWorker({ db, masterKey, provider: fileProvider({ file }) });
 *   worker.start(); // … await worker.stop();
 */
export function outboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const now = options.now ?? (() => new Date());
  const settings = limits.notifications;
  const batchMax = options.batchMax ?? settings.claimBatchMax;
  const handMax = options.handMax ?? settings.handBatchMax;
  const leaseMs = options.sendingLeaseMs ?? settings.sendingLeaseMs;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<PassReport> | undefined;
  let stopped = true;

  // Notices resolved by the last pass: a full batch means more may be waiting.
  let resolvedLast = 0;
  const pass = async (): Promise<PassReport> => {
    const at = now();
    const contacts = options.contacts;
    resolvedLast =
      contacts === undefined
        ? 0
        : await resolveDeferredNotices(
            { db: options.db, masterKey: options.masterKey, contacts },
            at,
            batchMax,
          );
    const settled = await settleStale(options.db, at, new Date(at.getTime() - leaseMs));
    const report: PassReport = { sent: 0, failed: 0, retried: 0, expired: settled.expired };
    const claimed = await claimDue(options.db, {
      at,
      limit: batchMax,
      quiet: inQuietHours(at),
      recipientMessagesMax: settings.recipientMessagesMax,
      recipientWindowStart: new Date(at.getTime() - settings.recipientWindowMs),
    });
    const allowed = await withinRecipientLimit(claimed, at);
    for (let start = 0; start < allowed.length; start += handMax) {
      await deliverGroup(allowed.slice(start, start + handMax), at, report);
    }
    return report;
  };

  /** Several notices to one person in one batch: those over the limit wait an hour. */
  const withinRecipientLimit = async (
    claimed: ClaimedMessage[],
    at: Date,
  ): Promise<ClaimedMessage[]> => {
    const counted = claimed.filter((message) => !message.requested && message.personId !== null);
    const sent = await sentSince(
      options.db,
      [...new Set(counted.map((message) => message.personId ?? ''))],
      new Date(at.getTime() - settings.recipientWindowMs),
    );
    const held: string[] = [];
    const allowed = claimed.filter((message) => {
      if (message.requested || message.personId === null) return true;
      const count = sent.get(message.personId) ?? 0;
      if (count >= settings.recipientMessagesMax) {
        held.push(message.id);
        return false;
      }
      sent.set(message.personId, count + 1);
      return true;
    });
    await recordHeld(options.db, held, new Date(at.getTime() + settings.recipientHoldMs));
    return allowed;
  };

  const end = async (
    message: ClaimedMessage,
    report: PassReport,
    status: 'failed' | 'expired',
    reason: string,
  ) => {
    await recordEnded(options.db, { id: message.id, status, reason, at: now() });
    if (status === 'failed') report.failed += 1;
    else report.expired += 1;
  };

  /** The recipient and words of a message, or null when it was ended instead (a clear state). */
  const prepare = async (
    message: ClaimedMessage,
    report: PassReport,
  ): Promise<{ to: string; text: string } | null> => {
    const stop = async (status: 'failed' | 'expired', reason: string) => {
      await end(message, report, status, reason);
      return null;
    };
    const to = openInOutbox(options.masterKey, message.id, 'recipient', message.recipientSealed);
    if (to === null) return stop('failed', 'recipient_unreadable');
    if (!e164.test(to)) return stop('failed', 'not_e164');
    // The secret values (a one-time code) are opened here, just before the text is rendered for
    // the provider, and never kept: the row's sealed copy is cleared once the message ends.
    const parameters = openedParameters(options.masterKey, message);
    if (parameters === null) return stop('failed', 'parameters_unreadable');
    let text: string;
    try {
      text = renderText(message.templateId, message.language, parameters);
    } catch (error) {
      if (error instanceof TemplateError) return stop('failed', `template_${error.reason}`);
      throw error;
    }
    if (smsLayout(text).segments > settings.segmentsMax) return stop('failed', 'too_long');
    if (message.expiresAt !== null && message.expiresAt.getTime() <= now().getTime()) {
      return stop('expired', 'expired');
    }
    return { to, text };
  };

  /** Prepares a group, marks what this claim still holds as handed, then sends it. */
  const deliverGroup = async (group: ClaimedMessage[], claimedAt: Date, report: PassReport) => {
    const ready: Array<{ message: ClaimedMessage; to: string; text: string }> = [];
    for (const message of group) {
      const prepared = await prepare(message, report);
      if (prepared !== null) ready.push({ message, ...prepared });
    }
    const held = await recordHanded(
      options.db,
      ready.map(({ message }) => ({ id: message.id, attempts: message.attempts })),
      claimedAt,
      now(),
    );
    await Promise.all(
      ready
        .filter(({ message }) => held.has(message.id))
        .map(({ message, to, text }) => send(message, to, text, report)),
    );
  };

  const send = async (
    message: ClaimedMessage,
    to: string,
    text: string,
    report: PassReport,
  ): Promise<void> => {
    let outcome: Awaited<ReturnType<SmsProvider['send']>>;
    try {
      outcome = await options.provider.send({ id: message.id, to, text });
    } catch (error) {
      // A provider that throws instead of answering: we do not know whether it sent. Failing
      // the message (not retrying) keeps the promise never to send twice.
      options.onError?.(error);
      return end(message, report, 'failed', 'provider_error');
    }
    if (outcome.kind === 'accepted') {
      await recordAccepted(options.db, {
        id: message.id,
        provider: options.provider.name,
        partIds: outcome.partIds,
        at: now(),
      });
      report.sent += 1;
      return;
    }
    if (outcome.kind === 'refused') return end(message, report, 'failed', 'provider_refused');
    if (message.attempts >= settings.attemptsMax)
      return end(message, report, 'failed', 'provider_unavailable');
    const delay = Math.min(settings.retryBaseMs * 2 ** (message.attempts - 1), settings.retryMaxMs);
    const nextAttemptAt = new Date(now().getTime() + delay);
    if (message.expiresAt !== null && nextAttemptAt >= message.expiresAt) {
      return end(message, report, 'expired', 'expired');
    }
    await recordRetry(options.db, { id: message.id, nextAttemptAt });
    report.retried += 1;
  };

  const runOnce = (): Promise<PassReport> => {
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  };

  const schedule = (delay: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      runOnce()
        .then((report) => {
          const busy =
            report.sent + report.failed + report.retried >= batchMax || resolvedLast >= batchMax;
          schedule(busy ? 0 : settings.workerIntervalMs);
        })
        .catch((error: unknown) => {
          options.onError?.(error);
          schedule(settings.workerIntervalMs);
        });
    }, delay);
    timer.unref();
  };

  return {
    runOnce,
    async drain() {
      let sent = 0;
      for (;;) {
        const report = await runOnce();
        sent += report.sent;
        const done = report.sent + report.failed + report.retried + report.expired === 0;
        if (done && resolvedLast === 0) return sent;
      }
    },
    start() {
      if (!stopped) return;
      stopped = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}

/** True when `at` falls in the quiet hours of `limits.notifications.quietHours`. */
export function inQuietHours(at: Date): boolean {
  const { startHour, endHour, timeZone } = limits.notifications.quietHours;
  const hour = Number(
    new Intl.DateTimeFormat('en-GB', { hour: 'numeric', hourCycle: 'h23', timeZone }).format(at),
  );
  return startHour > endHour
    ? hour >= startHour || hour < endHour
    : hour >= startHour && hour < endHour;
}
