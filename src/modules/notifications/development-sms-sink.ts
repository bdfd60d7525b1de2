import path from 'node:path';
import type { Kysely } from 'kysely';
import { limits } from '../../limits.js';
import type { Database } from '../../platform/db/schema.js';
import { fileProvider } from './file-provider.js';
import { outboxWorker } from './outbox-worker.js';
import type { TextContacts } from './person-notices.js';

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
  /** Resolves notices kept with `notifyLater` (the registry's port; `OutboxWorkerOptions`). */
  contacts?: TextContacts;
}

export interface DevelopmentSmsSink {
  file: string;
  /** Delivers every due message now; resolves to how many were written. */
  drain(): Promise<number>;
  /** Delivers due messages every `workerIntervalMs` until `stop`. */
  start(): void;
  /** Stops the timer and waits for a pass under way. */
  stop(): Promise<void>;
}

/**
 * Development's stand-in for an SMS provider: the outbox worker with the file provider, so
 * citizen sign-in by SMS can be tried without one. Messages go through the same state machine
 * as in production (queued → sending → sent). The file holds phone numbers and codes, so it is
 * created readable by its owner only; the server log names neither.
 *
 * @example
 *   const sink = developmentSmsSink({ db, masterKey, file: './data/sms-outbox.log' });
 *   sink.start(); // … await sink.stop();
 */
export function developmentSmsSink(options: DevelopmentSmsSinkOptions): DevelopmentSmsSink {
  const worker = outboxWorker({
    db: options.db,
    masterKey: options.masterKey,
    provider: fileProvider({ file: options.file, ...(options.now ? { now: options.now } : {}) }),
    batchMax: limits.notifications.developmentSinkBatchMax,
    ...(options.now ? { now: options.now } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
    ...(options.contacts ? { contacts: options.contacts } : {}),
  });
  return { file: options.file, drain: worker.drain, start: worker.start, stop: worker.stop };
}

/** Where development writes text messages for a data directory. */
export function developmentSmsSinkFile(dataDir: string): string {
  return path.join(dataDir, developmentSmsSinkFileName);
}
