import { defineErrors, type ErrorAnswer, ModuleError } from '../../../platform/errors.js';

/**
 * The typed error of the money controls (issue #16, point 7): daily limits and two-person
 * adjustments. Each refusal posts nothing.
 *
 * @example
 *   throw new ControlsError('AMP_WALLET_DAILY_LIMIT', 'The wallet has 1200.00 VES left today');
 */
export const controlsErrorCodes = [
  /** A payment or debit would take the wallet past its daily limit. */
  'AMP_WALLET_DAILY_LIMIT',
  /** The proposer of an adjustment tried to decide it: a second person must. */
  'AMP_ADJUSTMENT_SAME_PERSON',
  /** The adjustment was already decided (or is being applied). */
  'AMP_ADJUSTMENT_DECIDED',
  /** An adjustment that cannot be made: same accounts, another currency, a wallet not frozen. */
  'AMP_ADJUSTMENT_INVALID',
  /** A manual adjustment would debit or credit a frozen wallet: only the documented move may. */
  'AMP_ADJUSTMENT_WALLET_FROZEN',
  /**
   * A frozen-balance move into a survivor's wallet frozen after the move was proposed: proposed
   * again, it goes where the survivor's own balance goes.
   */
  'AMP_ADJUSTMENT_DESTINATION_FROZEN',
] as const;

export type ControlsErrorCode = (typeof controlsErrorCodes)[number];

export class ControlsError extends ModuleError<ControlsErrorCode> {
  override readonly name = 'ControlsError';
}

const controlsAnswers: Record<ControlsErrorCode, ErrorAnswer> = {
  AMP_WALLET_DAILY_LIMIT: {
    status: 409,
    title: "The payment would pass the wallet's daily limit; nothing was posted",
  },
  AMP_ADJUSTMENT_SAME_PERSON: {
    status: 403,
    title: 'An adjustment is decided by another finance officer than the one who proposed it',
  },
  AMP_ADJUSTMENT_DECIDED: { status: 409, title: 'The adjustment was already decided' },
  AMP_ADJUSTMENT_INVALID: { status: 422, title: 'The adjustment cannot be made' },
  AMP_ADJUSTMENT_WALLET_FROZEN: {
    status: 409,
    title:
      "A frozen wallet's balance is moved only by the frozen-balance process; nothing was posted",
  },
  AMP_ADJUSTMENT_DESTINATION_FROZEN: {
    status: 409,
    title:
      "The survivor's wallet was frozen after this move was proposed; nothing was posted: reject it and propose the move again",
  },
};

defineErrors({
  errorClass: ControlsError,
  answers: controlsAnswers,
  example: (code) => new ControlsError(code, `Example of ${code}.`),
});
