import { createHash, randomBytes } from 'node:crypto';
import { accessLimits } from './limits.js';

/**
 * Session cookies and bearer tokens: 256 random bits, base64url, with a recognisable
 * prefix so that secret scanners and log reviewers spot a leaked one. The database keeps
 * only the SHA-256; a random 256-bit value needs no salt or slow hash.
 *
 * @example
 *   const { token, sha256 } = newSessionToken(); // token: 'amp_3q2+…' shown once
 *   sessionTokenDigest(token).equals(sha256); // true
 */
export const sessionTokenPrefix = 'amp_';

const tokenPattern = /^amp_[A-Za-z0-9_-]{43}$/;

export function newSessionToken(): { token: string; sha256: Buffer } {
  const token = `${sessionTokenPrefix}${randomBytes(accessLimits.session.tokenBytes).toString('base64url')}`;
  return { token, sha256: sessionTokenDigest(token) };
}

export function sessionTokenDigest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Cheap shape check, so junk never reaches the database. */
export function looksLikeSessionToken(value: string): boolean {
  return tokenPattern.test(value);
}
