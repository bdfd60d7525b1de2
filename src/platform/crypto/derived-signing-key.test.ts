import { randomBytes, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { derivedSigningKey } from './derived-signing-key.js';

describe('derivedSigningKey', () => {
  it('gives the same key for the same master key and label, and unrelated keys otherwise', () => {
    const masterKey = randomBytes(32);
    const receipts = derivedSigningKey(masterKey, 'amparo receipt signing v1');
    const again = derivedSigningKey(Buffer.from(masterKey), 'amparo receipt signing v1');
    const snapshots = derivedSigningKey(masterKey, 'amparo point snapshot signing v1');
    const otherMaster = derivedSigningKey(randomBytes(32), 'amparo receipt signing v1');

    expect(again.rawPublicKey.equals(receipts.rawPublicKey)).toBe(true);
    expect(receipts.rawPublicKey).toHaveLength(32);
    expect(snapshots.rawPublicKey.equals(receipts.rawPublicKey)).toBe(false);
    expect(otherMaster.rawPublicKey.equals(receipts.rawPublicKey)).toBe(false);

    const message = Buffer.from('a receipt');
    const signature = sign(null, message, receipts.privateKey);
    expect(verify(null, message, again.publicKey, signature)).toBe(true);
    expect(verify(null, message, snapshots.publicKey, signature)).toBe(false);
  });
});
