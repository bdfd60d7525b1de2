import { createHmac } from 'node:crypto';
import { keyedHmacSha256 } from '../../../platform/crypto/keyed-hmac-sha256.js';

/**
 * The household bindings of a point's snapshot (issue #15, points 4 and 5; safeguard 9): how a
 * device with the network off finds what a person without their card may take, from the
 * person's **ID number** (typed by the operator) and a **household member's card** (scanned),
 * and from nothing less.
 *
 * One binding per (entitled person, active card of a current member of their household):
 * `k = HMAC-SHA256(salt, "amparo household binding v1\n" ‖ memberCredentialIdHex ‖ "\n" ‖ uin)`
 * with the snapshot's own random salt; the binding is 8 bytes — the first 5 of `k` (the tag the
 * device looks up) and the index of the person's first entry in `entries`, 3 bytes big-endian,
 * XOR the next 3 bytes of `k`. All bindings, sorted by tag, are one base64url string.
 *
 * What a snapshot therefore does not hold: an ID number, a credential id (only the revocation
 * list's hash of a card, which does not give the id back), a household list. A binding's tag
 * and pointer look random without both the member card's 128-bit credential id (its QR, or the
 * person's card list an officer may read) and the ID number, so bindings cannot be grouped by
 * household or by person, nor linked to an entry; a new snapshot has a new salt, so nothing
 * links two snapshots either.
 * What remains: someone holding both the snapshot and a member's card can try ID numbers
 * offline to learn which housemates are entitled at this point — bounded by the snapshot's life
 * and the device's registration (docs/DISTRIBUTION.md).
 *
 * A person whose entitlements are in the snapshot under a card keeps them there (the binding
 * points at that card's first entry); one with no active card gets their entries under a random
 * 128-bit tag of this snapshot, which looks like a card's hash and matches no card.
 *
 * @example
 *   const bindings = householdBindings(salt, [{ uin, memberCardIds: [id], entryIndex: 12 }]);
 *   // the device: bindingKey(salt, memberIdHex, uin) → tag → entryIndex
 */
export const bindingLabel = 'amparo household binding v1';
export const bindingTagBytes = 5;
export const bindingBytes = 8;
/** The pointer's 3 bytes: entries are bounded far below (`offline.snapshotEntriesMax`). */
const entryIndexMax = 0xff_ffff;

export function bindingKey(salt: Buffer, memberCredentialIdHex: string, uin: string): Buffer {
  return createHmac('sha256', salt)
    .update(bindingMessage(memberCredentialIdHex, uin), 'utf8')
    .digest();
}

export interface PendingBinding {
  uin: string;
  /** The active cards of the person's household members (never the person's own). */
  memberCardIds: readonly Buffer[];
  /** Index in the sorted `entries` of the person's first entry. */
  entryIndex: number;
}

export function householdBindings(salt: Buffer, pending: readonly PendingBinding[]): string {
  // One keyed state for the whole snapshot (the same HMAC as `bindingKey`, without a context per
  // binding); each record read as a big-endian 64-bit number, so sorting the numbers sorts the
  // records by tag, then pointer, as the bytes compare.
  const mac = keyedHmacSha256(salt);
  const key = Buffer.alloc(32);
  const count = pending.reduce((sum, person) => sum + person.memberCardIds.length, 0);
  const records = Buffer.alloc(count * bindingBytes);
  // The message `bindingMessage(hex, uin)` written in place: the label, the card's id in lower-case
  // hex, the ID number (UTF-8) — no string or buffer per binding.
  const hexStart = Buffer.byteLength(`${bindingLabel}\n`);
  const uinStart = hexStart + 2 * credentialIdBytes + 1;
  let message = Buffer.alloc(uinStart + 64);
  message.write(`${bindingLabel}\n`, 0, 'utf8');
  message[uinStart - 1] = newline;
  let offset = 0;
  for (const person of pending) {
    if (person.entryIndex > entryIndexMax) throw new Error('snapshot entry index out of range');
    const uinBytes = Buffer.byteLength(person.uin, 'utf8');
    if (uinStart + uinBytes > message.length) {
      message = Buffer.concat([message.subarray(0, uinStart), Buffer.alloc(uinBytes)]);
    }
    message.write(person.uin, uinStart, 'utf8');
    const text = message.subarray(0, uinStart + uinBytes);
    for (const card of person.memberCardIds) {
      if (card.length !== credentialIdBytes) throw new Error('a credential id is 16 bytes');
      for (let index = 0; index < credentialIdBytes; index += 1) {
        const byte = card[index] as number; // Safe: index < 16, the id's length.
        message[hexStart + 2 * index] = hexDigits[byte >> 4] as number;
        message[hexStart + 2 * index + 1] = hexDigits[byte & 0x0f] as number;
      }
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

const credentialIdBytes = 16;
const newline = 0x0a;
/** '0'…'9', 'a'…'f' as bytes: a card's id as `Buffer.toString('hex')` writes it. */
const hexDigits = Buffer.from('0123456789abcdef', 'latin1');

function bindingMessage(memberCredentialIdHex: string, uin: string): string {
  return `${bindingLabel}\n${memberCredentialIdHex}\n${uin}`;
}

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
