import { defineErrors, type ErrorAnswer, ModuleError } from '../../../../platform/errors.js';

/**
 * The typed error of the bank files (issue #16, point 4): a payout instruction that cannot be
 * written into a `pain.001.001.09` file, or a file from the bank (`pain.002`, `camt.053`,
 * `camt.054`, MT940) that is not what it claims to be. A refused file changes nothing: it is
 * read completely before anything is posted. `errors` names where in the file (an XML path
 * or an MT940 line) and why, never the personal data it holds.
 *
 * @example
 *   throw new BankFileError('AMP_BANK_FILE_MALFORMED', 'Line 7: :61: has no amount');
 */
export const bankFileErrorCodes = [
  /** Not well-formed XML or MT940, or a required element or field is missing or wrong. */
  'AMP_BANK_FILE_MALFORMED',
  /** A message type or version Amparo does not read (e.g. a pain.008 or a camt.052). */
  'AMP_BANK_FILE_UNSUPPORTED',
  /** A well-formed bank file about a payout file or an account Amparo does not know. */
  'AMP_BANK_FILE_UNMATCHED',
  /** A payout instruction the payout file cannot carry (a text too long, an amount too large). */
  'AMP_PAYOUT_INSTRUCTION_INVALID',
  /** A payout file names a person whose data was erased: their creditor data is unreadable. */
  'AMP_PAYOUT_CREDITOR_ERASED',
] as const;

export type BankFileErrorCode = (typeof bankFileErrorCodes)[number];

export class BankFileError extends ModuleError<BankFileErrorCode> {
  override readonly name = 'BankFileError';
}

const bankFileAnswers: Record<BankFileErrorCode, ErrorAnswer> = {
  AMP_BANK_FILE_MALFORMED: {
    status: 422,
    title: 'The bank file is malformed; nothing was posted',
  },
  AMP_BANK_FILE_UNSUPPORTED: {
    status: 415,
    title: 'Amparo does not read this kind of bank file; nothing was posted',
  },
  AMP_BANK_FILE_UNMATCHED: {
    status: 422,
    title:
      'The bank file is about a payout file or an account Amparo does not know; nothing was posted',
  },
  AMP_PAYOUT_INSTRUCTION_INVALID: {
    status: 422,
    title: 'A payout instruction cannot be written into a pain.001 file',
  },
  AMP_PAYOUT_CREDITOR_ERASED: {
    status: 409,
    title:
      'The payout file names persons whose data was erased; their creditor data no longer exists, so the file is not written',
  },
};

defineErrors({
  errorClass: BankFileError,
  answers: bankFileAnswers,
  example: (code) => new BankFileError(code, `Example of ${code}.`),
});

/** Refuses a file: `where` is an XML path or "line N", `reason` a sentence without file data. */
export function malformed(where: string, reason: string): BankFileError {
  return new BankFileError('AMP_BANK_FILE_MALFORMED', `${where}: ${reason}`, [
    { field: where, reason },
  ]);
}
