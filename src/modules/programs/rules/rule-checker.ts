import type { ASTNode } from '@marcbachmann/cel-js';
import type { FieldError } from '../../../platform/errors.js';
import { findAttribute, findForbiddenName, identifiesPerson } from '../../registry/index.js';
import { programLimits } from '../limits.js';
import { ProgramsError } from '../programs-error.js';
import { inferType, type RuleType, supportedNodeRefusal } from './rule-ast.js';
import { ruleVariables } from './rule-environment.js';

/**
 * Checks an eligibility rule (type `bool`) or a benefit formula (type `int`) when it is
 * saved: its length, its syntax, that every name it uses is a fact a rule may read, its types,
 * and that it stays within the part of CEL that compiles to SQL. A refusal is a
 * `ProgramsError` `AMP_RULE_INVALID` with the position (`params.start`, `params.end`, character offsets).
 *
 * @example
 *   checkRule('age >= 65', 'bool', 'eligibilityRule').variables; // ['age']
 *   checkRule('voted_2024 == true', 'bool', 'eligibilityRule'); // refused: AMP_RULE_INVALID
 *   checkRule('given_names == "Ana"', 'bool', 'eligibilityRule'); // refused: identifies a person
 */
export interface CheckedRule {
  readonly source: string;
  readonly ast: ASTNode;
  /** The facts the rule names, in order of first use. */
  readonly variables: readonly string[];
  /** Those of them that are stored encrypted. */
  readonly sealedVariables: readonly string[];
}

/** Where a problem is, in character offsets into the source. */
interface Refusal {
  readonly code: string;
  readonly reason: string;
  readonly start: number;
  readonly end: number;
}

export function checkRule(source: string, expected: RuleType, field: string): CheckedRule {
  if (source.length > programLimits.ruleLengthMax) {
    refuse(field, [
      {
        code: 'rule_too_long',
        reason: `longer than ${programLimits.ruleLengthMax} characters`,
        start: programLimits.ruleLengthMax,
        end: source.length,
      },
    ]);
  }
  const { environment, byName } = ruleVariables();
  let ast: ASTNode;
  try {
    ast = environment.parse(source).ast;
  } catch (error) {
    refuse(field, [celRefusal(error, source)]);
  }
  const names = identifiers(ast);
  const unknown = names.filter((node) => !byName.has(node.args));
  if (unknown.length > 0) refuse(field, unknown.map(nameRefusal));
  const checked = environment.check(source);
  if (!checked.valid) refuse(field, [celRefusal(checked.error, source)]);
  if (checked.type !== expected) {
    refuse(field, [
      {
        code: 'rule_result_type',
        reason: `yields ${checked.type ?? 'nothing'}, must yield ${expected}`,
        start: 0,
        end: source.length,
      },
    ]);
  }
  const unsupported = supportedNodeRefusal(ast);
  if (unsupported !== undefined) refuse(field, [unsupported]);
  inferType(ast);
  const variables = [...new Set(names.map((node) => node.args))];
  const sealedVariables = variables.filter((name) => byName.get(name)?.sealed === true);
  return { source, ast, variables, sealedVariables };
}

type IdNode = Extract<ASTNode, { op: 'id' }>;

/** Every variable reference, in source order. */
function identifiers(node: ASTNode): IdNode[] {
  if (node.op === 'id') return [node];
  if (node.op === 'value') return [];
  const found: IdNode[] = [];
  for (const child of childNodes(node)) found.push(...identifiers(child));
  return found.sort((a, b) => a.range.start - b.range.start);
}

/** The sub-expressions of a node, whatever its shape. */
export function childNodes(node: ASTNode): ASTNode[] {
  const args: unknown = node.args;
  const flat = Array.isArray(args) ? args.flat(2) : [args];
  return flat.filter(isNode);
}

function isNode(value: unknown): value is ASTNode {
  return typeof value === 'object' && value !== null && 'op' in value && 'range' in value;
}

/**
 * Why a name is not a variable: a forbidden category, a purpose it lacks, a value that can
 * single a person out (`identifiesPerson`), or not declared.
 */
function nameRefusal(node: IdNode): Refusal {
  const name = node.args;
  const { start, end } = node.range;
  const forbidden = findForbiddenName(name);
  if (forbidden !== undefined) {
    return {
      code: 'rule_forbidden_attribute',
      reason: `'${name}' is ${forbidden.category.label}, a category Amparo never holds`,
      start,
      end,
    };
  }
  const declared = findAttribute(name);
  if (declared !== undefined && !declared.purposes.includes('eligibility_review')) {
    return {
      code: 'rule_attribute_purpose',
      reason: `'${name}' may not be read for eligibility_review`,
      start,
      end,
    };
  }
  if (identifiesPerson(name)) {
    return {
      code: 'rule_identifying_attribute',
      reason: `'${name}' can single a person out; a rule must be the same for everyone (use age, state or municipality)`,
      start,
      end,
    };
  }
  return {
    code: 'rule_unknown_attribute',
    reason: `'${name}' is not a declared attribute or eligibility fact`,
    start,
    end,
  };
}

interface CelProblem {
  code?: string;
  message?: string;
  range?: { start: number; end: number };
}

function celRefusal(error: unknown, source: string): Refusal {
  const problem: CelProblem = typeof error === 'object' && error !== null ? error : {};
  const firstLine = (problem.message ?? 'not a valid rule').split('\n')[0] ?? '';
  return {
    code: `rule_${problem.code ?? 'syntax'}`,
    reason: firstLine,
    start: problem.range?.start ?? 0,
    end: problem.range?.end ?? source.length,
  };
}

function refuse(field: string, refusals: readonly Refusal[]): never {
  const errors: FieldError[] = refusals.map((refusal) => ({
    field,
    reason: `${refusal.reason} (at ${refusal.start}–${refusal.end})`,
    code: refusal.code,
    params: { start: refusal.start, end: refusal.end },
  }));
  const first = refusals[0];
  const detail = first === undefined ? 'not valid' : `${first.reason} at ${first.start}`;
  throw new ProgramsError('AMP_RULE_INVALID', `${field}: ${detail}`, errors);
}
