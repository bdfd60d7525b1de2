import { createHmac, hkdfSync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EntryMac } from './entry-mac.js';

/** HMAC-SHA-256 as node:crypto defines it, over the documented message layout. */
function referenceMac(masterKey: Buffer, leafIndex: number, entry: Uint8Array): Buffer {
  const key = Buffer.from(
    hkdfSync('sha256', masterKey, Buffer.alloc(0), 'amparo audit entry mac', 32),
  );
  const index = Buffer.alloc(8);
  index.writeBigUInt64BE(BigInt(leafIndex));
  return createHmac('sha256', key).update(index).update(entry).digest();
}

describe('EntryMac', () => {
  it('equals HMAC-SHA-256 over (u64 index ‖ entry), for short and long entries', () => {
    const masterKey = randomBytes(32);
    const mac = new EntryMac(masterKey);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.uint8Array({ maxLength: 3000 }),
        (leafIndex, entry) => {
          expect(
            mac.compute(leafIndex, entry).equals(referenceMac(masterKey, leafIndex, entry)),
          ).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a tag for another index, another entry or another key', () => {
    const masterKey = randomBytes(32);
    const mac = new EntryMac(masterKey);
    const entry = Buffer.from('{"action":"person.read"}');
    const tag = mac.compute(5, entry);
    expect(mac.verify(5, entry, tag)).toBe(true);
    expect(mac.verify(6, entry, tag)).toBe(false);
    expect(mac.verify(5, Buffer.from('{"action":"person.list"}'), tag)).toBe(false);
    expect(new EntryMac(randomBytes(32)).verify(5, entry, tag)).toBe(false);
    expect(mac.verify(5, entry, tag.subarray(0, 16))).toBe(false);
  });
});
