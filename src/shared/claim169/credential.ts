import { decodeBase45, encodeBase45 } from './base45.js';
import { type Claim169, decodeClaim169, encodeClaim169 } from './claim169.js';
import type {
  CodecPrimitives,
  CredentialSigner,
  SignatureAlgorithm,
  VerificationKey,
} from './codec-primitives.js';
import {
  type CoseSign1,
  type KeyResolver,
  parseCoseSign1,
  signCoseSign1,
  verifyCoseSign1,
} from './cose-sign1.js';
import { CredentialCodecError } from './credential-codec-error.js';
import { type CwtMeta, checkValidityPeriod, decodeCwtClaims, encodeCwtClaims } from './cwt.js';
import {
  credentialClockSkewSecondsDefault,
  credentialDecompressedBytesMax,
  credentialTextLengthMax,
} from './limits.js';

/** What an issuer puts on a card. Times are whole seconds since 1970. */
export interface CredentialContent {
  claims: Claim169;
  issuer: string;
  issuedAt: number;
  expiresAt: number;
  notBefore?: number;
}

export interface DecodeOptions {
  primitives: CodecPrimitives;
}

export interface VerifyOptions extends DecodeOptions {
  resolveKeys: KeyResolver;
  /** The verifier's clock, in seconds since 1970. */
  now: number;
  clockSkewSeconds?: number;
}

/** A decoded credential. From `decodeCredential` it is signed by `key` and currently valid. */
export interface DecodedCredential {
  claim169: Claim169;
  cwt: CwtMeta;
  kid: Uint8Array | undefined;
  algorithm: SignatureAlgorithm;
  /**
   * The signed CWT payload bytes, as carried. Returned so that a caller deriving something
   * from them (the credential id is SHA-256 of these bytes) need not open the QR text again.
   */
  payload: Uint8Array;
}

export interface VerifiedCredential extends DecodedCredential {
  /** The trusted key whose signature verified. */
  key: VerificationKey;
}

/**
 * Builds the QR text of a credential: claim 169 in a CWT, signed as COSE_Sign1, zlib, base45.
 *
 * @throws CredentialCodecError `AMP_CRED_INVALID_INPUT` for values the format cannot carry
 * @example
 * const text = await encodeCredential(
 *   { claims: { id: '4829175036', fullName: 'Ana Pérez' }, issuer: 'https://amparo.example',
 *     issuedAt: 1767225600, expiresAt: 1924992000 },
 *   createEd25519Signer(privateKey),
 *   nodePrimitives,
 * );
 */
export async function encodeCredential(
  content: CredentialContent,
  signer: CredentialSigner,
  primitives: CodecPrimitives,
): Promise<string> {
  const meta: CwtMeta = {
    issuer: content.issuer,
    expiresAt: content.expiresAt,
    issuedAt: content.issuedAt,
  };
  if (content.notBefore !== undefined) meta.notBefore = content.notBefore;
  const payload = encodeCwtClaims(meta, encodeClaim169(content.claims));
  const cose = await signCoseSign1(payload, signer);
  const text = encodeBase45(await primitives.deflate(cose));
  if (text.length > credentialTextLengthMax) {
    throw new CredentialCodecError(
      'AMP_CRED_INVALID_INPUT',
      `The credential would be ${text.length} characters; at most ${credentialTextLengthMax} fit.`,
    );
  }
  return text;
}

/**
 * Decodes QR text, verifies its signature against the trusted keys and checks exp/nbf.
 * Returns only a credential that is authentic and valid now; anything else throws.
 *
 * @throws CredentialCodecError (any code)
 * @example
 * const credential = await decodeCredential(text, {
 *   primitives: nodePrimitives, now: Math.floor(Date.now() / 1000),
 *   resolveKeys: (kid) => trustedKeys.filter((key) => sameBytes(key.kid, kid)),
 * });
 * credential.claim169.fullName;
 */
export async function decodeCredential(
  text: string,
  options: VerifyOptions,
): Promise<VerifiedCredential> {
  const { now, clockSkewSeconds = credentialClockSkewSecondsDefault } = options;
  if (!Number.isFinite(now) || !Number.isFinite(clockSkewSeconds) || clockSkewSeconds < 0) {
    throw new CredentialCodecError('AMP_CRED_INVALID_INPUT', 'now and clock skew must be numbers.');
  }
  const message = await openMessage(text, options.primitives);
  // The signature is checked before the payload is read: nothing unsigned is interpreted.
  const key = await verifyCoseSign1(message, options.resolveKeys, options.primitives);
  const { meta, claim169 } = decodeCwtClaims(message.payload);
  checkValidityPeriod(meta, now, clockSkewSeconds);
  return { ...describe(message, meta, claim169), key };
}

/**
 * Decodes QR text WITHOUT checking the signature or the dates, for diagnostics ("what does
 * this card say?"). Never use its result to grant anything.
 *
 * @example
 * const { claim169, cwt } = await decodeUnverified(text, { primitives: nodePrimitives });
 */
export async function decodeUnverified(
  text: string,
  options: DecodeOptions,
): Promise<DecodedCredential> {
  const message = await openMessage(text, options.primitives);
  const { meta, claim169 } = decodeCwtClaims(message.payload);
  return describe(message, meta, claim169);
}

function describe(
  message: CoseSign1,
  meta: CwtMeta,
  claim169: Map<unknown, unknown>,
): DecodedCredential {
  return {
    claim169: decodeClaim169(claim169),
    cwt: meta,
    kid: message.kid,
    algorithm: message.algorithm,
    payload: message.payload,
  };
}

/** Length check, base45, zlib and COSE parsing: the layers shared by both decoders. */
async function openMessage(text: string, primitives: CodecPrimitives): Promise<CoseSign1> {
  if (typeof text !== 'string') {
    throw new CredentialCodecError('AMP_CRED_MALFORMED_BASE45', 'The credential is not text.');
  }
  if (text.length > credentialTextLengthMax) {
    throw new CredentialCodecError(
      'AMP_CRED_TOO_LARGE',
      `The credential is ${text.length} characters; at most ${credentialTextLengthMax} are read.`,
    );
  }
  const compressed = decodeBase45(text);
  return parseCoseSign1(await inflate(compressed, primitives));
}

async function inflate(compressed: Uint8Array, primitives: CodecPrimitives): Promise<Uint8Array> {
  try {
    return await primitives.inflate(compressed, credentialDecompressedBytesMax);
  } catch (error) {
    if (error instanceof CredentialCodecError) throw error;
    throw new CredentialCodecError(
      'AMP_CRED_BAD_COMPRESSION',
      'The credential is not one complete zlib stream.',
      { cause: error },
    );
  }
}
