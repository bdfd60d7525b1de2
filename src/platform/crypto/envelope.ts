import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Field-level encryption (safeguard 6). Each person has a 256-bit data key; the key is
 * stored only wrapped by the master key, which lives outside the database. Sensitive
 * attributes are sealed with AES-256-GCM under the person's data key, with associated data
 * naming table, column and record, so a ciphertext moved to another row or column fails to
 * open. Destroying the wrapped key (crypto-shredding) makes every sealed field unreadable.
 *
 * Sealed layout: version (1 byte) ‖ IV (12) ‖ tag (16) ‖ ciphertext.
 *
 * @example
 *   const dataKey = newDataKey();
 *   const box = seal(dataKey, Buffer.from('+584121234567'), { table: 'person_version', column: 'sealed_attributes', recordId: id });
 *   open(dataKey, box, { table: 'person_version', column: 'sealed_attributes', recordId: id });
 */
export interface SealContext {
  table: string;
  column: string;
  recordId: string;
}

const formatVersion = 1;
const ivBytes = 12;
const tagBytes = 16;
const headerBytes = 1 + ivBytes + tagBytes;
export const dataKeyBytes = 32;

export class DecryptionError extends Error {
  constructor(message = 'The sealed value cannot be opened with this key and context') {
    super(message);
    this.name = 'DecryptionError';
  }
}

export function newDataKey(): Buffer {
  return randomBytes(dataKeyBytes);
}

export function seal(key: Buffer, plaintext: Buffer, context: SealContext): Buffer {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(associatedData(context));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(formatVersion), iv, cipher.getAuthTag(), ciphertext]);
}

export function open(key: Buffer, sealed: Buffer, context: SealContext): Buffer {
  if (sealed.length < headerBytes || sealed[0] !== formatVersion) {
    throw new DecryptionError('The sealed value is malformed');
  }
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 1 + ivBytes));
  decipher.setAAD(associatedData(context));
  decipher.setAuthTag(sealed.subarray(1 + ivBytes, headerBytes));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(headerBytes)), decipher.final()]);
  } catch {
    throw new DecryptionError();
  }
}

/** Wraps a person's data key under the master key, bound to that person. */
export function wrapDataKey(masterKey: Buffer, dataKey: Buffer, personId: string): Buffer {
  return seal(masterKey, dataKey, {
    table: 'person_key',
    column: 'wrapped_key',
    recordId: personId,
  });
}

export function unwrapDataKey(masterKey: Buffer, wrapped: Buffer, personId: string): Buffer {
  return open(masterKey, wrapped, {
    table: 'person_key',
    column: 'wrapped_key',
    recordId: personId,
  });
}

/**
 * A blind index: exact-match search on an encrypted value without decrypting. Truncated
 * HMAC-SHA-256 under a key derived from the master key per kind, so indexes of different
 * kinds cannot be correlated. 16 bytes keep collisions negligible at national scale.
 */
export function blindIndex(masterKey: Buffer, kind: string, normalizedValue: string): Buffer {
  const indexKey = Buffer.from(
    hkdfSync('sha256', masterKey, Buffer.alloc(0), `amparo blind index ${kind}`, 32),
  );
  return createHmac('sha256', indexKey).update(normalizedValue, 'utf8').digest().subarray(0, 16);
}

function associatedData({ table, column, recordId }: SealContext): Buffer {
  return Buffer.from(`${table}|${column}|${recordId}`, 'utf8');
}
