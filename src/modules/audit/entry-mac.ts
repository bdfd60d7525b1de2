import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** HKDF info string: separates this key from every other key derived from the master key. */
const macKeyInfo = 'amparo audit entry mac';

/**
 * Authenticates audit rows with a key that never enters the database: HMAC-SHA-256 over
 * (leaf index as u64 big-endian ‖ entry bytes). Binding the index means a superuser cannot
 * renumber rows to close the gap a deletion leaves, nor copy an old entry to the end.
 *
 * @example
 * const mac = new EntryMac(keys.masterKey);
 * const tag = mac.compute(7, Buffer.from(entryText, 'utf8'));
 * mac.verify(7, Buffer.from(entryText, 'utf8'), tag); // true
 */
export class EntryMac {
  readonly #key: Buffer;
  readonly #indexBytes = Buffer.alloc(8);

  constructor(masterKey: Uint8Array) {
    this.#key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), macKeyInfo, 32));
  }

  compute(leafIndex: number, entryBytes: Uint8Array): Buffer {
    if (!Number.isSafeInteger(leafIndex) || leafIndex < 0) {
      throw new RangeError(`leaf index must be a non-negative integer, got ${leafIndex}`);
    }
    this.#indexBytes.writeBigUInt64BE(BigInt(leafIndex));
    return createHmac('sha256', this.#key).update(this.#indexBytes).update(entryBytes).digest();
  }

  /** Constant-time comparison; false for a tag of the wrong length. */
  verify(leafIndex: number, entryBytes: Uint8Array, tag: Uint8Array): boolean {
    const expected = this.compute(leafIndex, entryBytes);
    return tag.length === expected.length && timingSafeEqual(expected, tag);
  }
}
