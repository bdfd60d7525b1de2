import { ApiError } from '../../../api/client.js';

/**
 * The server's field errors keyed by the last part of their path (`body/attributes/sex` → `sex`,
 * `body/dateOfDeath` → `dateOfDeath`), so each form shows them on its own fields.
 *
 * @example
 *   serverFieldReasons(error).dateOfDeath; // 'is before birth_date'
 */
export function serverFieldReasons(error: unknown): Record<string, string> {
  const found: Record<string, string> = {};
  if (!(error instanceof ApiError)) return found;
  for (const problem of error.fieldProblems) {
    const name = problem.field.split('/').at(-1);
    if (name) found[name] = problem.reason;
  }
  return found;
}

/** True when the error is a problem with no field errors: shown as a notice, not on a field. */
export function isGeneralProblem(error: unknown): boolean {
  return error !== null && Object.keys(serverFieldReasons(error)).length === 0;
}
