import type { AssistedReasonValue } from '../../../../../src/shared/api/distribution.js';
import type { SyncResultAnswer } from '../../../../../src/shared/api/distribution-offline.js';
import { sealCardProof } from '../../../../../src/shared/offline/sealed-card-proof.js';
import { apiGet, apiSend } from '../../../api/client.js';
import { canonicalJson } from '../../verifier/canonical-json.js';
import { allValues, deleteValue, getValue, putValue, type StoreName } from './offline-db.js';
import {
  type HeldSnapshot,
  type OfflineLookup,
  openSnapshot,
  type SnapshotPayload,
} from './offline-snapshot.js';
import {
  createVault,
  DeviceLocked,
  openValue,
  type SealedValue,
  sealValue,
  unlockedDevice,
  vaultOf,
} from './offline-vault.js';

const purpose = 'purpose=distribution';

/**
 * This browser as a point's offline device: its public key and registration proof, its id once
 * registered. Its private key is not here: it is kept wrapped under each operator's passphrase
 * (offline-vault.ts) and, unlocked, in memory only.
 */
export interface DeviceRecord {
  pointId: string;
  /** Raw Ed25519 public key, base64url: what the supervisor registers. */
  publicKey: string;
  /** Signature over the registration, base64url: the proof that this browser holds the key. */
  proof: string;
  deviceId: string | null;
  /** The snapshot key, pinned at the first download (hex). */
  snapshotKeyHex: string | null;
  /** The point's code, from the last snapshot downloaded (absent before the first). */
  pointCode?: string;
}

/** A receipt made offline and not yet answered by a sync (sealed in IndexedDB). */
export interface PendingReceipt {
  pointId: string;
  receiptId: string;
  snapshotId: string;
  entitlementId: string;
  /** The card's id (format v4); absent from a v5 receipt, which holds it only sealed. */
  credentialId?: string;
  /**
   * The QR text of the card scanned, exactly as the card check verified it: signed with the
   * receipt and sent with it, so the server sees the card was at the counter. It carries the
   * holder's name, date of birth and photo, so it is kept only until the sync answers: a refused
   * receipt stays without it. Absent from a v5 receipt.
   */
  qrText?: string;
  /**
   * Format v5 (the snapshot carries the server's `proofKey`): the card's id and QR text sealed
   * to the server (ECDH P-256, HKDF-SHA-256, AES-256-GCM: `sealCardProof`), so the device —
   * whoever unlocks it — no longer holds either; the server opens it at sync.
   */
  sealedProof?: string;
  /** The operator who unlocked the device and made the hand-over (format v4). */
  servedBy: string;
  lines: { item: string; quantity: number }[];
  deviceTime: number;
  signature: string;
  /**
   * Without the person's card: why, and the operator the snapshot was issued to;
   * `credentialId` and `qrText` are then the household member's card.
   */
  assisted?: { reason: AssistedReasonValue; operatorId: string };
  /**
   * Set once a sync refused it (its AMP_… code, and when, Unix ms): kept on the device, shown to
   * the operator with the reason and not sent again, until someone acknowledges it here. Nothing
   * of it counted on the server, which audited the refusal.
   */
  refused?: { code: string; atMs: number };
}

