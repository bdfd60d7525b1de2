import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const folder = fileURLToPath(new URL('.', import.meta.url));

/** Files the offline verifier page imports; only these two may touch Node. */
const nodeOnly = new Set(['node-primitives.ts', 'codec-test-kit.ts']);

describe('codec core', () => {
  const coreFiles = readdirSync(folder).filter(
    (file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !nodeOnly.has(file),
  );

  it('includes the decoding and verification files', () => {
    expect(coreFiles).toEqual(
      expect.arrayContaining(['base45.ts', 'cose-sign1.ts', 'credential.ts', 'web-primitives.ts']),
    );
  });

  it.each(coreFiles)('%s imports no Node module and no Node-only file', (file) => {
    const source = readFileSync(folder + file, 'utf8');
    const imports = [...source.matchAll(/from\s+'([^']+)'/g)].map((match) => match[1]);
    for (const specifier of imports) {
      expect(specifier).not.toMatch(/^node:|^(fs|zlib|crypto|path|buffer)$/);
      expect(specifier).not.toMatch(/node-primitives|codec-test-kit/);
    }
    expect(source).not.toMatch(/\bBuffer\./);
  });
});
