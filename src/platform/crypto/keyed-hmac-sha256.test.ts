import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyedHmacSha256 } from './keyed-hmac-sha256.js';

function macOf(key: Uint8Array, message: Uint8Array): string {
  const out = new Uint8Array(32);
  keyedHmacSha256(key)(message, out);
  return Buffer.from(out).toString('hex');
}

describe('keyedHmacSha256', () => {
  it('gives the RFC 4231 test vectors (cases 1, 2, 3, 6 and 7)', () => {
    const cases: [Buffer, Buffer, string][] = [
      [
        Buffer.alloc(20, 0x0b),
        Buffer.from('Hi There'),
        'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
      ],
      [
        Buffer.from('Jefe'),
        Buffer.from('what do ya want for nothing?'),
        '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
      ],
      [
        Buffer.alloc(20, 0xaa),
        Buffer.alloc(50, 0xdd),
        '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe',
      ],
      [
        Buffer.alloc(131, 0xaa),
        Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First'),
        '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
      ],
      [
        Buffer.alloc(131, 0xaa),
        Buffer.from(
          'This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.',
        ),
        '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2',
      ],
    ];
    for (const [key, message, expected] of cases) expect(macOf(key, message)).toBe(expected);
  });

  it("equals node:crypto's HMAC for every message length around the block bounds, one key reused", () => {
    for (const keyLength of [0, 16, 32, 64, 65]) {
      const key = randomBytes(keyLength);
      const mac = keyedHmacSha256(key);
      const out = new Uint8Array(32);
      for (let length = 0; length <= 300; length += 1) {
        const message = randomBytes(length);
        mac(message, out);
        expect(Buffer.from(out).toString('hex')).toBe(
          createHmac('sha256', key).update(message).digest('hex'),
        );
      }
    }
  });

  it('refuses an output shorter than the digest', () => {
    expect(() => keyedHmacSha256(randomBytes(16))(Buffer.from('x'), new Uint8Array(8))).toThrow(
      RangeError,
    );
  });
});
