import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const folder = fileURLToPath(new URL('.', import.meta.url));

/**
 * Every production file under src/shared/: the console and the offline verifier page import
 * them, so none may touch Node. Tests and test kits run under Node only.
 */
const sharedFiles = readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter(
  (file) => /\.tsx?$/.test(file) && !/\.test\.tsx?$|-test-kit\.ts$/.test(file),
);

describe('src/shared', () => {
  it('includes the codec, the access vocabulary and the ID number rules', () => {
    expect(sharedFiles).toEqual(
      expect.arrayContaining([
        'claim169/base45.ts',
        'claim169/cose-sign1.ts',
        'claim169/credential.ts',
        'claim169/web-primitives.ts',
        'access/policy.ts',
        'uin/uin-rules.ts',
      ]),
    );
  });

  it.each(sharedFiles)('%s imports no Node module and no Node-only file', (file) => {
    const source = readFileSync(folder + file, 'utf8');
    const imports = [...source.matchAll(/from\s+'([^']+)'/g)].map((match) => match[1]);
    for (const specifier of imports) {
      expect(specifier).not.toMatch(/^node:|^(fs|zlib|crypto|path|buffer)$/);
      expect(specifier).not.toMatch(/node-primitives|codec-test-kit/);
    }
    expect(source).not.toMatch(/\bBuffer\./);
  });
});
