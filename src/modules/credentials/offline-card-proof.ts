import type { KeyStore } from '../../platform/crypto/key-store.js';
import { judgeCredentialWith } from '../../shared/claim169/verdict.js';
import { credentialIdFromPayload } from './card-payload.js';
import { threadPoolPrimitives } from './node-primitives.js';
import { serverTrustedKeys } from './server-trusted-keys.js';

/** A card's QR text as an offline receipt carries it, and the moment the device scanned it. */
export interface OfflineCardShown {
  qrText: string;
  at: Date;
}

/**
 * What the QR text of an offline receipt proves: the id of the card it is (hex, from its signed
 * payload) when the issuer's signature verified, and why it could not be used at the receipt's
 * moment — `outside-validity` (authentic, but expired or not yet valid then) or `invalid`
 * (forged, signed by a key the server does not hold, unreadable) — or null.
 */
export interface OfflineCardProof {
  credentialId: string | null;
  problem: 'outside-validity' | 'invalid' | null;
}

/**
 * Verifies the cards shown in offline receipts (distribution's sync; issue #15, point 5): the
 * one verdict as online (`judgeCredentialWith` with the issuer keys the server holds, so a key
 * removed since — a compromised one — verifies nothing), judged at each receipt's moment rather
 * than now, so a card that expired after the hand-over still proves it. Revocation is not judged
 * here: the sync reads each card's row (`offlineCardHolders`) for its state at that moment. No
 * database read; one Ed25519 verification per distinct (text, second), all of them at once on
 * libuv's thread pool (`threadPoolPrimitives`), so a sync can read its batch meanwhile.
 *
 * @example
 *   const [proof] = await offlineCardProofs(keys, [{ qrText, at: new Date(receipt.deviceTime) }]);
 *   proof.credentialId === receipt.credentialId && proof.problem === null; // the card was shown
 */
export async function offlineCardProofs(
  keys: KeyStore,
  shown: readonly OfflineCardShown[],
): Promise<OfflineCardProof[]> {
  const trusted = serverTrustedKeys(keys);
  const judged = new Map<string, Promise<OfflineCardProof>>();
  return Promise.all(
    shown.map(({ qrText, at }) => {
      const now = Math.floor(at.getTime() / 1000);
      const key = `${now}|${qrText}`;
      let proof = judged.get(key);
      if (proof === undefined) {
        proof = proofOf(qrText, now, trusted);
        judged.set(key, proof);
      }
      return proof;
    }),
  );
}

async function proofOf(
  qrText: string,
  now: number,
  trusted: ReturnType<typeof serverTrustedKeys>,
): Promise<OfflineCardProof> {
  let credentialId: string | null = null;
  const verdict = await judgeCredentialWith(qrText, {
    primitives: threadPoolPrimitives,
    trusted,
    now,
    // Called for an authentic card only: its id is read from the payload the decode opened.
    revocations: {
      reasonForPayload: (payload) => {
        credentialId = Buffer.from(credentialIdFromPayload(payload)).toString('hex');
        return undefined;
      },
    },
  });
  if (verdict.status === 'valid' && credentialId !== null) return { credentialId, problem: null };
  if (verdict.status === 'expired' || verdict.status === 'not-yet-valid') {
    return { credentialId: null, problem: 'outside-validity' };
  }
  return { credentialId: null, problem: 'invalid' };
}
