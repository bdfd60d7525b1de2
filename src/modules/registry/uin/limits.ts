import { limits } from '../../../limits.js';

/** Bounds of the UIN generator: `limits.uin` in src/limits.ts. */
export const { uinLength, uinDrawAttemptsMax } = limits.uin;
