import type { CheckedRule } from './rule-checker.js';
import { ruleVariables } from './rule-environment.js';

/**
 * Evaluates a checked rule for one person in memory, with CEL's own semantics: a fact that is
 * unknown (null or missing) is left out of the context, so a clause that needs it is an error,
 * and `&&`/`||` absorb errors the way SQL's AND/OR absorb NULL. Only `true` makes a person
 * eligible; `false` and an error both leave them out.
 *
 * @example
 *   evaluateRule(checkRule('age >= 65', 'bool', 'rule'), { age: 70n }); // 'true'
 *   evaluateRule(checkRule('age >= 65', 'bool', 'rule'), { age: null }); // 'unknown'
 */
export type RuleOutcome = 'true' | 'false' | 'unknown';

/** The CEL context for a row of eligibility facts: unknown facts left out, ints as bigint. */
export function factsContext(facts: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  for (const [name, fact] of ruleVariables().byName) {
    const value = facts[name];
    if (value === null || value === undefined) continue;
    context[name] = fact.type === 'int' ? toBigInt(value) : value;
  }
  return context;
}

function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  throw new Error(`an int fact holds ${typeof value}`);
}

/** Runs the rule or formula on one context; `undefined` when CEL raises an error. */
export function evaluateSource(source: string, context: Record<string, unknown>): unknown {
  try {
    return ruleVariables().environment.evaluate(source, context);
  } catch {
    return undefined;
  }
}

export function evaluateRule(
  rule: CheckedRule,
  facts: Readonly<Record<string, unknown>>,
): RuleOutcome {
  const value = evaluateSource(rule.source, factsContext(facts));
  if (value === true) return 'true';
  return value === false ? 'false' : 'unknown';
}

/**
 * As `evaluateRule`, for a batch run: an error that is an integer overflow is told apart
 * (`'overflow'`), since a batch refuses a rule that overflows for someone (rule-overflow.ts)
 * where one person's explanation shows it as unknown.
 */
export function evaluateRuleInBatch(
  rule: CheckedRule,
  facts: Readonly<Record<string, unknown>>,
): RuleOutcome | 'overflow' {
  let value: unknown;
  try {
    value = ruleVariables().environment.evaluate(rule.source, factsContext(facts));
  } catch (error) {
    return (error as { code?: unknown }).code === 'numeric_overflow' ? 'overflow' : 'unknown';
  }
  if (value === true) return 'true';
  return value === false ? 'false' : 'unknown';
}

/** A benefit formula's amount in minor units, or undefined when it cannot be computed. */
export function evaluateFormula(
  formula: CheckedRule,
  facts: Readonly<Record<string, unknown>>,
): bigint | undefined {
  const value = evaluateSource(formula.source, factsContext(facts));
  return typeof value === 'bigint' ? value : undefined;
}
