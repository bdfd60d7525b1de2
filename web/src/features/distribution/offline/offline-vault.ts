import { deleteValue, getValue, putValue, type StoreName } from './offline-db.js';

/**
 * The offline point of service's local unlock (review finding F5). The device's Ed25519 signing
 * key and a data key (AES-256-GCM, which seals the snapshot and the receipts in IndexedDB) are
 * kept only wrapped: once per operator who set a passphrase on this device (a **slot**), under a
 * key derived from that passphrase with PBKDF2-SHA-256 (`pbkdf2Iterations`, a random salt per
 * slot) and AES-GCM (the point and the operator as associated data). Unlocking unwraps them into
 * memory as non-extractable CryptoKeys and remembers the operator, whose id every receipt then
 * carries; locking (the button, the idle timer, a reload) drops them. `wrongTriesMax` wrong
 * passphrases in a row lock the device until an operator signs in online.
 *
 * @example
 *   await unlockDevice(pointId, operatorId, passphrase);
 *   const sealed = await sealValue(pointId, 'pending', receiptId, receipt);
 */
export const passphraseLengthMin = 10;
/**
 * OWASP's figure for PBKDF2-HMAC-SHA-256 (2023). Measured in this machine's Chromium (load 21–24
 * on 2 cores): 224–593 ms a derivation, so an unlock stays under a second.
 */
export const pbkdf2Iterations = 600_000;
export const wrongTriesMax = 5;
export const idleLockMinutesDefault = 5;

/** One operator's wrapping of the device's keys. */
export interface VaultSlot {
  operatorId: string;
  /** The name they sign in with, so the unlock screen can offer the slots by name. */
  username: string;
  salt: Uint8Array<ArrayBuffer>;
  iterations: number;
  iv: Uint8Array<ArrayBuffer>;
  wrapped: ArrayBuffer;
}

/** What IndexedDB keeps of a point's keys: only wrapped, with the wrong tries so far. */
export interface VaultRecord {
  pointId: string;
  slots: VaultSlot[];
  wrongTries: number;
  idleLockMinutes: number;
}

/** A device unlocked by an operator: its keys, in memory only, not extractable. */
export interface UnlockedDevice {
  pointId: string;
  operatorId: string;
  username: string;
  signingKey: CryptoKey;
  dataKey: CryptoKey;
}

export class PassphraseTooShort extends Error {
  constructor() {
    super(`a passphrase has at least ${passphraseLengthMin} characters`);
  }
}
export class WrongPassphrase extends Error {
  constructor(readonly triesLeft: number) {
    super('wrong passphrase');
  }
}
export class DeviceLockedOut extends Error {
  constructor() {
    super('too many wrong passphrases: sign in online to unlock again');
  }
}
export class DeviceLocked extends Error {
  constructor() {
    super('the device is locked');
  }
}

const unlocked = new Map<string, UnlockedDevice>();
const listeners = new Set<() => void>();
const ed25519Pkcs8Bytes = 48;

/** Calls `listener` whenever a device is unlocked or locked; returns the unsubscribe. */
export function onLockChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function unlockedDevice(pointId: string): UnlockedDevice | undefined {
  return unlocked.get(pointId);
}

/** Drops the point's keys from memory (every point's with no argument). */
export function lockDevice(pointId?: string): void {
  if (pointId === undefined) unlocked.clear();
  else unlocked.delete(pointId);
  for (const listener of listeners) listener();
}

export function vaultOf(pointId: string): Promise<VaultRecord | undefined> {
  return getValue<VaultRecord>('vault', pointId);
}

/**
 * Makes the device's keys for a point — an extractable Ed25519 pair only long enough to wrap its
 * private key, and the data key — wraps them for the first operator, and leaves it unlocked.
 * Returns the raw public key and the registration proof signed with the new key.
 */
