import type { CodecPrimitives } from '../../shared/claim169/codec-primitives.js';
import {
  judgeCredentialWith,
  type Verdict as SharedVerdict,
  type TrustedKeys,
} from '../../shared/claim169/verdict.js';
import { credentialIdFromPayload } from './card-payload.js';
import { nodePrimitives } from './node-primitives.js';
import type { RevocationReason, RevocationState } from './revocation-list.js';

export {
  type DisclosedFields,
  type VerdictStatus,
  verdictStatuses,
} from '../../shared/claim169/verdict.js';

/** The verifier's answer; the rules are src/shared/claim169/verdict.ts, shared with the browser. */
export type Verdict = SharedVerdict<RevocationReason>;

export interface VerifyContext {
  trusted: TrustedKeys;
  revocations?: RevocationState;
  /** Seconds since 1970. */
  now: number;
  primitives?: CodecPrimitives;
}

/**
 * Judges QR text on the server and in `amparo verify`: the shared verdict with the Node
 * primitives (unless others are given) and the revocation list the server holds.
 *
 * @example
 * const verdict = await judgeCredential(text, { trusted, revocations, now: nowSeconds() });
 * verdict.status; // 'valid' | 'revoked' | …
 */
export function judgeCredential(text: unknown, context: VerifyContext): Promise<Verdict> {
  const { revocations } = context;
  return judgeCredentialWith(text, {
    primitives: context.primitives ?? nodePrimitives,
    trusted: context.trusted,
    now: context.now,
    // The id is hashed from the payload the decode already opened: no second base45/zlib pass.
    revocations: revocations && {
      reasonForPayload: (payload) => revocations.reasonFor(credentialIdFromPayload(payload)),
    },
  });
}
