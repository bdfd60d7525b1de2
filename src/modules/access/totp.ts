import { createHmac, timingSafeEqual } from 'node:crypto';
import { accessLimits } from './limits.js';

/**
 * Time-based one-time passwords, RFC 6238 over HOTP (RFC 4226) with HMAC-SHA-1, the variant
 * every authenticator app supports.
 *
 * @example
 *   totpCode(secret, totpStep(Date.now())); // '492039'
 */
export function totpCode(
  secret: Buffer,
  step: number,
  digits: number = accessLimits.totp.digits,
): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', secret).update(counter).digest();
  // Dynamic truncation (RFC 4226 §5.3): the low nibble of the last byte picks 4 bytes.
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The RFC 6238 time step (T0 = 0) that contains the instant `atMs`. */
export function totpStep(
  atMs: number,
  stepSeconds: number = accessLimits.totp.stepSeconds,
): number {
  return Math.floor(atMs / 1000 / stepSeconds);
}

/**
 * Finds the step, within ±`skewSteps` of now, whose code matches, and which is later than
 * `lastAcceptedStep` (so an accepted code can never be used again). Returns null when none.
 * Every candidate is compared in constant time, whatever matches first.
 *
 * @example
 *   const step = matchTotp(secret, '492039', Date.now(), lastStep);
 *   if (step !== null) await recordAcceptedStep(operatorId, step);
 */
export function matchTotp(
  secret: Buffer,
  code: string,
  nowMs: number,
  lastAcceptedStep: number | null,
): number | null {
  const { digits, skewSteps } = accessLimits.totp;
  if (code.length !== digits || !/^[0-9]+$/.test(code)) return null;
  const current = totpStep(nowMs);
  let matched: number | null = null;
  for (let step = current - skewSteps; step <= current + skewSteps; step += 1) {
    const equal = timingSafeEqual(Buffer.from(totpCode(secret, step)), Buffer.from(code));
    if (equal && matched === null && (lastAcceptedStep === null || step > lastAcceptedStep)) {
      matched = step;
    }
  }
  return matched;
}
