/**
 * The few operations whose best implementation differs between Node and browsers. The codec
 * core receives them as a parameter and imports no platform module, so the offline verifier
 * page runs the same decoding and verification code as the server.
 */

/** COSE algorithms the codec knows: EdDSA (-8) is what we sign with; ES256 (-7) is verified. */
export type SignatureAlgorithm = 'EdDSA' | 'ES256';

/** A value or a promise of it: Node primitives answer synchronously, WebCrypto cannot. */
export type MaybePromise<T> = T | Promise<T>;

export interface CodecPrimitives {
  /**
   * Decompresses a zlib stream (RFC 1950: header, deflate data, Adler-32). Throws on anything
   * that is not one complete stream; throws `CredentialCodecError('AMP_CRED_TOO_LARGE')` as
   * soon as the output would exceed `outputBytesMax`.
   */
  inflate(compressed: Uint8Array, outputBytesMax: number): MaybePromise<Uint8Array>;
  /** Compresses into a zlib stream at the best compression level. */
  deflate(raw: Uint8Array): MaybePromise<Uint8Array>;
  /**
   * Checks a signature. `publicKey` is raw: 32 bytes for Ed25519, a 65-byte uncompressed SEC1
   * point for P-256. An ES256 `signature` is r‖s (64 bytes), as COSE carries it. Returns false
   * for a wrong signature; may throw for a malformed key, which the core treats as false.
   */
  verify(
    algorithm: SignatureAlgorithm,
    publicKey: Uint8Array,
    data: Uint8Array,
    signature: Uint8Array,
  ): MaybePromise<boolean>;
}

/** A trusted public key, as a key resolver returns it. */
export interface VerificationKey {
  algorithm: SignatureAlgorithm;
  /** Raw public key bytes, see `CodecPrimitives.verify`. */
  publicKey: Uint8Array;
}

/**
 * Signs credentials. `sign` receives the COSE Sig_structure bytes and returns the raw signature
 * (64 bytes for both EdDSA and ES256 r‖s).
 */
export interface CredentialSigner {
  kid: Uint8Array;
  algorithm: SignatureAlgorithm;
  sign(data: Uint8Array): MaybePromise<Uint8Array>;
}
