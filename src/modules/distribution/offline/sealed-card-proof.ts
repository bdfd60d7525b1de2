import {
  createCipheriv,
  createDecipheriv,
  createECDH,
  createHash,
  hkdfSync,
  randomBytes,
} from 'node:crypto';

/**
 * The sealed card proof of an offline receipt (review finding F3, point 2; receipt format v5,
 * opened by the sync, `offline-sync.ts`): the card's credential id and QR text encrypted on the
 * device to a server key, so a pending receipt kept on the device — readable to whoever unlocks it
 * — no longer holds either in clear. ECIES over P-256: the device makes an ephemeral key pair,
 * ECDH with the server's public key, HKDF-SHA-256 (salt: the ephemeral public key; info:
 * `sealLabel`) to a 256-bit AES-GCM key, a random 12-byte IV, the receipt id as associated data
 * (a sealed proof cannot be moved to another receipt). The browser does the same with WebCrypto
 * (`ECDH` deriveBits gives the same x-coordinate as node's `computeSecret`).
 *
 * **Key management.** The server's private key is not stored anywhere: it is derived from the
 * master key (HKDF-SHA-256, label `amparo offline card proof sealing v<generation>`), as the
 * snapshot and receipt signing keys are, so it lives where the master key lives (the key store).
 * Its public key (uncompressed, 65 bytes) is published in each signed snapshot (`proofKey`).
 * Rotation: raise the generation; the server would open a proof with the key its `kid` names,
 * keeping the previous generation while snapshots issued under it may still have receipts to sync
 * (a snapshot's life plus the sync window), then drop it — not built: the sync opens generation 1
 * only. Rotating the master key rotates it too.
 *
 * Wire form (base64url): `kid` (8 bytes) ‖ ephemeral public key (65) ‖ IV (12) ‖ ciphertext ‖
 * GCM tag (16).
 *
 * @example
 *   const key = cardProofKeyFrom(masterKey);
 *   const sealed = sealCardProof(key.publicKey, receiptId, { credentialId, qrText }); // device
 *   openCardProof(key, receiptId, sealed); // { credentialId, qrText }, or undefined if altered
 */
const sealLabel = 'amparo offline card proof v5';

export interface CardProof {
  credentialId: string;
  qrText: string;
}

export interface CardProofKey {
  /** First 8 bytes of SHA-256 of the public key: names the key in a sealed proof. */
  kid: Buffer;
  /** Uncompressed P-256 point (65 bytes): what a snapshot would publish. */
  publicKey: Buffer;
  privateKey: Buffer;
}

const kidBytes = 8;
const pointBytes = 65;
const ivBytes = 12;
const tagBytes = 16;

/** The server's sealing key of a generation, derived from the master key (never stored). */
export function cardProofKeyFrom(masterKey: Buffer, generation = 1): CardProofKey {
  // A derived 32-byte scalar is a valid P-256 private key but with a chance of about 2⁻³²;
  // the counter steps past one that is not.
  for (let counter = 0; ; counter += 1) {
    const privateKey = Buffer.from(
      hkdfSync(
        'sha256',
        masterKey,
        Buffer.alloc(0),
        `amparo offline card proof sealing v${generation}\n${counter}`,
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
    return { kid: kidOfPoint(publicKey), publicKey, privateKey };
  }
}

function kidOfPoint(publicKey: Buffer): Buffer {
  return createHash('sha256').update(publicKey).digest().subarray(0, kidBytes);
}

function aesKey(shared: Buffer, ephemeral: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, ephemeral, sealLabel, 32));
}

/** Seals a card proof to the server's public key, as the device does (tests, the node kit). */
export function sealCardProof(
  serverPublicKey: Buffer,
  receiptId: string,
  proof: CardProof,
): string {
  const ecdh = createECDH('prime256v1');
  const ephemeral = ecdh.generateKeys();
  const key = aesKey(ecdh.computeSecret(serverPublicKey), ephemeral);
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(receiptId, 'utf8'));
  const plain = Buffer.from(JSON.stringify(proof), 'utf8');
  const data = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return Buffer.concat([kidOfPoint(serverPublicKey), ephemeral, iv, data]).toString('base64url');
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
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(key.privateKey);
    const decipher = createDecipheriv(
      'aes-256-gcm',
      aesKey(ecdh.computeSecret(ephemeral), ephemeral),
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
