import { createHash, type KeyObject } from 'node:crypto';
import type { SigningKey } from '../../platform/crypto/key-store.js';
import type {
  SignatureAlgorithm,
  VerificationKey,
} from '../../shared/claim169/codec-primitives.js';
import { issuingPeriodProblem } from '../../shared/claim169/issuing-period.js';
import type { TrustedKeys } from '../../shared/claim169/verdict.js';
import { trustListBytesMax, trustListKeysMax } from './limits.js';
import { rawPublicKey } from './node-primitives.js';
import {
  isPlainObject,
  malformed,
  openSignedDocument,
  type SignedDocument,
  signDocument,
} from './signed-document.js';

export type { TrustedKeys } from '../../shared/claim169/verdict.js';

export const trustListFormat = 'amparo.trust-list.v1';

/**
 * One issuer key and the period in which it may sign cards (seconds since 1970). Cards signed
 * in the period stay valid until their own expiry; `notAfter` is absent while the key is the
 * current one.
 */
export interface TrustedIssuerKey {
  /** First 8 bytes of SHA-256 of the raw public key, hex; checked against the key. */
  kid: string;
  alg: SignatureAlgorithm;
  /** Raw public key (32 bytes Ed25519, 65-byte P-256 point), base64url. */
  publicKey: string;
  notBefore: number;
  notAfter?: number;
}

/** What offline verifiers download. See README.md, "Trust list". */
export interface TrustList {
  format: typeof trustListFormat;
  /** Increases with every published list; a verifier never replaces a list by an older one. */
  version: number;
  issuedAt: number;
  /** The issuing authority's name, which verifiers show (cards carry no `iss` by default). */
  issuerName: string;
  /** Longest validity of a card: bounds the expiry of cards signed by a retired key. */
  credentialValiditySecondsMax: number;
  keys: TrustedIssuerKey[];
}

export interface IssuerKeyPeriod {
  publicKey: KeyObject;
  notBefore: number;
  notAfter?: number;
}

/**
 * Builds a trust list from public keys and their issuing periods.
 *
 * @example
 * const list = buildTrustList({ version: 1, issuedAt: now, issuerName: 'SAIME',
 *   credentialValiditySecondsMax: 5 * 365 * 86400,
 *   keys: [{ publicKey: issuerKey.publicKey, notBefore: now }] });
 */
export function buildTrustList(
  input: Omit<TrustList, 'format' | 'keys'> & {
    keys: IssuerKeyPeriod[];
  },
): TrustList {
  const keys = input.keys.map(({ publicKey, notBefore, notAfter }) => {
    const raw = rawPublicKey(publicKey);
    const entry: TrustedIssuerKey = {
      kid: kidOfRaw(raw),
      alg: publicKey.asymmetricKeyType === 'ed25519' ? 'EdDSA' : 'ES256',
      publicKey: Buffer.from(raw).toString('base64url'),
      notBefore,
    };
    if (notAfter !== undefined) entry.notAfter = notAfter;
    return entry;
  });
  return validateTrustList({ ...input, format: trustListFormat, keys });
}

/**
 * The next trust list after a key rotation at `rotatedAt`: every key still issuing stops at
 * that moment (its cards stay valid until they expire) and `newKey` issues from then on.
 *
 * @example
 * const v2 = rotateTrustList(v1, { newKey: keyB.publicKey, rotatedAt: now, issuedAt: now });
 */
export function rotateTrustList(
  previous: TrustList,
  rotation: { newKey: KeyObject; rotatedAt: number; issuedAt: number },
): TrustList {
  const { rotatedAt } = rotation;
  const keys = previous.keys.map((key) =>
    key.notAfter === undefined || key.notAfter > rotatedAt ? { ...key, notAfter: rotatedAt } : key,
  );
  const next = buildTrustList({
    ...previous,
    version: previous.version + 1,
    issuedAt: rotation.issuedAt,
    keys: [{ publicKey: rotation.newKey, notBefore: rotatedAt }],
  });
  return validateTrustList({ ...next, keys: [...keys, ...next.keys] });
}

/**
 * Signs a trust list with the trust-list signing key.
 *
 * @example
 * writeFileSync(file, JSON.stringify(signTrustList(list, trustListKey), null, 2));
 */
export function signTrustList(list: TrustList, key: SigningKey): SignedDocument<TrustList> {
  return signDocument(validateTrustList({ ...list }), key);
}

