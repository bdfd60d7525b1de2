import type { KeyStore } from '../../../platform/crypto/key-store.js';
import { AmparoError } from '../../../platform/errors.js';
import type { PaymentsDependencies } from '../payments-context.js';

/** The server's keys; the merchant routes need them (an app built without them answers 503). */
export function keysOf(deps: PaymentsDependencies): KeyStore {
  if (deps.keys === undefined) throw new AmparoError('AMP_NOT_READY', { detail: 'No keys' });
  return deps.keys;
}
