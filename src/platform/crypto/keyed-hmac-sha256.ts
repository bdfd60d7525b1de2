import { createHash } from 'node:crypto';

/**
 * HMAC-SHA256 (RFC 2104, FIPS 180-4) under one key for many short messages: the key's inner and
 * outer blocks are compressed once, so each message costs only its own SHA-256 blocks (three for
 * a message under 56 bytes, plus one per 64 bytes more). The output is exactly node:crypto's
 * `createHmac('sha256', key).update(message).digest()` — which, for one key and 150,000 messages
 * of 70 bytes (a snapshot's household bindings), spends most of its time creating an HMAC
 * context per message. No branch or table index depends on the key or the message.
 *
 * @example
 *   const mac = keyedHmacSha256(salt);
 *   const out = new Uint8Array(32);
 *   mac(Buffer.from('amparo household binding v2\n…'), out); // out = HMAC-SHA256(salt, message)
 */
export function keyedHmacSha256(key: Uint8Array): (message: Uint8Array, out: Uint8Array) => void {
  const block = new Uint8Array(blockBytes);
  // A key longer than a block is hashed first (RFC 2104, section 2).
  block.set(key.length > blockBytes ? createHash('sha256').update(key).digest() : key);
  const innerStart = initialState.slice();
  const outerStart = initialState.slice();
  compress(
    innerStart,
    block.map((byte) => byte ^ 0x36),
    0,
  );
  compress(
    outerStart,
    block.map((byte) => byte ^ 0x5c),
    0,
  );
  const state = new Int32Array(8);
  const outerBlock = new Uint8Array(blockBytes);
  let padded = new Uint8Array(4 * blockBytes);
  return (message, out) => {
    if (out.length < digestBytes) throw new RangeError('HMAC-SHA256 output needs 32 bytes');
    const length = message.length;
    const paddedLength = Math.ceil((length + 9) / blockBytes) * blockBytes;
    if (paddedLength > padded.length) padded = new Uint8Array(paddedLength);
    padded.set(message);
    padded[length] = 0x80;
    padded.fill(0, length + 1, paddedLength);
    // The inner hash runs over the key block and the message: its length in bits, big-endian.
    writeBitLength(padded, paddedLength, blockBytes + length);
    state.set(innerStart);
    for (let offset = 0; offset < paddedLength; offset += blockBytes)
      compress(state, padded, offset);
    writeState(state, outerBlock);
    outerBlock[digestBytes] = 0x80;
    outerBlock.fill(0, digestBytes + 1, blockBytes);
    writeBitLength(outerBlock, blockBytes, blockBytes + digestBytes);
    state.set(outerStart);
    compress(state, outerBlock, 0);
    writeState(state, out);
  };
}

const blockBytes = 64;
const digestBytes = 32;

const initialState = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

const roundConstants = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const schedule = new Int32Array(64);

/** SHA-256's compression of the 64-byte block at `offset` into `state` (FIPS 180-4, 6.2.2). */
function compress(state: Int32Array, bytes: Uint8Array, offset: number): void {
  const w = schedule;
  for (let i = 0, at = offset; i < 16; i += 1, at += 4) {
    w[i] =
      ((bytes[at] as number) << 24) |
      ((bytes[at + 1] as number) << 16) |
      ((bytes[at + 2] as number) << 8) |
      (bytes[at + 3] as number);
  }
  for (let i = 16; i < 64; i += 1) {
    const w15 = w[i - 15] as number;
    const w2 = w[i - 2] as number;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    w[i] = ((w[i - 16] as number) + s0 + (w[i - 7] as number) + s1) | 0;
  }
  let a = state[0] as number;
  let b = state[1] as number;
  let c = state[2] as number;
  let d = state[3] as number;
  let e = state[4] as number;
  let f = state[5] as number;
  let g = state[6] as number;
  let h = state[7] as number;
  for (let i = 0; i < 64; i += 1) {
    const sum1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 =
      (h + sum1 + ((e & f) ^ (~e & g)) + (roundConstants[i] as number) + (w[i] as number)) | 0;
    const sum0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (sum0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = ((state[0] as number) + a) | 0;
  state[1] = ((state[1] as number) + b) | 0;
  state[2] = ((state[2] as number) + c) | 0;
  state[3] = ((state[3] as number) + d) | 0;
  state[4] = ((state[4] as number) + e) | 0;
  state[5] = ((state[5] as number) + f) | 0;
  state[6] = ((state[6] as number) + g) | 0;
  state[7] = ((state[7] as number) + h) | 0;
}

/** The 64-bit big-endian length in bits of `byteLength` bytes, in the last 8 bytes before `end`. */
function writeBitLength(bytes: Uint8Array, end: number, byteLength: number): void {
  const bits = byteLength * 8;
  const high = Math.floor(bits / 0x1_0000_0000);
  for (let i = 0; i < 4; i += 1) {
    bytes[end - 8 + i] = (high >>> (24 - 8 * i)) & 0xff;
    bytes[end - 4 + i] = (bits >>> (24 - 8 * i)) & 0xff;
  }
}

function writeState(state: Int32Array, out: Uint8Array): void {
  for (let i = 0; i < 8; i += 1) {
    const word = state[i] as number;
    out[4 * i] = word >>> 24;
    out[4 * i + 1] = (word >>> 16) & 0xff;
    out[4 * i + 2] = (word >>> 8) & 0xff;
    out[4 * i + 3] = word & 0xff;
  }
}
