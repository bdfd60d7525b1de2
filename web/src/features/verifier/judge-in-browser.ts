import type { Claim169 } from '../../../../src/shared/claim169/claim169.js';
import type { VerificationKey } from '../../../../src/shared/claim169/codec-primitives.js';
import { decodeCredential, decodeUnverified } from '../../../../src/shared/claim169/credential.js';
import {
  CredentialCodecError,
  type CredentialCodecErrorCode,
} from '../../../../src/shared/claim169/credential-codec-error.js';
import type { CwtMeta } from '../../../../src/shared/claim169/cwt.js';
import { credentialClockSkewSecondsDefault } from '../../../../src/shared/claim169/limits.js';
import { webPrimitives } from '../../../../src/shared/claim169/web-primitives.js';
import { type BrowserRevocations, credentialIdOf } from './revocation-list-reader.js';
import { type BrowserTrustList, keysForKid, toHex } from './trust-list-reader.js';

/**
 * The offline verdict on a card's QR text, computed entirely in the browser with the codec's
 * web primitives and a trust list. Same statuses and rules as the server's `judgeCredential`
 * (src/modules/credentials/verdict.ts), which cannot be imported here because it loads the
 * Node primitives. Never says `valid` for anything else, and never throws.
 *
 * @example
 *   const verdict = await judgeInBrowser(qrText, trustList, Date.now() / 1000, revocations);
 *   verdict.status; // 'valid'
 */
export type BrowserVerdictStatus =
  | 'valid'
  | 'revoked'
  | 'invalid-signature'
  | 'unknown-key'
  | 'expired'
  | 'not-yet-valid'
  | 'malformed';

export interface DisclosedCard {
  uin?: string;
  fullName?: string;
  dateOfBirth?: string;
  sex?: string;
  photoDataUrl?: string;
  expiresAt?: number;
  issuer?: string;
  kid?: string;
}

export interface BrowserVerdict {
  status: BrowserVerdictStatus;
  code: string;
  detail: string;
  fields?: DisclosedCard;
}

/** Claim 169 image sub-formats (0 png, 1 jpeg, 3 avif, 4 webp); jpeg2000 browsers cannot show. */
const photoTypes: Record<number, string> = {
  0: 'image/png',
  1: 'image/jpeg',
  3: 'image/avif',
  4: 'image/webp',
};

const statusByCode: Record<CredentialCodecErrorCode, BrowserVerdictStatus> = {
  AMP_CRED_TOO_LARGE: 'malformed',
  AMP_CRED_MALFORMED_BASE45: 'malformed',
  AMP_CRED_BAD_COMPRESSION: 'malformed',
  AMP_CRED_NOT_COSE: 'malformed',
  AMP_CRED_UNSUPPORTED_ALGORITHM: 'malformed',
  AMP_CRED_MALFORMED_CLAIMS: 'malformed',
  AMP_CRED_MISSING_CLAIM169: 'malformed',
  AMP_CRED_INVALID_INPUT: 'malformed',
  AMP_CRED_UNKNOWN_KEY: 'unknown-key',
  AMP_CRED_BAD_SIGNATURE: 'invalid-signature',
  AMP_CRED_EXPIRED: 'expired',
  AMP_CRED_NOT_YET_VALID: 'not-yet-valid',
};

export async function judgeInBrowser(
  rawText: string,
  list: BrowserTrustList,
  nowSeconds: number,
  revocations?: BrowserRevocations,
): Promise<BrowserVerdict> {
  const text = rawText.trim();
  if (text === '') return { status: 'malformed', code: 'AMP_VERIFY_EMPTY', detail: '' };
  try {
    return await judge(text, list, Math.floor(nowSeconds), revocations);
  } catch (error) {
    return {
      status: 'malformed',
      code: 'AMP_VERIFY_INTERNAL',
      detail: error instanceof Error ? error.message : String(error),
    };
  }
}

async function judge(
  text: string,
  list: BrowserTrustList,
  now: number,
  revocations: BrowserRevocations | undefined,
): Promise<BrowserVerdict> {
  const primitives = webPrimitives;
  let verified: Awaited<ReturnType<typeof decodeCredential>>;
  try {
    verified = await decodeCredential(text, {
      primitives,
      now,
      resolveKeys: (kid) => keysForKid(list, kid),
    });
  } catch (error) {
    if (!(error instanceof CredentialCodecError)) throw error;
    const status = statusByCode[error.code];
    const verdict: BrowserVerdict = { status, code: error.code, detail: error.message };
    // Dates are checked after the signature, so an expired card's fields are authentic.
    if (status === 'expired' || status === 'not-yet-valid') {
      const decoded = await decodeUnverified(text, { primitives });
      verdict.fields = disclose(decoded.claim169, decoded.cwt, decoded.kid, list);
    }
    return verdict;
  }
  const problem = periodProblem(list, verified.key, verified.cwt);
  if (problem !== undefined) {
    return { status: 'unknown-key', code: 'AMP_VERIFY_KEY_NOT_ISSUING', detail: problem };
  }
  const fields = disclose(verified.claim169, verified.cwt, verified.kid, list);
  // Checked last, as the server does: only an authentic card's id is looked up.
  const reason = await revocations?.reasonForCredential(await credentialIdOf(verified.payload));
  if (reason !== undefined) {
    return { status: 'revoked', code: 'AMP_VERIFY_REVOKED', detail: reason, fields };
  }
  return {
    status: 'valid',
    code: 'AMP_VERIFY_VALID',
    detail: '',
    fields,
  };
}

/** The trust list's issuing-period rule (see trust-list.ts `trustedKeysFromList`). */
function periodProblem(list: BrowserTrustList, key: VerificationKey, cwt: CwtMeta) {
  const entry = list.keys.find((candidate) => candidate.publicKey === key.publicKey);
  if (entry === undefined) return 'the key is not in the trust list';
  if (cwt.expiresAt === undefined) return 'the card has no expiry';
  const skew = credentialClockSkewSecondsDefault;
  if (
    entry.notAfter !== undefined &&
    cwt.expiresAt > entry.notAfter + list.credentialValiditySecondsMax
  ) {
    return `key ${entry.kid} stopped issuing at ${entry.notAfter}`;
  }
  if (cwt.issuedAt !== undefined) {
    const tooLate = entry.notAfter !== undefined && cwt.issuedAt > entry.notAfter + skew;
    if (cwt.issuedAt < entry.notBefore - skew || tooLate) {
      return `key ${entry.kid} was not issuing at ${cwt.issuedAt}`;
    }
  }
  return undefined;
}

function disclose(
  claims: Claim169,
  cwt: CwtMeta,
  kid: Uint8Array | undefined,
  list: BrowserTrustList,
): DisclosedCard {
  const fields: DisclosedCard = { issuer: list.issuerName };
  if (claims.id !== undefined) fields.uin = claims.id;
  if (claims.fullName !== undefined) fields.fullName = claims.fullName;
  if (claims.dateOfBirth !== undefined) fields.dateOfBirth = claims.dateOfBirth;
  if (claims.gender !== undefined) fields.sex = claims.gender;
  const face = claims.face?.[0];
  if (face !== undefined) {
    const binary = String.fromCharCode(...face.data);
    const type = photoTypes[face.subFormat ?? -1] ?? 'application/octet-stream';
    fields.photoDataUrl = `data:${type};base64,${btoa(binary)}`;
  }
  if (cwt.expiresAt !== undefined) fields.expiresAt = cwt.expiresAt;
  if (kid !== undefined) fields.kid = toHex(kid);
  return fields;
}
