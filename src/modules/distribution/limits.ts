import { limits } from '../../limits.js';

/** Bounds of points, stock and redemption: `limits.distribution` in src/limits.ts. */
export const distributionLimits = limits.distribution;
