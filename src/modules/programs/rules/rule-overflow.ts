import type { ASTNode } from '@marcbachmann/cel-js';
import { ProgramsError } from '../programs-error.js';
import { type CheckedRule, childNodes } from './rule-checker.js';

/**
 * Integer overflow in a rule or a benefit formula, turned into a clear refusal. CEL's ints are
 * 64-bit and an overflow is an error (`numeric_overflow`); PostgreSQL's int8 arithmetic raises
 * SQLSTATE 22003 ("bigint out of range") and aborts the statement. A batch run over a rule that
 * overflows for someone therefore cannot give a faithful answer for them, and a bare database
 * error says nothing to the officer: the run is refused with `AMP_RULE_FAILED` (the rule) or
 * `AMP_FORMULA_FAILED` (the formula), and the caller's transaction writes nothing.
 *
 * Only arithmetic can overflow (comparisons, `in`, `&&`, `||`, `!` cannot), so a rule without
 * any is never checked beforehand: the common rules pay nothing.
 *
 * @example
 *   canOverflow(checkRule('age * 1000 > 5', 'bool', 'r'));   // true
 *   await refusingOverflow('rule', () => query.execute(db)); // AMP_RULE_FAILED on 22003
 */
const arithmetic: ReadonlySet<string> = new Set(['+', '-', '*', '/', '%', '-_']);

function hasArithmetic(node: ASTNode): boolean {
  return arithmetic.has(node.op) || childNodes(node).some(hasArithmetic);
}

/** True when evaluating the rule or formula can overflow a 64-bit integer. */
export function canOverflow(rule: CheckedRule | undefined): boolean {
  return rule !== undefined && hasArithmetic(rule.ast);
}

/** PostgreSQL's (and PGlite's) "numeric value out of range", SQLSTATE 22003. */
export function isSqlOverflow(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '22003'
  );
}

/** Which part of a run's SQL may have overflowed. */
export type OverflowSuspect = 'rule' | 'formula' | 'either';

/** The part that can overflow: the formula alone, or the rule (with or without the formula). */
export function overflowSuspect(parts: {
  rule: CheckedRule;
  formula?: CheckedRule | undefined;
}): OverflowSuspect {
  if (!canOverflow(parts.formula)) return 'rule';
  return canOverflow(parts.rule) ? 'either' : 'formula';
}

/** What a run refuses with when its SQL overflowed. */
export function overflowRefusal(suspect: OverflowSuspect): ProgramsError {
  if (suspect === 'formula') {
    return new ProgramsError(
      'AMP_FORMULA_FAILED',
      'The benefit formula overflows a 64-bit integer for some eligible persons; nothing was written',
    );
  }
  return new ProgramsError(
    'AMP_RULE_FAILED',
    suspect === 'either'
      ? 'The eligibility rule or the benefit formula overflows a 64-bit integer for some persons; nothing was written'
      : 'The eligibility rule overflows a 64-bit integer for some persons; nothing was written',
  );
}

/** Runs `run`, turning an int8 overflow of its SQL into the clear refusal. */
export async function refusingOverflow<T>(
  suspect: OverflowSuspect,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isSqlOverflow(error)) throw overflowRefusal(suspect);
    throw error;
  }
}

/** The refusal when the workers found the rule overflowing for `count` candidates. */
export function workerOverflowRefusal(count: number): ProgramsError {
  return new ProgramsError(
    'AMP_RULE_FAILED',
    `The eligibility rule overflows a 64-bit integer for at least ${count} persons; nothing was written`,
  );
}
