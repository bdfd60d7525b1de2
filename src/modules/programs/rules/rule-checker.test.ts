import { describe, expect, it } from 'vitest';
import { registeredProblem } from '../../../platform/errors.js';
import { identifiesPerson } from '../../registry/index.js';
import { programLimits } from '../limits.js';
import { ProgramsError } from '../programs-error.js';
import { checkRule } from './rule-checker.js';
import { ruleVariables } from './rule-environment.js';
import { evaluateRule } from './rule-evaluator.js';

function refusal(source: string, expected: 'bool' | 'int' = 'bool'): ProgramsError {
  try {
    checkRule(source, expected, '/eligibilityRule');
  } catch (error) {
    if (error instanceof ProgramsError) return error;
    throw error;
  }
  throw new Error(`${source} was accepted`);
}

function firstError(source: string): { code: string | undefined; start: unknown; end: unknown } {
  const error = refusal(source);
  expect(error.code).toBe('AMP_RULE_INVALID');
  expect(registeredProblem(error)?.status).toBe(422);
  const first = error.errors?.[0];
  return { code: first?.code, start: first?.params?.start, end: first?.params?.end };
}

describe('eligibility rules are type-checked against the catalogue when saved', () => {
  it('accepts the issue’s rules over declared and derived facts', () => {
    const rules = [
      'income_band <= 2 && head_of_household',
      '(sex == "F" && age >= 55) || (sex == "M" && age >= 60)',
      'sex == "F" && head_of_household && members_under_18 > 0',
      'state_code in ["VE-A", "VE-V"] && household_size - members_under_18 >= 1',
      'members_under_5 > 0 ? income_band <= 3 : income_band <= 1',
    ];
    for (const rule of rules) {
      expect(checkRule(rule, 'bool', '/eligibilityRule').source).toBe(rule);
    }
    expect(checkRule('100000 + 50000 * members_under_18', 'int', '/f').variables).toEqual([
      'members_under_18',
    ]);
  });

  it('refuses an undeclared attribute with its position', () => {
    expect(firstError('age >= 60 && favourite_colour == "red"')).toEqual({
      code: 'rule_unknown_attribute',
      start: 13,
      end: 29,
    });
  });

  it('refuses a forbidden category by name, in English and Spanish', () => {
    for (const [rule, start] of [
      ['party_membership == "x"', 0],
      ['age > 18 && voted_2024', 12],
      ['afiliacion_politica != ""', 0],
      ['religion == "x"', 0],
    ] as const) {
      const found = firstError(rule);
      expect(found.code, rule).toBe('rule_forbidden_attribute');
      expect(found.start, rule).toBe(start);
    }
  });

  it('refuses a declared attribute whose purposes exclude eligibility_review', () => {
    for (const name of ['phone', 'email', 'address_line', 'document_number', 'photo']) {
      expect(firstError(`${name} == "x"`).code, name).toBe('rule_attribute_purpose');
    }
  });

  it('refuses a program manager’s rule that names one person, with each position', () => {
    // The attacker writes a "program" for one person: by name and exact date of birth.
    const naming = 'given_names == "Ana" && birth_date == "1970-03-02"';
    const error = refusal(naming);
    expect(error.code).toBe('AMP_RULE_INVALID');
    expect(error.errors?.map((found) => ({ code: found.code, params: found.params }))).toEqual([
      { code: 'rule_identifying_attribute', params: { start: 0, end: 11 } },
      { code: 'rule_identifying_attribute', params: { start: 24, end: 34 } },
    ]);
    // Every other way to say who: surnames, free-text locality, a benefit formula, inside
    // a condition or a negation, in a list.
    for (const [rule, yields, start] of [
      ['first_surname == "Pérez"', 'bool', 0],
      ['age > 1 && second_surname in ["Rojas"]', 'bool', 11],
      ['!(locality != "La Vega")', 'bool', 2],
      ['income_band <= 2 || (birth_date > "1970-03-01" && birth_date < "1970-03-03")', 'bool', 21],
      ['given_names == "Ana" ? 1000000 : 0', 'int', 0],
      ['sex == "F" ? head_of_household : locality == "El Valle"', 'bool', 33],
    ] as const) {
      const refused = refusal(rule, yields);
      expect(refused.errors?.[0]?.code, rule).toBe('rule_identifying_attribute');
      expect(refused.errors?.[0]?.params?.start, rule).toBe(start);
    }
    // Document numbers, phones and addresses are not readable for eligibility review at all.
    expect(firstError('document_number == "V12345678"').code).toBe('rule_attribute_purpose');
    // What stays: derived age, and where a person lives down to the parish, all shared by many.
    const variables = [...ruleVariables().byName.keys()];
    for (const name of ['age', 'sex', 'state_code', 'municipality_code', 'parish_code']) {
      expect(variables, name).toContain(name);
    }
    for (const name of [
      'given_names',
      'first_surname',
      'second_surname',
      'birth_date',
      'locality',
    ]) {
      expect(variables, name).not.toContain(name);
    }
    // Nothing that is a rule variable identifies anyone by its kind of value.
    for (const name of variables) expect(identifiesPerson(name), name).toBe(false);
  });

  it('has no variable for anything a person did', () => {
    const behaviour = [
      'audit_entries',
      'access_history',
      'access_count',
      'card_used',
      'card_scans',
      'last_card_use',
      'redemptions',
      'redeemed',
      'payments',
      'payment_count',
      'entitlements',
      'appeals_filed',
      'sign_ins',
      'notifications_read',
    ];
    const variables = [...ruleVariables().byName.keys()];
    for (const name of behaviour) {
      expect(variables).not.toContain(name);
      expect(['rule_unknown_attribute', 'rule_forbidden_attribute']).toContain(
        firstError(`${name} > 0`).code,
      );
    }
    expect(
      variables.every((name) => !/audit|access|card|redeem|redemption|payment/.test(name)),
    ).toBe(true);
  });

  it('refuses syntax and type errors with their position', () => {
    expect(firstError('age >= ')).toMatchObject({ code: 'rule_unexpected_token', start: 7 });
    expect(firstError('age >= "sixty"')).toMatchObject({ code: 'rule_no_such_overload', start: 0 });
    expect(firstError('age + 1')).toMatchObject({ code: 'rule_result_type' });
    expect(refusal('age >= 60', 'int').code).toBe('AMP_RULE_INVALID');
  });

  it('refuses what cannot compile to SQL: functions, macros, floats, text arithmetic', () => {
    for (const rule of [
      'size(civil_status) > 3',
      'civil_status.startsWith("A")',
      'age > 1.5',
      'civil_status + "x" == "ax"',
      'sex in [sex]',
      '{"a": 1}["a"] == 1',
    ]) {
      expect(refusal(rule).code, rule).toBe('AMP_RULE_INVALID');
    }
  });

  it('bounds length, depth and literals from src/limits.ts', () => {
    const long = `age >= 1${' && age >= 1'.repeat(programLimits.ruleLengthMax / 10)}`;
    expect(firstError(long)).toMatchObject({
      code: 'rule_too_long',
      start: programLimits.ruleLengthMax,
    });
    const deep = `${'!('.repeat(programLimits.ruleDepthMax + 1)}head_of_household${')'.repeat(programLimits.ruleDepthMax + 1)}`;
    expect(refusal(deep).code).toBe('AMP_RULE_INVALID');
    expect(firstError(`age < ${programLimits.ruleIntegerLiteralMax * 10}`).code).toBe(
      'rule_literal_too_large',
    );
  });

  it('evaluates with CEL ints as BigInt and unknown facts as not eligible', () => {
    const rule = checkRule('age >= 60 || sex == "F"', 'bool', '/r');
    expect(evaluateRule(rule, { age: 70n })).toBe('true');
    expect(evaluateRule(rule, { age: 30n, sex: 'F' })).toBe('true');
    expect(evaluateRule(rule, { age: null, sex: 'F' })).toBe('true');
    expect(evaluateRule(rule, { age: null, sex: 'M' })).toBe('unknown');
    expect(evaluateRule(rule, { age: 30n, sex: 'M' })).toBe('false');
  });
});
