import { createHmac } from 'node:crypto';
import { keyedHmacSha256 } from '../../../platform/crypto/keyed-hmac-sha256.js';

/**
 * A card's key within one point snapshot (format v2; review finding F3): everything the snapshot
 * holds about a card is keyed on it, and it is computed from the card's 16-byte credential id —
 * which the device learns only by scanning the card (or a household member's card) — and the
 * snapshot's own random salt:
 *
 *   cardKey = HMAC-SHA256(salt, "amparo snapshot card v2\n" ‖ credentialId)   (32 bytes)
 *
 * Its first 16 bytes (base64url) are the card's entries' tag; its last 16 bytes key the card's
 * household bindings (household-bindings.ts) and never appear in the snapshot. Format v1 keyed
 * the entries on the revocation list's unsalted SHA-256 of the id, so one computed hash found a
 * card in every snapshot and in the public list; with the salt, a tag says nothing outside its
 * own snapshot and nothing can be computed ahead of a download.
 *
 * @example
 *   const keyOf = snapshotCardKeys(salt);
 *   const key = keyOf(credentialId); // 32 bytes
 *   const tag = entryTagOf(key); // the entries' first field
 */
export const snapshotCardLabel = 'amparo snapshot card v2';
export const credentialIdBytes = 16;
export const cardKeyBytes = 32;
/** Bytes of the card key that tag its entries; the rest keys its bindings. */
export const entryTagBytes = 16;

/** One keyed state for the whole snapshot: a card's key costs its own SHA-256 blocks only. */
export function snapshotCardKeys(salt: Uint8Array): (credentialId: Uint8Array) => Buffer {
  const mac = keyedHmacSha256(salt);
  const prefix = Buffer.from(`${snapshotCardLabel}\n`, 'utf8');
  const message = Buffer.alloc(prefix.length + credentialIdBytes);
  prefix.copy(message);
  return (credentialId) => {
    if (credentialId.length !== credentialIdBytes) throw new Error('a credential id is 16 bytes');
    message.set(credentialId, prefix.length);
    const key = Buffer.alloc(cardKeyBytes);
    mac(message, key);
    return key;
  };
}

/** The same key with node:crypto's HMAC, for one card (tests, the sync's checks). */
export function snapshotCardKey(salt: Uint8Array, credentialId: Uint8Array): Buffer {
  return createHmac('sha256', salt)
    .update(`${snapshotCardLabel}\n`, 'utf8')
    .update(credentialId)
    .digest();
}

/** The tag of a card's entries: the card key's first 16 bytes, base64url. */
export function entryTagOf(cardKey: Buffer): string {
  return cardKey.subarray(0, entryTagBytes).toString('base64url');
}

/** The part of a card key that keys its household bindings (never in the snapshot). */
export function bindingSecretOf(cardKey: Buffer): Buffer {
  return cardKey.subarray(entryTagBytes, cardKeyBytes);
}

/** The entry tag of a card in a snapshot, from the snapshot's salt (base64url) and the id (hex). */
export function snapshotEntryTag(saltBase64Url: string, credentialIdHex: string): string {
  return entryTagOf(
    snapshotCardKey(Buffer.from(saltBase64Url, 'base64url'), Buffer.from(credentialIdHex, 'hex')),
  );
}
