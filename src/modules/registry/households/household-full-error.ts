import { defineErrors, type FieldError } from '../../../platform/errors.js';
import { refusedField } from '../../../shared/import/refusals.js';
import { registryWriteLimits } from '../search/limits.js';

const { householdMembersMax } = registryWriteLimits;

/**
 * A person may not join a household that already has `householdMembersMax` members, on
 * online enrolment or on a move, as an import may not bring a larger one (src/limits.ts).
 * Answered 409 AMP_HOUSEHOLD_FULL with the household as the field at fault.
 *
 * @example
 *   throw new HouseholdFullError('body/household');
 */
export class HouseholdFullError extends Error {
  override readonly name = 'HouseholdFullError';
  readonly code = 'AMP_HOUSEHOLD_FULL';
  readonly errors: readonly FieldError[];

  /** `fieldPrefix` is where the request names the household: `body` or `body/household`. */
  constructor(fieldPrefix: string) {
    super(
      `The household already has ${householdMembersMax} members, the most one may have; ` +
        'choose another household or a new one',
    );
    this.errors = [
      refusedField(`${fieldPrefix}/householdId`, 'household_full', { max: householdMembersMax }),
    ];
  }
}

defineErrors({
  errorClass: HouseholdFullError,
  answers: { AMP_HOUSEHOLD_FULL: { status: 409, title: 'The household is full' } },
  example: () => new HouseholdFullError('body'),
});
