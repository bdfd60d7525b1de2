import type { Kysely } from 'kysely';
import type { KeyStore, SigningKey } from '../../platform/crypto/key-store.js';
import type { Database } from '../../platform/db/schema.js';
import { AmparoError } from '../../platform/errors.js';
import { currentRevocationVersion, revocationEntriesSince } from './credential-repository.js';
import { cardValiditySecondsMax } from './limits.js';
import {
  type RevocationList,
  revocationListFormat,
  signRevocationList,
} from './revocation-list.js';
import type { SignedDocument } from './signed-document.js';
import {
  buildTrustList,
  signTrustList,
  type TrustedIssuerKey,
  type TrustList,
} from './trust-list.js';

export interface ListDependencies {
  db: Kysely<Database>;
  keys: KeyStore;
  issuerName: string;
  now?: () => Date;
}

/**
 * The signed trust list built from the key store. Each change of the store's issuer keys or of
 * its current key is recorded as a new `trust_list_version`: the key that stopped issuing gets
 * `notAfter` (its cards stay valid until they expire), a new key `notBefore`, and a key removed
 * from the store (a compromised one) leaves the list. The periods therefore survive restarts.
 *
 * @example
 * const signed = await publishedTrustList({ db, keys, issuerName: 'Amparo' });
 */
export async function publishedTrustList(
  deps: ListDependencies,
): Promise<SignedDocument<TrustList>> {
  const latest = await latestTrustListVersion(deps.db);
  const nowSeconds = Math.floor((deps.now?.() ?? new Date()).getTime() / 1000);
  let version = latest;
  if (latest === undefined || changed(latest, deps.keys)) {
    const keys = nextKeys(latest?.keys ?? [], deps.keys, nowSeconds);
    const next = (latest?.version ?? 0) + 1;
    await deps.db
      .insertInto('trust_list_version')
      .values({
        version: next,
        issued_at: new Date(nowSeconds * 1000),
        current_kid: deps.keys.currentIssuerKid,
        keys: JSON.stringify(keys),
      })
      // Two servers noticing the same change at once: the first row wins, both read it.
      .onConflict((conflict) => conflict.column('version').doNothing())
      .execute();
    version = await latestTrustListVersion(deps.db);
  }
  if (version === undefined) throw new Error('a trust list version was just written');
  return signTrustList(
    {
      ...buildTrustList({
        version: version.version,
        issuedAt: version.issuedAt,
        issuerName: deps.issuerName,
        credentialValiditySecondsMax: cardValiditySecondsMax,
        keys: [],
      }),
      keys: version.keys,
    },
    deps.keys.trustListSigning,
  );
}

interface StoredTrustList {
  version: number;
  issuedAt: number;
  currentKid: string;
  keys: TrustedIssuerKey[];
}

async function latestTrustListVersion(db: Kysely<Database>): Promise<StoredTrustList | undefined> {
  const row = await db
    .selectFrom('trust_list_version')
    .selectAll()
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  // Safe: the column is written only by this module, from TrustedIssuerKey values.
  const keys = (
    typeof row.keys === 'string' ? JSON.parse(row.keys) : row.keys
  ) as TrustedIssuerKey[];
  return {
    version: row.version,
    issuedAt: Math.floor(row.issued_at.getTime() / 1000),
    currentKid: row.current_kid,
    keys,
  };
}

function changed(latest: StoredTrustList, keys: KeyStore): boolean {
  const stored = latest.keys.map((key) => key.kid).sort();
  const held = keys.issuerKeys.map((key) => key.kid).sort();
  return latest.currentKid !== keys.currentIssuerKid || stored.join() !== held.join();
}

function nextKeys(previous: TrustedIssuerKey[], keys: KeyStore, now: number): TrustedIssuerKey[] {
  const byKid = new Map(previous.map((key) => [key.kid, key]));
  return keys.issuerKeys.map((key) => {
    const entry = byKid.get(key.kid) ?? freshEntry(key, now);
    const isCurrent = key.kid === keys.currentIssuerKid;
    if (isCurrent) {
      const { notAfter: _retired, ...open } = entry;
      return open;
    }
    return entry.notAfter === undefined
      ? { ...entry, notAfter: Math.max(now, entry.notBefore) }
      : entry;
  });
}

function freshEntry(key: SigningKey, now: number): TrustedIssuerKey {
  const [entry] = buildTrustList({
    version: 1,
    issuedAt: now,
    issuerName: 'x',
    credentialValiditySecondsMax: 1,
    keys: [{ publicKey: key.publicKey, notBefore: now }],
  }).keys;
  if (entry === undefined) throw new Error('buildTrustList dropped a key');
  return entry;
}

/** A signed revocation list: the full list, or a delta since a version the verifier holds. */
export interface PublishedRevocations {
  version: number;
  /** Undefined when the verifier already holds the current version (nothing to send). */
  document: SignedDocument<RevocationList> | undefined;
}

/**
 * The full revocation list (`sinceVersion` undefined) or the signed delta since a version. The
 * list's version is the highest entry version; each revoking transaction adds one.
 *
 * @throws AmparoError `AMP_VALIDATION` when `sinceVersion` is above the current version
 * @example
 * const { document } = await publishedRevocations(deps, 12); // entries added after version 12
 */
export async function publishedRevocations(
  deps: ListDependencies,
  sinceVersion?: number,
): Promise<PublishedRevocations> {
  const version = await currentRevocationVersion(deps.db);
  const base = sinceVersion ?? 0;
  if (base > version) {
    throw new AmparoError('AMP_VALIDATION', {
      detail: `There is no revocation list version ${base}; the current version is ${version}`,
      errors: [{ field: 'querystring/since', reason: `above the current version ${version}` }],
    });
  }
  if (sinceVersion !== undefined && base === version) return { version, document: undefined };
  const entries = await revocationEntriesSince(deps.db, base, version);
  const list: RevocationList = {
    format: revocationListFormat,
    kind: sinceVersion === undefined ? 'full' : 'delta',
    version,
    baseVersion: base,
    issuedAt: Math.floor((deps.now?.() ?? new Date()).getTime() / 1000),
    entries: entries.map((entry) => ({
      hash: entry.hash.toString('base64url'),
      reason: entry.reason,
      version: entry.version,
    })),
  };
  return { version, document: signRevocationList(list, deps.keys.trustListSigning) };
}
