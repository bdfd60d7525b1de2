import type { ASTNode } from '@marcbachmann/cel-js';
import { factWords } from './fact-words.js';
import { inferType } from './rule-ast.js';

/**
 * A rule (or one of its clauses) in plain Spanish or English, for citizens, the public
 * programs page and the program editor: the whole supported part of CEL (rule-ast.ts) is said
 * in words, `||`, `&&`, `!`, `?:`, `in` and arithmetic included, never the CEL text.
 *
 * - `a || b` is "either a, or b" ("o bien a, o bien b"); `a && b` is "a and b" ("a y b",
 *   "e" before an i- sound, "u" for "o" before an o- sound); a list inside a list of the
 *   other kind is put in brackets where the reading would otherwise be ambiguous.
 * - `!` is pushed into what it negates (De Morgan for `&&` and `||`, the opposite comparison,
 *   the negative sentence of a yes/no fact): "age is less than 60", never "not age is at
 *   least 60", and Spanish needs no subjunctive ("no es cierto que … sea").
 * - A comparison has the fact as its subject (`55 <= age` is "age is at least 55"); coded
 *   values are said in words (`"F"` next to `sex` is "female"; a state code is its name).
 *
 * @example
 *   ruleWords(checkRule('(sex == "F" && age >= 55) || (sex == "M" && age >= 60)', 'bool', 'r').ast, 'en');
 *   // 'either sex is female and age is at least 55, or sex is male and age is at least 60'
 */
export type Language = 'es' | 'en';

type Op = '==' | '!=' | '<' | '<=' | '>' | '>=';

const comparisons: ReadonlySet<string> = new Set(['==', '!=', '<', '<=', '>', '>=']);
/** `a op b` said the other way round: `b flipped(op) a`. */
const flipped: Readonly<Record<Op, Op>> = {
  '==': '==',
  '!=': '!=',
  '<': '>',
  '<=': '>=',
  '>': '<',
  '>=': '<=',
};
/** `!(a op b)` is `a negated(op) b`. */
const negated: Readonly<Record<Op, Op>> = {
  '==': '!=',
  '!=': '==',
  '<': '>=',
  '<=': '>',
  '>': '<=',
  '>=': '<',
};

const numberVerbs: Readonly<Record<Op, Readonly<Record<Language, string>>>> = {
  '==': { es: 'es', en: 'is' },
  '!=': { es: 'no es', en: 'is not' },
  '<': { es: 'es menor que', en: 'is less than' },
  '<=': { es: 'es como máximo', en: 'is at most' },
  '>': { es: 'es mayor que', en: 'is more than' },
  '>=': { es: 'es al menos', en: 'is at least' },
};
/** Text compared by order: alphabetical order, said so. */
const textVerbs: Readonly<Record<Op, Readonly<Record<Language, string>>>> = {
  ...numberVerbs,
  '<': { es: 'va alfabéticamente antes de', en: 'comes alphabetically before' },
  '<=': { es: 'va alfabéticamente antes de o es', en: 'comes alphabetically before or is' },
  '>': { es: 'va alfabéticamente después de', en: 'comes alphabetically after' },
  '>=': { es: 'va alfabéticamente después de o es', en: 'comes alphabetically after or is' },
};

const arithmeticWords: Readonly<Record<string, Readonly<Record<Language, string>>>> = {
  '+': { es: 'más', en: 'plus' },
  '-': { es: 'menos', en: 'minus' },
  '*': { es: 'por', en: 'times' },
};

/** The rule or clause `node` in plain words; a benefit formula (an `int`) as its computation. */
export function ruleWords(node: ASTNode, language: Language): string {
  return inferType(node) === 'bool' ? clause(node, true, language) : term(node, language);
}

/** What `node` reads as once a `!` above it (when `positive` is false) is pushed in. */
function shape(node: ASTNode, positive: boolean): 'and' | 'or' | 'if' | 'leaf' {
  if (node.op === '!_') return shape(node.args, !positive);
  if (node.op === '&&') return positive ? 'and' : 'or';
  if (node.op === '||') return positive ? 'or' : 'and';
  return node.op === '?:' ? 'if' : 'leaf';
}

