import fc from 'fast-check';
import { populationStates } from '../programs-test-kit.js';

/**
 * Random well-typed rules for the property tests that compare the batch and per-person
 * evaluators (rule-equivalence*.test.ts): every operator a rule may use, over every kind of
 * fact, unknown ones included; `sealedRuleSource` mixes in clauses over the sealed
 * `disability_status`.
 *
 * @example
 *   fc.sample(ruleSource, 1); // ['(age >= 3 || !(sex in ["F"]))']
 */
export const intVars = [
  'age',
  'household_size',
  'members_under_5',
  'members_under_18',
  'members_over_65',
  'income_band',
];
export const stringVars = ['sex', 'state_code', 'municipality_code', 'civil_status', 'nationality'];
export const boolVars = ['head_of_household', 'birth_date_approximate'];
export const stringValues = [
  'F',
  'M',
  ...populationStates,
  'VE-A-01',
  'VE-V-02',
  'married',
  'VE',
  '',
];

const intLiteral = fc.integer({ min: -3, max: 90 }).map(String);
const intAtom = fc.oneof(fc.constantFrom(...intVars), intLiteral);
const intExpr: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    intAtom,
    fc
      .tuple(tie('expr'), fc.constantFrom('+', '-', '*', '/', '%'), tie('expr'))
      .map(([a, op, b]) => `(${a} ${op} ${b})`),
    tie('expr').map((a) => `-(${a})`),
  ),
})).expr;
export const boundedIntExpr = intExpr.filter((source) => source.length < 60);
const stringAtom = fc.oneof(
  fc.constantFrom(...stringVars),
  fc.constantFrom(...stringValues).map((value) => JSON.stringify(value)),
);
const comparison = fc.constantFrom('==', '!=', '<', '<=', '>', '>=');
const leaf = fc.oneof(
  fc.constantFrom(...boolVars, 'true', 'false'),
  fc.tuple(boundedIntExpr, comparison, boundedIntExpr).map(([a, op, b]) => `${a} ${op} ${b}`),
  fc.tuple(stringAtom, comparison, stringAtom).map(([a, op, b]) => `${a} ${op} ${b}`),
  fc
    .tuple(fc.constantFrom(...stringVars), fc.subarray(stringValues, { maxLength: 4 }))
    .map(([name, values]) => `${name} in [${values.map((v) => JSON.stringify(v)).join(', ')}]`),
  fc
    .tuple(fc.constantFrom(...intVars), fc.array(fc.integer({ min: 0, max: 70 }), { maxLength: 4 }))
    .map(([name, values]) => `${name} in [${values.join(', ')}]`),
  fc
    .tuple(fc.constantFrom(...boolVars), fc.constantFrom('true', 'false', ...boolVars))
    .map(([a, b]) => `${a} == ${b}`),
);
export const ruleSource: fc.Arbitrary<string> = fc.letrec<{ rule: string }>((tie) => ({
  rule: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    tie('rule').map((a) => `!(${a})`),
    fc.tuple(tie('rule'), tie('rule')).map(([a, b]) => `(${a} && ${b})`),
    fc.tuple(tie('rule'), tie('rule')).map(([a, b]) => `(${a} || ${b})`),
    fc.tuple(tie('rule'), tie('rule'), tie('rule')).map(([c, a, b]) => `(${c} ? ${a} : ${b})`),
  ),
})).rule;

const disabilityValues = ['none', 'physical', 'visual', 'hearing', 'multiple', ''];
const sealedLeaf = fc.oneof(
  fc
    .tuple(fc.constantFrom('==', '!='), fc.constantFrom(...disabilityValues))
    .map(([op, value]) => `disability_status ${op} ${JSON.stringify(value)}`),
  fc
    .subarray(disabilityValues, { maxLength: 3 })
    .map((values) => `disability_status in [${values.map((v) => JSON.stringify(v)).join(', ')}]`),
  fc
    .tuple(fc.constantFrom('<', '>='), fc.constantFrom(...stringVars, '"p"'))
    .map(([op, other]) => `disability_status ${op} ${other}`),
);

/** Rules where about half the leaves read the sealed `disability_status`. */
export const sealedRuleSource: fc.Arbitrary<string> = fc.letrec<{ rule: string }>((tie) => ({
  rule: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(leaf, sealedLeaf),
    tie('rule').map((a) => `!(${a})`),
    fc.tuple(tie('rule'), tie('rule')).map(([a, b]) => `(${a} && ${b})`),
    fc.tuple(tie('rule'), tie('rule')).map(([a, b]) => `(${a} || ${b})`),
    fc.tuple(tie('rule'), tie('rule'), tie('rule')).map(([c, a, b]) => `(${c} ? ${a} : ${b})`),
  ),
})).rule;
