import { limits } from '../../../limits.js';

/**
 * Bounds of the bulk import: `limits.import` in src/limits.ts, and the registry's household
 * size, which an imported household must keep like an enrolled one.
 */
export const importLimits = {
  ...limits.import,
  householdMembersMax: limits.registry.householdMembersMax,
} as const;