/**
 * Reads a signed trust list file: size, signature against the pinned anchor, then every field.
 *
 * @throws CredentialsError `AMP_LIST_MALFORMED` or `AMP_LIST_BAD_SIGNATURE`
 * @example
 * const list = verifyTrustList(readFileSync(file, 'utf8'), anchorFromHex(anchorHex));
 */
export function verifyTrustList(text: string, anchor: KeyObject): TrustList {
  return validateTrustList(openSignedDocument(text, anchor, trustListFormat, trustListBytesMax));
}

function validateTrustList(value: Record<string, unknown>): TrustList {
  const { version, issuedAt, issuerName, credentialValiditySecondsMax, keys } = value;
  if (!isCount(version) || version < 1) throw malformed('version must be a positive integer');
  if (!isCount(issuedAt)) throw malformed('issuedAt must be whole seconds');
  if (typeof issuerName !== 'string' || issuerName === '') throw malformed('issuerName is empty');
  if (!isCount(credentialValiditySecondsMax) || credentialValiditySecondsMax < 1) {
    throw malformed('credentialValiditySecondsMax must be a positive integer');
  }
  if (!Array.isArray(keys) || keys.length > trustListKeysMax) {
    throw malformed(`keys must be a list of at most ${trustListKeysMax}`);
  }
  return {
    format: trustListFormat,
    version,
    issuedAt,
    issuerName,
    credentialValiditySecondsMax,
    keys: keys.map(validateKey),
  };
}

function validateKey(value: unknown): TrustedIssuerKey {
  if (!isPlainObject(value)) throw malformed('a key is not an object');
  const { kid, alg, publicKey, notBefore, notAfter } = value;
  if (alg !== 'EdDSA' && alg !== 'ES256') throw malformed('a key has an unknown alg');
  if (typeof publicKey !== 'string' || !/^[\w-]+$/.test(publicKey)) {
    throw malformed('a public key is not base64url');
  }
  const raw = Buffer.from(publicKey, 'base64url');
  if (raw.length !== (alg === 'EdDSA' ? 32 : 65)) throw malformed('a public key has a bad length');
  if (kid !== kidOfRaw(raw)) throw malformed('a kid does not match its public key');
  if (!isCount(notBefore)) throw malformed('notBefore must be whole seconds');
  if (notAfter !== undefined && (!isCount(notAfter) || notAfter < notBefore)) {
    throw malformed('notAfter must be whole seconds, not before notBefore');
  }
  const key: TrustedIssuerKey = { kid, alg, publicKey, notBefore };
  if (notAfter !== undefined) key.notAfter = notAfter;
  return key;
}

/**
 * Turns a verified trust list into the codec's `resolveKeys`, plus the issuing-period check
 * (`issuingPeriodProblem`, the rule the browser's verifier applies too).
 *
 * @example
 * const trusted = trustedKeysFromList(list);
 * await decodeCredential(text, { primitives, now, resolveKeys: trusted.resolveKeys });
 */
export function trustedKeysFromList(list: TrustList): TrustedKeys {
  const entries = new Map<VerificationKey, TrustedIssuerKey>();
  const byKid = new Map<string, VerificationKey[]>();
  for (const entry of list.keys) {
    const key = {
      algorithm: entry.alg,
      publicKey: new Uint8Array(Buffer.from(entry.publicKey, 'base64url')),
    };
    entries.set(key, entry);
    byKid.set(entry.kid, [...(byKid.get(entry.kid) ?? []), key]);
  }
  return {
    issuerName: list.issuerName,
    // A card without a kid is refused: our cards always carry one.
    resolveKeys: (kid) =>
      kid === undefined ? [] : (byKid.get(Buffer.from(kid).toString('hex')) ?? []),
    keyPeriodProblem(key, cwt) {
      const entry = entries.get(key);
      if (entry === undefined) return 'the key is not in the trust list';
      return issuingPeriodProblem(entry, cwt, list.credentialValiditySecondsMax);
    },
  };
}

/**
 * Trusts exactly one public key (`amparo verify --public-key`): any kid, no period.
 *
 * @example
 * trustedKeysFromPublicKey(Buffer.from(hex, 'hex'), 'EdDSA');
 */
export function trustedKeysFromPublicKey(
  publicKey: Uint8Array,
  alg: SignatureAlgorithm,
): TrustedKeys {
  const key: VerificationKey = { algorithm: alg, publicKey };
  return { resolveKeys: () => [key], keyPeriodProblem: () => undefined };
}

function kidOfRaw(raw: Uint8Array): string {
  return createHash('sha256').update(raw).digest().subarray(0, 8).toString('hex');
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
