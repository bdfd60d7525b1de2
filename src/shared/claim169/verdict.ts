import type { Claim169 } from './claim169.js';
import type { CodecPrimitives, MaybePromise, VerificationKey } from './codec-primitives.js';
import type { KeyResolver } from './cose-sign1.js';
import { decodeCredential, decodeUnverified } from './credential.js';
import { CredentialCodecError, type CredentialCodecErrorCode } from './credential-codec-error.js';
import type { CwtMeta } from './cwt.js';

/**
 * The one verdict on a card's QR text, for `amparo verify`, `POST /api/credentials/verify` and
 * the offline verifier page alike. What differs between them is passed in: the codec
 * primitives (Node's or the browser's), the trusted keys and the revocations held.
 */

export const verdictStatuses = [
  'valid',
  'invalid-signature',
  'unknown-key',
  'expired',
  'not-yet-valid',
  'revoked',
  'malformed',
] as const;
export type VerdictStatus = (typeof verdictStatuses)[number];

/** What the card says, shown only once its signature verified. */
export interface DisclosedFields {
  uin?: string;
  fullName?: string;
  dateOfBirth?: string;
  sex?: string;
  facePhoto?: { subFormat?: number; base64: string };
  /** ISO 8601; a NumericDate outside what Date can show stays `<seconds> s`. */
  expiresAt?: string;
  issuer?: string;
  /** Hex. */
  kid?: string;
}

/** The verifier's answer. `code` is the codec's error code or one of `AMP_VERIFY_*`. */
export interface Verdict<Reason extends string = string> {
  status: VerdictStatus;
  code: string;
  message: string;
  fields?: DisclosedFields;
  revocationReason?: Reason;
}

/** Trusted keys in the shape the verifier uses, from a trust list or one public key. */
export interface TrustedKeys {
  /** For the codec: every trusted key with this kid. */
  resolveKeys: KeyResolver;
  /**
   * Whether the key that verified a card was allowed to sign it. Returns the reason it was
   * not, or undefined (see `issuingPeriodProblem`).
   */
  keyPeriodProblem(key: VerificationKey, cwt: CwtMeta): string | undefined;
  issuerName?: string;
}

/** The revocations a verifier holds, asked about an authentic card only. */
export interface RevocationCheck<Reason extends string = string> {
  /** Why the card with this signed CWT payload was revoked, or undefined. */
  reasonForPayload(payload: Uint8Array): MaybePromise<Reason | undefined>;
}

export interface VerdictContext<Reason extends string = string> {
  primitives: CodecPrimitives;
  trusted: TrustedKeys;
  revocations?: RevocationCheck<Reason> | undefined;
  /** Seconds since 1970. */
  now: number;
}

const statusByCode: Record<CredentialCodecErrorCode, VerdictStatus> = {
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

/**
 * Judges QR text: signature against the trusted keys, the signing key's issuing period, the
 * validity period and the revocations. Never throws and never says `valid` for anything else:
 * any failure, including an unexpected one (code `AMP_VERIFY_INTERNAL`), is a verdict.
 *
 * @example
 * const verdict = await judgeCredentialWith(text, { primitives: webPrimitives, trusted, now });
 * verdict.status; // 'valid' | 'revoked' | …
 */
export async function judgeCredentialWith<Reason extends string>(
  text: unknown,
  context: VerdictContext<Reason>,
): Promise<Verdict<Reason>> {
  try {
    return await judge(text, context);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return {
      status: 'malformed',
      code: 'AMP_VERIFY_INTERNAL',
      message: `Could not be read: ${detail}`,
    };
  }
}

async function judge<Reason extends string>(
  text: unknown,
  context: VerdictContext<Reason>,
): Promise<Verdict<Reason>> {
  const { primitives } = context;
  if (typeof text !== 'string' || text.length === 0) {
    return {
      status: 'malformed',
      code: 'AMP_VERIFY_EMPTY',
      message: 'There is no credential text.',
    };
  }
  let verified: Awaited<ReturnType<typeof decodeCredential>>;
  try {
    verified = await decodeCredential(text, {
      primitives,
      now: context.now,
      resolveKeys: context.trusted.resolveKeys,
    });
  } catch (error) {
    if (!(error instanceof CredentialCodecError)) throw error;
    const status = statusByCode[error.code];
    const verdict: Verdict<Reason> = { status, code: error.code, message: error.message };
    // Dates are checked after the signature, so an expired card's fields are authentic.
    if (status === 'expired' || status === 'not-yet-valid') {
      const decoded = await decodeUnverified(text, { primitives });
      verdict.fields = disclose(decoded.claim169, decoded.cwt, decoded.kid, context.trusted);
    }
    return verdict;
  }
  const fields = disclose(verified.claim169, verified.cwt, verified.kid, context.trusted);
  const periodProblem = context.trusted.keyPeriodProblem(verified.key, verified.cwt);
  if (periodProblem !== undefined) {
    return {
      status: 'unknown-key',
      code: 'AMP_VERIFY_KEY_NOT_ISSUING',
      message: `The signing key may not have signed this card: ${periodProblem}.`,
    };
  }
  // Checked last: only an authentic card's id is looked up.
  const reason = await context.revocations?.reasonForPayload(verified.payload);
  if (reason !== undefined) {
    return {
      status: 'revoked',
      code: 'AMP_VERIFY_REVOKED',
      message: `The credential was revoked (${reason}).`,
      fields,
      revocationReason: reason,
    };
  }
  return {
    status: 'valid',
    code: 'AMP_VERIFY_VALID',
    message: 'The credential is authentic and valid.',
    fields,
  };
}

function disclose(
  claims: Claim169,
  cwt: CwtMeta,
  kid: Uint8Array | undefined,
  trusted: TrustedKeys,
): DisclosedFields {
  const fields: DisclosedFields = {};
  if (claims.id !== undefined) fields.uin = claims.id;
  if (claims.fullName !== undefined) fields.fullName = claims.fullName;
  if (claims.dateOfBirth !== undefined) fields.dateOfBirth = claims.dateOfBirth;
  if (claims.gender !== undefined) fields.sex = claims.gender;
  const face = claims.face?.[0];
  if (face !== undefined) {
    fields.facePhoto = { base64: toBase64(face.data) };
    if (face.subFormat !== undefined) fields.facePhoto.subFormat = face.subFormat;
  }
  if (cwt.expiresAt !== undefined) fields.expiresAt = isoTime(cwt.expiresAt);
  const issuer = trusted.issuerName ?? cwt.issuer;
  if (issuer !== undefined) fields.issuer = issuer;
  if (kid !== undefined) fields.kid = toHex(kid);
  return fields;
}

/** A NumericDate as ISO 8601; one outside what Date can show stays a number of seconds. */
function isoTime(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? `${seconds} s` : date.toISOString();
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
