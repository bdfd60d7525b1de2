import { describe, expect, it } from 'vitest';
import { matchTotp, totpCode, totpStep } from './totp.js';

// RFC 6238 Appendix B, the SHA-1 rows: the 20-byte ASCII seed "12345678901234567890".
const seed = Buffer.from('12345678901234567890', 'ascii');
const appendixB: Array<[unixSeconds: number, code: string]> = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(appendixB)('matches Appendix B at T=%i', (unixSeconds, code) => {
    expect(totpCode(seed, totpStep(unixSeconds * 1000), 8)).toBe(code);
    // Six digits are the value modulo 10^6: the last six of the eight.
    expect(totpCode(seed, totpStep(unixSeconds * 1000))).toBe(code.slice(2));
  });

  it('accepts the previous, current and next step, and nothing further', () => {
    const nowMs = 1234567890 * 1000;
    const step = totpStep(nowMs);
    for (const offset of [-1, 0, 1]) {
      expect(matchTotp(seed, totpCode(seed, step + offset), nowMs, null)).toBe(step + offset);
    }
    for (const offset of [-3, -2, 2, 3]) {
      expect(matchTotp(seed, totpCode(seed, step + offset), nowMs, null)).toBeNull();
    }
  });

  it('refuses a code whose step is not later than the last accepted one', () => {
    const nowMs = 2000000000 * 1000;
    const step = totpStep(nowMs);
    const code = totpCode(seed, step);
    expect(matchTotp(seed, code, nowMs, step - 1)).toBe(step);
    expect(matchTotp(seed, code, nowMs, step)).toBeNull();
    expect(matchTotp(seed, totpCode(seed, step - 1), nowMs, step)).toBeNull();
    expect(matchTotp(seed, totpCode(seed, step + 1), nowMs, step)).toBe(step + 1);
  });

  it('refuses malformed codes', () => {
    const nowMs = 59_000;
    const code = totpCode(seed, totpStep(nowMs));
    for (const bad of ['', code.slice(1), `${code}0`, ` ${code.slice(1)}`, '１２３４５６']) {
      expect(matchTotp(seed, bad, nowMs, null)).toBeNull();
    }
  });
});
