import { createHmac, hash, hkdfSync, timingSafeEqual } from 'node:crypto';

/** HKDF info string: separates this key from every other key derived from the master key. */
const macKeyInfo = 'amparo audit entry mac';
const blockBytes = 64; // SHA-256 block size
const digestBytes = 32;
const indexBytes = 8;

/**
 * Authenticates audit rows with a key that never enters the database: HMAC-SHA-256 over
 * (leaf index as u64 big-endian ‖ entry bytes). Binding the index means a superuser cannot
 * renumber rows to close the gap a deletion leaves, nor copy an old entry to the end.
 *
 * HMAC is computed by its RFC 2104 definition over two one-shot `crypto.hash` calls with the
 * padded keys prepared once: `createHmac` per entry costs about three times as much, and the
 * verifier computes a million of these. The test checks it against `createHmac`.
 *
 * @example
 * const mac = new EntryMac(keys.masterKey);
 * const tag = mac.compute(7, Buffer.from(entryText, 'utf8'));
 * mac.verify(7, Buffer.from(entryText, 'utf8'), tag); // true
 */
export class EntryMac {
  readonly #innerPadded: Buffer;
  readonly #outer: Buffer;
  #inner: Buffer;

  constructor(masterKey: Uint8Array) {
    const key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), macKeyInfo, 32));
    // The key is shorter than a block, so it is zero-padded (RFC 2104 §2).
    this.#innerPadded = Buffer.alloc(blockBytes, 0x36);
    this.#outer = Buffer.alloc(blockBytes + digestBytes, 0x5c);
    for (let i = 0; i < key.length; i++) {
      this.#innerPadded[i]! ^= key[i]!;
      this.#outer[i]! ^= key[i]!;
    }
    this.#inner = this.#scratchFor(1024);
  }

  compute(leafIndex: number, entryBytes: Uint8Array): Buffer {
    if (!Number.isSafeInteger(leafIndex) || leafIndex < 0) {
      throw new RangeError(`leaf index must be a non-negative integer, got ${leafIndex}`);
    }
    const length = blockBytes + indexBytes + entryBytes.length;
    if (length > this.#inner.length) this.#inner = this.#scratchFor(entryBytes.length);
    // Reusing the scratch buffers is safe: hashing is synchronous.
    this.#inner.writeBigUInt64BE(BigInt(leafIndex), blockBytes);
    this.#inner.set(entryBytes, blockBytes + indexBytes);
    const innerDigest = hash('sha256', this.#inner.subarray(0, length), 'buffer');
    this.#outer.set(innerDigest, blockBytes);
    return hash('sha256', this.#outer, 'buffer');
  }

  /** Constant-time comparison; false for a tag of the wrong length. */
  verify(leafIndex: number, entryBytes: Uint8Array, tag: Uint8Array): boolean {
    const expected = this.compute(leafIndex, entryBytes);
    return tag.length === expected.length && timingSafeEqual(expected, tag);
  }

  #scratchFor(entryBytes: number): Buffer {
    const scratch = Buffer.alloc(blockBytes + indexBytes + Math.max(entryBytes, 1024));
    this.#innerPadded.copy(scratch, 0);
    return scratch;
  }
}

/** HKDF info of the staged entries' key (audit_pending, migration 0077). */
const pendingMacKeyInfo = 'amparo audit pending entry mac';

/**
 * Authenticates a staged entry (audit_pending) before it has a leaf index: HMAC-SHA-256 over
 * (its id as 16 bytes ‖ entry bytes) under its own key derived from the master key. The mover
 * refuses a row whose tag does not verify, so a row forged in the database never reaches the
 * log under a valid entry MAC; binding the id stops one staged text being replayed under
 * another id.
 *
 * @example
 * const mac = new PendingEntryMac(keys.masterKey);
 * const tag = mac.compute(id, Buffer.from(entryText, 'utf8'));
 */
export class PendingEntryMac {
  readonly #key: Buffer;

  constructor(masterKey: Uint8Array) {
    this.#key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), pendingMacKeyInfo, 32));
  }

  compute(id: string, entryBytes: Uint8Array): Buffer {
    const idBytes = Buffer.from(id.replaceAll('-', ''), 'hex');
    if (idBytes.length !== 16) throw new RangeError('a staged entry id is a UUID');
    return createHmac('sha256', this.#key).update(idBytes).update(entryBytes).digest();
  }

  verify(id: string, entryBytes: Uint8Array, tag: Uint8Array): boolean {
    const expected = this.compute(id, entryBytes);
    return tag.length === expected.length && timingSafeEqual(expected, tag);
  }
}