function clause(node: ASTNode, positive: boolean, language: Language): string {
  switch (node.op) {
    case '!_':
      return clause(node.args, !positive, language);
    case '&&':
    case '||':
      return shape(node, positive) === 'and'
        ? allOf(node, positive, language)
        : eitherOf(node, positive, language);
    case '?:': {
      const [condition, then, otherwise] = node.args;
      const inner = (branch: ASTNode) => bracketed(branch, positive, language, ['if']);
      return language === 'es'
        ? `si ${clause(condition, true, language)}, entonces ${inner(then)}; si no, ${inner(otherwise)}`
        : `if ${clause(condition, true, language)}, then ${inner(then)}; otherwise ${inner(otherwise)}`;
    }
    case 'in':
      return among(node.args[0], node.args[1], positive, language);
    case 'id': {
      // Every yes/no fact has its sentences (rule-explainer.test.ts checks it).
      const holds = factWords(node.args)?.holds;
      if (holds !== undefined) return (positive ? holds.yes : holds.no)[language];
      const not = language === 'es' ? 'no' : 'not';
      return positive ? term(node, language) : `${not} ${term(node, language)}`;
    }
    case 'value': {
      const everyone = (node.args === true) === positive;
      if (language === 'es') return everyone ? 'todas las personas' : 'ninguna persona';
      return everyone ? 'everyone' : 'no one';
    }
    default:
      if (comparisons.has(node.op)) {
        // Safe: a comparison node has exactly two operands, and its op is one of `comparisons`.
        const [left, right] = node.args as readonly [ASTNode, ASTNode];
        const op = node.op as Op;
        return comparison(left, positive ? op : negated[op], right, language);
      }
      throw new Error(`a ${node.op} node is not a condition`);
  }
}

/** Flattens `a && (b && c)` (or `||`) as written, the `!` above pushed in. */
function members(node: ASTNode, positive: boolean): Array<{ node: ASTNode; positive: boolean }> {
  const kind = shape(node, positive);
  const unwrapped = node.op === '!_' ? members(node.args, !positive) : undefined;
  if (unwrapped !== undefined) return unwrapped;
  if ((node.op === '&&' || node.op === '||') && (kind === 'and' || kind === 'or')) {
    return node.args.flatMap((child) =>
      shape(child, positive) === kind ? members(child, positive) : [{ node: child, positive }],
    );
  }
  return [{ node, positive }];
}

function allOf(node: ASTNode, positive: boolean, language: Language): string {
  const parts = members(node, positive).map((part) =>
    bracketed(part.node, part.positive, language, ['or', 'if']),
  );
  return list(parts, language === 'es' ? 'y' : 'and', language);
}

function eitherOf(node: ASTNode, positive: boolean, language: Language): string {
  const parts = members(node, positive).map((part) =>
    bracketed(part.node, part.positive, language, ['if']),
  );
  const either = language === 'es' ? 'o bien' : 'either';
  const or = language === 'es' ? 'o bien' : 'or';
  return parts.map((part, index) => `${index === 0 ? either : or} ${part}`).join(', ');
}

/** The clause, in brackets when its shape is one that would read ambiguously here. */
function bracketed(
  node: ASTNode,
  positive: boolean,
  language: Language,
  ambiguous: ReadonlyArray<'and' | 'or' | 'if'>,
): string {
  const text = clause(node, positive, language);
  const kind = shape(node, positive);
  return kind !== 'leaf' && ambiguous.includes(kind) ? `(${text})` : text;
}

/** `a, b and c`; Spanish `y` is `e` before an i- sound and `o` is `u` before an o- sound. */
function list(parts: readonly string[], joiner: string, language: Language): string {
  if (parts.length <= 1) return parts[0] ?? '';
  const last = parts[parts.length - 1] ?? '';
  const word = language === 'es' ? spanishJoiner(joiner, last) : joiner;
  return `${parts.slice(0, -1).join(', ')} ${word} ${last}`;
}

function spanishJoiner(joiner: string, next: string): string {
  if (joiner === 'y' && /^h?i(?![aeiouáéíóú])/i.test(next)) return 'e';
  if (joiner === 'o' && /^h?[oó]/i.test(next)) return 'u';
  return joiner;
}

