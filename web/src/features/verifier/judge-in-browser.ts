import type { VerificationKey } from '../../../../src/shared/claim169/codec-primitives.js';
import { issuingPeriodProblem } from '../../../../src/shared/claim169/issuing-period.js';
import {
  judgeCredentialWith,
  type TrustedKeys,
  type Verdict,
} from '../../../../src/shared/claim169/verdict.js';
import { webPrimitives } from '../../../../src/shared/claim169/web-primitives.js';
import { type BrowserRevocations, credentialIdOf } from './revocation-list-reader.js';
import { type BrowserTrustList, keysForKid } from './trust-list-reader.js';

/**
 * The offline verdict on a card's QR text, computed entirely in the browser: the server's own
 * verdict rules (src/shared/claim169/verdict.ts) with the codec's web primitives, the trust
 * list and the revocations this page holds. Never says `valid` for anything else, and never
 * throws.
 *
 * @example
 *   const verdict = await judgeInBrowser(qrText, trustList, Date.now() / 1000, revocations);
 *   verdict.status; // 'valid'
 */
export function judgeInBrowser(
  rawText: string,
  list: BrowserTrustList,
  nowSeconds: number,
  revocations?: BrowserRevocations,
): Promise<Verdict> {
  // Only line breaks and tabs around a pasted text are dropped: a space is a base45 character,
  // and a genuine card's text can end with one.
  return judgeCredentialWith(rawText.replace(/^[\r\n\t]+|[\r\n\t]+$/g, ''), {
    primitives: webPrimitives,
    trusted: trustedKeysOf(list),
    now: Math.floor(nowSeconds),
    revocations: revocations && {
      reasonForPayload: async (payload) =>
        revocations.reasonForCredential(await credentialIdOf(payload)),
    },
  });
}

/** The verdict's view of a trust list read in the browser. */
export function trustedKeysOf(list: BrowserTrustList): TrustedKeys {
  return {
    issuerName: list.issuerName,
    resolveKeys: (kid) => keysForKid(list, kid),
    keyPeriodProblem(key: VerificationKey, cwt) {
      const entry = list.keys.find((candidate) => candidate.publicKey === key.publicKey);
      if (entry === undefined) return 'the key is not in the trust list';
      return issuingPeriodProblem(entry, cwt, list.credentialValiditySecondsMax);
    },
  };
}
