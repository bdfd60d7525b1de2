import type { KeyStore } from '../../platform/crypto/key-store.js';
import { cardValiditySecondsMax } from './limits.js';
import { buildTrustList, trustedKeysFromList } from './trust-list.js';

/**
 * The keys the server's own cards verify with, built once per key store: a fresh list per card
 * made new key byte arrays, so the imported-key cache never hit and every check re-imported
 * the issuer's public key (bench/distribution-redeem-profile.ts). Every key the store holds
 * verifies the cards it signed, a retired one too; a key removed from the store (a compromised
 * one) verifies nothing. Online checks (`onlineCardCheck`) and the cards of offline receipts
 * (`offlineCardProofs`) both use these.
 *
 * @example
 *   const trusted = serverTrustedKeys(keys); // for judgeCredentialWith(text, { trusted, … })
 */
export function serverTrustedKeys(keys: KeyStore): ReturnType<typeof trustedKeysFromList> {
  const cached = trustedByKeyStore.get(keys);
  if (cached !== undefined) return cached;
  const trusted = trustedKeysFromList(
    buildTrustList({
      version: 1,
      issuedAt: 0,
      issuerName: 'Amparo',
      credentialValiditySecondsMax: cardValiditySecondsMax,
      keys: keys.issuerKeys.map((key) => ({ publicKey: key.publicKey, notBefore: 0 })),
    }),
  );
  trustedByKeyStore.set(keys, trusted);
  return trusted;
}

const trustedByKeyStore = new WeakMap<KeyStore, ReturnType<typeof trustedKeysFromList>>();
