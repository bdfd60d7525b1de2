import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The dependency rules (.dependency-cruiser.cjs, issue #12) are enforced, not hoped for: each
 * rule is shown a tree with one deliberate violation and must report exactly that, and the
 * real tree must have none (the same check `npm run lint` and CI run).
 */
const root = fileURLToPath(new URL('../', import.meta.url));
const depcruise = path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
const run = promisify(execFile);

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

async function violations(cwd: string, paths: string[]): Promise<Violation[]> {
  const { stdout } = await run(
    process.execPath,
    [depcruise, ...paths, '--config', path.join(root, '.dependency-cruiser.cjs'), '-T', 'json'],
    { cwd, maxBuffer: 64 * 1024 * 1024 },
  ).catch((error: { stdout?: string; stderr?: string }) => {
    if (!error.stdout) throw new Error(String(error.stderr));
    return { stdout: error.stdout };
  });
  return (JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('module boundaries', () => {
  let sandbox: string;
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(sandbox, file)), { recursive: true });
    writeFileSync(path.join(sandbox, file), text);
  };

  beforeAll(() => {
    sandbox = mkdtempSync(path.join(tmpdir(), 'amparo-architecture-'));
    write('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'nodenext' } }));
    // A lawful skeleton: faces, a shared word, the platform.
    write('src/shared/words.ts', 'export const word = 1;\n');
    write(
      'src/platform/db.ts',
      "import { word } from '../shared/words.js';\nexport const db = word;\n",
    );
    write('src/modules/access/index.ts', "export { guard } from './guard.js';\n");
    write('src/modules/access/guard.ts', 'export const guard = 1;\n');
    write('src/modules/registry/index.ts', "export { person } from './persons/person.js';\n");
    write(
      'src/modules/registry/persons/person.ts',
      "import { guard } from '../../access/index.js';\nexport const person = guard;\n",
    );
    write('src/modules/credentials/index.ts', "export { card } from './card.js';\n");
    write(
      'src/modules/credentials/card.ts',
      "import { person } from '../registry/index.js';\nexport const card = person;\n",
    );
    write('src/modules/audit/index.ts', 'export const log = 1;\n');
    write('src/modules/distribution/index.ts', 'export const point = 1;\n');
    write(
      'web/src/app.ts',
      "import { word } from '../../src/shared/words.js';\nexport const app = word;\n",
    );
  });
  afterAll(() => rmSync(sandbox, { recursive: true, force: true }));

  it('finds nothing in a tree that keeps the rules', async () => {
    expect(await violations(sandbox, ['src', 'web'])).toEqual([]);
  });

  // One deliberate violation per rule, all in one tree: each rule must report exactly its own
  // file and nothing else (one run of dependency-cruiser instead of one per rule).
  const deliberate: readonly (readonly [rule: string, file: string, text: string])[] = [
    [
      'modules-meet-through-index',
      'src/modules/credentials/reach-in.ts',
      "import { guard } from '../access/guard.js';\nexport const x = guard;\n",
    ],
    [
      'registry-imports-no-downstream',
      'src/modules/registry/calls-down.ts',
      "import { card } from '../credentials/index.js';\nexport const x = card;\n",
    ],
    [
      'nothing-below-imports-distribution',
      'src/modules/programs/calls-distribution.ts',
      "import { point } from '../distribution/index.js';\nexport const x = point;\n",
    ],
    [
      'audit-imports-platform-and-shared',
      'src/modules/audit/knows-access.ts',
      "import { guard } from '../access/index.js';\nexport const x = guard;\n",
    ],
    [
      'statistics-reads-aggregates-only',
      'src/modules/statistics/reads-persons.ts',
      "import { person } from '../registry/index.js';\nexport const x = person;\n",
    ],
    [
      'ledger-imports-platform-and-shared',
      'src/modules/ledger/knows-persons.ts',
      "import { person } from '../registry/index.js';\nexport const x = person;\n",
    ],
    [
      'platform-imports-no-module',
      'src/platform/knows-domain.ts',
      "import { person } from '../modules/registry/index.js';\nexport const x = person;\n",
    ],
    [
      'shared-imports-only-shared',
      'src/shared/leaks.ts',
      "import { db } from '../platform/db.js';\nexport const x = db;\n",
    ],
    [
      'web-imports-only-shared',
      'web/src/page.ts',
      "import { guard } from '../../src/modules/access/index.js';\nexport const x = guard;\n",
    ],
  ];

  it('reports each rule for its one deliberate violation, and nothing else', async () => {
    for (const [, file, text] of deliberate) write(file, text);
    try {
      const found = await violations(sandbox, ['src', 'web']);
      const sortPairs = (pairs: string[][]) => pairs.map((pair) => pair.join(' ')).sort();
      expect(sortPairs(found.map((violation) => [violation.rule.name, violation.from]))).toEqual(
        sortPairs(deliberate.map(([rule, file]) => [rule, file])),
      );
    } finally {
      for (const [, file] of deliberate) rmSync(path.join(sandbox, file));
    }
  });

  it('reports a loop between two files', async () => {
    write('src/modules/access/a.ts', "import { b } from './b.js';\nexport const a = b;\n");
    write('src/modules/access/b.ts', "import { a } from './a.js';\nexport const b = a;\n");
    try {
      const found = await violations(sandbox, ['src']);
      expect(new Set(found.map((violation) => violation.rule.name))).toEqual(
        new Set(['no-circular']),
      );
    } finally {
      rmSync(path.join(sandbox, 'src/modules/access/a.ts'));
      rmSync(path.join(sandbox, 'src/modules/access/b.ts'));
    }
  });

  it('finds no violation in the real tree', async () => {
    expect(await violations(root, ['src', 'web/src', 'test', 'bench'])).toEqual([]);
  }, 60_000);
});
