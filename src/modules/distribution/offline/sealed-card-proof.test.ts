import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sealCardProof as sealInBrowser } from '../../../../web/src/features/distribution/offline/sealed-card-proof.js';
import { cardProofKeyFrom, openCardProof, sealCardProof } from './sealed-card-proof.js';

describe('sealed card proof (receipt format v5, review F3 point 2)', () => {
  const masterKey = randomBytes(32);
  const key = cardProofKeyFrom(masterKey);
  const proof = { credentialId: randomBytes(16).toString('hex'), qrText: 'NCFOXN%TS3DH3ZSU' };

  it('opens on the server what node and WebCrypto seal, and holds no credential id in clear', async () => {
    expect(cardProofKeyFrom(masterKey).publicKey.equals(key.publicKey)).toBe(true);
    expect(cardProofKeyFrom(masterKey, 2).publicKey.equals(key.publicKey)).toBe(false);
    const receiptId = randomUUID();
    const sealed = sealCardProof(key.publicKey, receiptId, proof);
    expect(openCardProof(key, receiptId, sealed)).toEqual(proof);
    const bytes = Buffer.from(sealed, 'base64url');
    expect(sealed).not.toContain(proof.credentialId);
    expect(bytes.includes(Buffer.from(proof.credentialId, 'hex'))).toBe(false);
    expect(bytes.includes(Buffer.from(proof.credentialId))).toBe(false);
    // The app's own sealing (WebCrypto, as in the browser) opens here too.
    const browser = await sealInBrowser(key.publicKey.toString('base64url'), receiptId, proof);
    expect(openCardProof(key, receiptId, browser)).toEqual(proof);
  });

  it('refuses an altered byte, another receipt, another key generation', () => {
    const receiptId = randomUUID();
    const sealed = Buffer.from(sealCardProof(key.publicKey, receiptId, proof), 'base64url');
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
