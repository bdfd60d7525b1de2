import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { demoPrograms } from '../../demo/demo-programs.js';
import { eligibilityFacts } from '../../registry/index.js';
import { factWords } from './fact-words.js';
import { checkRule } from './rule-checker.js';
import { describeRule, explainRule } from './rule-explainer.js';
import { boundedIntExpr, ruleSource } from './rule-test-kit.js';
import { ruleWords } from './rule-words.js';

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
      text: { es: 'el sexo es femenino', en: 'sex is female' },
      outcome: 'false',
      facts: { sex: 'M' },
      // What the record holds, in the same plain words: never the fact's code name.
      factWords: [{ es: 'el sexo: masculino', en: 'sex: male' }],
    });
    expect(explanation.clauses[3]?.factWords).toEqual([
      { es: 'la persona es jefa o jefe de hogar', en: 'the person is head of household' },
    ]);
    expect(explanation.clauses[2]?.factWords).toEqual([
      {
        es: 'el estado de residencia: Distrito Capital',
        en: 'state of residence: Distrito Capital',
      },
    ]);
    expect(explanation.clauses[2]?.text).toEqual({
      es: 'el estado de residencia es Distrito Capital o Amazonas',
      en: 'state of residence is Distrito Capital or Amazonas',
    });
    expect(explanation.clauses[3]?.text).toEqual({
      es: 'la persona es jefa o jefe de hogar',
      en: 'the person is head of household',
    });
  });

  it('says an unknown fact is unknown, not a failure of the person', () => {
    const explanation = explainRule(pension, { sex: 'F', state_code: 'VE-Z' });
    expect(explanation.outcome).toBe('unknown');
    expect(explanation.failedClause).toMatchObject({
      source: 'age >= 60',
      outcome: 'unknown',
      facts: { age: null },
      factWords: [{ es: 'la edad: no consta', en: 'age: not on record' }],
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

/** The whole rule (or formula) in words, as the public page and the editor show it. */
function words(source: string, yields: 'bool' | 'int' = 'bool') {
  const { ast } = checkRule(source, yields, '/eligibilityRule');
  return { es: ruleWords(ast, 'es'), en: ruleWords(ast, 'en') };
}

describe('rules in plain words, never CEL', () => {
  it('says the demo pension (women from 55, men from 60) in Spanish and English', () => {
    const rule = demoPrograms.find((program) => program.code === 'pension_vejez')?.content
      .eligibilityRule;
    expect(rule).toBe('(sex == "F" && age >= 55) || (sex == "M" && age >= 60)');
    expect(words(rule ?? '')).toEqual({
      es: 'o bien el sexo es femenino y la edad es al menos 55, o bien el sexo es masculino y la edad es al menos 60',
      en: 'either sex is female and age is at least 55, or sex is male and age is at least 60',
    });
  });

  it('names the pension’s one clause as the one that failed, with its value and facts', () => {
    const pension = checkRule(
      '(sex == "F" && age >= 55) || (sex == "M" && age >= 60)',
      'bool',
      '/eligibilityRule',
    );
    const explanation = explainRule(pension, { sex: 'M', age: 57n });
    expect(explanation.outcome).toBe('false');
    expect(explanation.failedClause).toMatchObject({
      // The whole clause, brackets included: the parser's range cuts them (clause-source.ts).
      source: '(sex == "F" && age >= 55) || (sex == "M" && age >= 60)',
      outcome: 'false',
      facts: { sex: 'M', age: '57' },
      text: {
        en: 'either sex is female and age is at least 55, or sex is male and age is at least 60',
      },
    });
  });

  it('evaluates each clause as written, brackets and all', () => {
    const rule = checkRule(
      '(age >= 18) && (sex == "F" || age > 60) && !(sex == "M") && civil_status != ")("',
      'bool',
      '/eligibilityRule',
    );
    const explanation = explainRule(rule, { age: 70n, sex: 'M', civil_status: 'married' });
    expect(explanation.clauses.map(({ source, outcome }) => [source, outcome])).toEqual([
      ['age >= 18', 'true'],
      ['sex == "F" || age > 60', 'true'],
      ['!(sex == "M")', 'false'],
      ['civil_status != ")("', 'true'],
    ]);
    expect(explanation.failedClause?.text.en).toBe('sex is not male');
  });

  it('pushes "not" into what it negates, in both languages', () => {
    expect(words('!(age >= 60)')).toEqual({
      es: 'la edad es menor que 60',
      en: 'age is less than 60',
    });
    expect(words('!head_of_household')).toEqual({
      es: 'la persona no es jefa ni jefe de hogar',
      en: 'the person is not head of household',
    });
    expect(words('!(sex == "F" && income_band <= 2)')).toEqual({
      es: 'o bien el sexo no es femenino, o bien el tramo de ingresos del hogar es mayor que 2',
      en: 'either sex is not female, or household income band is more than 2',
    });
    expect(words('!(state_code in ["VE-A", "VE-Z"] || civil_status == "widowed")')).toEqual({
      es: 'el estado de residencia no es ni Distrito Capital ni Amazonas y el estado civil no es viudo o viuda',
      en: 'state of residence is neither Distrito Capital nor Amazonas and civil status is not widowed',
    });
  });

  it('says conditions, arithmetic and comparisons with the fact as subject', () => {
    expect(words('members_under_5 > 0 ? income_band <= 3 : income_band <= 1')).toEqual({
      es: 'si el número de miembros del hogar menores de 5 años es mayor que 0, entonces el tramo de ingresos del hogar es como máximo 3; si no, el tramo de ingresos del hogar es como máximo 1',
      en: 'if the number of household members under 5 is more than 0, then household income band is at most 3; otherwise household income band is at most 1',
    });
    expect(words('household_size - members_under_18 >= 1')).toEqual({
      es: 'el número de miembros del hogar menos el número de miembros del hogar menores de 18 años es al menos 1',
      en: 'the number of household members minus the number of household members under 18 is at least 1',
    });
    expect(words('65 <= age').en).toBe('age is at least 65');
    expect(words('100000 + 50000 * members_under_18', 'int')).toEqual({
      es: '100000 más (50000 por el número de miembros del hogar menores de 18 años)',
      en: '100000 plus (50000 times the number of household members under 18)',
    });
    // An `||` inside an `&&` is bracketed: "either a, or b and c" would read the other way.
    expect(words('age >= 18 && (sex == "F" || head_of_household)').en).toBe(
      'age is at least 18 and (either sex is female, or the person is head of household)',
    );
    // Spanish "o" is "u" before an o- sound.
    expect(words('document_type in ["passport", "other"]')).toEqual({
      es: 'el tipo de documento es pasaporte u otro',
      en: 'document type is passport or other',
    });
    // The clause of a published rule is the words of that clause alone.
    expect(describeRule(checkRule('age >= 18 && sex != "M"', 'bool', 'r'))).toEqual([
      { source: 'age >= 18', text: { es: 'la edad es al menos 18', en: 'age is at least 18' } },
      { source: 'sex != "M"', text: { es: 'el sexo no es masculino', en: 'sex is not male' } },
    ]);
    expect(words('head_of_household && income_band == 1').es).toBe(
      'la persona es jefa o jefe de hogar y el tramo de ingresos del hogar es 1',
    );
  });

  it('says every random well-typed rule and formula in words, with no CEL left in them', () => {
    const cel = /&&|\|\||==|!=|<|>|[!?%*/]|\b[a-z]+_[a-z0-9_]+\b/;
    fc.assert(
      fc.property(ruleSource, boundedIntExpr, (rule, formula) => {
        for (const [source, yields] of [
          [rule, 'bool'],
          [formula, 'int'],
        ] as const) {
          const text = words(source, yields);
          expect(text.es, source).not.toMatch(cel);
          expect(text.en, source).not.toMatch(cel);
        }
      }),
      { numRuns: 300, seed: 20261205 },
    );
  });

  it('has words in both languages for every fact a rule may read', () => {
    for (const fact of eligibilityFacts()) {
      const named = factWords(fact.name);
      expect(named?.label.es, fact.name).toMatch(/\S/);
      expect(named?.label.en, fact.name).toMatch(/\S/);
      if (fact.type === 'bool') expect(named?.holds, fact.name).toBeDefined();
      const clause =
        fact.type === 'bool' ? fact.name : `${fact.name} != ${fact.type === 'int' ? '0' : '""'}`;
      const text = words(clause);
      // A code name (`members_under_18`) never shows; `age` and `sex` are words anyway.
      if (fact.name.includes('_')) {
        expect(text.es, fact.name).not.toContain(fact.name);
        expect(text.en, fact.name).not.toContain(fact.name);
      }
    }
  });
});