export async function createVault(
  pointId: string,
  operator: { operatorId: string; username: string },
  passphrase: string,
  registration: (publicKey: Uint8Array<ArrayBuffer>) => Uint8Array<ArrayBuffer>,
): Promise<{ publicKey: Uint8Array<ArrayBuffer>; proof: ArrayBuffer }> {
  checkLength(passphrase);
  // Safe: Ed25519 generateKey answers a key pair.
  const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const proof = await crypto.subtle.sign(
    { name: 'Ed25519' },
    pair.privateKey,
    registration(publicKey),
  );
  const secrets = new Uint8Array(ed25519Pkcs8Bytes + 32);
  secrets.set(new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey)));
  secrets.set(crypto.getRandomValues(new Uint8Array(32)), ed25519Pkcs8Bytes);
  try {
    const slot = await wrapFor(pointId, operator, passphrase, secrets);
    await putValue('vault', pointId, {
      pointId,
      slots: [slot],
      wrongTries: 0,
      idleLockMinutes: idleLockMinutesDefault,
    } satisfies VaultRecord);
    await openSecrets(pointId, operator, secrets);
  } finally {
    secrets.fill(0);
  }
  return { publicKey, proof };
}

/**
 * Adds (or replaces) the signed-in operator's slot: an operator already set up on this device
 * unlocks the keys with their passphrase, which are wrapped again under the new passphrase. A
 * wrong passphrase counts as a wrong try.
 */
export async function addSlot(
  pointId: string,
  existing: { operatorId: string; passphrase: string },
  operator: { operatorId: string; username: string },
  passphrase: string,
): Promise<void> {
  checkLength(passphrase);
  const vault = await usableVault(pointId);
  const secrets = await unwrapCounted(vault, existing.operatorId, existing.passphrase);
  try {
    const slot = await wrapFor(pointId, operator, passphrase, secrets);
    const slots = vault.slots.filter((each) => each.operatorId !== operator.operatorId);
    await putValue('vault', pointId, { ...vault, slots: [...slots, slot], wrongTries: 0 });
    await openSecrets(pointId, operator, secrets);
  } finally {
    secrets.fill(0);
  }
}

/** Unlocks with an operator's passphrase; a wrong one counts, and too many lock the device. */
export async function unlockDevice(
  pointId: string,
  operatorId: string,
  passphrase: string,
): Promise<UnlockedDevice> {
  const vault = await usableVault(pointId);
  const secrets = await unwrapCounted(vault, operatorId, passphrase);
  try {
    const slot = vault.slots.find((each) => each.operatorId === operatorId);
    await putValue('vault', pointId, { ...vault, wrongTries: 0 });
    return await openSecrets(pointId, { operatorId, username: slot?.username ?? '' }, secrets);
  } finally {
    secrets.fill(0);
  }
}

/** An operator signed in online: the wrong tries start again. */
export async function clearWrongTries(pointId: string): Promise<void> {
  const vault = await vaultOf(pointId);
  if (vault !== undefined && vault.wrongTries !== 0) {
    await putValue('vault', pointId, { ...vault, wrongTries: 0 });
  }
}

export async function setIdleLockMinutes(pointId: string, minutes: number): Promise<void> {
  const vault = await vaultOf(pointId);
  if (vault === undefined) return;
  const bounded = Math.min(60, Math.max(1, Math.round(minutes)));
  await putValue('vault', pointId, { ...vault, idleLockMinutes: bounded });
}

/** Forgets the point's keys everywhere (a device made again from scratch). */
export async function forgetVault(pointId: string): Promise<void> {
  lockDevice(pointId);
  await deleteValue('vault', pointId);
}

/**
 * A value sealed with the unlocked device's data key: AES-256-GCM, a fresh IV, the store and the
 * key as associated data (so a sealed record cannot be moved under another key).
 */
export interface SealedValue {
  pointId: string;
  /** The record's key in its store, bound into the associated data. */
  key: string;
  iv: Uint8Array<ArrayBuffer>;
  data: ArrayBuffer;
}

