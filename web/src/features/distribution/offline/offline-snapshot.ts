import { judgeCredentialWith, type Verdict } from '../../../../../src/shared/claim169/verdict.js';
import { webPrimitives } from '../../../../../src/shared/claim169/web-primitives.js';
import { trustedKeysOf } from '../../verifier/judge-in-browser.js';
import {
  BrowserRevocations,
  credentialIdOf,
  readRevocationList,
} from '../../verifier/revocation-list-reader.js';
import {
  type BrowserTrustList,
  fromBase64Url,
  openSignedPayload,
  readTrustList,
  toHex,
} from '../../verifier/trust-list-reader.js';

export const snapshotFormat = 'amparo.point-snapshot.v2';
const snapshotCharactersMax = 16 * 1024 * 1024;

/** The payload the server signs (src/modules/distribution/offline/snapshot-builder.ts). */
export interface SnapshotPayload {
  format: typeof snapshotFormat;
  snapshotId: string;
  pointId: string;
  pointCode: string;
  deviceId: string;
  issuedAt: number;
  expiresAt: number;
  warnAfter: number;
  receiptsMax: number;
  /** Absent from snapshots made before the units bound existed: no units bound then. */
  unitsMax?: number;
  trustAnchor: string;
  trustList: unknown;
  revocations: unknown;
  programs: { code: string; nameEs: string; nameEn: string }[];
  items: { item: string; unit: string }[];
  entries: [string, string, number, number[]][];
  /** The snapshot's random 16 bytes (base64url): the key of its card keys. */
  salt: string;
  /** The server's P-256 key a receipt v5 seals its card proof to (absent from older servers). */
  proofKey?: string;
  /**
   * Hand-overs without the card with a household member's card (absent when the server has no
   * registry port): src/modules/distribution/offline/household-bindings.ts.
   */
  assisted?: { bindings: string; operatorId: string; receiptsMax: number };
}

/** WebCrypto's key type, named without the DOM library (the server's checks import this file). */
type HmacKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

/** A verified snapshot, indexed by card tag, with its lists read for the card check. */
export interface HeldSnapshot {
  payload: SnapshotPayload;
  byCard: Map<string, [string, string, number, number[]][]>;
  /** HMAC-SHA256 under the snapshot's salt: the card keys and the household bindings. */
  saltKey: HmacKey;
  trustList: BrowserTrustList;
  revocations: BrowserRevocations;
  /** The household bindings: tag (hex, 5 bytes) → masked entry index. */
  bindings: Map<string, number>;
}

/**
 * Opens a snapshot's text: its Ed25519 signature must verify with the snapshot key the app
 * pinned (`keyHex`), and its trust and revocation lists with the trust anchor it names (both
 * are also covered by the snapshot's signature). Throws on anything else.
 */
export async function openSnapshot(text: string, keyHex: string): Promise<HeldSnapshot> {
  // Safe: openSignedPayload checked the signature and the format; the server wrote this shape.
  const payload = (await openSignedPayload(
    text,
    keyHex,
    snapshotFormat,
    snapshotCharactersMax,
  )) as SnapshotPayload;
  const trustList = await readTrustList(JSON.stringify(payload.trustList), payload.trustAnchor);
  const revocations = new BrowserRevocations(
    await readRevocationList(JSON.stringify(payload.revocations), payload.trustAnchor),
  );
  const byCard = new Map<string, [string, string, number, number[]][]>();
  for (const entry of payload.entries) {
    const list = byCard.get(entry[0]);
    if (list === undefined) byCard.set(entry[0], [entry]);
    else list.push(entry);
  }
  const bindings = new Map<string, number>();
  const bytes = payload.assisted ? fromBase64Url(payload.assisted.bindings) : new Uint8Array();
  for (let offset = 0; offset + bindingBytes <= bytes.length; offset += bindingBytes) {
    const tag = toHex(bytes.subarray(offset, offset + bindingTagBytes));
    bindings.set(tag, uint24(bytes, offset + bindingTagBytes));
  }
  const saltKey = await crypto.subtle.importKey(
    'raw',
    new Uint8Array(fromBase64Url(payload.salt)),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return { payload, byCard, saltKey, trustList, revocations, bindings };
}

/** As the server writes them (household-bindings.ts): a 5-byte tag, a 3-byte masked index. */
const bindingBytes = 8;
const bindingTagBytes = 5;
const bindingLabel = 'amparo household binding v2';
/** As the server computes it (snapshot-card-key.ts). */
const cardLabel = 'amparo snapshot card v2';
const entryTagBytes = 16;

/**
 * A card's key in this snapshot: HMAC-SHA256(salt, label ‖ credential id). Its first 16 bytes
 * tag the card's entries; its last 16 key the card's household bindings.
 */
async function cardKeyOf(held: HeldSnapshot, credentialId: Uint8Array): Promise<Uint8Array> {
  const label = new TextEncoder().encode(`${cardLabel}\n`);
  const message = new Uint8Array(label.length + credentialId.length);
  message.set(label);
  message.set(credentialId, label.length);
  return new Uint8Array(await crypto.subtle.sign('HMAC', held.saltKey, message));
}

function entryTagOf(cardKey: Uint8Array): string {
  return toBase64Url(cardKey.subarray(0, entryTagBytes));
}

function toBase64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

function uint24(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] ?? 0) << 16) | ((bytes[offset + 1] ?? 0) << 8) | (bytes[offset + 2] ?? 0);
}

