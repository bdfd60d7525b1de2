import { createHmac } from 'node:crypto';
import { keyedHmacSha256 } from '../../../platform/crypto/keyed-hmac-sha256.js';
import { bindingSecretOf, cardKeyBytes, snapshotCardKey } from './snapshot-card-key.js';

/**
 * The household bindings of a point's snapshot (issue #15, points 4 and 5; safeguard 9): how a
 * device with the network off finds what a person without their card may take, from the
 * person's **ID number** (typed by the operator) and a **household member's card** (scanned),
 * and from nothing less.
 *
 * One binding per (entitled person, active card of a current member of their household), format
 * v2 (review finding F3): `k = HMAC-SHA256(salt, "amparo household binding v2\n" ‖ s ‖ uin)`,
 * where `s` is the last 16 bytes of the member card's key in this snapshot
 * (`snapshot-card-key.ts`: HMAC of the card's credential id under the same salt), which the
 * snapshot never holds. The binding is 8 bytes — the first 5 of `k` (the tag the device looks
 * up) and the index of the person's first entry in `entries`, 3 bytes big-endian, XOR the next 3
 * bytes of `k`. All bindings, sorted by tag, are one base64url string.
 *
 * What a snapshot therefore does not hold: an ID number, a credential id, a household list. A
 * binding's tag and pointer look random without both the member card's credential id (read from
 * the card's QR: for a card issued since migration 0141 a hash of a random 128-bit `cti`) and the
 * ID number, so bindings cannot be grouped by household or by person, nor linked to an entry; a
 * new snapshot has a new salt, so nothing links two snapshots either. Why the tag stays 5 bytes
 * and what someone holding the snapshot and a member's card can still compute: docs/DISTRIBUTION.md
 * ("What the device's files give away").
 *
 * A person whose entitlements are in the snapshot under a card keeps them there (the binding
 * points at that card's first entry); one with no active card gets their entries under a random
 * 128-bit tag of this snapshot, which looks like a card's tag and matches no card.
 *
 * @example
 *   const keyOf = snapshotCardKeys(salt);
 *   const bindings = householdBindings(salt, [{ uin, memberCardKeys: [keyOf(id)], entryIndex: 12 }]);
 *   // the device: bindingKey(salt, memberIdHex, uin) → tag → entryIndex
 */
export const bindingLabel = 'amparo household binding v2';
export const bindingTagBytes = 5;
export const bindingBytes = 8;
/** The pointer's 3 bytes: entries are bounded far below (`offline.snapshotEntriesMax`). */
const entryIndexMax = 0xff_ffff;

export function bindingKey(salt: Buffer, memberCredentialIdHex: string, uin: string): Buffer {
  const secret = bindingSecretOf(snapshotCardKey(salt, Buffer.from(memberCredentialIdHex, 'hex')));
  return createHmac('sha256', salt)
    .update(`${bindingLabel}\n`, 'utf8')
    .update(secret)
    .update(uin, 'utf8')
    .digest();
}

export interface PendingBinding {
  uin: string;
  /**
   * The snapshot card keys (`snapshotCardKeys`) of the active cards of the person's household
   * members (never the person's own).
   */
  memberCardKeys: readonly Buffer[];
  /** Index in the sorted `entries` of the person's first entry. */
  entryIndex: number;
}

export function householdBindings(salt: Buffer, pending: readonly PendingBinding[]): string {
  // One keyed state for the whole snapshot (the same HMAC as `bindingKey`, without a context per
  // binding); each record read as a big-endian 64-bit number, so sorting the numbers sorts the
  // records by tag, then pointer, as the bytes compare.
  const mac = keyedHmacSha256(salt);
  const key = Buffer.alloc(32);
  const count = pending.reduce((sum, person) => sum + person.memberCardKeys.length, 0);
  const records = Buffer.alloc(count * bindingBytes);
  // The message written in place: the label, the member card's binding secret, the ID number
  // (UTF-8) — no string or buffer per binding.
  const secretStart = Buffer.byteLength(`${bindingLabel}\n`);
  const uinStart = secretStart + secretBytes;
  let message = Buffer.alloc(uinStart + 64);
  message.write(`${bindingLabel}\n`, 0, 'utf8');
  let offset = 0;
  for (const person of pending) {
    if (person.entryIndex > entryIndexMax) throw new Error('snapshot entry index out of range');
    const uinBytes = Buffer.byteLength(person.uin, 'utf8');
    if (uinStart + uinBytes > message.length) {
      message = Buffer.concat([message.subarray(0, uinStart), Buffer.alloc(uinBytes)]);
    }
    message.write(person.uin, uinStart, 'utf8');
    const text = message.subarray(0, uinStart + uinBytes);
    for (const cardKey of person.memberCardKeys) {
      if (cardKey.length !== cardKeyBytes) throw new Error('a snapshot card key is 32 bytes');
      cardKey.copy(message, secretStart, cardKeyBytes - secretBytes, cardKeyBytes);
      mac(text, key);
      key.copy(records, offset, 0, bindingTagBytes);
      records.writeUIntBE(
        person.entryIndex ^ key.readUIntBE(bindingTagBytes, 3),
        offset + bindingTagBytes,
        3,
      );
      offset += bindingBytes;
    }
  }
  const sorted = new BigUint64Array(count);
  for (let index = 0; index < count; index += 1) {
    sorted[index] = records.readBigUInt64BE(index * bindingBytes);
  }
  sorted.sort();
  for (let index = 0; index < count; index += 1) {
    // Safe: index < count, the array's length.
    records.writeBigUInt64BE(sorted[index] as bigint, index * bindingBytes);
  }
  return records.toString('base64url');
}

/** The binding secret's length: a card key's last 16 bytes (`bindingSecretOf`). */
const secretBytes = cardKeyBytes - 16;

/** The entry index a binding string gives for a member's card and an ID number, if any. */
export function boundEntryIndex(
  salt: Buffer,
  bindings: string,
  memberCredentialIdHex: string,
  uin: string,
): number | undefined {
  const key = bindingKey(salt, memberCredentialIdHex, uin);
  const bytes = Buffer.from(bindings, 'base64url');
  const tag = key.subarray(0, bindingTagBytes);
  for (let offset = 0; offset + bindingBytes <= bytes.length; offset += bindingBytes) {
    if (bytes.subarray(offset, offset + bindingTagBytes).equals(tag)) {
      return bytes.readUIntBE(offset + bindingTagBytes, 3) ^ key.readUIntBE(bindingTagBytes, 3);
    }
  }
  return undefined;
}
