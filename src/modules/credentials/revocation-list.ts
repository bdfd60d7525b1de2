import { createHash, type KeyObject } from 'node:crypto';
import type { SigningKey } from '../../platform/crypto/key-store.js';
import { CredentialsError } from './credentials-error.js';
import { revocationListBytesMax } from './limits.js';
import {
  isPlainObject,
  malformed,
  openSignedDocument,
  type SignedDocument,
  signDocument,
} from './signed-document.js';

export const revocationListFormat = 'amparo.revocation-list.v1';

export const revocationReasons = ['lost', 'stolen', 'reissued', 'deceased'] as const;
export type RevocationReason = (typeof revocationReasons)[number];

/** One revoked credential: never its id, only a hash of it (see `revocationHash`). */
export interface RevocationEntry {
  /** First 128 bits of SHA-256 of the credential id, base64url (22 characters). */
  hash: string;
  reason: RevocationReason;
  /** The list version that added this entry. */
  version: number;
}

/**
 * A revocation list. `full` holds every entry up to `version` (`baseVersion` 0); a `delta`
 * holds the entries added after `baseVersion` up to `version`, and applies only to a list at
 * exactly `baseVersion`. See README.md, "Revocation list".
 */
export interface RevocationList {
  format: typeof revocationListFormat;
  kind: 'full' | 'delta';
  version: number;
  baseVersion: number;
  issuedAt: number;
  entries: RevocationEntry[];
}

/**
 * The entry of a credential id in revocation lists: SHA-256 of the 16 id bytes, first 16 bytes,
 * base64url. A verifier that holds the card computes it; the list alone does not reveal ids.
 *
 * @example
 * revocationHash(card.credentialId); // 'q3Y0…' (22 characters)
 */
export function revocationHash(credentialId: Uint8Array): string {
  return createHash('sha256').update(credentialId).digest().subarray(0, 16).toString('base64url');
}

/** The list before anything was revoked. */
export function emptyRevocationList(issuedAt: number): RevocationList {
  return {
    format: revocationListFormat,
    kind: 'full',
    version: 0,
    baseVersion: 0,
    issuedAt,
    entries: [],
  };
}

/**
 * The next full list: `revocations` added under version + 1. Revoking an already revoked
 * credential again changes nothing (its first reason stands).
 *
 * @example
 * const v1 = appendRevocations(emptyRevocationList(now), [{ credentialId, reason: 'lost' }], now);
 */
export function appendRevocations(
  list: RevocationList,
  revocations: { credentialId: Uint8Array; reason: RevocationReason }[],
  issuedAt: number,
): RevocationList {
  if (list.kind !== 'full') throw malformed('revocations are appended to a full list');
  const version = list.version + 1;
  const known = new Set(list.entries.map((entry) => entry.hash));
  const added: RevocationEntry[] = [];
  for (const { credentialId, reason } of revocations) {
    if (!revocationReasons.includes(reason)) throw malformed(`unknown reason ${String(reason)}`);
    const hash = revocationHash(credentialId);
    if (known.has(hash)) continue;
    known.add(hash);
    added.push({ hash, reason, version });
  }
  return { ...list, version, issuedAt, entries: [...list.entries, ...added] };
}

/**
 * The entries added to a full list after `sinceVersion`, as a delta a verifier holding that
 * version can apply.
 *
 * @throws CredentialsError `AMP_LIST_VERSION_MISMATCH` when `sinceVersion` is in the future
 * @example
 * const delta = deltaSince(currentList, verifierVersion);
 */
export function deltaSince(list: RevocationList, sinceVersion: number): RevocationList {
  if (list.kind !== 'full') throw malformed('deltas are computed from a full list');
  if (!Number.isSafeInteger(sinceVersion) || sinceVersion < 0 || sinceVersion > list.version) {
    throw new CredentialsError(
      'AMP_LIST_VERSION_MISMATCH',
      `There is no version ${sinceVersion}; the list is at version ${list.version}.`,
    );
  }
  return {
    ...list,
    kind: 'delta',
    baseVersion: sinceVersion,
    entries: list.entries.filter((entry) => entry.version > sinceVersion),
  };
}

