import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { type KeyStore, kidOf, type SigningKey } from '../src/platform/crypto/key-store.js';

/** Fresh key material held in memory, shaped exactly like what `loadKeyStore` returns. */
export function createTestKeyStore(): KeyStore {
  const issuer = newSigningKey();
  return {
    masterKey: randomBytes(32),
    auditSigning: newSigningKey(),
    trustListSigning: newSigningKey(),
    issuerKeys: [issuer],
    currentIssuerKid: issuer.kid,
  };
}

function newSigningKey(): SigningKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  const publicKey = createPublicKey(privateKey);
  return { kid: kidOf(publicKey), privateKey, publicKey };
}
