import type { VerificationKey } from '../../../../src/shared/claim169/codec-primitives.js';
import { canonicalJson } from './canonical-json.js';

/**
 * Reads an `amparo.trust-list.v1` file in the browser (format in
 * src/modules/credentials/README.md): checks its Ed25519 signature against the pinned trust
 * anchor with WebCrypto, then every key (length, and kid = first 8 bytes of SHA-256 of it).
 *
 * @example
 *   const list = await readTrustList(fileText, anchorHex);
 *   list.issuerName; // 'Amparo · Venezuela'
 */
export interface TrustedIssuerKey {
  kid: string;
  alg: 'EdDSA' | 'ES256';
  publicKey: Uint8Array;
  notBefore: number;
  notAfter?: number;
}

export interface BrowserTrustList {
  version: number;
  issuedAt: number;
  issuerName: string;
  credentialValiditySecondsMax: number;
  keys: TrustedIssuerKey[];
}

/** Why a trust list was not accepted; the page names it in the reader's language. */
export class TrustListError extends Error {
  readonly reason: 'malformed' | 'bad_signature' | 'bad_anchor';
  constructor(reason: TrustListError['reason'], detail: string) {
    super(detail);
    this.reason = reason;
  }
}

const trustListFormat = 'amparo.trust-list.v1';
const trustListBytesMax = 1 << 20;

export async function readTrustList(text: string, anchorHex: string): Promise<BrowserTrustList> {
  return validate(await openSignedPayload(text, anchorHex, trustListFormat, trustListBytesMax));
}

/**
 * The payload of a signed Amparo document (trust list or revocation list) once its Ed25519
 * signature verifies against the anchor and its `format` is the one expected.
 *
 * @example
 *   const payload = await openSignedPayload(text, anchorHex, 'amparo.revocation-list.v1', 1 << 22);
 */
export async function openSignedPayload(
  text: string,
  anchorHex: string,
  format: string,
  bytesMax: number,
): Promise<unknown> {
  if (!/^[0-9a-fA-F]{64}$/.test(anchorHex.trim())) {
    throw new TrustListError('bad_anchor', 'the anchor is 64 hex digits');
  }
  if (text.length > bytesMax) throw malformed('the file is too large');
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw malformed('not JSON');
  }
  const payload = field(document, 'payload');
  const signature = field(document, 'signature');
  const value = field(signature, 'value');
  if (field(signature, 'alg') !== 'EdDSA' || typeof value !== 'string') {
    throw malformed('no EdDSA signature');
  }
  const anchor = await crypto.subtle.importKey(
    'raw',
    fromHex(anchorHex.trim()),
    { name: 'Ed25519' },
    false,
    ['verify'],
  );
  const signed = new TextEncoder().encode(canonicalJson(payload));
  if (!(await crypto.subtle.verify({ name: 'Ed25519' }, anchor, fromBase64Url(value), signed))) {
    throw new TrustListError('bad_signature', 'the signature does not verify with the anchor');
  }
  if (field(payload, 'format') !== format) throw malformed(`not a ${format} document`);
  return payload;
}

async function validate(payload: unknown): Promise<BrowserTrustList> {
  const version = field(payload, 'version');
  const issuedAt = field(payload, 'issuedAt');
  const issuerName = field(payload, 'issuerName');
  const validityMax = field(payload, 'credentialValiditySecondsMax');
  const keys = field(payload, 'keys');
  if (!isCount(version) || !isCount(issuedAt) || !isCount(validityMax)) {
    throw malformed('version, issuedAt and credentialValiditySecondsMax are whole numbers');
  }
  if (typeof issuerName !== 'string' || issuerName === '') throw malformed('issuerName is empty');
  if (!Array.isArray(keys)) throw malformed('keys is not a list');
  return {
    version,
    issuedAt,
    issuerName,
    credentialValiditySecondsMax: validityMax,
    keys: await Promise.all(keys.map(validateKey)),
  };
}

async function validateKey(entry: unknown): Promise<TrustedIssuerKey> {
  const alg = field(entry, 'alg');
  const kid = field(entry, 'kid');
  const publicKey = field(entry, 'publicKey');
  const notBefore = field(entry, 'notBefore');
  const notAfter = field(entry, 'notAfter');
  if (alg !== 'EdDSA' && alg !== 'ES256') throw malformed('a key has an unknown alg');
  if (typeof publicKey !== 'string') throw malformed('a public key is not base64url');
  const raw = fromBase64Url(publicKey);
  if (raw.length !== (alg === 'EdDSA' ? 32 : 65)) throw malformed('a public key has a bad length');
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', raw));
  if (kid !== toHex(digest.slice(0, 8))) throw malformed('a kid does not match its key');
  if (!isCount(notBefore)) throw malformed('notBefore is not whole seconds');
  if (notAfter !== undefined && (!isCount(notAfter) || notAfter < notBefore)) {
    throw malformed('notAfter is not after notBefore');
  }
  const key: TrustedIssuerKey = { kid, alg, publicKey: raw, notBefore };
  if (notAfter !== undefined) key.notAfter = notAfter;
  return key;
}

/** The codec's key resolver over a list: every key with the card's kid. */
export function keysForKid(list: BrowserTrustList, kid: Uint8Array | undefined): VerificationKey[] {
  if (kid === undefined) return [];
  const hex = toHex(kid);
  return list.keys
    .filter((key) => key.kid === hex)
    .map((key) => ({ algorithm: key.alg, publicKey: key.publicKey }));
}

export function field(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformed(`expected an object holding ${key}`);
  }
  return Reflect.get(value, key);
}

export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export function malformed(detail: string): TrustListError {
  return new TrustListError('malformed', detail);
}

export function toHex(bytes: Uint8Array): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let index = 0; index < bytes.length; index += 1) {
    bytes[index] = Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16);
  }
  return bytes;
}

export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[\w-]*$/.test(text)) throw malformed('not base64url');
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (character) => character.charCodeAt(0));
}
