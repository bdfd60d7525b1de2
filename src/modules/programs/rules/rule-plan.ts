import type { ASTNode } from '@marcbachmann/cel-js';
import { type RawBuilder, sql } from 'kysely';
import { programLimits } from '../limits.js';
import { ProgramsError } from '../programs-error.js';
import { clauseSource } from './clause-source.js';
import { type CheckedRule, childNodes } from './rule-checker.js';
import { ruleVariables } from './rule-environment.js';
import { compileCondition, compileRule } from './rule-sql.js';

/**
 * Where each part of a rule runs (issue #13, point 3b). Clear facts run in SQL over the
 * registry's facts relation; sealed facts (`disability_status`) are stored encrypted and can
 * only be decided after decryption, in worker threads. A rule over sealed facts is split:
 *
 * - **SQL narrows**: a condition over clear facts that every person the rule makes eligible
 *   meets (derived from the rule: `a && s` needs `a`; `a || s` needs nothing; `!(a && s)`
 *   needs nothing; `!(a || s)` needs `!a`), so only those rows are decrypted;
 * - **workers decide**: for each candidate, the sealed facts are opened and the whole rule is
 *   evaluated in CEL on the clear and opened facts — the per-person evaluator's semantics, so
 *   batch and explanation agree by construction.
 *
 * A formula over a sealed fact (an amount computed in SQL) cannot be planned and is refused
 * with `AMP_RULE_INVALID` when saved or published: never run slowly or silently skipped.
 *
 * @example
 *   planRule(checkRule('age >= 18 && disability_status != "none"', 'bool', 'r')).described;
 *   // { sql: 'age >= 18', workers: ['disability_status != "none"'], sealedFacts: ['disability_status'] }
 */
export interface RulePlanDescription {
  /** The narrowing condition run in SQL, in CEL; the whole rule when nothing is sealed. */
  readonly sql: string;
  /** The clauses decided after decryption in worker threads; empty when nothing is sealed. */
  readonly workers: readonly string[];
  readonly sealedFacts: readonly string[];
}

export interface RulePlan {
  readonly rule: CheckedRule;
  readonly described: RulePlanDescription;
  /** The SQL condition over the facts relation aliased `alias`. */
  sqlCondition(alias: string): RawBuilder<boolean>;
  /** True when workers must decide after decryption. */
  readonly needsWorkers: boolean;
}

/** A condition over clear facts: a clear node known true or false, a conjunction, or none. */
type Narrowing =
  | { readonly kind: 'any' }
  | { readonly kind: 'is'; readonly node: ASTNode; readonly value: boolean }
  | { readonly kind: 'and' | 'or'; readonly parts: readonly Narrowing[] };

const any: Narrowing = { kind: 'any' };

export function planRule(rule: CheckedRule): RulePlan {
  if (rule.sealedVariables.length === 0) {
    return {
      rule,
      needsWorkers: false,
      described: { sql: rule.source, workers: [], sealedFacts: [] },
      sqlCondition: (alias) => compileRule(rule, alias),
    };
  }
  const narrowing = narrow(rule.ast, true);
  const workers = topClauses(rule.ast)
    .filter(readsSealed)
    .map((node) => clauseSource(rule.source, node));
  return {
    rule,
    needsWorkers: true,
    described: {
      sql: celText(narrowing, rule.source),
      workers,
      sealedFacts: rule.sealedVariables,
    },
    sqlCondition: (alias) => narrowingSql(narrowing, alias),
  };
}

/** A benefit formula's amount is computed in SQL: one over a sealed fact cannot be planned. */
export function planFormula(formula: CheckedRule): RulePlan {
  const [sealed] = formula.sealedVariables;
  if (sealed !== undefined) {
    const at = formula.source.indexOf(sealed);
    throw new ProgramsError(
      'AMP_RULE_INVALID',
      `'${sealed}' is stored encrypted; a benefit formula is computed in SQL and cannot read it`,
      [
        {
          field: '/benefit/formula',
          reason: `'${sealed}' is stored encrypted and cannot be used in a benefit formula`,
          code: 'rule_sealed_not_planned',
          params: { start: at, end: at + sealed.length },
        },
      ],
    );
  }
  return planRule(formula);
}

