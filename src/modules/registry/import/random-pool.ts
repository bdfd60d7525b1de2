import { randomBytes } from 'node:crypto';
import type { RandomIntSource } from '../uin/index.js';

/** Bytes fetched from the operating system at a time (64 KiB: about 1,000 persons). */
const poolBytes = 64 * 1024;

/**
 * Cryptographic random bytes fetched in large blocks: the import needs about 60 random bytes
 * per person (a data key, two IVs, the UIN's digits), and one `randomBytes` call per block
 * costs far less than one per value. Every byte is used once.
 *
 * `int(max)` is uniform on [0, max) by rejection sampling: a byte is accepted only below the
 * largest multiple of `max` that fits in a byte, so no value is favoured (for a digit, bytes
 * 250–255 are drawn again). It serves as the UIN generator's `RandomIntSource`.
 *
 * @example
 *   const pool = new RandomPool();
 *   const dataKey = pool.bytes(32);
 *   generateUin(pool.int); // each digit uniform
 */
export class RandomPool {
  #block = randomBytes(poolBytes);
  #at = 0;

  /** `count` fresh bytes (a view; the pool never hands the same bytes out again). */
  bytes(count: number): Buffer {
    if (count > poolBytes) return randomBytes(count);
    if (this.#at + count > poolBytes) this.#refill();
    const view = this.#block.subarray(this.#at, this.#at + count);
    this.#at += count;
    return view;
  }

  /** Uniform integer in [0, maxExclusive), maxExclusive from 1 to 256. */
  readonly int: RandomIntSource = (maxExclusive) => {
    if (!Number.isInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > 256) {
      throw new RangeError(`RandomPool.int takes 1 to 256, got ${maxExclusive}`);
    }
    const limit = 256 - (256 % maxExclusive);
    for (;;) {
      if (this.#at >= poolBytes) this.#refill();
      const byte = this.#block[this.#at] ?? 0;
      this.#at += 1;
      if (byte < limit) return byte % maxExclusive;
    }
  };

  /**
   * A version 7 UUID (RFC 9562): 48 bits of Unix time in milliseconds, then 74 random bits.
   * Rows written together get neighbouring keys, so the primary-key and foreign-key indexes
   * of a bulk import grow at their right edge instead of touching a random page per row.
   */
  uuidV7(nowMs: number): string {
    const bytes = Buffer.from(this.bytes(16));
    bytes.writeUIntBE(nowMs, 0, 6);
    bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f);
    bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  #refill(): void {
    // A new buffer, not an overwrite: views handed out earlier keep their bytes.
    this.#block = randomBytes(poolBytes);
    this.#at = 0;
  }
}
