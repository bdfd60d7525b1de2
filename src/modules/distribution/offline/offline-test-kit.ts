import { generateKeyPairSync, type KeyObject, randomUUID, sign } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { decodeBase45, encodeBase45 } from '../../../shared/claim169/base45.js';
import { sealCardProof } from '../../../shared/offline/sealed-card-proof.js';
import { registrationMessage } from '../devices/device-service.js';
import {
  type OfflineAssisted,
  type OfflineReceiptInput,
  type OfflineReceiptWire,
  offlineReceiptMessage,
} from './offline-receipt.js';
import type { OfflineLine } from './offline-tables.js';
import { snapshotEntryTag } from './snapshot-card-key.js';

/**
 * A device as the point-of-service app makes one (an Ed25519 key pair that never leaves it),
 * for tests and benchmarks: its registration body, and receipts signed as the app signs them.
 *
 * @example
 *   const device = offlineDevice(operator.operatorId);
 *   await register(device.registration(pointId));
 *   const receipt = device.receipt(pointId, deviceId, { snapshotId, entitlementId, credentialId, qrText, lines });
 *   const v5 = await device.sealedReceipt(pointId, deviceId, { ...props, sealTo: snapshot.proofKey });
 */
export interface OfflineDevice {
  registration(
    pointId: string,
    label?: string,
  ): { publicKey: string; proof: string; label: string };
  receipt(pointId: string, deviceId: string, props: DeviceReceiptProps): OfflineReceiptWire;
  /**
   * A receipt v5: the card's id and QR text sealed to the snapshot's `proofKey` (base64url) with
   * the console's own sealing (src/shared/offline/sealed-card-proof.ts), then signed; it carries
   * neither in clear.
   */
  sealedReceipt(
    pointId: string,
    deviceId: string,
    props: DeviceReceiptProps & { qrText: string; sealTo: string },
  ): Promise<OfflineReceiptWire>;
  privateKey: KeyObject;
}

interface DeviceReceiptProps {
  snapshotId: string;
  entitlementId: string;
  credentialId: string;
  /**
   * The scanned card's QR text, signed with the receipt (format v3); left out, the receipt
   * is signed as an app from before card proofs signed it (v1, or v2 with `assisted`).
   */
  qrText?: string;
  lines: OfflineLine[];
  deviceTime?: number;
  receiptId?: string;
  /** Without the person's card: `credentialId` is then a household member's card. */
  assisted?: OfflineAssisted;
  /**
   * The operator who made it (format v4, with `qrText`); the device's own when left out, and
   * none with null (signed as an app from before the local unlock signed it, v3).
   */
  servedBy?: string | null;
}

/** `servedBy`: the operator who unlocked the device, named in its receipts unless one says otherwise. */
export function offlineDevice(servedBy?: string): OfflineDevice {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('base64url');
  return {
    privateKey,
    registration: (pointId, label = 'Tablet') => ({
      publicKey: raw,
      proof: sign(null, registrationMessage(pointId, raw), privateKey).toString('base64url'),
      label,
    }),
    receipt(pointId, deviceId, props) {
      return signed(pointId, deviceId, unsignedOf(props));
    },
    async sealedReceipt(pointId, deviceId, props) {
      const { credentialId, qrText, ...rest } = unsignedOf(props);
      const sealedProof = await sealCardProof(props.sealTo, rest.receiptId, {
        credentialId,
        qrText: qrText ?? '',
      });
      return signed(pointId, deviceId, { ...rest, sealedProof });
    },
  };

  function unsignedOf(props: DeviceReceiptProps): OfflineReceiptInput {
    const unsigned: OfflineReceiptInput = {
      receiptId: props.receiptId ?? randomUUID(),
      snapshotId: props.snapshotId,
      entitlementId: props.entitlementId,
      credentialId: props.credentialId,
      ...(props.qrText === undefined ? {} : { qrText: props.qrText }),
      lines: props.lines,
      deviceTime: props.deviceTime ?? Date.now() - 1000,
      signature: '',
      ...(props.assisted === undefined ? {} : { assisted: props.assisted }),
    };
    const operator = props.servedBy === undefined ? servedBy : (props.servedBy ?? undefined);
    if (operator !== undefined && props.qrText !== undefined) unsigned.servedBy = operator;
    return unsigned;
  }

  function signed(pointId: string, deviceId: string, wire: OfflineReceiptWire): OfflineReceiptWire {
    const message = offlineReceiptMessage(pointId, deviceId, wire);
    return { ...wire, signature: sign(null, message, privateKey).toString('base64url') };
  }
}

/** The entitlement id as a snapshot entry carries it (16 bytes, base64url) back to a UUID. */
export function entitlementIdOfEntry(compact: string): string {
  const hex = Buffer.from(compact, 'base64url').toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A card's tag in a snapshot's entries (format v2: keyed by the snapshot's salt). */
export function cardHashOf(snapshot: { salt: string }, credentialIdHex: string): string {
  return snapshotEntryTag(snapshot.salt, credentialIdHex);
}

/**
 * A card's QR text with one bit of its issuer signature flipped: well formed, not signed (what a
 * receipt carries as a forged card proof).
 */
export function forgedSignature(qrText: string): string {
  const cose = inflateSync(decodeBase45(qrText));
  cose[cose.length - 1] = (cose[cose.length - 1] as number) ^ 0x01;
  return encodeBase45(deflateSync(cose));
}