function base64Url(bytes: ArrayBuffer | Uint8Array<ArrayBuffer>): string {
  const text = btoa(String.fromCharCode(...new Uint8Array(bytes)));
  return text.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The device of this point in this browser, if one was set up here. */
export async function deviceOf(pointId: string): Promise<DeviceRecord | undefined> {
  const [device, vault] = await Promise.all([
    getValue<DeviceRecord>('device', pointId),
    vaultOf(pointId),
  ]);
  return device !== undefined && vault !== undefined ? device : undefined;
}

/**
 * Sets this browser up as a device of the point for the signed-in operator (online): its keys are
 * made and wrapped under the operator's passphrase (offline-vault.ts), and the proof the
 * supervisor's registration checks (`amparo device registration v1`, the point, the key) signed.
 * The device is left unlocked by that operator.
 */
export async function setUpDevice(
  pointId: string,
  operator: { operatorId: string; username: string },
  passphrase: string,
): Promise<DeviceRecord> {
  const { publicKey, proof } = await createVault(pointId, operator, passphrase, (key) =>
    new TextEncoder().encode(`amparo device registration v1\n${pointId}\n${base64Url(key)}`),
  );
  const record: DeviceRecord = {
    pointId,
    publicKey: base64Url(publicKey),
    proof: base64Url(proof),
    deviceId: null,
    snapshotKeyHex: null,
  };
  await putValue('device', pointId, record);
  await deleteValue('snapshot', pointId);
  return record;
}

/** Finds this browser's key among the point's registered devices (online). */
export async function registeredDevice(device: DeviceRecord): Promise<DeviceRecord> {
  const { devices } = await apiGet<{
    devices: { id: string; publicKey: string; revokedAt: string | null }[];
  }>(`/api/distribution/points/${device.pointId}/devices?${purpose}`);
  const mine = devices.find((each) => each.publicKey === device.publicKey && !each.revokedAt);
  const next = { ...device, deviceId: mine?.id ?? null };
  await putValue('device', device.pointId, next);
  return next;
}

/** Downloads, verifies and keeps the point's signed snapshot for this device (online). */
export async function downloadSnapshot(device: DeviceRecord): Promise<HeldSnapshot> {
  if (device.deviceId === null) throw new Error('the device is not registered');
  let keyHex = device.snapshotKeyHex;
  if (keyHex === null) {
    keyHex = (await apiGet<{ publicKey: string }>('/api/distribution/snapshot-key')).publicKey;
    await putValue('device', device.pointId, { ...device, snapshotKeyHex: keyHex });
  }
  const response = await fetch(
    `/api/distribution/points/${device.pointId}/devices/${device.deviceId}/snapshot?${purpose}`,
    { credentials: 'same-origin', headers: { accept: 'application/json' } },
  );
  if (!response.ok) throw new Error(`snapshot: ${response.status}`);
  const text = await response.text();
  const held = await openSnapshot(text, keyHex);
  // Replaces the snapshot kept for the point, and what the device counted against the last one:
  // a device keeps one snapshot, never beyond its life (`forgetSnapshot`).
  await putSealed('snapshot', device.pointId, device.pointId, {
    text,
    fetchedAtMs: Date.now(),
    snapshotId: held.payload.snapshotId,
    expiresAtMs: held.payload.expiresAt * 1000,
  } satisfies KeptSnapshot);
  await deleteValue('snapshot', usageKey(device.pointId));
  await putValue('device', device.pointId, {
    ...device,
    snapshotKeyHex: keyHex,
    pointCode: held.payload.pointCode,
  });
  return held;
}

/** A registered device this browser holds, with a snapshot kept for its point. */
export interface HeldDevice {
  pointId: string;
  pointCode: string | undefined;
}

/**
 * The devices this browser registered and holds a snapshot for, read from IndexedDB only: what
 * the point of service offers when it is opened with the network off.
 */
export async function heldDevices(): Promise<HeldDevice[]> {
  const devices = await allValues<DeviceRecord>('device');
  const held: HeldDevice[] = [];
  for (const device of devices) {
    if (device.deviceId === null || device.snapshotKeyHex === null) continue;
    if ((await vaultOf(device.pointId)) === undefined) continue;
    if ((await getValue('snapshot', device.pointId)) === undefined) continue;
    held.push({ pointId: device.pointId, pointCode: device.pointCode });
  }
  return held;
}

/** A snapshot as the device keeps it (`snapshotId` and `expiresAtMs` absent from older apps'). */
interface KeptSnapshot {
  text: string;
  fetchedAtMs: number;
  snapshotId?: string;
  expiresAtMs?: number;
}

/**
 * The snapshot kept for the point (sealed: the device must be unlocked), verified again, or
 * undefined. One past its expiry is deleted here (review finding F3) and answered this once, for
 * the panel's alert: nothing can be handed over with it, and its tags and household bindings are
 * no use to anyone but someone trying to read them.
 */
export async function heldSnapshot(device: DeviceRecord): Promise<HeldSnapshot | undefined> {
  const kept = await getSealed<KeptSnapshot>('snapshot', device.pointId);
  if (kept === undefined || device.snapshotKeyHex === null) return undefined;
  const held = await openSnapshot(kept.text, device.snapshotKeyHex);
  if (held.payload.expiresAt * 1000 < Date.now()) {
    await forgetSnapshot(device.pointId, held.payload.snapshotId);
  }
  return held;
}

/**
 * Deletes the point's kept snapshot, if it is still this one, and what the device counted
 * against it. Receipts made with it stay until a sync answers them. Only an unlocked device can
 * tell which snapshot it keeps (the record is sealed): locked, nothing is deleted, and the next
 * opening after an unlock does it.
 */
export async function forgetSnapshot(
  pointId: string,
  snapshotId: string | undefined,
): Promise<void> {
  if (unlockedDevice(pointId) === undefined) return;
  const kept = await getSealed<KeptSnapshot>('snapshot', pointId);
  if (kept === undefined || (kept.snapshotId !== undefined && kept.snapshotId !== snapshotId)) {
    return;
  }
  await deleteValue('snapshot', pointId);
  await deleteValue('snapshot', usageKey(pointId));
}

/**
 * What this device handed over with its current snapshot, kept beside it: receipts and units
 * against the snapshot's allowance, and per entitlement and item what was taken, so a second
 * check of the same card offline shows what remains after a partial hand-over. A new snapshot
 * (after a sync) starts from zero: the server's figures then include what was synced.
 */
export interface OfflineUsage {
  snapshotId: string;
  receipts: number;
  units: number;
  /** Hand-overs without the card (absent before they existed: none). */
  assisted?: number;
  taken: Record<string, Record<string, number>>;
}

const usageKey = (pointId: string) => `${pointId}#usage`;

export async function usageOf(pointId: string, snapshotId: string): Promise<OfflineUsage> {
  const kept = await getSealed<OfflineUsage>('snapshot', usageKey(pointId));
  if (kept?.snapshotId === snapshotId) return kept;
  return { snapshotId, receipts: 0, units: 0, taken: {} };
}

/** The snapshot's answer less what this device handed over since it was downloaded. */
export function remainingAfterUsage(lookup: OfflineLookup, usage: OfflineUsage): OfflineLookup {
  return {
    ...lookup,
    entitlements: lookup.entitlements.map((entitlement) => ({
      ...entitlement,
      items: entitlement.items.map((item) => ({
        ...item,
        remaining: Math.max(
          0,
          item.remaining - (usage.taken[entitlement.entitlementId]?.[item.item] ?? 0),
        ),
      })),
    })),
  };
}

/**
 * A hand-over without the card the device may not record: the snapshot's share of the operator's
 * daily bound (`assisted.receiptsMax`) is used up, or the snapshot carries no household bindings.
 */
export class OfflineAssistedReached extends Error {
  constructor(readonly max: number) {
    super('the hand-overs without the card of this snapshot are used up');
  }
}

/**
 * A hand-over the device may not record: the snapshot is past its expiry. The server refuses
 * such a receipt at sync (`AMP_SNAPSHOT_EXPIRED`), so goods handed over on it would count
 * nowhere; the device refuses before anything leaves the counter.
 */
export class OfflineSnapshotExpired extends Error {
  constructor(readonly expiresAt: number) {
    super('the snapshot has expired');
  }
}

/** A hand-over the device may not record: its allowance for this snapshot is used up. */
export class OfflineAllowanceReached extends Error {
  constructor(
    readonly receiptsMax: number,
    readonly unitsMax: number | undefined,
  ) {
    super('the offline allowance of this snapshot is used up');
  }
}

/**
 * Signs, with the unlocked device's key, and keeps (sealed) a receipt made offline, naming the
 * operator who unlocked the device; it waits in IndexedDB for the next sync. Refused while the
 * device is locked (`DeviceLocked`), and
 * (`OfflineSnapshotExpired`) once the snapshot is past its expiry, and
 * (`OfflineAllowanceReached`) when it would pass the snapshot's allowance — `receiptsMax`
 * receipts or `unitsMax` units — both of which the server also enforces at sync.
 */
export async function recordOfflineReceipt(
  device: DeviceRecord,
  snapshot: Pick<
    SnapshotPayload,
    'snapshotId' | 'receiptsMax' | 'unitsMax' | 'assisted' | 'expiresAt' | 'proofKey'
  >,
  props: Omit<
    PendingReceipt,
    | 'pointId'
    | 'receiptId'
    | 'deviceTime'
    | 'signature'
    | 'snapshotId'
    | 'qrText'
    | 'servedBy'
    | 'credentialId'
    | 'sealedProof'
  > & { credentialId: string; qrText: string },
  nowMs: number = Date.now(),
): Promise<PendingReceipt> {
  if (device.deviceId === null) throw new Error('the device is not registered');
  const keys = unlockedDevice(device.pointId);
  if (keys === undefined) throw new DeviceLocked();
  if (nowMs > snapshot.expiresAt * 1000) {
    await forgetSnapshot(device.pointId, snapshot.snapshotId);
    throw new OfflineSnapshotExpired(snapshot.expiresAt);
  }
  const usage = await usageOf(device.pointId, snapshot.snapshotId);
  const units = props.lines.reduce((sum, line) => sum + line.quantity, 0);
  if (
    usage.receipts + 1 > snapshot.receiptsMax ||
    usage.units + units > (snapshot.unitsMax ?? Number.POSITIVE_INFINITY)
  ) {
    throw new OfflineAllowanceReached(snapshot.receiptsMax, snapshot.unitsMax);
  }
  const assistedMax = snapshot.assisted?.receiptsMax ?? 0;
  if (props.assisted !== undefined && (usage.assisted ?? 0) + 1 > assistedMax) {
    throw new OfflineAssistedReached(assistedMax);
  }
  const { credentialId, qrText, ...rest } = props;
  const receiptId = crypto.randomUUID();
  const unsigned = {
    pointId: device.pointId,
    receiptId,
    deviceTime: nowMs,
    snapshotId: snapshot.snapshotId,
    servedBy: keys.operatorId,
    ...rest,
    ...(snapshot.proofKey === undefined
      ? { credentialId, qrText }
      : {
          sealedProof: await sealCardProof(snapshot.proofKey, receiptId, { credentialId, qrText }),
        }),
  };
  const message = receiptMessage(device.deviceId, unsigned);
  const signature = base64Url(
    await crypto.subtle.sign(
      { name: 'Ed25519' },
      keys.signingKey,
      new TextEncoder().encode(message),
    ),
  );
  const receipt = { ...unsigned, signature };
  await putSealed('pending', device.pointId, receipt.receiptId, receipt);
  const taken = { ...(usage.taken[props.entitlementId] ?? {}) };
  for (const line of props.lines) taken[line.item] = (taken[line.item] ?? 0) + line.quantity;
  await putSealed('snapshot', device.pointId, usageKey(device.pointId), {
    snapshotId: snapshot.snapshotId,
    receipts: usage.receipts + 1,
    units: usage.units + units,
    assisted: (usage.assisted ?? 0) + (props.assisted === undefined ? 0 : 1),
    taken: { ...usage.taken, [props.entitlementId]: taken },
  } satisfies OfflineUsage);
  return receipt;
}

/**
 * What the device signs, as the server checks it (offline-receipt.ts, `offlineReceiptMessage`):
 * the canonical JSON of the receipt, the point and the device, format v4 with the card's QR text
 * (`mode` card, or household with the reason and the snapshot's operator) and the operator who
 * made it (`servedBy`).
 */
function receiptMessage(deviceId: string, receipt: Omit<PendingReceipt, 'signature'>): string {
  const { assisted } = receipt;
  if (receipt.sealedProof !== undefined) {
    return canonicalJson({
      format: 'amparo.offline-receipt.v5',
      receiptId: receipt.receiptId,
      pointId: receipt.pointId,
      deviceId,
      snapshotId: receipt.snapshotId,
      entitlementId: receipt.entitlementId,
      lines: receipt.lines.map((line) => ({ item: line.item, quantity: line.quantity })),
      deviceTime: receipt.deviceTime,
      mode: assisted === undefined ? 'card' : 'household',
      ...(assisted === undefined
        ? {}
        : { reason: assisted.reason, operatorId: assisted.operatorId }),
      sealedProof: receipt.sealedProof,
      servedBy: receipt.servedBy,
    });
  }
  return canonicalJson({
    format: 'amparo.offline-receipt.v4',
    receiptId: receipt.receiptId,
    pointId: receipt.pointId,
    deviceId,
    snapshotId: receipt.snapshotId,
    entitlementId: receipt.entitlementId,
    credentialId: receipt.credentialId,
    lines: receipt.lines.map((line) => ({ item: line.item, quantity: line.quantity })),
    deviceTime: receipt.deviceTime,
    mode: assisted === undefined ? 'card' : 'household',
    ...(assisted === undefined ? {} : { reason: assisted.reason, operatorId: assisted.operatorId }),
    qrText: receipt.qrText,
    servedBy: receipt.servedBy,
  });
}

/** The receipts of the point waiting for a sync (not those a sync refused). */
export async function pendingReceipts(pointId: string): Promise<PendingReceipt[]> {
  return (await keptReceipts(pointId)).filter((each) => each.refused === undefined);
}

/**
 * How many receipts (waiting or refused) this browser holds for the point, read without the data
 * key: the record count and the point are not secret (each sealed record carries its point in
 * clear); what they say is. Shown while the device is locked (docs/DISTRIBUTION.md).
 */
export async function heldReceiptCount(pointId: string): Promise<number> {
  return (await allValues<SealedValue>('pending')).filter((each) => each.pointId === pointId)
    .length;
}

/** The receipts of the point a sync refused, kept until acknowledged, oldest first. */
export async function refusedReceipts(pointId: string): Promise<PendingReceipt[]> {
  return (await keptReceipts(pointId))
    .filter((each) => each.refused !== undefined)
    .sort((a, b) => a.deviceTime - b.deviceTime);
}

async function keptReceipts(pointId: string): Promise<PendingReceipt[]> {
  const sealed = (await allValues<SealedValue>('pending')).filter(
    (each) => each.pointId === pointId,
  );
  return Promise.all(sealed.map((each) => openValue<PendingReceipt>('pending', each)));
}

/** The operator or a supervisor has seen a refused receipt: it leaves the device. */
export async function acknowledgeRefused(receiptId: string): Promise<void> {
  const kept = await getSealed<PendingReceipt>('pending', receiptId);
  if (kept?.refused !== undefined) await deleteValue('pending', receiptId);
}

/** Seals `value` with the unlocked device's data key and keeps it under `key`. */
async function putSealed(store: StoreName, pointId: string, key: string, value: unknown) {
  await putValue(store, key, await sealValue(pointId, store, key, value));
}

/** The value kept under `key`, opened with the unlocked device's data key, or undefined. */
async function getSealed<T>(store: StoreName, key: string): Promise<T | undefined> {
  const sealed = await getValue<SealedValue>(store, key);
  if (sealed === undefined || sealed.key !== key) return undefined;
  return openValue<T>(store, sealed);
}

/**
 * Sends the pending receipts (500 a request, the server's bound). A receipt counted or kept as a
 * conflict leaves the device; one refused stays, flagged with its code (`refusedReceipts`), and
 * is not sent again: the server would refuse the same signed receipt again. The answers are
 * returned for the operator.
 */
/** The operator's sync, or the supervisor's for a registered device of the point (docs/ACCESS.md). */
export type SyncRoute = 'offline-syncs' | 'supervised-offline-syncs';

export async function syncPending(
  device: DeviceRecord,
  route: SyncRoute = 'offline-syncs',
): Promise<SyncResultAnswer[]> {
  const pending = await pendingReceipts(device.pointId);
  const answered: SyncResultAnswer[] = [];
  for (let start = 0; start < pending.length; start += 500) {
    const batch = pending.slice(start, start + 500);
    const { body } = await apiSend<{ results: SyncResultAnswer[] }>(
      'POST',
      `/api/distribution/points/${device.pointId}/${route}?${purpose}`,
      {
        deviceId: device.deviceId,
        deviceNow: Date.now(),
        receipts: batch.map(({ pointId: _point, ...receipt }) => receipt),
      },
    );
    const sent = new Map(batch.map((receipt) => [receipt.receiptId, receipt]));
    for (const result of body.results) {
      const receipt = sent.get(result.receiptId);
      if (result.outcome === 'refused' && receipt !== undefined) {
        const refused = { code: result.code ?? 'AMP_VALIDATION', atMs: Date.now() };
        // Not sent again, so its card's QR text (name, date of birth, photo) is not kept either.
        const { qrText: _shown, sealedProof: _sealed, ...kept } = receipt;
        await putSealed('pending', device.pointId, result.receiptId, { ...kept, refused });
      } else {
        await deleteValue('pending', result.receiptId);
      }
      answered.push(result);
    }
  }
  return answered;
}
