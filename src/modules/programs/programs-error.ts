import { defineErrors, type ErrorAnswer, ModuleError } from '../../platform/errors.js';

/**
 * The typed error of the programs module, registered with the platform's one error registry
 * so the problem handler answers it as problem+json.
 *
 * @example
 *   throw new ProgramsError('AMP_RULE_INVALID', "'x' is not a declared attribute", errors); // refused
 */
export const programsErrorCodes = [
  /**
   * An eligibility rule or benefit formula that cannot be accepted: syntax, types, an
   * undeclared or forbidden name, a fact its purposes exclude, outside the compilable part
   * of CEL, over a bound, or not plannable at publication. Field errors carry the position.
   */
  'AMP_RULE_INVALID',
  /**
   * A cycle's eligible beneficiaries times the benefit exceed the program's budget cap: the
   * approval is refused with the figures, never truncated.
   */
  'AMP_BUDGET_EXCEEDED',
  /** A benefit formula fails (divides by zero, an unknown fact) or is negative for someone. */
  'AMP_FORMULA_FAILED',
  /**
   * An eligibility rule that cannot be evaluated in a batch run: its integer arithmetic
   * overflows 64 bits for some persons. The run is refused and writes nothing.
   */
  'AMP_RULE_FAILED',
  /** An appeal filed or decided on a cycle that is closed: nothing can be granted in it. */
  'AMP_APPEAL_CYCLE_CLOSED',
  /**
   * A new cycle the program's cadence does not allow: a second one of a `once` program, or a
   * second in the same calendar month (`monthly`) or quarter (`quarterly`).
   */
  'AMP_CYCLE_CADENCE',
] as const;

export type ProgramsErrorCode = (typeof programsErrorCodes)[number];

export class ProgramsError extends ModuleError<ProgramsErrorCode> {
  override readonly name = 'ProgramsError';
}

const programsAnswers: Record<ProgramsErrorCode, ErrorAnswer> = {
  AMP_RULE_INVALID: { status: 422, title: 'The eligibility rule or benefit formula is not valid' },
  AMP_BUDGET_EXCEEDED: { status: 409, title: "The cycle would exceed the program's budget cap" },
  AMP_FORMULA_FAILED: {
    status: 422,
    title: 'The benefit formula gives no valid amount for some beneficiaries',
  },
  AMP_RULE_FAILED: {
    status: 422,
    title: 'The eligibility rule cannot be evaluated for some persons',
  },
  AMP_APPEAL_CYCLE_CLOSED: {
    status: 409,
    title: 'The cycle is closed: an appeal can no longer be filed or granted in it',
  },
  AMP_CYCLE_CADENCE: {
    status: 409,
    title: "The program's cadence allows no other cycle for that period",
  },
};

defineErrors({
  errorClass: ProgramsError,
  answers: programsAnswers,
  example: (code) => new ProgramsError(code, `Example of ${code}.`),
});
