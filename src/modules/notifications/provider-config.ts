import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import { ConfigError } from '../../platform/errors.js';
import { developmentSmsSinkFile } from './development-sms-sink.js';
import { consoleProvider, fileProvider } from './file-provider.js';
import type { SmsProvider } from './provider.js';
import { recordInbound, recordReceipt } from './receipts.js';
import { smppProvider } from './smpp-provider.js';
import { webhookProvider } from './webhook-provider.js';

export interface ProviderContext {
  db: Kysely<Database>;
  masterKey: Buffer;
  /** `$AMPARO_DATA_DIR`, where the file provider writes. */
  dataDir: string;
  /** Receipts and replies that could not be recorded; never personal data. */
  onError?: (error: unknown) => void;
}

export const providerNames = ['file', 'console', 'smpp', 'webhook'] as const;

/**
 * The provider AMPARO_SMS_PROVIDER names (default `file`), with its receipts and replies
 * recorded in the database:
 *
 * - `file`: `$AMPARO_DATA_DIR/sms-outbox.log` (development);
 * - `console`: standard output;
 * - `smpp`: AMPARO_SMPP_URL (`smpp://system_id:password@host:port`), AMPARO_SMPP_SOURCE (the
 *   sender shown, default AMPARO);
 * - `webhook`: AMPARO_SMS_WEBHOOK_URL (the gateway's send URL), AMPARO_SMS_WEBHOOK_SECRET (the
 *   shared signing secret, at least 16 characters; the server checks receipts with it too).
 *
 * A missing or unknown setting stops with a ConfigError naming it.
 */
export function providerFromEnv(env: NodeJS.ProcessEnv, context: ProviderContext): SmsProvider {
  const name = env.AMPARO_SMS_PROVIDER || 'file';
  if (name === 'file') return fileProvider({ file: developmentSmsSinkFile(context.dataDir) });
  if (name === 'console') return consoleProvider((line) => process.stdout.write(line));
  if (name === 'smpp') {
    const raw = env.AMPARO_SMPP_URL;
    if (!raw) throw new ConfigError('AMPARO_SMPP_URL', 'is required for AMPARO_SMS_PROVIDER=smpp');
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new ConfigError('AMPARO_SMPP_URL', 'is not a URL');
    }
    if (url.protocol !== 'smpp:' || !url.username) {
      throw new ConfigError(
        'AMPARO_SMPP_URL',
        'must look like smpp://system_id:password@host:port',
      );
    }
    return smppProvider({
      url: `smpp://${url.hostname}:${url.port || '2775'}`,
      systemId: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      sourceAddr: env.AMPARO_SMPP_SOURCE || 'AMPARO',
      onReceipt: async (receipt) => {
        await recordReceipt(context.db, { provider: 'smpp', ...receipt, at: new Date() });
      },
      onInbound: async (inbound) => {
        await recordInbound(context.db, context.masterKey, { ...inbound, at: new Date() });
      },
      ...(context.onError ? { onError: context.onError } : {}),
    });
  }
  if (name === 'webhook') {
    const url = env.AMPARO_SMS_WEBHOOK_URL;
    const secret = env.AMPARO_SMS_WEBHOOK_SECRET;
    if (!url || !/^https?:\/\//.test(url)) {
      throw new ConfigError('AMPARO_SMS_WEBHOOK_URL', 'must be an http(s) URL');
    }
    if (!secret || secret.length < 16) {
      throw new ConfigError('AMPARO_SMS_WEBHOOK_SECRET', 'must be at least 16 characters');
    }
    return webhookProvider({ url, secret });
  }
  throw new ConfigError(
    'AMPARO_SMS_PROVIDER',
    `must be one of ${providerNames.join(', ')} (got ${name})`,
  );
}
