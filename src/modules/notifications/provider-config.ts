import { ConfigError } from '../../platform/errors.js';
import type { SmsProvider } from './provider.js';

/** The providers this build knows, each built on demand. */
export type ProviderFactories = Partial<Record<string, () => SmsProvider>>;

/**
 * The provider AMPARO_SMS_PROVIDER names (default `file`), built by its factory; an unknown
 * name stops with a ConfigError naming the setting.
 */
export function providerFromEnv(env: NodeJS.ProcessEnv, factories: ProviderFactories): SmsProvider {
  const name = env.AMPARO_SMS_PROVIDER || 'file';
  const factory = factories[name];
  if (!factory) {
    throw new ConfigError(
      'AMPARO_SMS_PROVIDER',
      `must be one of ${Object.keys(factories).join(', ')} (got ${name})`,
    );
  }
  return factory();
}
