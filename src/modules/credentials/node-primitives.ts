import {
  createHash,
  createPublicKey,
  type KeyObject,
  sign as signWithKey,
  verify as verifyWithKey,
} from 'node:crypto';
import { constants, deflateSync, inflateSync } from 'node:zlib';
import type {
  CodecPrimitives,
  CredentialSigner,
  SignatureAlgorithm,
} from '../../shared/claim169/codec-primitives.js';
import { CredentialCodecError } from '../../shared/claim169/credential-codec-error.js';

/**
 * DER SubjectPublicKeyInfo prefixes: a raw key appended to one of these is a complete SPKI,
 * which Node imports faster than a JWK.
 */
const ed25519SpkiPrefix = Buffer.from('302a300506032b6570032100', 'hex');
const p256SpkiPrefix = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');

/** What `inflateSync` returns when called with `info: true`. */
interface InflateWithInfo {
  buffer: Buffer;
  engine: { bytesWritten: number };
}

/** Imported keys, so verifying many credentials with the same trusted key imports it once. */
const keyCache = new WeakMap<Uint8Array, KeyObject>();

/**
 * Node implementation of the codec primitives: synchronous zlib and node:crypto. This is the
 * fast path the server, the CLI and the benchmarks use.
 *
 * @example
 * await decodeCredential(text, { primitives: nodePrimitives, resolveKeys, now });
 */
export const nodePrimitives: CodecPrimitives = {
  inflate(compressed, outputBytesMax) {
    let result: InflateWithInfo;
    try {
      // `info: true` exposes how much input the stream consumed, to refuse trailing bytes. The
      // cast is safe: with that option Node returns { buffer, engine }, which its types omit.
      const options = { maxOutputLength: outputBytesMax, info: true };
      result = inflateSync(compressed, options) as unknown as InflateWithInfo;
    } catch (error) {
      if (error instanceof RangeError && 'code' in error && error.code === 'ERR_BUFFER_TOO_LARGE') {
        throw new CredentialCodecError(
          'AMP_CRED_TOO_LARGE',
          `The credential inflates past ${outputBytesMax} bytes.`,
        );
      }
      throw error;
    }
    if (result.engine.bytesWritten !== compressed.length) {
      throw new Error('bytes follow the end of the zlib stream');
    }
    return new Uint8Array(result.buffer.buffer, result.buffer.byteOffset, result.buffer.length);
  },
  deflate(raw) {
    return deflateSync(raw, { level: constants.Z_BEST_COMPRESSION });
  },
  verify(algorithm, publicKey, data, signature) {
    const key = importPublicKey(algorithm, publicKey);
    if (algorithm === 'EdDSA') return verifyWithKey(null, data, key, signature);
    return verifyWithKey('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
  },
};

/**
 * The Node primitives with the signature checked on libuv's thread pool (`verifyOnThreadPool`):
 * for a batch of cards verified at once — the cards of a sync's offline receipts — so the checks
 * run on every core while the main thread goes on. One card alone is no faster this way; use
 * `nodePrimitives`.
 *
 * @example
 * await Promise.all(texts.map((text) => decodeCredential(text, { primitives: threadPoolPrimitives, … })));
 */
export const threadPoolPrimitives: CodecPrimitives = {
  ...nodePrimitives,
  verify(algorithm, publicKey, data, signature) {
    return verifyOnThreadPool(algorithm, importPublicKey(algorithm, publicKey), data, signature);
  },
};

/**
 * Whether a signature holds, checked on libuv's thread pool (node:crypto's callback form: the
 * same OpenSSL check as the one-shot `verify`), EdDSA or ES256 (r‖s). The one thread-pool check
 * of a sync: the cards' issuer signatures (`threadPoolPrimitives`) and the offline receipts'
 * device signatures (distribution's `offlineSignatureCheck`), all of a batch's at once while the
 * main thread reads it. Rejects only where the one-shot `verify` would throw.
 *
 * @example
 * await verifyOnThreadPool('EdDSA', devicePublicKey, message, signature); // true or false
 */
export function verifyOnThreadPool(
  algorithm: SignatureAlgorithm,
  key: KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, holds: boolean) => {
      if (error === null) resolve(holds);
      else reject(error);
    };
    if (algorithm === 'EdDSA') verifyWithKey(null, data, key, signature, done);
    else verifyWithKey('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature, done);
  });
}

function importPublicKey(algorithm: SignatureAlgorithm, raw: Uint8Array): KeyObject {
  const cached = keyCache.get(raw);
  if (cached !== undefined && cached.asymmetricKeyType === keyTypeOf(algorithm)) return cached;
  let der: Buffer;
  if (algorithm === 'EdDSA') {
    if (raw.length !== 32) throw new Error('an Ed25519 public key is 32 bytes');
    der = Buffer.concat([ed25519SpkiPrefix, raw]);
  } else {
    if (raw.length !== 65 || raw[0] !== 0x04) throw new Error('a P-256 key is a 65-byte point');
    der = Buffer.concat([p256SpkiPrefix, raw]);
  }
  const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
  keyCache.set(raw, key);
  return key;
}

function keyTypeOf(algorithm: SignatureAlgorithm): string {
  return algorithm === 'EdDSA' ? 'ed25519' : 'ec';
}

/**
 * The raw public key bytes the codec works with: 32 bytes for Ed25519, the 65-byte
 * uncompressed point for P-256. Accepts a public or a private key.
 *
 * @example
 * rawPublicKey(generateKeyPairSync('ed25519').publicKey).length; // 32
 */
export function rawPublicKey(key: KeyObject): Uint8Array {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const der = publicKey.export({ format: 'der', type: 'spki' });
  if (publicKey.asymmetricKeyType === 'ed25519') return new Uint8Array(der.subarray(-32));
  if (publicKey.asymmetricKeyType === 'ec' && der.length === p256SpkiPrefix.length + 65) {
    return new Uint8Array(der.subarray(-65));
  }
  throw new CredentialCodecError('AMP_CRED_INVALID_INPUT', 'Only Ed25519 and P-256 keys are used.');
}

/**
 * The kid of an issuer key: the first 8 bytes of SHA-256 over the raw public key. Short, to
 * save QR space; collisions are possible, which is why resolvers return every matching key.
 *
 * @example
 * kidFromPublicKey(rawPublicKey(publicKey)); // Uint8Array(8)
 */
export function kidFromPublicKey(rawKey: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(rawKey).digest().subarray(0, 8));
}

/**
 * A signer over a node:crypto private key: EdDSA for Ed25519 (what we issue with), ES256 with
 * r‖s signatures for P-256. The kid defaults to `kidFromPublicKey`.
 *
 * @example
 * const signer = createNodeSigner(generateKeyPairSync('ed25519').privateKey);
 */
export function createNodeSigner(privateKey: KeyObject, kid?: Uint8Array): CredentialSigner {
  const publicKey = rawPublicKey(privateKey);
  const algorithm: SignatureAlgorithm =
    privateKey.asymmetricKeyType === 'ed25519' ? 'EdDSA' : 'ES256';
  return {
    kid: kid ?? kidFromPublicKey(publicKey),
    algorithm,
    sign(data) {
      if (algorithm === 'EdDSA') return signWithKey(null, data, privateKey);
      return signWithKey('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    },
  };
}
