import { Environment } from '@marcbachmann/cel-js';
import { type EligibilityFact, eligibilityFacts } from '../../registry/index.js';
import { programLimits } from '../limits.js';

/**
 * The CEL environment every eligibility rule and benefit formula is checked and evaluated in.
 * Its variables are exactly the registry's eligibility facts: declared attributes that the
 * purpose `eligibility_review` may read, and facts derived at the reference date. Nothing a
 * person did (audit entries, access history, card use, redemptions, payments) is a fact, so
 * no rule can name it: such a name is an unknown variable and the rule is refused.
 *
 * @example
 *   ruleEnvironment().check('age >= 60 && sex == "F"').valid; // true
 */
export interface RuleVariables {
  readonly byName: ReadonlyMap<string, EligibilityFact>;
  readonly environment: Environment;
}

let built: RuleVariables | undefined;

/** Built once: the catalogue is fixed while the process runs. */
export function ruleVariables(): RuleVariables {
  if (built !== undefined) return built;
  const environment = new Environment({
    limits: {
      maxDepth: programLimits.ruleDepthMax,
      maxAstNodes: programLimits.ruleNodesMax,
      maxListElements: programLimits.ruleListElementsMax,
    },
  });
  const byName = new Map<string, EligibilityFact>();
  for (const fact of eligibilityFacts()) {
    environment.registerVariable(fact.name, fact.type);
    byName.set(fact.name, fact);
  }
  built = { byName, environment };
  return built;
}

export function ruleEnvironment(): Environment {
  return ruleVariables().environment;
}
