import type { CwtMeta } from './cwt.js';
import { credentialClockSkewSecondsDefault } from './limits.js';

/** When a trusted issuer key may sign cards, as a trust list states it. Seconds since 1970. */
export interface IssuingPeriod {
  /** Hex of the key's 8-byte kid, for messages. */
  kid: string;
  notBefore: number;
  /** Absent while the key still issues. */
  notAfter?: number;
}

/**
 * Why a key may not have signed a card, or undefined when it may. A card signed by a retired
 * key is refused when its expiry lies beyond the key's `notAfter` plus the longest card
 * validity: `exp` is the claim whose lie would matter (a holder of a leaked retired key could
 * write any `iat`). When a card does carry `iat`, it must lie in the period too. The server's
 * trust list and the browser's apply this one rule.
 *
 * @example
 * issuingPeriodProblem({ kid: 'a1b2…', notBefore: 0, notAfter: 100 }, { expiresAt: 9e9 }, 3600);
 * // 'key a1b2… stopped issuing at 100; a card it signed cannot expire at 9000000000'
 */
export function issuingPeriodProblem(
  period: IssuingPeriod,
  cwt: CwtMeta,
  credentialValiditySecondsMax: number,
): string | undefined {
  const skew = credentialClockSkewSecondsDefault;
  if (cwt.expiresAt === undefined) return 'the card has no expiry';
  if (
    period.notAfter !== undefined &&
    cwt.expiresAt > period.notAfter + credentialValiditySecondsMax
  ) {
    return `key ${period.kid} stopped issuing at ${period.notAfter}; a card it signed cannot expire at ${cwt.expiresAt}`;
  }
  if (cwt.issuedAt !== undefined) {
    const tooLate = period.notAfter !== undefined && cwt.issuedAt > period.notAfter + skew;
    if (cwt.issuedAt < period.notBefore - skew || tooLate) {
      return `key ${period.kid} was not issuing at ${cwt.issuedAt}`;
    }
  }
  return undefined;
}
