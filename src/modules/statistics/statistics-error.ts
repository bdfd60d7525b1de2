import { defineErrors, type ErrorAnswer } from '../../platform/errors.js';

/**
 * The typed refusals of the statistics routes (issue #17, "bad input"): each is answered as
 * problem+json and the request is audited by the guard before it is refused.
 *
 * @example
 *   throw new StatisticsError('AMP_STATISTICS_BREAKDOWN_TOO_FINE', 'region.parish is not published');
 */
export const statisticsErrorCodes = [
  /** No published table has this code (or it is not open data, on the open-data route). */
  'AMP_STATISTICS_UNKNOWN_TABLE',
  /** The breakdown names a dimension the table does not have. */
  'AMP_STATISTICS_UNKNOWN_DIMENSION',
  /** The breakdown is finer than any the table publishes (a protected view). */
  'AMP_STATISTICS_BREAKDOWN_TOO_FINE',
  /** The table has not been computed yet: the refresh has not run. */
  'AMP_STATISTICS_NOT_REFRESHED',
] as const;

export type StatisticsErrorCode = (typeof statisticsErrorCodes)[number];

export class StatisticsError extends Error {
  override readonly name = 'StatisticsError';
  readonly code: StatisticsErrorCode;

  constructor(code: StatisticsErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

const answers: Record<StatisticsErrorCode, ErrorAnswer> = {
  AMP_STATISTICS_UNKNOWN_TABLE: { status: 404, title: 'No such published statistics table' },
  AMP_STATISTICS_UNKNOWN_DIMENSION: {
    status: 400,
    title: 'The breakdown names a dimension the table does not have',
  },
  AMP_STATISTICS_BREAKDOWN_TOO_FINE: {
    status: 400,
    title: 'The breakdown is finer than the table publishes',
  },
  AMP_STATISTICS_NOT_REFRESHED: { status: 409, title: 'The table has not been computed yet' },
};

defineErrors({
  errorClass: StatisticsError,
  answers,
  example: (code) => new StatisticsError(code, `Example of ${code}.`),
});
