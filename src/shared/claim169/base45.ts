import { CredentialCodecError } from './credential-codec-error.js';

/** RFC 9285 alphabet: the 45 characters of QR alphanumeric mode, in value order. */
const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

/** Character code → value, or -1 for characters outside the alphabet. */
const valueByCharCode = buildValueTable();

function buildValueTable(): Int8Array {
  const table = new Int8Array(128).fill(-1);
  for (let value = 0; value < alphabet.length; value++) {
    table[alphabet.charCodeAt(value)] = value;
  }
  return table;
}

/**
 * Encodes bytes as RFC 9285 base45: every two bytes become three characters, a final single
 * byte becomes two.
 *
 * @example
 * encodeBase45(new TextEncoder().encode('AB')); // 'BB8'
 */
export function encodeBase45(bytes: Uint8Array): string {
  let text = '';
  let index = 0;
  for (; index + 1 < bytes.length; index += 2) {
    const value = bytes[index]! * 256 + bytes[index + 1]!;
    text += alphabet[value % 45]! + alphabet[Math.floor(value / 45) % 45]!;
    text += alphabet[Math.floor(value / 2025)]!;
  }
  if (index < bytes.length) {
    const value = bytes[index]!;
    text += alphabet[value % 45]! + alphabet[Math.floor(value / 45)]!;
  }
  return text;
}

/**
 * Decodes strict RFC 9285 base45. Refuses characters outside the alphabet (including lower
 * case), a dangling single character, triplets above 65535 and final pairs above 255, so that
 * each byte string has exactly one accepted text.
 *
 * @throws CredentialCodecError `AMP_CRED_MALFORMED_BASE45`
 * @example
 * decodeBase45('QED8WEX0'); // bytes of 'ietf!'
 */
export function decodeBase45(text: string): Uint8Array {
  if (text.length % 3 === 1) {
    throw malformed(`length ${text.length} leaves a dangling character`);
  }
  const bytes = new Uint8Array(Math.floor(text.length / 3) * 2 + (text.length % 3 === 2 ? 1 : 0));
  let out = 0;
  for (let index = 0; index < text.length; index += 3) {
    const remaining = text.length - index;
    const low = valueAt(text, index);
    const middle = valueAt(text, index + 1);
    if (remaining === 2) {
      const value = low + middle * 45;
      if (value > 255) throw malformed(`final pair at ${index} is ${value}, above 255`);
      bytes[out++] = value;
    } else {
      const value = low + middle * 45 + valueAt(text, index + 2) * 2025;
      if (value > 65535) throw malformed(`triplet at ${index} is ${value}, above 65535`);
      bytes[out++] = value >> 8;
      bytes[out++] = value & 0xff;
    }
  }
  return bytes;
}

function valueAt(text: string, index: number): number {
  const code = text.charCodeAt(index);
  const value = code < 128 ? valueByCharCode[code]! : -1;
  if (value < 0) throw malformed(`character at ${index} is not in the base45 alphabet`);
  return value;
}

function malformed(detail: string): CredentialCodecError {
  return new CredentialCodecError('AMP_CRED_MALFORMED_BASE45', `Malformed base45: ${detail}.`);
}
