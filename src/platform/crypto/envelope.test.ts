import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  blindIndex,
  DecryptionError,
  newDataKey,
  open,
  seal,
  unwrapDataKey,
  wrapDataKey,
} from './envelope.js';

const context = (recordId: string) => ({
  table: 'person_version',
  column: 'sealed_attributes',
  recordId,
});

describe('envelope encryption', () => {
  it('opens what it sealed, for any plaintext', () => {
    const key = newDataKey();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const plaintext = Buffer.from(bytes);
        expect(open(key, seal(key, plaintext, context('a')), context('a')).equals(plaintext)).toBe(
          true,
        );
      }),
    );
  });

  it('refuses a ciphertext moved to another record, column or table', () => {
    const key = newDataKey();
    const [first, second] = [randomUUID(), randomUUID()];
    const sealed = seal(key, Buffer.from('+584121234567'), context(first));
    expect(() => open(key, sealed, context(second))).toThrow(DecryptionError);
    expect(() => open(key, sealed, { ...context(first), column: 'other' })).toThrow(
      DecryptionError,
    );
    expect(() => open(key, sealed, { ...context(first), table: 'other' })).toThrow(DecryptionError);
  });

  it('refuses a tampered ciphertext and the wrong key', () => {
    const key = newDataKey();
    const sealed = seal(key, Buffer.from('visual'), context('x'));
    fc.assert(
      fc.property(
        fc.nat({ max: sealed.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (index, flip) => {
          const tampered = Buffer.from(sealed);
          tampered[index] = (tampered[index] ?? 0) ^ flip;
          expect(() => open(key, tampered, context('x'))).toThrow(DecryptionError);
        },
      ),
    );
    expect(() => open(newDataKey(), sealed, context('x'))).toThrow(DecryptionError);
  });

  it('wraps a data key for one person only', () => {
    const master = newDataKey();
    const dataKey = newDataKey();
    const person = randomUUID();
    const wrapped = wrapDataKey(master, dataKey, person);
    expect(unwrapDataKey(master, wrapped, person).equals(dataKey)).toBe(true);
    expect(() => unwrapDataKey(master, wrapped, randomUUID())).toThrow(DecryptionError);
  });

  it('gives equal blind indexes for equal values only, separately per kind', () => {
    const master = newDataKey();
    const phone = blindIndex(master, 'phone', '+584121234567');
    expect(phone).toHaveLength(16);
    expect(blindIndex(master, 'phone', '+584121234567').equals(phone)).toBe(true);
    expect(blindIndex(master, 'phone', '+584121234568').equals(phone)).toBe(false);
    expect(blindIndex(master, 'email', '+584121234567').equals(phone)).toBe(false);
    expect(blindIndex(newDataKey(), 'phone', '+584121234567').equals(phone)).toBe(false);
  });
});
