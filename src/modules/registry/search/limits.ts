import { limits } from '../../../limits.js';

/** Bounds of registry search and writes: `limits.registry` in src/limits.ts. */
export const registryWriteLimits = limits.registry;
