import { limits } from '../../limits.js';

/** Bounds and disclosure rules of published statistics: `limits.statistics` in src/limits.ts. */
export const statisticsLimits = limits.statistics;
