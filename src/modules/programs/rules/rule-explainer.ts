import type { ASTNode } from '@marcbachmann/cel-js';
import { type CheckedRule, childNodes } from './rule-checker.js';
import { evaluateSource, factsContext, type RuleOutcome } from './rule-evaluator.js';

/**
 * Explains a rule for one person (issue #13, point 3a and 7): the rule is split into the
 * clauses joined by `&&` at its top, and each is evaluated on the person's facts and said in
 * plain Spanish and English, with the facts it read. A denial names its first clause that did
 * not pass; an unknown fact is said as unknown, never as a failure of the person.
 *
 * @example
 *   explainRule(checkRule('age >= 60 && sex == "F"', 'bool', 'r'), { age: 70n, sex: 'M' })
 *     .failedClause?.text.en; // 'sex is "F"'
 */
export interface ClauseExplanation {
  /** The clause as written in the rule. */
  source: string;
  text: { es: string; en: string };
  outcome: RuleOutcome;
  /** The facts the clause read, as the person's record has them (null: unknown). */
  facts: Record<string, string | boolean | null>;
}

export interface RuleExplanation {
  outcome: RuleOutcome;
  clauses: ClauseExplanation[];
  /** The first clause that did not pass, when the person is not eligible. */
  failedClause: ClauseExplanation | undefined;
}

const factLabels: Readonly<Record<string, { es: string; en: string }>> = {
  age: { es: 'la edad', en: 'age' },
  sex: { es: 'el sexo', en: 'sex' },
  household_size: { es: 'el tamaño del hogar', en: 'household size' },
  members_under_5: { es: 'los menores de 5 años del hogar', en: 'household members under 5' },
  members_under_18: { es: 'los menores de 18 años del hogar', en: 'household members under 18' },
  members_over_65: { es: 'los mayores de 65 años del hogar', en: 'household members 65 or over' },
  head_of_household: { es: 'jefe o jefa de hogar', en: 'head of household' },
  income_band: { es: 'el tramo de ingresos del hogar', en: 'household income band' },
  state_code: { es: 'el estado de residencia', en: 'state of residence' },
  municipality_code: { es: 'el municipio de residencia', en: 'municipality of residence' },
  civil_status: { es: 'el estado civil', en: 'civil status' },
  nationality: { es: 'la nacionalidad', en: 'nationality' },
};

const comparisonWords: Readonly<Record<string, { es: string; en: string }>> = {
  '==': { es: 'es', en: 'is' },
  '!=': { es: 'no es', en: 'is not' },
  '<': { es: 'es menor que', en: 'is less than' },
  '<=': { es: 'es como máximo', en: 'is at most' },
  '>': { es: 'es mayor que', en: 'is more than' },
  '>=': { es: 'es al menos', en: 'is at least' },
};

function topClauses(node: ASTNode): ASTNode[] {
  return node.op === '&&' ? [...topClauses(node.args[0]), ...topClauses(node.args[1])] : [node];
}

function label(node: ASTNode, language: 'es' | 'en'): string | undefined {
  if (node.op === 'id') return factLabels[node.args]?.[language] ?? node.args;
  if (node.op === 'value') {
    return typeof node.args === 'string' ? `"${node.args}"` : String(node.args);
  }
  return undefined;
}

/** Plain words for the simple clause shapes; the clause's own text otherwise. */
function plain(node: ASTNode, source: string, language: 'es' | 'en'): string {
  const words = comparisonWords[node.op];
  if (words !== undefined) {
    const [left, right] = node.args as readonly [ASTNode, ASTNode];
    const a = label(left, language);
    const b = label(right, language);
    if (a !== undefined && b !== undefined) return `${a} ${words[language]} ${b}`;
  }
  if (node.op === 'in' && node.args[1].op === 'list') {
    const a = label(node.args[0], language);
    const values = node.args[1].args.map((element) => label(element, language) ?? '?');
    const among = language === 'es' ? 'está entre' : 'is one of';
    if (a !== undefined) return `${a} ${among} ${values.join(', ')}`;
  }
  if (node.op === 'id') return label(node, language) ?? source;
  if (node.op === '!_' && node.args.op === 'id') {
    return `${language === 'es' ? 'no' : 'not'} ${label(node.args, language)}`;
  }
  return source;
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
    const source = rule.source.slice(node.range.start, node.range.end);
    return { source, text: { es: plain(node, source, 'es'), en: plain(node, source, 'en') } };
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
    return {
      ...clause,
      outcome: outcomeOf(evaluateSource(clause.source, context)),
      facts: readFacts(node, facts),
    };
  });
  const outcome = outcomeOf(evaluateSource(rule.source, context));
  const failedClause =
    outcome === 'true' ? undefined : clauses.find((clause) => clause.outcome !== 'true');
  return { outcome, clauses, failedClause };
}
