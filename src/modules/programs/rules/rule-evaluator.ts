import type { ParseResult } from '@marcbachmann/cel-js';
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

/**
 * The CEL context for a row of eligibility facts: unknown facts left out, ints as bigint.
 * With `names`, only those facts (a rule's variables): the rest cannot change its value.
 */
export function factsContext(
  facts: Readonly<Record<string, unknown>>,
  names?: readonly string[],
): Record<string, unknown> {
  const { byName } = ruleVariables();
  const context: Record<string, unknown> = {};
  for (const name of names ?? byName.keys()) {
    const fact = byName.get(name);
    const value = facts[name];
    if (fact === undefined || value === null || value === undefined) continue;
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

/**
 * Parsed and type-checked expressions by source. `Environment.evaluate(source)` parses and
 * type-checks on every call (two thirds of the time of a three-clause rule); a batch or an
 * explanation evaluates the same few sources again and again. Bounded: the oldest goes first.
 */
const parsedBySource = new Map<string, ParseResult>();
const parsedMax = 256;

function parsed(source: string): ParseResult {
  let found = parsedBySource.get(source);
  if (found === undefined) {
    found = ruleVariables().environment.parse(source);
    // Checked once: the evaluation then skips its own type-checking pass.
    found.check();
    if (parsedBySource.size >= parsedMax) {
      const oldest = parsedBySource.keys().next().value;
      if (oldest !== undefined) parsedBySource.delete(oldest);
    }
    parsedBySource.set(source, found);
  }
  return found;
}

/** Runs the rule or formula on one context, or throws CEL's error. */
function evaluateOrThrow(source: string, context: Record<string, unknown>): unknown {
  return parsed(source)(context);
}

/** Runs the rule or formula on one context; `undefined` when CEL raises an error. */
export function evaluateSource(source: string, context: Record<string, unknown>): unknown {
  try {
    return evaluateOrThrow(source, context);
  } catch {
    return undefined;
  }
}

function outcomeOf(value: unknown): RuleOutcome {
  if (value === true) return 'true';
  return value === false ? 'false' : 'unknown';
}

export function evaluateRule(
  rule: CheckedRule,
  facts: Readonly<Record<string, unknown>>,
): RuleOutcome {
  return outcomeOf(evaluateSource(rule.source, factsContext(facts, rule.variables)));
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
  try {
    return outcomeOf(evaluateOrThrow(rule.source, factsContext(facts, rule.variables)));
  } catch (error) {
    return (error as { code?: unknown }).code === 'numeric_overflow' ? 'overflow' : 'unknown';
  }
}

/** A benefit formula's amount in minor units, or undefined when it cannot be computed. */
export function evaluateFormula(
  formula: CheckedRule,
  facts: Readonly<Record<string, unknown>>,
): bigint | undefined {
  const value = evaluateSource(formula.source, factsContext(facts, formula.variables));
  return typeof value === 'bigint' ? value : undefined;
}
