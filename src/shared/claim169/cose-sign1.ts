import { decodeCbor, encodeCbor, tagged, untag } from './cbor.js';
import type {
  CodecPrimitives,
  CredentialSigner,
  MaybePromise,
  SignatureAlgorithm,
  VerificationKey,
} from './codec-primitives.js';
import { CredentialCodecError } from './credential-codec-error.js';

/** COSE header labels (RFC 9052 §3.1) and tags (RFC 9052 §2, RFC 8392 §6). */
const algLabel = 1;
const critLabel = 2;
const kidLabel = 4;
const coseSign1Tag = 18;
const cwtTag = 61;

/** COSE algorithm identifiers (IANA "COSE Algorithms"). */
const algorithmById = new Map<unknown, SignatureAlgorithm>([
  [-8, 'EdDSA'],
  [-7, 'ES256'],
]);
const idByAlgorithm: Record<SignatureAlgorithm, number> = { EdDSA: -8, ES256: -7 };

/** Both EdDSA (Ed25519) and ES256 (r‖s over P-256) signatures are 64 bytes. */
const signatureBytes = 64;

/** A structurally valid COSE_Sign1 whose signature has not been checked yet. */
export interface CoseSign1 {
  /** The protected header exactly as received: the signature covers these bytes. */
  protectedBytes: Uint8Array;
  payload: Uint8Array;
  signature: Uint8Array;
  algorithm: SignatureAlgorithm;
  /** From the protected header, else the unprotected one; undefined when neither has one. */
  kid: Uint8Array | undefined;
}

/**
 * Returns every trusted key carrying `kid` (kids are short and may collide), or, when the
 * credential names no kid, the keys the caller is willing to try.
 */
export type KeyResolver = (kid: Uint8Array | undefined) => MaybePromise<readonly VerificationKey[]>;

/**
 * Parses a COSE_Sign1 (tag 18, optionally inside CWT tag 61, or an untagged array of four).
 * Strict: wrong types, a header label in both buckets, a disagreeing kid, unknown critical
 * headers or a detached payload are all "not COSE".
 *
 * @throws CredentialCodecError `AMP_CRED_NOT_COSE` or `AMP_CRED_UNSUPPORTED_ALGORITHM`
 * @example
 * const message = parseCoseSign1(inflatedBytes);
 * message.algorithm; // 'EdDSA'
 */
export function parseCoseSign1(bytes: Uint8Array): CoseSign1 {
  let item: unknown;
  try {
    item = decodeCbor(bytes);
  } catch (error) {
    throw notCose('the bytes are not one well-formed CBOR item', error);
  }
  const parts = unwrapTags(item);
  if (!Array.isArray(parts) || parts.length !== 4) throw notCose('expected an array of four');
  const [protectedBytes, unprotected, payload, signature] = parts as unknown[]; // Safe: checked.
  if (!(protectedBytes instanceof Uint8Array)) throw notCose('protected header is not a bstr');
  if (!(unprotected instanceof Map)) throw notCose('unprotected header is not a map');
  if (!(payload instanceof Uint8Array)) throw notCose('payload is not a bstr (detached?)');
  if (!(signature instanceof Uint8Array)) throw notCose('signature is not a bstr');
  const protectedHeader = decodeProtectedHeader(protectedBytes);
  checkHeaderBuckets(protectedHeader, unprotected);
  return {
    protectedBytes,
    payload,
    signature,
    algorithm: readAlgorithm(protectedHeader),
    kid: readKid(protectedHeader, unprotected),
  };
}

function unwrapTags(item: unknown): unknown {
  let current = untag(item);
  if (current?.tag === cwtTag) {
    const inner = untag(current.content);
    if (inner === undefined) return current.content;
    current = inner;
  }
  if (current === undefined) return item;
  if (current.tag !== coseSign1Tag) throw notCose(`unexpected CBOR tag ${current.tag}`);
  return current.content;
}

function decodeProtectedHeader(bytes: Uint8Array): Map<unknown, unknown> {
  // RFC 9052 §3: a zero-length bstr stands for an empty protected header.
  if (bytes.length === 0) return new Map();
  let header: unknown;
  try {
    header = decodeCbor(bytes);
  } catch (error) {
    throw notCose('protected header is not CBOR', error);
  }
  if (!(header instanceof Map)) throw notCose('protected header is not a map');
  return header;
}

function checkHeaderBuckets(
  protectedHeader: Map<unknown, unknown>,
  unprotected: Map<unknown, unknown>,
) {
  if (protectedHeader.has(critLabel) || unprotected.has(critLabel)) {
    // RFC 9052 §3.1: critical headers we do not understand must make the message fail.
    throw notCose('critical header parameters are not supported');
  }
  for (const label of unprotected.keys()) {
    if (label !== kidLabel && protectedHeader.has(label)) {
      throw notCose(`header label ${String(label)} is both protected and unprotected`);
    }
  }
}

