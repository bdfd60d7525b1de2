import { appendFileSync, closeSync, openSync } from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { limits } from '../../limits.js';
import { DecryptionError, open } from '../../platform/crypto/envelope.js';
import type { Database } from '../../platform/db/schema.js';
import { markSent, type QueuedMessage, unsentMessages } from './outbox-repository.js';
import { smsText } from './sms-text.js';

/** The file development writes text messages to, under the data directory. */
export const developmentSmsSinkFileName = 'sms-outbox.log';

export interface DevelopmentSmsSinkOptions {
  db: Kysely<Database>;
  /** Opens the sealed recipients (the key they were sealed under). */
  masterKey: Buffer;
  /** The file messages are appended to, one line each; created with mode 0600. */
  file: string;
  now?: () => Date;
  /** A pass that failed (the database, the file); never given personal data. */
  onError?: (error: unknown) => void;
}

export interface DevelopmentSmsSink {
  file: string;
  /** Delivers every queued message now; resolves to how many were written. */
  drain(): Promise<number>;
  /** Delivers queued messages every `developmentSinkIntervalMs` until `stop`. */
  start(): void;
  /** Stops the timer and waits for a pass under way. */
  stop(): Promise<void>;
}

/**
 * Development's stand-in for an SMS provider: queued messages go from `notification_outbox`
 * to a local file (time, phone number, text), and are marked sent in the outbox, so citizen
 * sign-in by SMS can be tried without a provider. Never used in production (the server starts
 * it only for `amparo start` outside `AMPARO_ENV=production`). The file holds phone numbers
 * and codes, so it is created readable by its owner only; the server log names neither.
 *
 * @example
 *   const sink = developmentSmsSink({ db, masterKey, file: './data/sms-outbox.log' });
 *   sink.start(); // … await sink.stop();
 */
export function developmentSmsSink(options: DevelopmentSmsSinkOptions): DevelopmentSmsSink {
  const now = options.now ?? (() => new Date());
  const { developmentSinkIntervalMs, developmentSinkBatchMax } = limits.notifications;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  const pass = async (): Promise<number> => {
    let written = 0;
    for (;;) {
      const batch = await unsentMessages(options.db, developmentSinkBatchMax);
      if (batch.length === 0) return written;
      appendFileSync(options.file, batch.map((message) => lineFor(message)).join(''), {
        mode: 0o600,
      });
      await markSent(
        options.db,
        batch.map((message) => message.id),
        now(),
      );
      written += batch.length;
    }
  };
  const lineFor = (message: QueuedMessage): string =>
    `${message.createdAt.toISOString()}  to ${recipientOf(message)}  ${smsText(message.templateId, message.parameters)}\n`;
  const recipientOf = (message: QueuedMessage): string => {
    try {
      return open(options.masterKey, message.recipientSealed, {
        table: 'notification_outbox',
        column: 'recipient',
        recordId: message.id,
      }).toString('utf8');
    } catch (error) {
      // Sealed under another master key (a database kept, keys re-created): say so in the
      // file rather than retrying the same message every second.
      if (error instanceof DecryptionError) return '(recipient unreadable with these keys)';
      throw error;
    }
  };
  const drain = (): Promise<number> => {
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  };

  return {
    file: options.file,
    drain,
    start() {
      // Created at once (empty), so the file named at start-up exists before the first message.
      closeSync(openSync(options.file, 'a', 0o600));
      timer ??= setInterval(() => {
        drain().catch((error: unknown) => options.onError?.(error));
      }, developmentSinkIntervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await running?.catch(() => undefined);
    },
  };
}

/** Where development writes text messages for a data directory. */
export function developmentSmsSinkFile(dataDir: string): string {
  return path.join(dataDir, developmentSmsSinkFileName);
}
