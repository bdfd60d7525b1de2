import { describe, expect, it } from 'vitest';
import { checkRule } from './rule-checker.js';
import { explainRule } from './rule-explainer.js';

const pension = checkRule(
  'age >= 60 && sex == "F" && state_code in ["VE-A", "VE-Z"] && head_of_household',
  'bool',
  '/eligibilityRule',
);

describe('one person’s explanation', () => {
  it('names the first clause that failed, in Spanish and English, with the facts read', () => {
    const explanation = explainRule(pension, {
      age: 71n,
      sex: 'M',
      state_code: 'VE-A',
      head_of_household: true,
    });
    expect(explanation.outcome).toBe('false');
    expect(explanation.clauses.map((clause) => clause.outcome)).toEqual([
      'true',
      'false',
      'true',
      'true',
    ]);
    expect(explanation.failedClause).toEqual({
      source: 'sex == "F"',
      text: { es: 'el sexo es "F"', en: 'sex is "F"' },
      outcome: 'false',
      facts: { sex: 'M' },
    });
    expect(explanation.clauses[2]?.text.en).toBe('state of residence is one of "VE-A", "VE-Z"');
  });

  it('says an unknown fact is unknown, not a failure of the person', () => {
    const explanation = explainRule(pension, { sex: 'F', state_code: 'VE-Z' });
    expect(explanation.outcome).toBe('unknown');
    expect(explanation.failedClause).toMatchObject({
      source: 'age >= 60',
      outcome: 'unknown',
      facts: { age: null },
      text: { es: 'la edad es al menos 60' },
    });
  });

  it('has no failed clause for an eligible person', () => {
    const explanation = explainRule(pension, {
      age: 60n,
      sex: 'F',
      state_code: 'VE-Z',
      head_of_household: true,
    });
    expect(explanation).toMatchObject({ outcome: 'true', failedClause: undefined });
  });
});
