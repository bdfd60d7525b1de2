import { createPublicKey, type KeyObject } from 'node:crypto';
import { canonicalJson, verifyOnThreadPool } from '../../credentials/index.js';
import type { AssistedReason } from '../tables.js';
import type { OfflineLine } from './offline-tables.js';

/** Receipt formats of app versions before card proofs: accepted only to be refused by name. */
export const offlineReceiptFormat = 'amparo.offline-receipt.v1';
/** A hand-over without the card, with a household member's card (`assisted` set). */
export const offlineAssistedReceiptFormat = 'amparo.offline-receipt.v2';
/**
 * With the card's QR text (`qrText`): the card, or the household member's card (`mode`). Made by
 * app versions before the device's local unlock, without the operator: accepted only to be
 * refused by name (`AMP_OFFLINE_OPERATOR_MISSING`).
 */
export const offlineProvenReceiptFormat = 'amparo.offline-receipt.v3';
/** As v3, and the operator who unlocked the device and made the hand-over (`servedBy`). */
export const offlineOperatorReceiptFormat = 'amparo.offline-receipt.v4';
/**
 * As v4, with the card's id and QR text sealed to the server (`sealedProof`,
 * sealed-card-proof.ts) instead of in clear: the device keeps neither (review finding F3).
 */
export const offlineSealedReceiptFormat = 'amparo.offline-receipt.v5';

/**
 * A redemption a device made with the network off (issue #15, point 5): which card (its
 * credential id, read from the QR) and the card's own proof — the QR text the device scanned,
 * signed by the issuer — which entitlement, what was handed over, when by the device's clock and
 * with which snapshot. The device signs the canonical JSON of exactly these fields with its own
 * Ed25519 key (`offlineReceiptMessage`), so the proof cannot be swapped; its id is the sync's
 * idempotency key. A receipt without `qrText` is of an app version before card proofs (formats
 * v1 and v2): its signature is still checked, then it is refused
 * (`AMP_OFFLINE_CARD_PROOF_MISSING`).
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
   * The QR text of that card as the device scanned and verified it (format v3). The sync
   * verifies it as online and checks it is the card `credentialId` names; it is not stored (it
   * carries the holder's name, date of birth and photo). Absent from receipts of older apps.
   */
  qrText?: string | undefined;
  /**
   * The operator (account id) who unlocked the device with their passphrase and made the
   * hand-over (format v4, review finding F5). The sync counts the receipt only if that operator
   * was an active distribution operator assigned to the point at `deviceTime`. Absent from
   * receipts of older apps (refused, `AMP_OFFLINE_OPERATOR_MISSING`).
   */
  servedBy?: string | undefined;
  /**
   * Format v5: `credentialId` and `qrText` sealed to the server's card-proof key
   * (sealed-card-proof.ts), which the sync opens before it checks them as v4's.
   */
  sealedProof?: string | undefined;
  /**
   * Set for a hand-over without the person's card (issue #15, point 4 offline): why there was
   * no card, and the operator the snapshot was issued to (who served).
   */
  assisted?: OfflineAssisted | undefined;
  lines: OfflineLine[];
  /** The device's clock at the redemption, Unix milliseconds. */
  deviceTime: number;
  /** Ed25519 signature (base64url) of `offlineReceiptMessage`. */
  signature: string;
}

/** A receipt as a device sends it: a v5 one carries its card only sealed (`sealedProof`). */
export type OfflineReceiptWire = Omit<OfflineReceiptInput, 'credentialId'> & {
  credentialId?: string | undefined;
};

export interface OfflineAssisted {
  reason: AssistedReason;
  operatorId: string;
}

/**
 * The bytes a device signs: the canonical JSON of the receipt's fields, the point and the
 * device. Format v5 with `sealedProof` and `servedBy` (the card only sealed), v4 with `servedBy`
 * and `qrText`, v3 with `qrText` only (`mode` card or household); v1 or v2 without either.
 */
export function offlineReceiptMessage(
  pointId: string,
  deviceId: string,
  receipt: OfflineReceiptWire,
): Buffer {
  const { assisted, qrText, servedBy, sealedProof } = receipt;
  const household =
    assisted === undefined
      ? {}
      : { mode: 'household', reason: assisted.reason, operatorId: assisted.operatorId };
  if (sealedProof !== undefined) {
    return Buffer.from(
      canonicalJson({
        format: offlineSealedReceiptFormat,
        receiptId: receipt.receiptId,
        pointId,
        deviceId,
        snapshotId: receipt.snapshotId,
        entitlementId: receipt.entitlementId,
        lines: receipt.lines.map((line) => ({ item: line.item, quantity: line.quantity })),
        deviceTime: receipt.deviceTime,
        mode: 'card',
        ...household,
        sealedProof,
        servedBy: servedBy ?? null,
      }),
      'utf8',
    );
  }
  return Buffer.from(
    canonicalJson({
      format:
        qrText !== undefined
          ? servedBy !== undefined
            ? offlineOperatorReceiptFormat
            : offlineProvenReceiptFormat
          : assisted === undefined
            ? offlineReceiptFormat
            : offlineAssistedReceiptFormat,
      receiptId: receipt.receiptId,
      pointId,
      deviceId,
      snapshotId: receipt.snapshotId,
      entitlementId: receipt.entitlementId,
      credentialId: receipt.credentialId ?? '',
      lines: receipt.lines.map((line) => ({ item: line.item, quantity: line.quantity })),
      deviceTime: receipt.deviceTime,
      ...(qrText === undefined ? household : { mode: 'card', ...household, qrText }),
      ...(qrText === undefined || servedBy === undefined ? {} : { servedBy }),
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
 * Whether the device's Ed25519 signature (64 bytes, base64url) holds for the message, checked on
 * libuv's thread pool by the one check the cards' proofs use too (credentials'
 * `verifyOnThreadPool`), so that a sync's 500 receipts are checked on every core while the main
 * thread reads the batch's cards and entitlements. Rejects only where the one-shot `verify`
 * would throw.
 */
export function offlineSignatureCheck(
  key: KeyObject,
  message: Buffer,
  signature: string,
): Promise<boolean> {
  const bytes = Buffer.from(signature, 'base64url');
  if (bytes.length !== 64) return Promise.resolve(false);
  return verifyOnThreadPool('EdDSA', key, message, bytes);
}
