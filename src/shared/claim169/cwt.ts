import { decodeCbor, encodeCbor } from './cbor.js';
import { CredentialCodecError } from './credential-codec-error.js';

/** CWT claim keys (RFC 8392 §4) and the MOSIP identity-data claim. */
const issuerKey = 1;
const subjectKey = 2;
const expiresAtKey = 4;
const notBeforeKey = 5;
const issuedAtKey = 6;
const cwtIdKey = 7;
const claim169Key = 169;

/** The standard CWT claims a credential carries. Times are NumericDate: seconds since 1970. */
export interface CwtMeta {
  issuer?: string;
  subject?: string;
  expiresAt?: number;
  notBefore?: number;
  issuedAt?: number;
  /**
   * The CWT ID (`cti`, a byte string). Amparo's cards carry 16 random bytes here so that the
   * credential id, a hash of the signed payload, cannot be computed from the printed facts.
   */
  cwtId?: Uint8Array;
}

/** A parsed CWT claims set: the standard claims and the raw claim 169 map. */
export interface CwtClaims {
  meta: CwtMeta;
  claim169: Map<unknown, unknown>;
}

/**
 * Reads a CWT claims set (the COSE payload).
 *
 * @throws CredentialCodecError `AMP_CRED_MALFORMED_CLAIMS` or `AMP_CRED_MISSING_CLAIM169`
 * @example
 * const { meta, claim169 } = decodeCwtClaims(message.payload);
 */
export function decodeCwtClaims(payload: Uint8Array): CwtClaims {
  let claims: unknown;
  try {
    claims = decodeCbor(payload);
  } catch (error) {
    throw malformed('the payload is not one well-formed CBOR item', error);
  }
  if (!(claims instanceof Map)) throw malformed('the payload is not a map');
  const meta: CwtMeta = {};
  assignText(meta, 'issuer', claims.get(issuerKey));
  assignText(meta, 'subject', claims.get(subjectKey));
  assignTime(meta, 'expiresAt', claims.get(expiresAtKey));
  assignTime(meta, 'notBefore', claims.get(notBeforeKey));
  assignTime(meta, 'issuedAt', claims.get(issuedAtKey));
  const cwtId: unknown = claims.get(cwtIdKey);
  if (cwtId !== undefined) {
    if (!(cwtId instanceof Uint8Array)) throw malformed('cti is not a byte string');
    meta.cwtId = cwtId;
  }
  const claim169: unknown = claims.get(claim169Key);
  if (claim169 === undefined) {
    throw new CredentialCodecError('AMP_CRED_MISSING_CLAIM169', 'The CWT has no claim 169.');
  }
  if (!(claim169 instanceof Map)) throw malformed('claim 169 is not a map');
  return { meta, claim169 };
}

/**
 * Builds a CWT claims set around a claim 169 map.
 *
 * @example
 * encodeCwtClaims({ issuer: 'https://amparo.example', expiresAt, issuedAt }, encodeClaim169(c));
 * encodeCwtClaims({ expiresAt, cwtId: randomBytes(16) }, encodeClaim169(c)); // Amparo's cards
 */
export function encodeCwtClaims(meta: CwtMeta, claim169: Map<unknown, unknown>): Uint8Array {
  const claims = new Map<number, unknown>();
  if (meta.issuer !== undefined) claims.set(issuerKey, requireText(meta.issuer, 'issuer'));
  if (meta.subject !== undefined) claims.set(subjectKey, requireText(meta.subject, 'subject'));
  if (meta.expiresAt !== undefined) claims.set(expiresAtKey, requireTime(meta.expiresAt));
  if (meta.notBefore !== undefined) claims.set(notBeforeKey, requireTime(meta.notBefore));
  if (meta.issuedAt !== undefined) claims.set(issuedAtKey, requireTime(meta.issuedAt));
  if (meta.cwtId !== undefined) claims.set(cwtIdKey, requireBytes(meta.cwtId, 'cti'));
  claims.set(claim169Key, claim169);
  return encodeCbor(claims);
}

/**
 * Refuses a credential outside its validity period. RFC 8392: it must not be accepted on or
 * after exp, nor before nbf; `clockSkewSeconds` widens both ends for drifting verifier clocks.
 *
 * @throws CredentialCodecError `AMP_CRED_EXPIRED` or `AMP_CRED_NOT_YET_VALID`
 */
export function checkValidityPeriod(meta: CwtMeta, nowSeconds: number, clockSkewSeconds: number) {
  if (meta.expiresAt !== undefined && nowSeconds >= meta.expiresAt + clockSkewSeconds) {
    throw new CredentialCodecError(
      'AMP_CRED_EXPIRED',
      `The credential expired at ${meta.expiresAt}; it is now ${nowSeconds}.`,
    );
  }
  if (meta.notBefore !== undefined && nowSeconds < meta.notBefore - clockSkewSeconds) {
    throw new CredentialCodecError(
      'AMP_CRED_NOT_YET_VALID',
      `The credential is valid from ${meta.notBefore}; it is now ${nowSeconds}.`,
    );
  }
}

function assignText(meta: CwtMeta, name: 'issuer' | 'subject', value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'string') throw malformed(`${name} is not a text string`);
  meta[name] = value;
}

function assignTime(
  meta: CwtMeta,
  name: 'expiresAt' | 'notBefore' | 'issuedAt',
  value: unknown,
): void {
  if (value === undefined) return;
  // NumericDate may be fractional (RFC 8392 §2); a bigint or a tagged date is not allowed.
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw malformed(`${name} is not a NumericDate`);
  }
  meta[name] = value;
}

function requireText(value: unknown, name: string): string {
  if (typeof value !== 'string') throw invalid(`${name} must be a string`);
  return value;
}

function requireBytes(value: unknown, name: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length === 0) {
    throw invalid(`${name} must be a non-empty byte string`);
  }
  return value;
}

function requireTime(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid('times must be whole, non-negative seconds');
  }
  return value;
}

function malformed(detail: string, cause?: unknown): CredentialCodecError {
  return new CredentialCodecError('AMP_CRED_MALFORMED_CLAIMS', `Malformed CWT: ${detail}.`, {
    cause,
  });
}

function invalid(detail: string): CredentialCodecError {
  return new CredentialCodecError('AMP_CRED_INVALID_INPUT', `Cannot encode CWT: ${detail}.`);
}
