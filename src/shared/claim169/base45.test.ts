import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase45, encodeBase45 } from './base45.js';
import { CredentialCodecError } from './credential-codec-error.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytesOf = (value: string) => new TextEncoder().encode(value);

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    return error instanceof CredentialCodecError ? error.code : 'not a CredentialCodecError';
  }
}

describe('base45 (RFC 9285)', () => {
  it.each([
    ['AB', 'BB8'],
    ['Hello!!', '%69 VD92EX0'],
    ['base-45', 'UJCLQE7W581'],
    ['ietf!', 'QED8WEX0'],
  ])('encodes the RFC example %j as %j and back', (plain, encoded) => {
    expect(encodeBase45(bytesOf(plain))).toBe(encoded);
    expect(text(decodeBase45(encoded))).toBe(plain);
  });

  it('encodes the empty string as the empty string', () => {
    expect(encodeBase45(new Uint8Array())).toBe('');
    expect(decodeBase45('')).toEqual(new Uint8Array());
  });

  it('decodes the largest triplet and pair values', () => {
    // 65535 = 15 + 16·45 + 32·45² → "FGW"; 255 = 30 + 5·45 → "U5".
    expect(Array.from(decodeBase45('FGW'))).toEqual([255, 255]);
    expect(Array.from(decodeBase45('U5'))).toEqual([255]);
  });

  it.each([
    ['GGW', 'a triplet above 65535'],
    [':::', 'the largest triplet'],
    ['V5', 'a pair above 255'],
    ['::', 'the largest pair'],
    ['A', 'a single character'],
    ['BB8A', 'a dangling character after a triplet'],
    ['bb8', 'lower case'],
    ['BB#', 'a character outside the alphabet'],
    ['BBé', 'a non-ASCII character'],
    ['BB\u0000', 'a NUL'],
  ])('refuses %j (%s)', (encoded) => {
    expect(codeOf(() => decodeBase45(encoded))).toBe('AMP_CRED_MALFORMED_BASE45');
  });

  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const encoded = encodeBase45(bytes);
        expect(encoded).toMatch(/^[0-9A-Z $%*+\-./:]*$/);
        expect(encoded.length).toBe(Math.floor(bytes.length / 2) * 3 + (bytes.length % 2) * 2);
        expect(decodeBase45(encoded)).toEqual(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('accepts a text only if it is the canonical encoding of what it decodes to', () => {
    const alphabetChar = fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:');
    fc.assert(
      fc.property(fc.array(alphabetChar, { maxLength: 40 }), (chars) => {
        const encoded = chars.join('');
        const code = codeOf(() => decodeBase45(encoded));
        if (code === undefined) expect(encodeBase45(decodeBase45(encoded))).toBe(encoded);
        else expect(code).toBe('AMP_CRED_MALFORMED_BASE45');
      }),
      { numRuns: 500 },
    );
  });
});
