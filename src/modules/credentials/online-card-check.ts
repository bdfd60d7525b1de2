import type { Kysely } from 'kysely';
import type { KeyStore } from '../../platform/crypto/key-store.js';
import type { Database } from '../../platform/db/schema.js';
import { judgeCredentialWith, type VerdictStatus } from '../../shared/claim169/verdict.js';
import { credentialIdFromPayload } from './card-payload.js';
import { findCredential } from './credential-repository.js';
import { nodePrimitives } from './node-primitives.js';
import { serverTrustedKeys } from './server-trusted-keys.js';

/** What a point of service learns from a scanned card: the verdict and, if valid, whose card. */
export interface OnlineCardCheck {
  /** The verifier's status, or `unknown-credential` for an authentic card this registry never issued. */
  status: VerdictStatus | 'unknown-credential';
  code: string;
  message: string;
  /** Set for a valid card only. */
  holder?: { personId: string; credentialId: string; expiresAt: string };
}

/**
 * Checks QR text on the server, online: the one verdict (signature against the issuer keys
 * the server holds, the validity period), then the card's own row, so a revocation counts the
 * moment it is recorded, not when the next list is published. Used by distribution points,
 * which must not redeem on a revoked, expired or forged card.
 *
 * @example
 *   const check = await onlineCardCheck({ db, keys }, qrText, new Date());
 *   check.status; // 'valid' | 'revoked' | 'expired' | 'invalid-signature' | …
 */
export async function onlineCardCheck(
  deps: { db: Kysely<Database>; keys: KeyStore },
  text: unknown,
  now: Date,
): Promise<OnlineCardCheck> {
  const trusted = serverTrustedKeys(deps.keys);
  let credentialId: Buffer | undefined;
  // The row read for the revocation check is the row the holder comes from: one read, not two.
  let found: Awaited<ReturnType<typeof findCredential>>;
  // The verifier reads any error inside it as an unreadable card. A database that cannot be
  // reached is no verdict on the card: it is thrown on (a 5xx the point retries), never
  // answered as "malformed" (bench/distribution-crash.ts found it when PostgreSQL restarted).
  let lookupFailure: { error: unknown } | undefined;
  const verdict = await judgeCredentialWith<string>(text, {
    primitives: nodePrimitives,
    trusted,
    now: Math.floor(now.getTime() / 1000),
    revocations: {
      reasonForPayload: async (payload) => {
        credentialId = Buffer.from(credentialIdFromPayload(payload));
        try {
          const row = await findCredential(deps.db, credentialId);
          found = row;
          return row?.status === 'revoked' ? (row.revocationReason ?? 'revoked') : undefined;
        } catch (error) {
          lookupFailure = { error };
          throw error;
        }
      },
    },
  });
  if (lookupFailure !== undefined) throw lookupFailure.error;
  if (verdict.status !== 'valid' || credentialId === undefined) {
    return { status: verdict.status, code: verdict.code, message: verdict.message };
  }
  const row = found;
  if (row === undefined) {
    return {
      status: 'unknown-credential',
      code: 'AMP_VERIFY_UNKNOWN_CREDENTIAL',
      message: 'The card is signed by this registry but was never recorded as issued.',
    };
  }
  return {
    status: 'valid',
    code: verdict.code,
    message: verdict.message,
    holder: {
      personId: row.personId,
      credentialId: row.id.toString('hex'),
      expiresAt: new Date(row.expiresAt * 1000).toISOString(),
    },
  };
}
