import { describe, expect, it } from 'vitest';
import { checkPasswordPolicy, normalizePassword } from './password-policy.js';

const username = 'ana.perez';
const check = (password: string) => checkPasswordPolicy(password, { username });

describe('password policy (NIST SP 800-63B)', () => {
  it('accepts long passphrases and random strings without composition rules', () => {
    expect(check('tortuga verde bajo la lluvia')).toEqual([]);
    expect(check('all lower case no digits')).toEqual([]);
    expect(check('Kq7#vLz2!pWx')).toEqual([]);
    expect(check('ñandú corre rápido')).toEqual([]);
  });

  it('counts Unicode code points after NFKC, not UTF-16 units or bytes', () => {
    // Eleven emoji are 22 UTF-16 units but 11 code points: too short.
    expect(check('🐢🌧🌵🎺🚲🧭🪁🫖🦜🧩🪴')).toContain('too_short');
    expect(check('🐢🌧🌵🎺🚲🧭🪁🫖🦜🧩🪴🍋')).toEqual([]);
    // "ﬁ" (one code point) becomes "fi" (two) under NFKC.
    expect(normalizePassword('ﬁ')).toBe('fi');
    expect(check('ﬁrefly lanterns')).toEqual(check('firefly lanterns'));
  });

  it('enforces the length range 12 to 128', () => {
    expect(check('k7#vLz2!pWx')).toEqual(['too_short']);
    expect(check('k7#vLz2!pWxq')).toEqual([]);
    const long = 'k7#vLz2!pWxq'.repeat(11); // 132 code points, and a repetition
    expect(check(long)).toContain('too_long');
    expect(check(`${'tortuga verde '.repeat(9)}x`.slice(0, 128))).not.toContain('too_long');
  });

  it('refuses common passwords, case-insensitively and in obvious disguises', () => {
    expect(check('qwerty123456')).toContain('common');
    expect(check('QWERTY123456')).toContain('common');
    expect(check('password123456')).toContain('common');
    expect(check('P@ssw0rd2024!')).toContain('common');
    expect(check('1loveyou2024!!')).toContain('common');
    expect(check('!!!princesa!!!')).toContain('common');
  });

  it('refuses the username, its parts, its reverse, and the service name', () => {
    expect(check('ana.perez.2024!')).toContain('contains_username');
    expect(check('my name is Perez, hi')).toContain('contains_username');
    expect(check('zerep.ana hello')).toContain('contains_username');
    expect(check('P3r3z rules the world')).toContain('contains_username');
    expect(check('amparo is my friend')).toContain('contains_username');
    // A short part of the username alone is too common to refuse.
    expect(check('banana split sunday')).toEqual([]);
  });

  it('refuses repetitions and runs of consecutive or adjacent characters', () => {
    expect(check('aaaaaaaaaaaa')).toEqual(['repetitive']);
    expect(check('abcabcabcabc')).toEqual(['repetitive']);
    expect(check('kestrelkestrel')).toEqual(['repetitive']);
    expect(check('abcdefghijklmn')).toEqual(['sequential']);
    expect(check('1234abcd5678')).toEqual(['sequential']);
    expect(check('zyxwvutsrqpo')).toEqual(['sequential']);
    expect(check('qwertyuiopasdf')).toEqual(['sequential']);
    expect(check('aaaabbbbccccdddd')).toEqual(['sequential']);
  });

  it('reports every reason at once', () => {
    expect(check('password')).toEqual(['too_short', 'common']);
  });
});
