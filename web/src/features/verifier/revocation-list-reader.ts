import { field, isCount, malformed, openSignedPayload } from './trust-list-reader.js';

/**
 * Reads an `amparo.revocation-list.v1` document in the browser (format in
 * src/modules/credentials/revocation-list.ts): signed with the trust-list key, so checked
 * against the same anchor as the trust list, with WebCrypto only. A verifier holds a full list
 * with deltas applied in order (`BrowserRevocations`, like the server's `RevocationState`).
 *
 * @example
 *   const held = new BrowserRevocations(await readRevocationList(fullText, anchorHex));
 *   held.apply(await readRevocationList(deltaText, anchorHex));
 *   await held.reasonForCredential(credentialId); // 'lost' | undefined
 */
export interface BrowserRevocationList {
  kind: 'full' | 'delta';
  version: number;
  baseVersion: number;
  issuedAt: number;
  entries: { hash: string; reason: string }[];
}

const revocationListFormat = 'amparo.revocation-list.v1';
// The server allows 64 MiB; a browser's localStorage holds about 5 MB, so the page stops
// well before that and says the list could not be read.
const revocationListCharactersMax = 4 * 1024 * 1024;

export async function readRevocationList(
  text: string,
  anchorHex: string,
): Promise<BrowserRevocationList> {
  const payload = await openSignedPayload(
    text,
    anchorHex,
    revocationListFormat,
    revocationListCharactersMax,
  );
  const kind = field(payload, 'kind');
  const version = field(payload, 'version');
  const baseVersion = field(payload, 'baseVersion');
  const issuedAt = field(payload, 'issuedAt');
  const entries = field(payload, 'entries');
  if (kind !== 'full' && kind !== 'delta') throw malformed('kind is full or delta');
  if (!isCount(version) || !isCount(baseVersion) || !isCount(issuedAt)) {
    throw malformed('version, baseVersion and issuedAt are whole numbers');
  }
  if (kind === 'full' ? baseVersion !== 0 : baseVersion >= version) {
    throw malformed('a full list has baseVersion 0; a delta has baseVersion below version');
  }
  if (!Array.isArray(entries)) throw malformed('entries is not a list');
  return { kind, version, baseVersion, issuedAt, entries: entries.map(readEntry) };
}

function readEntry(entry: unknown): { hash: string; reason: string } {
  const hash = field(entry, 'hash');
  const reason = field(entry, 'reason');
  if (typeof hash !== 'string' || !/^[\w-]{21}[AQgw]$/.test(hash)) {
    throw malformed('an entry hash is not 16 bytes of base64url');
  }
  if (typeof reason !== 'string') throw malformed('an entry has no reason');
  return { hash, reason };
}

/** A full list with its deltas applied; answers whether a card is revoked. */
export class BrowserRevocations {
  #version: number;
  readonly #issuedAt: number;
  readonly #reasons = new Map<string, string>();

  constructor(base: BrowserRevocationList) {
    if (base.kind !== 'full') throw malformed('a verifier starts from a full list');
    this.#version = base.version;
    this.#issuedAt = base.issuedAt;
    this.#add(base.entries);
  }

  get version(): number {
    return this.#version;
  }

  get issuedAt(): number {
    return this.#issuedAt;
  }

  /** Applies a delta made for exactly the version held; false (nothing changed) otherwise. */
  apply(delta: BrowserRevocationList): boolean {
    if (delta.kind !== 'delta' || delta.baseVersion !== this.#version) return false;
    this.#add(delta.entries);
    this.#version = delta.version;
    return true;
  }

  /** The reason a card was revoked, from its credential id (16 bytes). */
  async reasonForCredential(credentialId: Uint8Array<ArrayBuffer>): Promise<string | undefined> {
    return this.#reasons.get(await revocationHash(credentialId));
  }

  #add(entries: readonly { hash: string; reason: string }[]): void {
    for (const entry of entries) {
      if (!this.#reasons.has(entry.hash)) this.#reasons.set(entry.hash, entry.reason);
    }
  }
}

/** SHA-256 of the credential id, first 16 bytes, base64url (as the server's `revocationHash`). */
export async function revocationHash(credentialId: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', credentialId));
  return toBase64Url(digest.slice(0, 16));
}

/** A card's credential id: SHA-256 of its signed CWT payload, first 16 bytes. */
export async function credentialIdOf(payload: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  // A copy: WebCrypto wants ArrayBuffer-backed bytes, the codec's may be a shared view.
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(payload)));
  return digest.slice(0, 16);
}

function toBase64Url(bytes: Uint8Array): string {
  const base64 = btoa(String.fromCharCode(...bytes));
  return base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
