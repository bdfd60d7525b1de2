import type { ASTNode } from '@marcbachmann/cel-js';
import { clauseSource } from './clause-source.js';
import { recordedFactWords } from './fact-words.js';
import { type CheckedRule, childNodes } from './rule-checker.js';
import { evaluateSource, factsContext, type RuleOutcome } from './rule-evaluator.js';
import { ruleWords } from './rule-words.js';

/**
 * Explains a rule for one person (issue #13, point 3a and 7): the rule is split into the
 * clauses joined by `&&` at its top, and each is evaluated on the person's facts and said in
 * plain Spanish and English (rule-words.ts: `||`, `!`, `?:`, `in` and arithmetic in words
 * too), with the facts it read. A denial names its first clause that did
 * not pass; an unknown fact is said as unknown, never as a failure of the person.
 *
 * @example
 *   explainRule(checkRule('age >= 60 && sex == "F"', 'bool', 'r'), { age: 70n, sex: 'M' })
 *     .failedClause?.text.en; // 'sex is female'
 */
export interface ClauseExplanation {
  /** The clause as written in the rule. */
  source: string;
  text: { es: string; en: string };
  outcome: RuleOutcome;
  /** The facts the clause read, as the person's record has them (null: unknown). */
  facts: Record<string, string | boolean | null>;
  /** The same facts in plain words, for the person (`recordedFactWords`). */
  factWords: Array<{ es: string; en: string }>;
}

/** The facts a clause read, each in plain words (fact-words.ts). */
export function factsInWords(
  facts: Readonly<Record<string, string | boolean | null>>,
): Array<{ es: string; en: string }> {
  return Object.entries(facts).map(([name, value]) => ({ ...recordedFactWords(name, value) }));
}

export interface RuleExplanation {
  outcome: RuleOutcome;
  clauses: ClauseExplanation[];
  /** The first clause that did not pass, when the person is not eligible. */
  failedClause: ClauseExplanation | undefined;
}

function topClauses(node: ASTNode): ASTNode[] {
  return node.op === '&&' ? [...topClauses(node.args[0]), ...topClauses(node.args[1])] : [node];
}

function readFacts(
  node: ASTNode,
  facts: Readonly<Record<string, unknown>>,
): Record<string, string | boolean | null> {
  const found: Record<string, string | boolean | null> = {};
  const visit = (current: ASTNode): void => {
    if (current.op === 'id') {
      const value = facts[current.args];
      found[current.args] =
        value === undefined || value === null
          ? null
          : typeof value === 'boolean'
            ? value
            : String(value);
      return;
    }
    for (const child of childNodes(current)) visit(child);
  };
  visit(node);
  return found;
}

function outcomeOf(value: unknown): RuleOutcome {
  if (value === true) return 'true';
  return value === false ? 'false' : 'unknown';
}

/** A clause of a rule in plain words, without a person: for a published rule or the editor. */
export interface ClauseDescription {
  source: string;
  text: { es: string; en: string };
}

/**
 * The rule's clauses in plain Spanish and English, the same words a denial uses, for anyone
 * reading a published rule or an officer writing one.
 *
 * @example
 *   describeRule(checkRule('age >= 60 && sex == "F"', 'bool', 'r'))[0]?.text.es;
 *   // 'la edad es al menos 60'
 */
export function describeRule(rule: CheckedRule): ClauseDescription[] {
  return topClauses(rule.ast).map((node) => {
    const source = clauseSource(rule.source, node);
    return { source, text: { es: ruleWords(node, 'es'), en: ruleWords(node, 'en') } };
  });
}

export function explainRule(
  rule: CheckedRule,
  facts: Readonly<Record<string, unknown>>,
): RuleExplanation {
  const context = factsContext(facts);
  const described = describeRule(rule);
  const clauses = topClauses(rule.ast).map((node, index) => {
    // Safe: describeRule walks the same top clauses in the same order.
    const clause = described[index] as ClauseDescription;
    const read = readFacts(node, facts);
    return {
      ...clause,
      outcome: outcomeOf(evaluateSource(clause.source, context)),
      facts: read,
      factWords: factsInWords(read),
    };
  });
  const outcome = outcomeOf(evaluateSource(rule.source, context));
  const failedClause =
    outcome === 'true' ? undefined : clauses.find((clause) => clause.outcome !== 'true');
  return { outcome, clauses, failedClause };
}
