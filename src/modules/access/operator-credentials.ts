import { randomBytes } from 'node:crypto';
import { hash, type Options } from '@node-rs/argon2';
import { seal } from '../../platform/crypto/envelope.js';
import { base32Encode } from './base32.js';

/**
 * A fresh sign-in for an operator account: a random first password and a TOTP secret. What
 * goes to the database is the argon2id hash and the secret sealed under the master key; the
 * clear values are returned once, to be handed to the person, and kept nowhere.
 *
 * @example
 *   const fresh = await freshCredentials(masterKey, operatorId, passwordHashOptions);
 *   // store fresh.stored; show fresh.shown once
 */
export interface FreshCredentials {
  stored: { passwordHash: string; totpSecretSealed: Buffer };
  shown: { password: string; totpSecretBase32: string; otpauthUri: string };
}

/** Issuer name shown in authenticator apps. */
const totpIssuer = 'Amparo';

export async function freshCredentials(
  masterKey: Buffer,
  operator: { id: string; username: string },
  hashOptions: Options,
): Promise<FreshCredentials> {
  // 16 random bytes: 22 base64url characters, far above the password policy's minimum.
  const password = randomBytes(16).toString('base64url');
  const totpSecret = randomBytes(20);
  const totpSecretBase32 = base32Encode(totpSecret);
  const label = encodeURIComponent(`${totpIssuer}:${operator.username}`);
  const otpauthUri = `otpauth://totp/${label}?secret=${totpSecretBase32}&issuer=${totpIssuer}&algorithm=SHA1&digits=6&period=30`;
  return {
    stored: {
      passwordHash: await hash(password, hashOptions),
      totpSecretSealed: seal(masterKey, totpSecret, {
        table: 'operator',
        column: 'totp_secret',
        recordId: operator.id,
      }),
    },
    shown: { password, totpSecretBase32, otpauthUri },
  };
}