/** What an offline card check answers: the verdict and, for a valid card, what it may take. */
export interface OfflineLookup {
  verdict: Verdict;
  /** Hex, for the receipt; set for a valid card. */
  credentialId?: string;
  /**
   * The card's QR text exactly as verified, for the receipt (its proof that the card was here);
   * set for a valid card.
   */
  qrText?: string;
  entitlements: OfflineEntitlement[];
}

export interface OfflineEntitlement {
  entitlementId: string;
  programCode: string;
  programNameEs: string;
  programNameEn: string;
  items: { item: string; unit: string; remaining: number }[];
}

/**
 * The card check with the network off: the one verdict (signature against the snapshot's trust
 * list, validity, the snapshot's revocation list), then the card's tag looked up in the
 * snapshot — what its holder may take at this point, nothing else.
 *
 * @example
 *   const answer = await offlineLookup(held, qrText, Date.now() / 1000);
 */
export async function offlineLookup(
  held: HeldSnapshot,
  qrText: string,
  nowSeconds: number,
): Promise<OfflineLookup> {
  const { verdict, credentialId, text } = await offlineCardCheck(held, qrText, nowSeconds);
  if (credentialId === undefined) return { verdict, entitlements: [] };
  const entries = held.byCard.get(entryTagOf(await cardKeyOf(held, credentialId))) ?? [];
  return {
    verdict,
    credentialId: toHex(credentialId),
    qrText: text,
    entitlements: entitlementsOf(held, entries),
  };
}

/**
 * Without the person's card (safeguard 9): the household member's card gets the one verdict, as
 * a card does, then the binding of (that card's id, the ID number typed) is looked up under the
 * snapshot's salt — what the person may take, if the card is of their household; nothing
 * otherwise (`entitlements` empty). `credentialId` is the member's card, for the receipt.
 *
 * @example
 *   const answer = await offlineHouseholdLookup(held, memberQrText, '4839201756', Date.now() / 1000);
 */
export async function offlineHouseholdLookup(
  held: HeldSnapshot,
  memberQrText: string,
  uin: string,
  nowSeconds: number,
): Promise<OfflineLookup> {
  const { verdict, credentialId, text } = await offlineCardCheck(held, memberQrText, nowSeconds);
  const assisted = held.payload.assisted;
  if (credentialId === undefined || assisted === undefined) return { verdict, entitlements: [] };
  const hex = toHex(credentialId);
  const secret = (await cardKeyOf(held, credentialId)).subarray(entryTagBytes);
  const label = new TextEncoder().encode(`${bindingLabel}\n`);
  const number = new TextEncoder().encode(uin);
  const message = new Uint8Array(label.length + secret.length + number.length);
  message.set(label);
  message.set(secret, label.length);
  message.set(number, label.length + secret.length);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', held.saltKey, message));
  const masked = held.bindings.get(toHex(mac.subarray(0, bindingTagBytes)));
  const entry =
    masked === undefined ? undefined : held.payload.entries[masked ^ uint24(mac, bindingTagBytes)];
  const entries = entry === undefined ? [] : (held.byCard.get(entry[0]) ?? []);
  return { verdict, credentialId: hex, qrText: text, entitlements: entitlementsOf(held, entries) };
}

/**
 * The one verdict on a card against the snapshot's lists, and, when valid, its id and the text
 * judged (line breaks and tabs a scanner adds around it removed): the receipt's card proof.
 */
async function offlineCardCheck(
  held: HeldSnapshot,
  qrText: string,
  nowSeconds: number,
): Promise<{ verdict: Verdict; credentialId?: Uint8Array<ArrayBuffer>; text?: string }> {
  let credentialId: Uint8Array<ArrayBuffer> | undefined;
  const text = qrText.replace(/^[\r\n\t]+|[\r\n\t]+$/g, '');
  const verdict = await judgeCredentialWith(text, {
    primitives: webPrimitives,
    trusted: trustedKeysOf(held.trustList),
    now: Math.floor(nowSeconds),
    revocations: {
      reasonForPayload: async (payload) => {
        credentialId = await credentialIdOf(payload);
        return held.revocations.reasonForCredential(credentialId);
      },
    },
  });
  if (verdict.status !== 'valid' || credentialId === undefined) return { verdict };
  return { verdict, credentialId, text };
}

function entitlementsOf(
  held: HeldSnapshot,
  entries: readonly [string, string, number, number[]][],
): OfflineEntitlement[] {
  return entries.map(([, compact, program, pairs]) => {
    const named = held.payload.programs[program];
    const items: OfflineEntitlement['items'] = [];
    for (let index = 0; index + 1 < pairs.length; index += 2) {
      const item = held.payload.items[pairs[index] as number];
      if (item) items.push({ ...item, remaining: pairs[index + 1] as number });
    }
    return {
      entitlementId: uuidOf(compact),
      programCode: named?.code ?? '',
      programNameEs: named?.nameEs ?? '',
      programNameEn: named?.nameEn ?? '',
      items,
    };
  });
}

function uuidOf(compact: string): string {
  const hex = toHex(fromBase64Url(compact));
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
