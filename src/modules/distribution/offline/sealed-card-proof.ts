import { createDecipheriv, createECDH, createHash, type ECDH, hkdfSync } from 'node:crypto';
import { cardProofSealLabel } from '../../../shared/offline/sealed-card-proof.js';

/**
 * The sealed card proof of an offline receipt (review finding F3, point 2; receipt format v5,
 * opened by the sync, `offline-sync.ts`): the card's credential id and QR text encrypted on the
 * device to a server key, so a pending receipt kept on the device — readable to whoever unlocks it
 * — no longer holds either in clear. ECIES over P-256: the device makes an ephemeral key pair,
 * ECDH with the server's public key, HKDF-SHA-256 (salt: the ephemeral public key; info:
 * `cardProofSealLabel`) to a 256-bit AES-GCM key, a random 12-byte IV, the receipt id as
 * associated data (a sealed proof cannot be moved to another receipt). The sealing is one
 * function, WebCrypto, shared by the console, the tests and the benchmark
 * (src/shared/offline/sealed-card-proof.ts); node's `computeSecret` gives the same x-coordinate
 * as WebCrypto's ECDH deriveBits.
 *
 * **Key management.** The server's private key is not stored anywhere: it is derived from the
 * master key (HKDF-SHA-256, info `amparo offline card proof sealing v<version>`), as the
 * snapshot and receipt signing keys are, so it lives where the master key lives (the key store).
 * Its public key (uncompressed, 65 bytes) is published in each signed snapshot (`proofKey`, with
 * `proofKeyVersion`). The version in force is the highest in `offline_proof_key` (migration 0158,
 * `amparo keys rotate-card-proof`: proof-key-versions.ts); the sync opens a proof with the key its
 * `kid` names among the versions still open. Rotating the master key rotates every version too.
 *
 * Wire form (base64url): `kid` (8 bytes) ‖ ephemeral public key (65) ‖ IV (12) ‖ ciphertext ‖
 * GCM tag (16).
 *
 * @example
 *   const key = cardProofKeyFrom(masterKey, 2);
 *   const sealed = await sealCardProof(key.publicKey.toString('base64url'), receiptId, proof); // device
 *   openCardProof(key, receiptId, sealed); // { credentialId, qrText }, or undefined if altered
 */
export interface CardProof {
  credentialId: string;
  qrText: string;
}

export interface CardProofKey {
  version: number;
  /** First 8 bytes of SHA-256 of the public key: names the key in a sealed proof. */
  kid: Buffer;
  /** Uncompressed P-256 point (65 bytes): what a snapshot publishes. */
  publicKey: Buffer;
  /** The private key set once: each opening is then one scalar multiplication, not two. */
  ecdh: ECDH;
}

export const kidBytes = 8;
const pointBytes = 65;
const ivBytes = 12;
const tagBytes = 16;

/** Derived keys by master key and version: a derivation is a scalar multiplication, done once. */
const derived = new WeakMap<Buffer, Map<number, CardProofKey>>();

/** The server's sealing key of a version, derived from the master key (never stored). */
export function cardProofKeyFrom(masterKey: Buffer, version = 1): CardProofKey {
  let versions = derived.get(masterKey);
  if (versions === undefined) {
    versions = new Map();
    derived.set(masterKey, versions);
  }
  const known = versions.get(version);
  if (known !== undefined) return known;
  const key = deriveCardProofKey(masterKey, version);
  versions.set(version, key);
  return key;
}

function deriveCardProofKey(masterKey: Buffer, version: number): CardProofKey {
  // A derived 32-byte scalar is a valid P-256 private key but with a chance of about 2⁻³²;
  // the counter steps past one that is not.
  for (let counter = 0; ; counter += 1) {
    const privateKey = Buffer.from(
      hkdfSync(
        'sha256',
        masterKey,
        Buffer.alloc(0),
        `amparo offline card proof sealing v${version}\n${counter}`,
        32,
      ),
    );
    const ecdh = createECDH('prime256v1');
    try {
      ecdh.setPrivateKey(privateKey);
    } catch {
      continue;
    }
    const publicKey = ecdh.getPublicKey();
    return { version, kid: kidOfPoint(publicKey), publicKey, ecdh };
  }
}

function kidOfPoint(publicKey: Buffer): Buffer {
  return createHash('sha256').update(publicKey).digest().subarray(0, kidBytes);
}

/** The key id a sealed proof names (its first 8 bytes), or undefined when it is too short. */
export function sealedKidOf(sealed: string): Buffer | undefined {
  const bytes = Buffer.from(sealed, 'base64url');
  return bytes.length < kidBytes + pointBytes + ivBytes + tagBytes
    ? undefined
    : bytes.subarray(0, kidBytes);
}

/**
 * The card proof a sealed string holds for this receipt, or undefined when it is not one this
 * key opens: another key, another receipt, any byte altered (the GCM tag fails), or not a proof.
 */
export function openCardProof(
  key: CardProofKey,
  receiptId: string,
  sealed: string,
): CardProof | undefined {
  const bytes = Buffer.from(sealed, 'base64url');
  const head = kidBytes + pointBytes + ivBytes;
  if (bytes.length < head + tagBytes || !bytes.subarray(0, kidBytes).equals(key.kid)) {
    return undefined;
  }
  try {
    const ephemeral = bytes.subarray(kidBytes, kidBytes + pointBytes);
    const shared = key.ecdh.computeSecret(ephemeral);
    const decipher = createDecipheriv(
      'aes-256-gcm',
      Buffer.from(hkdfSync('sha256', shared, ephemeral, cardProofSealLabel, 32)),
      bytes.subarray(kidBytes + pointBytes, head),
    );
    decipher.setAAD(Buffer.from(receiptId, 'utf8'));
    decipher.setAuthTag(bytes.subarray(bytes.length - tagBytes));
    const plain = Buffer.concat([
      decipher.update(bytes.subarray(head, bytes.length - tagBytes)),
      decipher.final(),
    ]);
    const proof: unknown = JSON.parse(plain.toString('utf8'));
    return isCardProof(proof) ? proof : undefined;
  } catch {
    return undefined;
  }
}

function isCardProof(value: unknown): value is CardProof {
  if (typeof value !== 'object' || value === null) return false;
  const { credentialId, qrText } = value as Record<string, unknown>;
  return typeof credentialId === 'string' && typeof qrText === 'string';
}
