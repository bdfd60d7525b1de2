import type { CodecPrimitives, SignatureAlgorithm } from './codec-primitives.js';
import { CredentialCodecError } from './credential-codec-error.js';

/**
 * Browser implementation of the codec primitives: Compression Streams and WebCrypto only, no
 * Node modules, so the offline verifier page can import it. Node 20+ has the same globals, which
 * is how the tests run it.
 *
 * @example
 * await decodeCredential(text, { primitives: webPrimitives, resolveKeys, now });
 */
export const webPrimitives: CodecPrimitives = {
  async inflate(compressed, outputBytesMax) {
    const stream = new Blob([copy(compressed)])
      .stream()
      .pipeThrough(new DecompressionStream('deflate'));
    return readAll(stream, outputBytesMax);
  },
  async deflate(raw) {
    const stream = new Blob([copy(raw)]).stream().pipeThrough(new CompressionStream('deflate'));
    return readAll(stream, Number.POSITIVE_INFINITY);
  },
  async verify(algorithm, publicKey, data, signature) {
    const key = await crypto.subtle.importKey(
      'raw',
      copy(publicKey),
      importParameters[algorithm],
      false,
      ['verify'],
    );
    return crypto.subtle.verify(verifyParameters[algorithm], key, copy(signature), copy(data));
  },
};

/** Reads a byte stream to the end, cancelling it as soon as it grows past `bytesMax`. */
async function readAll(stream: ReadableStream<Uint8Array>, bytesMax: number): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.length;
    if (length > bytesMax) {
      await reader.cancel().catch(() => undefined);
      throw new CredentialCodecError(
        'AMP_CRED_TOO_LARGE',
        `The data inflates past ${bytesMax} bytes.`,
      );
    }
    chunks.push(value);
  }
  const result = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    result.set(chunk, offset);
    offset += chunk.length;
  }
  return result;
}

/** WebCrypto parameters per COSE algorithm; ECDSA signatures are r‖s, as COSE carries them. */
const importParameters = {
  EdDSA: { name: 'Ed25519' },
  ES256: { name: 'ECDSA', namedCurve: 'P-256' },
} as const satisfies Record<SignatureAlgorithm, object>;
const verifyParameters = {
  EdDSA: { name: 'Ed25519' },
  ES256: { name: 'ECDSA', hash: 'SHA-256' },
} as const satisfies Record<SignatureAlgorithm, object>;

/**
 * A copy backed by a plain ArrayBuffer: WebCrypto and Blob refuse views over a
 * SharedArrayBuffer, and a Node Buffer may be a view into a larger shared pool.
 */
function copy(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(bytes);
}