function comparison(left: ASTNode, op: Op, right: ASTNode, language: Language): string {
  if (inferType(left) === 'bool') return sameTruth(left, op, right, language);
  // The fact is the subject: `55 <= age` reads "age is at least 55".
  const [subject, verb, object] =
    left.op === 'value' && right.op !== 'value' ? [right, flipped[op], left] : [left, op, right];
  const verbs = inferType(subject) === 'string' ? textVerbs : numberVerbs;
  return `${term(subject, language, object)} ${verbs[verb][language]} ${term(object, language, subject)}`;
}

/** `a == b` over yes/no values: one of them a literal is the other said or denied. */
function sameTruth(left: ASTNode, op: Op, right: ASTNode, language: Language): string {
  const equal = op === '==';
  if (right.op === 'value') return clause(left, (right.args === true) === equal, language);
  if (left.op === 'value') return clause(right, (left.args === true) === equal, language);
  const a = bracketed(left, true, language, ['and', 'or', 'if']);
  const b = bracketed(right, true, language, ['and', 'or', 'if']);
  if (language === 'es') {
    return equal ? `${a} exactamente cuando ${b}` : `${a} o ${b}, pero no ambas cosas`;
  }
  return equal ? `${a} exactly when ${b}` : `${a} or ${b}, but not both`;
}

function among(left: ASTNode, right: ASTNode, positive: boolean, language: Language): string {
  const subject = term(left, language);
  const values = right.op === 'list' ? right.args.map((value) => term(value, language, left)) : [];
  const es = language === 'es';
  if (values.length === 0) {
    if (es) return positive ? 'ninguna persona' : 'todas las personas';
    return positive ? 'no one' : 'everyone';
  }
  if (values.length === 1)
    return `${subject} ${numberVerbs[positive ? '==' : '!='][language]} ${values[0]}`;
  if (positive) return `${subject} ${es ? 'es' : 'is'} ${list(values, es ? 'o' : 'or', language)}`;
  if (es) return `${subject} no es ni ${values.join(' ni ')}`;
  return values.length === 2
    ? `${subject} is neither ${values[0]} nor ${values[1]}`
    : `${subject} is none of ${values.join(', ')}`;
}

/**
 * A value (int or text) in words. `beside` is what it is compared with: a coded value next to
 * a fact is said with the fact's words for it ("F" beside `sex` is "female").
 */
function term(node: ASTNode, language: Language, beside?: ASTNode): string {
  switch (node.op) {
    case 'id':
      return factWords(node.args)?.label[language] ?? node.args;
    case 'value': {
      if (typeof node.args !== 'string') return String(node.args);
      const named = beside?.op === 'id' ? factWords(beside.args)?.values?.(node.args) : undefined;
      return named?.[language] ?? JSON.stringify(node.args);
    }
    case '-_':
      return `${language === 'es' ? 'menos' : 'minus'} ${operand(node.args, language)}`;
    case '?:': {
      const [condition, then, otherwise] = node.args;
      const when = clause(condition, true, language);
      const [a, b] = [operand(then, language, beside), operand(otherwise, language, beside)];
      return language === 'es' ? `${a} si ${when}; si no, ${b}` : `${a} if ${when}, otherwise ${b}`;
    }
    default:
      return arithmetic(node, language);
  }
}

/** A term inside a larger one: in brackets when it is itself a computation. */
function operand(node: ASTNode, language: Language, beside?: ASTNode): string {
  const text = term(node, language, beside);
  return node.op === 'id' || node.op === 'value' ? text : `(${text})`;
}

function arithmetic(node: ASTNode, language: Language): string {
  // Safe: what is left of a supported value (rule-ast.ts) is a binary arithmetic node.
  const [left, right] = node.args as readonly [ASTNode, ASTNode];
  const [a, b] = [operand(left, language), operand(right, language)];
  if (node.op === '/') {
    return language === 'es'
      ? `${a} dividido entre ${b} (sin decimales)`
      : `${a} divided by ${b} (without decimals)`;
  }
  if (node.op === '%') {
    return language === 'es'
      ? `el resto de dividir ${a} entre ${b}`
      : `the remainder of ${a} divided by ${b}`;
  }
  const words = arithmeticWords[node.op];
  if (words === undefined) throw new Error(`a ${node.op} node is not a value`);
  return `${a} ${words[language]} ${b}`;
}
