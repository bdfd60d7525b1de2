/**
 * Every way a credential can be refused. Codes are stable: verifiers, logs and the offline web
 * page show them, and tests match on them.
 */
export const credentialCodecErrorCodes = [
  /** The text is longer than `credentialTextLengthMax`, or inflates past the size bound. */
  'AMP_CRED_TOO_LARGE',
  /** Not strict RFC 9285 base45 (bad character, dangling character, value out of range). */
  'AMP_CRED_MALFORMED_BASE45',
  /** Not a complete zlib stream. */
  'AMP_CRED_BAD_COMPRESSION',
  /** Not CBOR, or CBOR that is not a well-typed COSE_Sign1 (including conflicting kid headers). */
  'AMP_CRED_NOT_COSE',
  /** The protected header names an algorithm other than EdDSA (-8) or ES256 (-7). */
  'AMP_CRED_UNSUPPORTED_ALGORITHM',
  /** The payload is not a CWT claims map, or a known claim has the wrong type or value. */
  'AMP_CRED_MALFORMED_CLAIMS',
  /** The CWT has no claim 169. */
  'AMP_CRED_MISSING_CLAIM169',
  /** No trusted key has this kid and algorithm. */
  'AMP_CRED_UNKNOWN_KEY',
  /** No trusted key with this kid and algorithm verifies the signature. */
  'AMP_CRED_BAD_SIGNATURE',
  /** `now` is at or after exp (plus the clock skew). */
  'AMP_CRED_EXPIRED',
  /** `now` is before nbf (minus the clock skew). */
  'AMP_CRED_NOT_YET_VALID',
  /** The caller asked to encode something the format cannot carry (bad field value, bad key). */
  'AMP_CRED_INVALID_INPUT',
] as const;

export type CredentialCodecErrorCode = (typeof credentialCodecErrorCodes)[number];

/**
 * The only error the codec throws for bad input. Anything else escaping the codec is a bug.
 *
 * @example
 * try {
 *   await decodeCredential(text, options);
 * } catch (error) {
 *   if (error instanceof CredentialCodecError && error.code === 'AMP_CRED_EXPIRED') { … }
 * }
 */
export class CredentialCodecError extends Error {
  override readonly name = 'CredentialCodecError';
  readonly code: CredentialCodecErrorCode;

  constructor(code: CredentialCodecErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
