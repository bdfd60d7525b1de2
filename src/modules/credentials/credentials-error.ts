import { defineErrors, type ErrorAnswer } from '../../platform/errors.js';
import {
  CredentialCodecError,
  type CredentialCodecErrorCode,
} from '../../shared/claim169/credential-codec-error.js';

/**
 * Every way the card, trust-list and revocation-list functions refuse their input. Codes are
 * stable: the CLI prints them and tests match on them. Decoding a credential itself fails
 * with the codec's `CredentialCodecError` instead.
 */
export const credentialsErrorCodes = [
  /** A card holder's data cannot go on a card (bad UIN, empty name, bad date, unknown sex). */
  'AMP_CARD_INVALID_HOLDER',
  /** The face photo is larger than `cardFacePhotoBytesMax`. */
  'AMP_CARD_PHOTO_TOO_LARGE',
  /** The issuance profile is not usable (validity out of range, empty issuer). */
  'AMP_CARD_INVALID_PROFILE',
  /** The card font is not installed. */
  'AMP_CARD_FONT_MISSING',
  /** A trust or revocation list is not well-formed, too large, or of the wrong kind. */
  'AMP_LIST_MALFORMED',
  /** A trust or revocation list's signature does not verify with the pinned anchor key. */
  'AMP_LIST_BAD_SIGNATURE',
  /** A revocation delta does not apply to the list the verifier holds. */
  'AMP_LIST_VERSION_MISMATCH',
  /** An image given to the verifier is too large or not a supported format. */
  'AMP_VERIFY_IMAGE_REFUSED',
] as const;

export type CredentialsErrorCode = (typeof credentialsErrorCodes)[number];

/**
 * The typed error of this module.
 *
 * @example
 * throw new CredentialsError('AMP_CARD_PHOTO_TOO_LARGE', 'The photo is 2,000 bytes; 1,024 fit.');
 */
export class CredentialsError extends Error {
  override readonly name = 'CredentialsError';
  readonly code: CredentialsErrorCode;

  constructor(code: CredentialsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * How the API answers each code when one escapes a route (the routes refuse most bad input
 * earlier, with the platform's codes). Card printing that is not set up on the server (no
 * font, an unusable issuance profile) is the operator's to fix, so it is 503, not a refusal.
 */
const credentialsAnswers: Record<CredentialsErrorCode, ErrorAnswer> = {
  AMP_CARD_INVALID_HOLDER: { status: 422, title: "The person's data cannot go on a card" },
  AMP_CARD_PHOTO_TOO_LARGE: { status: 422, title: 'The face photo is too large for the card' },
  AMP_CARD_INVALID_PROFILE: { status: 503, title: 'Card issuance is not set up correctly' },
  AMP_CARD_FONT_MISSING: { status: 503, title: 'The card font is not installed' },
  AMP_LIST_MALFORMED: { status: 422, title: 'The list is not well-formed' },
  AMP_LIST_BAD_SIGNATURE: { status: 422, title: "The list's signature does not verify" },
  AMP_LIST_VERSION_MISMATCH: {
    status: 409,
    title: 'The revocation delta does not apply to the list held',
  },
  AMP_VERIFY_IMAGE_REFUSED: {
    status: 422,
    title: 'The image is too large or not a supported format',
  },
};

/** How the API answers a credential the codec refuses, should one escape a route. */
const credentialCodecAnswers: Record<CredentialCodecErrorCode, ErrorAnswer> = {
  AMP_CRED_TOO_LARGE: { status: 422, title: 'The credential is too large' },
  AMP_CRED_MALFORMED_BASE45: { status: 422, title: 'The credential is not valid base45' },
  AMP_CRED_BAD_COMPRESSION: { status: 422, title: 'The credential is not a complete zlib stream' },
  AMP_CRED_NOT_COSE: { status: 422, title: 'The credential is not a COSE_Sign1 message' },
  AMP_CRED_UNSUPPORTED_ALGORITHM: {
    status: 422,
    title: 'The credential is signed with an unsupported algorithm',
  },
  AMP_CRED_MALFORMED_CLAIMS: { status: 422, title: "The credential's claims are not well-formed" },
  AMP_CRED_MISSING_CLAIM169: { status: 422, title: 'The credential carries no identity claim' },
  AMP_CRED_UNKNOWN_KEY: { status: 422, title: 'The credential is signed by an unknown key' },
  AMP_CRED_BAD_SIGNATURE: { status: 422, title: "The credential's signature does not verify" },
  AMP_CRED_EXPIRED: { status: 422, title: 'The credential has expired' },
  AMP_CRED_NOT_YET_VALID: { status: 422, title: 'The credential is not valid yet' },
  AMP_CRED_INVALID_INPUT: { status: 422, title: 'The credential cannot carry this data' },
};

defineErrors({
  errorClass: CredentialsError,
  answers: credentialsAnswers,
  example: (code) => new CredentialsError(code, `Example of ${code}.`),
});
// The codec lives in src/shared/ (browser-safe, imports no platform code), so the module
// that runs it on the server registers its codes.
defineErrors({
  errorClass: CredentialCodecError,
  answers: credentialCodecAnswers,
  example: (code) => new CredentialCodecError(code, `Example of ${code}.`),
});
