import { createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import type { SigningKey } from '../../platform/crypto/key-store.js';
import { kidOf } from '../../platform/crypto/key-store.js';
import { CredentialsError } from './credentials-error.js';

/** JSON values a signed document may hold: no floats, so every value has one spelling. */
export type CanonicalJson =
  | string
  | number
  | boolean
  | null
  | CanonicalJson[]
  | { [key: string]: CanonicalJson };

/**
 * A published list (trust list, revocation list): the payload and an Ed25519 signature over
 * the payload's canonical JSON (`canonicalJson`). The signature is detached from the bytes on
 * disk, so the file may be pretty-printed or re-serialised without breaking it.
 */
export interface SignedDocument<Payload> {
  payload: Payload;
  signature: { alg: 'EdDSA'; kid: string; value: string };
}

const ed25519SpkiPrefix = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * Canonical JSON: object keys sorted by UTF-16 code unit, no whitespace, integers only. For
 * this subset it is the same text RFC 8785 (JCS) produces.
 *
 * @example
 * canonicalJson({ b: 1, a: [true, 'x'] }); // '{"a":[true,"x"],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw malformed('numbers must be safe integers');
    return String(value);
  }
  if (Array.isArray(value)) {
    let text = '[';
    for (let index = 0; index < value.length; index += 1) {
      text += `${index === 0 ? '' : ','}${canonicalJson(value[index])}`;
    }
    return `${text}]`;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    // Built in one pass (a sync signs and checks two of these per receipt): the keys sorted by
    // UTF-16 code unit (`sort()`'s default order for strings), undefined fields left out.
    const record = value as Record<string, unknown>;
    let text = '{';
    for (const key of Object.keys(record).sort()) {
      const field = record[key];
      if (field === undefined) continue;
      text += `${text.length === 1 ? '' : ','}${JSON.stringify(key)}:${canonicalJson(field)}`;
    }
    return `${text}}`;
  }
  throw malformed(`a ${typeof value} cannot be part of a signed document`);
}

/**
 * Signs a payload with an Ed25519 key (the trust-list signing key).
 *
 * @example
 * const document = signDocument(trustList, trustListSigningKey);
 * writeFileSync('trust-list.json', JSON.stringify(document, null, 2));
 */
export function signDocument<Payload>(payload: Payload, key: SigningKey): SignedDocument<Payload> {
  const value = sign(null, Buffer.from(canonicalJson(payload)), key.privateKey);
  return { payload, signature: { alg: 'EdDSA', kid: key.kid, value: value.toString('base64url') } };
}

/**
 * Parses a signed document and checks its signature with the pinned anchor key, then its
 * `format` (so a revocation list cannot pass for a trust list). Returns the payload, still to
 * be validated by the caller; nothing of it is interpreted before the signature verified.
 *
 * @throws CredentialsError `AMP_LIST_MALFORMED` or `AMP_LIST_BAD_SIGNATURE`
 * @example
 * const payload = openSignedDocument(fileText, anchor, 'amparo.trust-list.v1', 1 << 20);
 */
export function openSignedDocument(
  text: string,
  anchor: KeyObject,
  format: string,
  bytesMax: number,
): Record<string, unknown> {
  if (typeof text !== 'string') throw malformed('the document is not text');
  if (text.length > bytesMax) throw malformed(`the document is larger than ${bytesMax} bytes`);
  const document = parseJsonObject(text);
  const { payload, signature } = document;
  if (!isPlainObject(payload) || !isPlainObject(signature)) {
    throw malformed('expected { payload, signature }');
  }
  const value = signature.value;
  if (signature.alg !== 'EdDSA' || typeof value !== 'string' || !/^[\w-]{86}$/.test(value)) {
    throw malformed('the signature is not an EdDSA signature in base64url');
  }
  const signed = Buffer.from(canonicalJson(payload));
  if (!verify(null, signed, anchor, Buffer.from(value, 'base64url'))) {
    throw new CredentialsError(
      'AMP_LIST_BAD_SIGNATURE',
      `The list's signature does not verify with the trust anchor ${kidOf(anchor)}.`,
    );
  }
  if (payload.format !== format) throw malformed(`expected a document of format ${format}`);
  return payload;
}

/**
 * The anchor key verifiers pin: an Ed25519 public key from its 64 hex digits.
 *
 * @throws CredentialsError `AMP_LIST_MALFORMED`
 * @example
 * const anchor = anchorFromHex(process.env.AMPARO_TRUST_ANCHOR ?? '');
 */
export function anchorFromHex(hex: string): KeyObject {
  if (typeof hex !== 'string' || !/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw malformed('a trust anchor is a 32-byte Ed25519 public key in 64 hex digits');
  }
  return createPublicKey({
    key: Buffer.concat([ed25519SpkiPrefix, Buffer.from(hex, 'hex')]),
    format: 'der',
    type: 'spki',
  });
}

function parseJsonObject(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CredentialsError('AMP_LIST_MALFORMED', 'The document is not JSON.', { cause: error });
  }
  if (!isPlainObject(parsed)) throw malformed('the document is not a JSON object');
  return parsed;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function malformed(detail: string): CredentialsError {
  return new CredentialsError('AMP_LIST_MALFORMED', `Malformed list: ${detail}.`);
}
