import type { Options } from '@node-rs/argon2';
import type { PaymentsDependencies } from '../payments-context.js';

/**
 * argon2id parameters for payment PINs: those `src/app.ts` passes (the operators' password
 * parameters), else the OWASP minimum the access module uses by default.
 */
export function passwordHashOptionsOf(deps: PaymentsDependencies): Options {
  // `algorithm: 2` is Argon2id (an ambient const enum that cannot be imported as a value).
  return deps.pinHashOptions ?? { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };
}
