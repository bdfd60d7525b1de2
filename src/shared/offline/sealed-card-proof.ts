/**
 * The card proof of a receipt v5, sealed on the device to the server's key the snapshot publishes
 * (`proofKey`), as the server opens it (src/modules/distribution/offline/sealed-card-proof.ts):
 * an ephemeral ECDH P-256 key, HKDF-SHA-256 (salt: the ephemeral raw public key; info: the label)
 * to an AES-256-GCM key, a random 12-byte IV, the receipt id as associated data. Wire form,
 * base64url: the key's id (first 8 bytes of SHA-256 of its point) ‖ ephemeral point (65) ‖ IV ‖
 * ciphertext and tag.
 *
 * WebCrypto only, no Node module: the console's offline device seals with it, and so do the
 * tests and the benchmark under Node (which has the same globals), so there is one sealing.
 *
 * @example
 *   const sealed = await sealCardProof(snapshot.proofKey, receiptId, { credentialId, qrText });
 */
export const cardProofSealLabel = 'amparo offline card proof v5';
/** A WebCrypto key, named so that the server's type check (which bundles no DOM types) reads it. */
type WebKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

export async function sealCardProof(
  proofKey: string,
  receiptId: string,
  proof: { credentialId: string; qrText: string },
): Promise<string> {
  const { subtle } = crypto;
  const serverPoint = fromBase64Url(proofKey);
  const server = await subtle.importKey(
    'raw',
    serverPoint,
    { name: 'ECDH', namedCurve: 'P-256' },
    false,
    [],
  );
  // Safe: ECDH generateKey answers a key pair.
  const pair = (await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, [
    'deriveBits',
  ])) as { privateKey: WebKey; publicKey: WebKey };
  const shared = await subtle.deriveBits({ name: 'ECDH', public: server }, pair.privateKey, 256);
  const ephemeral = new Uint8Array(await subtle.exportKey('raw', pair.publicKey));
  const hkdf = await subtle.importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  const key = await subtle.deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: ephemeral,
      info: new TextEncoder().encode(cardProofSealLabel),
    },
    hkdf,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt'],
  );
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = new Uint8Array(
    await subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(receiptId) },
      key,
      new TextEncoder().encode(JSON.stringify(proof)),
    ),
  );
  const kid = new Uint8Array(await subtle.digest('SHA-256', serverPoint)).subarray(0, 8);
  const out = new Uint8Array(kid.length + ephemeral.length + iv.length + data.length);
  out.set(kid);
  out.set(ephemeral, kid.length);
  out.set(iv, kid.length + ephemeral.length);
  out.set(data, kid.length + ephemeral.length + iv.length);
  return btoa(String.fromCharCode(...out))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[\w-]*$/.test(text)) throw new Error('a proof key is base64url');
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (character) => character.charCodeAt(0));
}