/** The rule's SQL condition, refusing a rule that needs workers (a caller with SQL only). */
export function sqlOnlyCondition(rule: CheckedRule, alias: string): RawBuilder<boolean> {
  const plan = planRule(rule);
  if (plan.needsWorkers) {
    throw new ProgramsError(
      'AMP_RULE_INVALID',
      'This rule reads a sealed fact, decided only after decryption; this view runs SQL only',
      [
        {
          field: '/eligibilityRule',
          reason: `'${plan.described.sealedFacts.join("', '")}' is stored encrypted`,
          code: 'rule_sealed_sql_only',
          params: { start: 0, end: rule.source.length },
        },
      ],
    );
  }
  return plan.sqlCondition(alias);
}

function readsSealed(node: ASTNode): boolean {
  if (node.op === 'id') return ruleVariables().byName.get(node.args)?.sealed === true;
  return childNodes(node).some(readsSealed);
}

function topClauses(node: ASTNode): ASTNode[] {
  return node.op === '&&' ? [...topClauses(node.args[0]), ...topClauses(node.args[1])] : [node];
}

/**
 * A clear condition met by every row where `node` evaluates to `want` (never an error). CEL's
 * `&&` is false when either side is false and true only when both are; `||` the converse; `!`
 * swaps. Anything else over a sealed fact (a comparison, `in`, `?:`) can be any value: no
 * narrowing.
 */
function narrow(node: ASTNode, want: boolean, depth = 0): Narrowing {
  if (depth > programLimits.ruleDepthMax) return any;
  if (!readsSealed(node)) return { kind: 'is', node, value: want };
  if (node.op === '!_') return narrow(node.args, !want, depth + 1);
  if (node.op === '&&' || node.op === '||') {
    const parts = node.args.map((child) => narrow(child, want, depth + 1));
    // `a && b` is true when both are; `a || b` is false when both are: a conjunction.
    const both = (node.op === '&&') === want;
    return both ? conjunction(parts) : disjunction(parts);
  }
  return any;
}

function conjunction(parts: readonly Narrowing[]): Narrowing {
  const kept = parts.filter((part) => part.kind !== 'any');
  if (kept.length === 0) return any;
  return kept.length === 1 ? (kept[0] as Narrowing) : { kind: 'and', parts: kept };
}

function disjunction(parts: readonly Narrowing[]): Narrowing {
  return parts.some((part) => part.kind === 'any') ? any : { kind: 'or', parts };
}

function narrowingSql(narrowing: Narrowing, alias: string): RawBuilder<boolean> {
  switch (narrowing.kind) {
    case 'any':
      return sql<boolean>`true`;
    case 'is': {
      // `is true` / `is false`: an unknown clear value makes the rule unknown, so it narrows out.
      const condition = compileCondition(narrowing.node, alias);
      return narrowing.value ? sql`(${condition} is true)` : sql`(${condition} is false)`;
    }
    default: {
      const parts = narrowing.parts.map((part) => narrowingSql(part, alias));
      const joiner = narrowing.kind === 'and' ? sql` and ` : sql` or `;
      return sql<boolean>`(${sql.join(parts, joiner)})`;
    }
  }
}

function celText(narrowing: Narrowing, source: string): string {
  switch (narrowing.kind) {
    case 'any':
      return 'true';
    case 'is': {
      const text = clauseSource(source, narrowing.node);
      return narrowing.value ? text : `!(${text})`;
    }
    default: {
      const joiner = narrowing.kind === 'and' ? ' && ' : ' || ';
      return narrowing.parts.map((part) => `(${celText(part, source)})`).join(joiner);
    }
  }
}
