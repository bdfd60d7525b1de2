import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, type Options } from '@node-rs/argon2';
import { blindIndex, seal } from '../../platform/crypto/envelope.js';
import { base32Encode } from './base32.js';
import { accessLimits } from './limits.js';

/**
 * Enrolment codes of staff accounts (docs/ACCESS.md). A code has two halves: the administrator
 * who asked for the account (or the reset) sees the first, the one who approved sees the
 * second, and the person needs both to set their own password and TOTP secret. So no single
 * administrator can enrol in someone else's account, and once the person has enrolled nothing
 * either administrator saw works any more.
 *
 * Only a keyed digest of each half is stored (HMAC under a key derived from the master key,
 * bound to the account id): a copy of the database does not reveal a code, and a code of one
 * account is worthless for another.
 *
 * @example
 *   const half = newEnrolmentCodeHalf();            // 'K7QF-2M4X-PA9C-TR3D'
 *   const digest = enrolmentCodeDigest(masterKey, operatorId, half);
 */
export function newEnrolmentCodeHalf(): string {
  const text = base32Encode(randomBytes(accessLimits.enrolment.codeHalfBytes));
  return (text.match(/.{1,4}/g) ?? []).join('-');
}

/** Upper case, without the spaces and dashes people type between groups. */
export function normalizeEnrolmentCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]+/g, '');
}

export function enrolmentCodeDigest(masterKey: Buffer, operatorId: string, code: string): Buffer {
  return blindIndex(
    masterKey,
    'operator_enrolment_code',
    `${operatorId}:${normalizeEnrolmentCode(code)}`,
  );
}

export function digestsEqual(left: Uint8Array, right: Uint8Array): boolean {
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Credentials nobody knows: what an account holds until its person enrols. The password and
 * the TOTP secret are random and forgotten at once, so sign-in with them always fails.
 */
export async function unusableCredentials(
  masterKey: Buffer,
  operatorId: string,
  hashOptions: Options,
): Promise<{ passwordHash: string; totpSecretSealed: Buffer }> {
  return {
    passwordHash: await hash(randomBytes(32).toString('base64url'), hashOptions),
    totpSecretSealed: seal(masterKey, randomBytes(accessLimits.enrolment.totpSecretBytes), {
      table: 'operator',
      column: 'totp_secret',
      recordId: operatorId,
    }),
  };
}