/** Signs a full list or a delta with the trust-list signing key. */
export function signRevocationList(
  list: RevocationList,
  key: SigningKey,
): SignedDocument<RevocationList> {
  return signDocument(validateRevocationList({ ...list }), key);
}

/**
 * Reads a signed revocation list or delta: size, signature against the pinned anchor, fields.
 *
 * @throws CredentialsError `AMP_LIST_MALFORMED` or `AMP_LIST_BAD_SIGNATURE`
 * @example
 * const list = verifyRevocationList(readFileSync(file, 'utf8'), anchor);
 */
export function verifyRevocationList(text: string, anchor: KeyObject): RevocationList {
  const payload = openSignedDocument(text, anchor, revocationListFormat, revocationListBytesMax);
  return validateRevocationList(payload);
}

function validateRevocationList(value: Record<string, unknown>): RevocationList {
  const { kind, version, baseVersion, issuedAt, entries } = value;
  if (kind !== 'full' && kind !== 'delta') throw malformed('kind must be full or delta');
  if (!isCount(version) || !isCount(baseVersion) || !isCount(issuedAt)) {
    throw malformed('version, baseVersion and issuedAt must be non-negative integers');
  }
  if (kind === 'full' ? baseVersion !== 0 : baseVersion >= version) {
    throw malformed('a full list has baseVersion 0; a delta has baseVersion below version');
  }
  if (!Array.isArray(entries)) throw malformed('entries must be a list');
  const checked = entries.map((entry) => validateEntry(entry, baseVersion, version));
  return { format: revocationListFormat, kind, version, baseVersion, issuedAt, entries: checked };
}

function validateEntry(value: unknown, baseVersion: number, version: number): RevocationEntry {
  if (!isPlainObject(value)) throw malformed('an entry is not an object');
  const { hash, reason, version: added } = value;
  if (typeof hash !== 'string' || !/^[\w-]{21}[AQgw]$/.test(hash)) {
    throw malformed('an entry hash is not 16 bytes of base64url');
  }
  if (!revocationReasons.includes(reason as RevocationReason)) {
    // The cast only lets includes() compare; a value of another type is simply not found.
    throw malformed(`an entry has an unknown reason ${String(reason)}`);
  }
  if (!isCount(added) || added <= baseVersion || added > version) {
    throw malformed('an entry version lies outside the list');
  }
  return { hash, reason: reason as RevocationReason, version: added }; // Safe: checked above.
}

/**
 * What an offline verifier holds: a full list with deltas applied, in order.
 *
 * @example
 * const state = new RevocationState(verifyRevocationList(baseText, anchor));
 * state.apply(verifyRevocationList(deltaText, anchor));
 * state.reasonFor(credentialId); // 'stolen' | undefined
 */
export class RevocationState {
  #version: number;
  readonly #reasons = new Map<string, RevocationReason>();

  constructor(base: RevocationList) {
    if (base.kind !== 'full') throw malformed('a verifier starts from a full list');
    this.#version = base.version;
    this.#add(base.entries);
  }

  get version(): number {
    return this.#version;
  }

  /**
   * Applies a delta made for exactly the version held.
   *
   * @throws CredentialsError `AMP_LIST_VERSION_MISMATCH` or `AMP_LIST_MALFORMED`
   */
  apply(delta: RevocationList): void {
    if (delta.kind !== 'delta') throw malformed('only a delta can be applied');
    if (delta.baseVersion !== this.#version) {
      throw new CredentialsError(
        'AMP_LIST_VERSION_MISMATCH',
        `The delta applies to version ${delta.baseVersion}; this verifier holds version ${this.#version}.`,
      );
    }
    this.#add(delta.entries);
    this.#version = delta.version;
  }

  reasonFor(credentialId: Uint8Array): RevocationReason | undefined {
    return this.#reasons.get(revocationHash(credentialId));
  }

  #add(entries: readonly RevocationEntry[]): void {
    for (const entry of entries) {
      if (!this.#reasons.has(entry.hash)) this.#reasons.set(entry.hash, entry.reason);
    }
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
