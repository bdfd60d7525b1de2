import { limits } from '../../limits.js';

/** Bounds of the audit module: `limits.audit` in src/limits.ts. */
export const auditLimits = limits.audit;
