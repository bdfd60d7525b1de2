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
