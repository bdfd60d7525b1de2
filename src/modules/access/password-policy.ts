import { dictionary } from '@zxcvbn-ts/language-common';
import { accessLimits } from './limits.js';

/**
 * Why a password was refused. Stable codes: the console translates them.
 *
 * - `too_short` / `too_long`: outside 12–128 Unicode code points after NFKC normalisation.
 * - `common`: on the common-password list, also after undoing l33t substitutions and
 *   stripping digits and symbols from its ends (`P@ssw0rd2024!`).
 * - `contains_username`: holds the username, a part of it, or it reversed; or the service
 *   name.
 * - `repetitive`: one short string repeated (`abcabcabcabc`, `passwordpassword`).
 * - `sequential`: made of at most three runs of consecutive or keyboard-adjacent characters
 *   (`abcdefghijkl`, `1234abcd5678`, `qwertyuiop12`).
 */
export type PasswordPolicyReason =
  | 'too_short'
  | 'too_long'
  | 'common'
  | 'contains_username'
  | 'repetitive'
  | 'sequential';

/** The form a password is hashed and checked in: NFKC, so equivalent inputs agree. */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/**
 * Checks a new password against NIST SP 800-63B §3.1.1.2: a length range, a blocklist of
 * common and context-specific values, no composition rules. Returns every reason it fails;
 * an empty list means the password is acceptable.
 *
 * @example
 *   checkPasswordPolicy('P@ssw0rd2024!', { username: 'ana.perez' }); // ['common']
 *   checkPasswordPolicy('tortuga verde bajo la lluvia', { username: 'ana.perez' }); // []
 */
export function checkPasswordPolicy(
  password: string,
  { username }: { username: string },
): PasswordPolicyReason[] {
  const normalized = normalizePassword(password);
  const codePoints = [...normalized].length;
  const reasons: PasswordPolicyReason[] = [];
  if (codePoints < accessLimits.password.codePointsMin) reasons.push('too_short');
  if (codePoints > accessLimits.password.codePointsMax) reasons.push('too_long');
  const lower = normalized.toLowerCase();
  const variants = [lower, unleet(lower, 'i'), unleet(lower, 'l')];
  if (variants.some(isCommon)) reasons.push('common');
  if (variants.some((variant) => containsContextWord(variant, username))) {
    reasons.push('contains_username');
  }
  if (isRepetition(lower)) reasons.push('repetitive');
  else if (runCount(lower) <= sequentialRunsMax) reasons.push('sequential');
  return reasons;
}

let commonPasswords: ReadonlySet<string> | undefined;

/** Built on first use: 49,233 entries from @zxcvbn-ts/language-common (MIT). */
function commonPasswordSet(): ReadonlySet<string> {
  commonPasswords ??= new Set(dictionary['passwords-common'].map((entry) => entry.toLowerCase()));
  return commonPasswords;
}

/** A shorter core (`ab` in `ab93847561029`) says nothing about the whole password. */
const commonCoreLengthMin = 4;

function isCommon(candidate: string): boolean {
  const list = commonPasswordSet();
  if (list.has(candidate)) return true;
  // A listed password dressed up with digits or symbols at either end is still that password.
  const core = candidate.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
  return [...core].length >= commonCoreLengthMin && list.has(core);
}

const leetLetters: Readonly<Record<string, string>> = {
  '0': 'o',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
  '!': 'i',
};

/** Undoes common l33t substitutions; `1` is ambiguous (i or l), so the caller tries both. */
function unleet(text: string, one: 'i' | 'l'): string {
  let output = '';
  for (const character of text)
    output += character === '1' ? one : (leetLetters[character] ?? character);
  return output;
}

/** Words that identify the account or the service: NIST's "context-specific words". */
const serviceWords = ['amparo'];
/** Parts of a username shorter than this are too common to refuse (`ana` is in `banana`). */
const usernamePartLengthMin = 4;

function containsContextWord(candidate: string, username: string): boolean {
  const compact = candidate.replace(/[\s._-]+/g, '');
  const name = username.toLowerCase();
  const words = [...serviceWords, name.replace(/[._-]+/g, '')];
  for (const part of name.split(/[._-]+/)) {
    if (part.length >= usernamePartLengthMin) words.push(part);
  }
  return words.some((word) => {
    if (word.length < 3) return false;
    const reversed = [...word].reverse().join('');
    return compact.includes(word) || compact.includes(reversed);
  });
}

/** True when the whole text is one shorter string repeated. */
function isRepetition(text: string): boolean {
  return /^([\s\S]+?)\1+$/u.test(text);
}

/** At most this many predictable runs and the password is `sequential`. */
const sequentialRunsMax = 3;

const keyboardRows = ['1234567890', 'qwertyuiop', 'asdfghjklñ', 'zxcvbnm'];

/**
 * Splits the text into runs in which every step is predictable: the same character, the
 * next or previous code point, or the neighbouring key on a keyboard row.
 */
function runCount(text: string): number {
  const characters = [...text];
  let runs = characters.length > 0 ? 1 : 0;
  for (let index = 1; index < characters.length; index += 1) {
    if (!predictableStep(characters[index - 1] ?? '', characters[index] ?? '')) runs += 1;
  }
  return runs;
}

function predictableStep(previous: string, next: string): boolean {
  const distance = Math.abs((next.codePointAt(0) ?? 0) - (previous.codePointAt(0) ?? 0));
  if (distance <= 1) return true;
  return keyboardRows.some((row) => {
    const at = row.indexOf(previous);
    return at >= 0 && (row[at + 1] === next || row[at - 1] === next);
  });
}
