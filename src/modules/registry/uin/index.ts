/** Person ID number (UIN): generation and validation. See uin.ts for the rationale. */
export { generateUin, type RandomIntSource } from './uin.js';
export { hasObviousPattern, isValidUin, type UinProblem, uinProblem } from './uin-rules.js';
export { verhoeffCheckDigit, verhoeffValidate } from './verhoeff.js';
