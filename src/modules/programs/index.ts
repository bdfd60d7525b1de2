/**
 * The programs module's public face (issue #13): benefit programs, their versions and
 * publication, and eligibility rules in CEL. Re-exports only.
 */
export { type AppealDecidedHook, appealDecider } from './appeals/appeal-decider.js';
export { closeAppealsOnRegistryEvents } from './appeals/appeal-lifecycle.js';
export { type AppealRoutesOptions, appealRoutes } from './appeals/appeal-routes.js';
export { appealAssigner, appealFiler } from './appeals/appeal-service.js';
export { type BenefitLine, benefitStatus } from './appeals/benefit-status.js';
export {
  type CashEntitlement,
  type CashEntitlementRange,
  type CycleForDisbursement,
  cashEntitlementRanges,
  cashEntitlementsInRange,
  cycleForDisbursement,
  openCashEntitlementsRelation,
  type PayableCashCycle,
  type PayableEntitlement,
  payableCashCycles,
  payableEntitlements,
  programForFunding,
} from './cycles/cash-entitlements.js';
export {
  type CoverageGroup,
  coverageByProgramCycle,
  type FirstRedemptions,
} from './cycles/coverage-aggregate.js';
export { type ComputeOutcome, cycleComputer, type RunProgress } from './cycles/cycle-run.js';
export {
  type CycleClosingHook,
  cycleApprover,
  cycleCloser,
  cycleCreator,
  cycleOpener,
  cyclePublisher,
  cycleRecomputer,
} from './cycles/cycle-service.js';
export { cycleView } from './cycles/cycle-view.js';
export {
  type CycleForReconciliation,
  type CycleHolderPage,
  cycleEntitledAt,
  cycleForReconciliation,
  cycleHolders,
  type EntitlementForRedemption,
  type EntitlementRelationRow,
  entitlementForRedemption,
  entitlementForRedemptionRelation,
  entitlementFromRelation,
  entitlementsEverOf,
  entitlementsForRedemption,
  entitlementsForRedemptionRelation,
  openEntitlementsOf,
  openEntitlementsOfCycle,
  openInKindEntitlementsOf,
} from './cycles/entitlement-reader.js';
export {
  countEligible,
  type EligibilityQuery,
  eligiblePersonIds,
} from './eligibility/eligibility-query.js';
export {
  type PreviewCount,
  type RulePreview,
  rulePreview,
} from './eligibility/rule-preview.js';
export type { SealedDeciding } from './eligibility/sealed-decider.js';
export { type SealedPool, sealedPool } from './eligibility/sealed-pool.js';
export { programLimits } from './limits.js';
export { type ProgramsPluginOptions, programsPlugin } from './plugin.js';
export { type ProgramChoice, programChoices } from './program-choices.js';
export {
  type Benefit,
  type CheckedContent,
  checkContent,
  type ProgramContent,
} from './program-content.js';
export {
  programCreator,
  programStatusChanger,
  programVersionSaver,
  publicationDecider,
  publicationRequester,
} from './program-service.js';
export { ProgramsError, type ProgramsErrorCode } from './programs-error.js';
export {
  listPublishedPrograms,
  type PublishedProgram,
  PublishedProgramSchema,
  publicProgramRoutes,
} from './public-routes.js';
export { endEntitlementsOnRegistryEvents } from './registry-subscriptions.js';
export { type CheckedRule, checkRule } from './rules/rule-checker.js';
export { evaluateFormula, evaluateRule, type RuleOutcome } from './rules/rule-evaluator.js';
export {
  type ClauseExplanation,
  explainRule,
  type RuleExplanation,
} from './rules/rule-explainer.js';
export {
  planFormula,
  planRule,
  type RulePlan,
  type RulePlanDescription,
} from './rules/rule-plan.js';
export { compileFormula, compileRule } from './rules/rule-sql.js';
export type { ProgramTables } from './tables.js';
