import { limits } from '../../limits.js';

/** Bounds of sign-in and sessions: `limits.access` in src/limits.ts. */
export const accessLimits = limits.access;
