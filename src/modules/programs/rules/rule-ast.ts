import type { ASTNode } from '@marcbachmann/cel-js';
import { programLimits } from '../limits.js';
import { ruleVariables } from './rule-environment.js';

/**
 * The part of CEL an eligibility rule or benefit formula may use: literals (int, string,
 * bool, and lists of them after `in`), fact names, `! - && || ?:`, comparisons, `in`, and
 * integer `+ - * / %`. Everything here has one meaning in CEL and one in SQL, which is what
 * lets the two evaluators agree; functions, macros, maps, field access and floating point are
 * refused when the rule is saved, never discovered at a cycle's run.
 */
export type RuleType = 'int' | 'bool' | 'string';

const comparisons = new Set(['==', '!=', '<', '<=', '>', '>=']);
const arithmetic = new Set(['+', '-', '*', '/', '%']);

export interface NodeRefusal {
  readonly code: string;
  readonly reason: string;
  readonly start: number;
  readonly end: number;
}

function refusal(node: ASTNode, code: string, reason: string): NodeRefusal {
  return { code, reason, start: node.range.start, end: node.range.end };
}

/** The first node outside the supported part, or undefined when the whole rule is inside. */
export function supportedNodeRefusal(node: ASTNode, depth = 1): NodeRefusal | undefined {
  if (depth > programLimits.ruleDepthMax) {
    return refusal(node, 'rule_too_deep', `nested deeper than ${programLimits.ruleDepthMax}`);
  }
  switch (node.op) {
    case 'id':
      return undefined;
    case 'value':
      return literalRefusal(node);
    case 'in': {
      const [left, right] = node.args;
      if (right.op !== 'list') {
        return refusal(right, 'rule_unsupported', "'in' needs a list of values written out");
      }
      const inner = [left, ...right.args].map((child) => supportedNodeRefusal(child, depth + 1));
      const listed = right.args.find((element) => element.op !== 'value');
      if (listed !== undefined) {
        return refusal(listed, 'rule_unsupported', 'a list may hold only written values');
      }
      return inner.find((found) => found !== undefined);
    }
    case '!_':
    case '-_':
      return supportedNodeRefusal(node.args, depth + 1);
    case '&&':
    case '||':
    case '?:':
      return firstRefusal(node.args, depth);
    default:
      if (comparisons.has(node.op) || arithmetic.has(node.op)) {
        const args = node.args as readonly ASTNode[];
        return arithmeticRefusal(node) ?? firstRefusal(args, depth);
      }
      return refusal(node, 'rule_unsupported', `'${describe(node)}' cannot be used in a rule`);
  }
}

function firstRefusal(children: readonly ASTNode[], depth: number): NodeRefusal | undefined {
  for (const child of children) {
    const found = supportedNodeRefusal(child, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

function literalRefusal(node: Extract<ASTNode, { op: 'value' }>): NodeRefusal | undefined {
  const value = node.args;
  if (typeof value === 'bigint') {
    const max = BigInt(programLimits.ruleIntegerLiteralMax);
    return value > max || value < -max
      ? refusal(node, 'rule_literal_too_large', `integers are at most ${max} in magnitude`)
      : undefined;
  }
  if (typeof value === 'string' || typeof value === 'boolean') return undefined;
  return refusal(node, 'rule_unsupported', 'only whole numbers, text and true/false are allowed');
}

/** `+` joins text in CEL; rules keep `+` for integers, whose SQL meaning is the same. */
function arithmeticRefusal(node: ASTNode): NodeRefusal | undefined {
  if (!arithmetic.has(node.op)) return undefined;
  const [left] = node.args as readonly ASTNode[];
  if (left !== undefined && inferType(left) !== 'int') {
    return refusal(node, 'rule_unsupported', `'${node.op}' is for whole numbers only`);
  }
  return undefined;
}

function describe(node: ASTNode): string {
  if (node.op === 'call' || node.op === 'rcall') return `${node.args[0]}()`;
  return node.op;
}

/**
 * The type of a supported, type-checked node. Called after `Environment.check`, so operands
 * already agree; this only tells the SQL compiler how to compare and cast.
 */
export function inferType(node: ASTNode): RuleType {
  switch (node.op) {
    case 'value':
      if (typeof node.args === 'bigint') return 'int';
      if (typeof node.args === 'string') return 'string';
      return 'bool';
    case 'id': {
      const fact = ruleVariables().byName.get(node.args);
      if (fact === undefined) throw new Error(`unknown variable ${node.args} after checking`);
      return fact.type;
    }
    case '-_':
      return 'int';
    case '?:':
      return inferType(node.args[1]);
    default:
      return arithmetic.has(node.op) ? 'int' : 'bool';
  }
}
