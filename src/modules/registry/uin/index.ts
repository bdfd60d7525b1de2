/** Person ID number (UIN): generation and validation. See uin.ts for the rationale. */
export { generateUin, hasObviousPattern, isValidUin, type RandomIntSource } from './uin.js';
export { verhoeffCheckDigit, verhoeffValidate } from './verhoeff.js';
