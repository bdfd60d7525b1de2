import { limits } from '../../limits.js';

/** Bounds of payments: `limits.payments` in src/limits.ts. */
export const paymentLimits = limits.payments;
