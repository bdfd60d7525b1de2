import type { ASTNode } from '@marcbachmann/cel-js';
import { type RawBuilder, sql } from 'kysely';
import { inferType } from './rule-ast.js';
import type { CheckedRule } from './rule-checker.js';

/**
 * Compiles a checked rule to a parameterised SQL condition over the registry's eligibility
 * facts relation (one row per person, one column per fact). Every value is a bound parameter
 * and every column name a quoted identifier of a declared fact: nothing is concatenated.
 *
 * CEL's errors and SQL's NULL line up: an unknown fact is NULL in SQL and an error in CEL; a
 * comparison or arithmetic with it is NULL / an error; AND/OR absorb both alike (`false && x`
 * is false, `true || x` is true); NOT keeps them; a WHERE keeps only true, as the in-memory
 * evaluator keeps only `true`. Division by zero is NULL (NULLIF), an error in CEL. The
 * conditional is a simple `CASE c WHEN true … WHEN false … END`, so an unknown condition stays
 * unknown instead of choosing the else branch. Text compares by code point (`COLLATE "C"`),
 * as CEL does.
 *
 * @example
 *   compileRule(checkRule('age >= 65 && sex == "F"', 'bool', 'rule'), 'f');
 *   // (("f"."age" >= $1::int8) and ("f"."sex" = $2::text))
 */
export function compileRule(rule: CheckedRule, relationAlias: string): RawBuilder<boolean> {
  return compileNode(rule.ast, relationAlias) as RawBuilder<boolean>;
}

/** One boolean node of a checked rule (a clause of a rule's plan), compiled the same way. */
export function compileCondition(node: ASTNode, relationAlias: string): RawBuilder<boolean> {
  return compileNode(node, relationAlias) as RawBuilder<boolean>;
}

/** Same as compileRule, for a benefit formula: an int8 expression, NULL when it fails. */
export function compileFormula(formula: CheckedRule, relationAlias: string): RawBuilder<bigint> {
  return compileNode(formula.ast, relationAlias) as RawBuilder<bigint>;
}

const comparisonSql: Readonly<Record<string, string>> = {
  '==': '=',
  '!=': '<>',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
};

function literal(value: unknown): RawBuilder<unknown> {
  // int8 values travel as text, so both drivers bind them without a JavaScript number.
  if (typeof value === 'bigint') return sql`${value.toString()}::int8`;
  if (typeof value === 'string') return sql`${value}::text`;
  if (typeof value === 'boolean') return sql`${value}::boolean`;
  throw new Error(`literal of type ${typeof value} passed the checker`);
}

function compileNode(node: ASTNode, alias: string): RawBuilder<unknown> {
  switch (node.op) {
    case 'value':
      return literal(node.args);
    case 'id':
      return sql.ref(`${alias}.${node.args}`);
    case '&&':
      return sql`(${compileNode(node.args[0], alias)} and ${compileNode(node.args[1], alias)})`;
    case '||':
      return sql`(${compileNode(node.args[0], alias)} or ${compileNode(node.args[1], alias)})`;
    case '!_':
      return sql`(not ${compileNode(node.args, alias)})`;
    case '-_':
      return sql`(- ${compileNode(node.args, alias)})`;
    case '?:': {
      // A simple CASE names the condition once; an unknown condition matches neither arm.
      const [condition, then, otherwise] = node.args.map((child) => compileNode(child, alias));
      return sql`(case ${condition} when true then ${then} when false then ${otherwise} end)`;
    }
    case 'in':
      return compileIn(node.args[0], node.args[1], alias);
    default:
      return compileBinary(node, alias);
  }
}

function compileIn(left: ASTNode, right: ASTNode, alias: string): RawBuilder<unknown> {
  const needle = compileNode(left, alias);
  if (right.op !== 'list') throw new Error("'in' without a list passed the checker");
  if (right.args.length === 0) return sql`(case when ${needle} is null then null else false end)`;
  const values = right.args.map((element) => compileNode(element, alias));
  return sql`(${needle} in (${sql.join(values)}))`;
}

function compileBinary(node: ASTNode, alias: string): RawBuilder<unknown> {
  const [left, right] = node.args as readonly [ASTNode, ASTNode];
  const a = compileNode(left, alias);
  const b = compileNode(right, alias);
  const comparison = comparisonSql[node.op];
  if (comparison !== undefined) {
    const collate = inferType(left) === 'string' ? sql` collate "C"` : sql``;
    // Safe: `comparison` comes from the fixed table above, never from the rule's text.
    return sql`(${a}${collate} ${sql.raw(comparison)} ${b})`;
  }
  switch (node.op) {
    case '+':
      return sql`(${a} + ${b})`;
    case '-':
      return sql`(${a} - ${b})`;
    case '*':
      return sql`(${a} * ${b})`;
    case '/':
      return sql`(${a} / nullif(${b}, 0))`;
    case '%':
      return sql`(${a} % nullif(${b}, 0))`;
    default:
      throw new Error(`operator ${node.op} passed the checker`);
  }
}