export async function sealValue(
  pointId: string,
  store: StoreName,
  key: string,
  value: unknown,
): Promise<SealedValue> {
  const device = keysOf(pointId);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: sealedLabel(store, key) },
    device.dataKey,
    new TextEncoder().encode(JSON.stringify(value)),
  );
  return { pointId, key, iv, data };
}

export async function openValue<T>(store: StoreName, sealed: SealedValue): Promise<T> {
  const device = keysOf(sealed.pointId);
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: sealed.iv, additionalData: sealedLabel(store, sealed.key) },
    device.dataKey,
    sealed.data,
  );
  // Safe: only this app seals values, each store holding the one shape its callers put in it.
  return JSON.parse(new TextDecoder().decode(plain)) as T;
}

function keysOf(pointId: string): UnlockedDevice {
  const device = unlocked.get(pointId);
  if (device === undefined) throw new DeviceLocked();
  return device;
}

function sealedLabel(store: StoreName, key: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`amparo pos sealed v1\n${store}\n${key}`);
}

function checkLength(passphrase: string): void {
  if ([...passphrase].length < passphraseLengthMin) throw new PassphraseTooShort();
}

async function usableVault(pointId: string): Promise<VaultRecord> {
  const vault = await vaultOf(pointId);
  if (vault === undefined) throw new DeviceLocked();
  if (vault.wrongTries >= wrongTriesMax) throw new DeviceLockedOut();
  return vault;
}

function slotLabel(pointId: string, operatorId: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`amparo pos slot v1\n${pointId}\n${operatorId}`);
}

async function keyEncryptionKey(
  passphrase: string,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(passphrase.normalize('NFC')),
    'PBKDF2',
    false,
    ['deriveKey'],
  );
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    base,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

async function wrapFor(
  pointId: string,
  operator: { operatorId: string; username: string },
  passphrase: string,
  secrets: Uint8Array<ArrayBuffer>,
): Promise<VaultSlot> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const kek = await keyEncryptionKey(passphrase, salt, pbkdf2Iterations);
  const wrapped = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: slotLabel(pointId, operator.operatorId) },
    kek,
    secrets,
  );
  return { ...operator, salt, iterations: pbkdf2Iterations, iv, wrapped };
}

/** The slot's secrets, or a wrong try counted (and the lock-out once there are too many). */
async function unwrapCounted(
  vault: VaultRecord,
  operatorId: string,
  passphrase: string,
): Promise<Uint8Array<ArrayBuffer>> {
  const slot = vault.slots.find((each) => each.operatorId === operatorId);
  try {
    if (slot === undefined) throw new Error('no such slot');
    const kek = await keyEncryptionKey(passphrase, slot.salt, slot.iterations);
    return new Uint8Array(
      await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: slot.iv, additionalData: slotLabel(vault.pointId, operatorId) },
        kek,
        slot.wrapped,
      ),
    );
  } catch {
    const wrongTries = vault.wrongTries + 1;
    await putValue('vault', vault.pointId, { ...vault, wrongTries });
    if (wrongTries >= wrongTriesMax) throw new DeviceLockedOut();
    throw new WrongPassphrase(wrongTriesMax - wrongTries);
  }
}

async function openSecrets(
  pointId: string,
  operator: { operatorId: string; username: string },
  secrets: Uint8Array<ArrayBuffer>,
): Promise<UnlockedDevice> {
  const pkcs8 = secrets.slice(0, ed25519Pkcs8Bytes);
  const raw = secrets.slice(ed25519Pkcs8Bytes);
  try {
    const signingKey = await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, false, [
      'sign',
    ]);
    const dataKey = await crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, [
      'encrypt',
      'decrypt',
    ]);
    const device = { pointId, ...operator, signingKey, dataKey };
    unlocked.set(pointId, device);
    for (const listener of listeners) listener();
    return device;
  } finally {
    pkcs8.fill(0);
    raw.fill(0);
  }
}
