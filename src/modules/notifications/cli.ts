import { type Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../../config.js';
import { loadKeyStore } from '../../platform/crypto/key-store.js';
import { openAppDatabase } from '../../platform/db/database.js';
import { AuditLog } from '../audit/index.js';
import { outboxWorker } from './outbox-worker.js';
import type { TextContacts } from './person-notices.js';
import type { SmsProvider } from './provider.js';
import { providerFromEnv } from './provider-config.js';

/** Where the command reads settings and writes; tests pass their own. */
export interface NotificationsCliContext {
  env: NodeJS.ProcessEnv;
  write(text: string): void;
  /** Resolves when the process is asked to stop (SIGINT, SIGTERM); tests resolve it. */
  stopSignal?: Promise<void>;
}

const processContext: NotificationsCliContext = {
  env: process.env,
  write: (text) => process.stderr.write(text),
};

/**
 * `amparo notifications work [--provider NAME] [--once]`: the outbox worker as its own
 * process, beside or instead of the one inside the server (claims skip each other's rows).
 * The provider comes from AMPARO_SMS_PROVIDER (file, console, smpp; see the module's
 * README); `--once` sends what is due and exits; `--lease SECONDS` settles what a dead worker
 * left `sending` sooner than the default five minutes (only when no other worker is slower).
 *
 * @example
 *   // $ AMPARO_SMS_PROVIDER=smpp AMPARO_SMPP_URL=smpp://amparo:secret@smsc:2775 amparo notifications work
 */
export function registerNotificationsCommands(
  program: Command,
  context: NotificationsCliContext = processContext,
  /**
   * The registry's contacts port (`textContacts`, passed by src/main.ts: notifications sits
   * below the registry), so that the worker addresses notices kept with `notifyLater`.
   */
  ports: { contactsFor?: (masterKey: Buffer, audit: AuditLog) => TextContacts } = {},
): void {
  const notifications = program.command('notifications').description('text messages');
  notifications
    .command('work')
    .description('send queued text messages through the configured provider until stopped')
    .option(
      '--provider <name>',
      'file, console, smpp or webhook (default: AMPARO_SMS_PROVIDER, else file)',
    )
    .option('--once', 'send what is due now and exit')
    .option(
      '--lease <seconds>',
      'settle messages another worker left sending this long ago (default 300)',
      (value: string) => {
        const seconds = Number(value);
        if (!Number.isInteger(seconds) || seconds < 5 || seconds > 86_400) {
          throw new InvalidArgumentError('a whole number of seconds from 5 to 86400');
        }
        return seconds;
      },
    )
    .action(async (flags: { provider?: string; once?: boolean; lease?: number }) => {
      const config = loadConfig(context.env);
      const keys = loadKeyStore(config.keysDir, config.masterKeyBase64);
      const env = flags.provider
        ? { ...context.env, AMPARO_SMS_PROVIDER: flags.provider }
        : context.env;
      const handle = await openAppDatabase(config.database);
      const onError = (error: unknown) =>
        context.write(`notifications: ${(error as Error).message}\n`);
      let provider: SmsProvider;
      try {
        provider = providerFromEnv(env, {
          db: handle.db,
          masterKey: keys.masterKey,
          dataDir: config.dataDir,
          onError,
        });
      } catch (error) {
        await handle.close();
        throw error;
      }
      // The worker reads the phones of kept notices; each read is audited through this log.
      const audit = ports.contactsFor ? await AuditLog.open({ db: handle.db, keys }) : undefined;
      const worker = outboxWorker({
        db: handle.db,
        masterKey: keys.masterKey,
        provider,
        onError,
        ...(ports.contactsFor && audit
          ? { contacts: ports.contactsFor(keys.masterKey, audit) }
          : {}),
        ...(flags.lease === undefined ? {} : { sendingLeaseMs: flags.lease * 1000 }),
      });
      try {
        if (flags.once) {
          const sent = await worker.drain();
          context.write(`notifications: ${sent} sent through ${provider.name}\n`);
          return;
        }
        context.write(`notifications: sending through ${provider.name}; stop with Ctrl-C\n`);
        worker.start();
        await (context.stopSignal ??
          new Promise<void>((resolve) => {
            process.once('SIGINT', () => resolve());
            process.once('SIGTERM', () => resolve());
          }));
        await worker.stop();
      } finally {
        await provider.close();
        await audit?.close();
        await handle.close();
      }
    });
}
