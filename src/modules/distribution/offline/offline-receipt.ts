import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import { canonicalJson } from '../../credentials/index.js';
import type { AssistedReason } from '../tables.js';
import type { OfflineLine } from './offline-tables.js';

export const offlineReceiptFormat = 'amparo.offline-receipt.v1';
/** A hand-over without the card, with a household member's card (`assisted` set). */
export const offlineAssistedReceiptFormat = 'amparo.offline-receipt.v2';

/**
 * A redemption a device made with the network off (issue #15, point 5): which card (its
 * credential id, read from the QR), which entitlement, what was handed over, when by the
 * device's clock and with which snapshot. The device signs the canonical JSON of exactly these
 * fields with its own Ed25519 key (`offlineReceiptMessage`); its id is the sync's idempotency key.
 *
 * @example
 *   const message = offlineReceiptMessage(pointId, deviceId, receipt); // signed on the device
 *   await offlineSignatureCheck(publicKey, message, receipt.signature); // true
 */
export interface OfflineReceiptInput {
  receiptId: string;
  snapshotId: string;
  entitlementId: string;
  /**
   * 32 hex digits, as the card's QR gives it: the holder's card, or — for a hand-over without
   * the card (`assisted`) — the household member's card scanned in its place.
   */
  credentialId: string;
  /**
   * Set for a hand-over without the person's card (issue #15, point 4 offline): why there was
   * no card, and the operator the snapshot was issued to (who served). Signed as format v2.
   */
  assisted?: OfflineAssisted | undefined;
  lines: OfflineLine[];
  /** The device's clock at the redemption, Unix milliseconds. */
  deviceTime: number;
  /** Ed25519 signature (base64url) of `offlineReceiptMessage`. */
  signature: string;
}

export interface OfflineAssisted {
  reason: AssistedReason;
  operatorId: string;
}

export function offlineReceiptMessage(
  pointId: string,
  deviceId: string,
  receipt: OfflineReceiptInput,
): Buffer {
  const { assisted } = receipt;
  return Buffer.from(
    canonicalJson({
      format: assisted === undefined ? offlineReceiptFormat : offlineAssistedReceiptFormat,
      receiptId: receipt.receiptId,
      pointId,
      deviceId,
      snapshotId: receipt.snapshotId,
      entitlementId: receipt.entitlementId,
      credentialId: receipt.credentialId,
      lines: receipt.lines.map((line) => ({ item: line.item, quantity: line.quantity })),
      deviceTime: receipt.deviceTime,
      ...(assisted === undefined
        ? {}
        : { mode: 'household', reason: assisted.reason, operatorId: assisted.operatorId }),
    }),
    'utf8',
  );
}

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the 32 raw key bytes follow it. */
const ed25519SpkiPrefix = Buffer.from('302a300506032b6570032100', 'hex');

/** A device's registered raw public key as a key object (made once per sync). */
export function devicePublicKey(rawPublicKey: Buffer): KeyObject {
  return createPublicKey({
    key: Buffer.concat([ed25519SpkiPrefix, rawPublicKey]),
    format: 'der',
    type: 'spki',
  });
}

/**
 * Whether the device's Ed25519 signature (64 bytes, base64url) holds for the message. Checked on
 * libuv's thread pool (node:crypto's callback form, the same OpenSSL check as the one-shot
 * `verify`), so that a sync's 500 receipts are checked on every core while the main thread reads
 * the batch's cards and entitlements. Rejects only where the one-shot `verify` would throw.
 */
export function offlineSignatureCheck(
  key: KeyObject,
  message: Buffer,
  signature: string,
): Promise<boolean> {
  const bytes = Buffer.from(signature, 'base64url');
  if (bytes.length !== 64) return Promise.resolve(false);
  return new Promise((resolve, reject) => {
    verify(null, message, key, bytes, (error, holds) => {
      if (error === null) resolve(holds);
      else reject(error);
    });
  });
}
