import { type UinProblem, uinProblem } from '../../../src/shared/uin/uin-rules.js';

/**
 * What to say about an ID number while it is typed, with the server's own rules (10 digits,
 * Verhoeff check digit last): a wrong character or check digit at once, a number still too
 * short only once the person tries to go on (`submitted`), so typing is not met with an error
 * at every keystroke. The message is `uin.problem.<problem>` in the console's language.
 *
 * @example
 *   uinFeedback('5072946181', false); // 'check_digit'
 *   uinFeedback('50729', false);      // null: still typing
 *   uinFeedback('50729', true);       // 'incomplete'
 */
export function uinFeedback(value: string, submitted: boolean): UinProblem | null {
  if (value === '') return submitted ? 'incomplete' : null;
  const problem = uinProblem(value);
  return problem === 'incomplete' && !submitted ? null : problem;
}

/** Digits only, as a person may type or paste "507 294 6180" or "507-294-6180". */
export function uinDigits(typed: string): string {
  return typed.replace(/[\s.-]/g, '');
}

export type { UinProblem };
