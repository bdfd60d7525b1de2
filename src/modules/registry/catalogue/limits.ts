import { limits } from '../../../limits.js';

/** Bounds of the catalogue checks: `limits.catalogue` in src/limits.ts. */
export const catalogueLimits = limits.catalogue;
