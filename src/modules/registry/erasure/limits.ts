import { limits } from '../../../limits.js';

/** Bounds of erasure: `limits.erasure` in src/limits.ts. */
export const erasureLimits = limits.erasure;
