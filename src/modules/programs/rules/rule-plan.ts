import { ProgramsError } from '../programs-error.js';
import type { CheckedRule } from './rule-checker.js';

/**
 * Where each part of a rule runs. Clear facts run in SQL over the registry's facts relation;
 * sealed facts (`disability_status`) can only be decided after decryption, which is not
 * built yet, so a rule naming one is refused at publication rather than run slowly or
 * silently skipped (issue #13, point 3).
 */
export interface RulePlan {
  readonly sql: CheckedRule;
}

export function planRule(rule: CheckedRule): RulePlan {
  const [sealed] = rule.sealedVariables;
  if (sealed !== undefined) {
    const at = rule.source.indexOf(sealed);
    throw new ProgramsError(
      'AMP_RULE_INVALID',
      `'${sealed}' is stored encrypted; rules over sealed attributes cannot run yet`,
      [
        {
          field: '/eligibilityRule',
          reason: `'${sealed}' is stored encrypted and cannot be decided in batch yet`,
          code: 'rule_sealed_not_planned',
          params: { start: at, end: at + sealed.length },
        },
      ],
    );
  }
  return { sql: rule };
}
