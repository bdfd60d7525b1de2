import { limits } from '../../limits.js';

/** Bounds of the ledger: `limits.ledger` in src/limits.ts. */
export const ledgerLimits = limits.ledger;
