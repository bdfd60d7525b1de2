/** Person ID number (UIN): generation and validation. See uin.ts for the rationale. */

export {
  hasObviousPattern,
  isValidUin,
  type UinProblem,
  uinProblem,
} from '../../../shared/uin/uin-rules.js';
export { verhoeffCheckDigit, verhoeffValidate } from '../../../shared/uin/verhoeff.js';
export { generateUin, type RandomIntSource } from './uin.js';
