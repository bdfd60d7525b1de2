import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sealCardProof } from '../../../shared/offline/sealed-card-proof.js';
import { cardProofKeyFrom, openCardProof } from './sealed-card-proof.js';

describe('sealed card proof (receipt format v5, review F3 point 2)', () => {
  const masterKey = randomBytes(32);
  const key = cardProofKeyFrom(masterKey);
  const proofKey = key.publicKey.toString('base64url');
  const proof = { credentialId: randomBytes(16).toString('hex'), qrText: 'NCFOXN%TS3DH3ZSU' };

  it('opens on the server what the device seals (WebCrypto), and holds no credential id in clear', async () => {
    expect(cardProofKeyFrom(Buffer.from(masterKey)).publicKey.equals(key.publicKey)).toBe(true);
    expect(cardProofKeyFrom(masterKey, 2).publicKey.equals(key.publicKey)).toBe(false);
    const receiptId = randomUUID();
    const sealed = await sealCardProof(proofKey, receiptId, proof);
    expect(openCardProof(key, receiptId, sealed)).toEqual(proof);
    const bytes = Buffer.from(sealed, 'base64url');
    expect(sealed).not.toContain(proof.credentialId);
    expect(bytes.includes(Buffer.from(proof.credentialId, 'hex'))).toBe(false);
    expect(bytes.includes(Buffer.from(proof.credentialId))).toBe(false);
  });

  it('refuses an altered byte, another receipt, another key version', async () => {
    const receiptId = randomUUID();
    const sealed = Buffer.from(await sealCardProof(proofKey, receiptId, proof), 'base64url');
    for (const at of [0, 8, 8 + 65, 8 + 65 + 12, sealed.length - 1]) {
      const altered = Buffer.from(sealed);
      altered[at] = (altered[at] as number) ^ 0x01;
      expect(openCardProof(key, receiptId, altered.toString('base64url'))).toBeUndefined();
    }
    expect(openCardProof(key, randomUUID(), sealed.toString('base64url'))).toBeUndefined();
    const next = cardProofKeyFrom(masterKey, 2);
    expect(openCardProof(next, receiptId, sealed.toString('base64url'))).toBeUndefined();
    expect(openCardProof(key, receiptId, 'AAAA')).toBeUndefined();
  });
});
