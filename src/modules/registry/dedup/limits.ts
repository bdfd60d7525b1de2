import { limits } from '../../../limits.js';

/** Bounds of duplicate detection: `limits.dedup` in src/limits.ts. */
export const dedupLimits = limits.dedup;
export const runLimits = limits.dedup.run;