function readAlgorithm(protectedHeader: Map<unknown, unknown>): SignatureAlgorithm {
  const id = protectedHeader.get(algLabel);
  // The algorithm must be authenticated, otherwise an attacker could choose it.
  if (id === undefined) throw notCose('the protected header has no algorithm');
  if (typeof id !== 'number' && typeof id !== 'string') throw notCose('algorithm has a bad type');
  const algorithm = algorithmById.get(id);
  if (algorithm === undefined) {
    throw new CredentialCodecError(
      'AMP_CRED_UNSUPPORTED_ALGORITHM',
      `COSE algorithm ${String(id)} is not supported (EdDSA -8 and ES256 -7 are).`,
    );
  }
  return algorithm;
}

function readKid(
  protectedHeader: Map<unknown, unknown>,
  unprotected: Map<unknown, unknown>,
): Uint8Array | undefined {
  const protectedKid = protectedHeader.get(kidLabel);
  const unprotectedKid = unprotected.get(kidLabel);
  if (protectedKid !== undefined && !(protectedKid instanceof Uint8Array)) {
    throw notCose('protected kid is not a bstr');
  }
  if (unprotectedKid !== undefined && !(unprotectedKid instanceof Uint8Array)) {
    throw notCose('unprotected kid is not a bstr');
  }
  if (protectedKid && unprotectedKid && !bytesEqual(protectedKid, unprotectedKid)) {
    throw notCose('the protected and unprotected kid disagree');
  }
  return protectedKid ?? unprotectedKid;
}

/** The bytes a COSE_Sign1 signature covers: ["Signature1", protected, h'', payload]. */
export function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  return encodeCbor(['Signature1', protectedBytes, new Uint8Array(0), payload]);
}

/**
 * Checks the signature against every trusted key with the message's kid and algorithm, and
 * returns the key that verified it.
 *
 * @throws CredentialCodecError `AMP_CRED_UNKNOWN_KEY` or `AMP_CRED_BAD_SIGNATURE`
 */
export async function verifyCoseSign1(
  message: CoseSign1,
  resolveKeys: KeyResolver,
  primitives: CodecPrimitives,
): Promise<VerificationKey> {
  const keys = await resolveKeys(message.kid);
  // A key for another algorithm is never tried: that is how algorithm-confusion attacks work.
  const candidates = keys.filter((key) => key.algorithm === message.algorithm);
  if (candidates.length === 0) {
    throw new CredentialCodecError(
      'AMP_CRED_UNKNOWN_KEY',
      `No trusted ${message.algorithm} key has kid ${describeKid(message.kid)}.`,
    );
  }
  if (message.signature.length === signatureBytes) {
    const data = sigStructure(message.protectedBytes, message.payload);
    for (const key of candidates) {
      if (await verifiesQuietly(primitives, key, data, message.signature)) return key;
    }
  }
  throw new CredentialCodecError(
    'AMP_CRED_BAD_SIGNATURE',
    `The signature does not verify with any trusted key with kid ${describeKid(message.kid)}.`,
  );
}

async function verifiesQuietly(
  primitives: CodecPrimitives,
  key: VerificationKey,
  data: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  try {
    return (await primitives.verify(key.algorithm, key.publicKey, data, signature)) === true;
  } catch {
    // A malformed trusted key must not stop the next candidate from being tried.
    return false;
  }
}

/**
 * Signs `payload` into a tagged COSE_Sign1 with alg and kid in the protected header.
 *
 * @example
 * const cose = await signCoseSign1(cwtClaimsBytes, signer);
 */
export async function signCoseSign1(
  payload: Uint8Array,
  signer: CredentialSigner,
): Promise<Uint8Array> {
  const protectedBytes = encodeCbor(
    new Map<number, unknown>([
      [algLabel, idByAlgorithm[signer.algorithm]],
      [kidLabel, signer.kid],
    ]),
  );
  const signature = await signer.sign(sigStructure(protectedBytes, payload));
  if (!(signature instanceof Uint8Array) || signature.length !== signatureBytes) {
    throw new CredentialCodecError(
      'AMP_CRED_INVALID_INPUT',
      `The signer returned a signature that is not ${signatureBytes} bytes.`,
    );
  }
  return encodeCbor(tagged(coseSign1Tag, [protectedBytes, new Map(), payload, signature]));
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

function describeKid(kid: Uint8Array | undefined): string {
  if (kid === undefined) return '(none)';
  return Array.from(kid.subarray(0, 32), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function notCose(detail: string, cause?: unknown): CredentialCodecError {
  return new CredentialCodecError('AMP_CRED_NOT_COSE', `Not a COSE_Sign1: ${detail}.`, { cause });
}
