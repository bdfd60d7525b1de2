import { limits } from '../../limits.js';

/** Bounds of programs and rules: `limits.programs` in src/limits.ts. */
export const programLimits = limits.programs;
