import { limits } from '../../../limits.js';

/** The bounds of the PIN guard (docs/PAYMENTS-PIN.md): `limits.merchants.pinGuard` by default. */
export type PinGuardSettings = { -readonly [K in keyof typeof limits.merchants.pinGuard]: number };

/**
 * The PIN guard's bounds for this app: the defaults of `src/limits.ts` with those the payments
 * module was given (`PaymentsDependencies.pinGuard`) over them.
 *
 * @example
 *   pinGuardOf({ pinGuard: { staffHoldMs: 3_600_000 } }).staffHoldMs; // 3_600_000
 */
export function pinGuardOf(deps: { pinGuard?: Partial<PinGuardSettings> }): PinGuardSettings {
  return { ...limits.merchants.pinGuard, ...deps.pinGuard };
}
