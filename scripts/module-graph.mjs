#!/usr/bin/env node
/**
 * `npm run graph`: draws which module imports which (production code only) as a Mermaid
 * flowchart and writes it into docs/ARCHITECTURE.md between the module-graph markers.
 * `npm run graph -- --check` fails when the picture in the docs is out of date (CI runs it).
 *
 * Only module-to-module arrows are drawn: every module may use `src/shared/`, `src/platform/`,
 * `src/limits.ts` and `src/config.ts`, and the composition root (`src/app.ts`, `src/server.ts`,
 * `src/main.ts`, `src/cli/`) wires every module — those arrows would hide the ones that matter.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const docPath = path.join(root, 'docs/ARCHITECTURE.md');
const start = '<!-- module-graph:start (npm run graph) -->';
const end = '<!-- module-graph:end -->';

const output = execFileSync(
  process.execPath,
  [
    path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'),
    'src',
    '--config',
    '.dependency-cruiser.cjs',
    '--include-only',
    '^src/modules/',
    '--exclude',
    '\\.test\\.tsx?$|-test-kit\\.ts$',
    '--collapse',
    '^src/modules/[^/]+',
    '--output-type',
    'json',
  ],
  { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
);
const moduleName = (source) => /^src\/modules\/([^/]+)/.exec(source)?.[1];
const nodes = new Set();
const edges = new Set();
for (const module of JSON.parse(output).modules) {
  const from = moduleName(module.source);
  if (from === undefined) continue;
  nodes.add(from);
  for (const dependency of module.dependencies) {
    const to = moduleName(dependency.resolved);
    if (to !== undefined && to !== from) edges.add(`${from} --> ${to}`);
  }
}
const chart = [
  '```mermaid',
  'flowchart TD',
  ...[...nodes].sort().map((name) => `  ${name}`),
  ...[...edges].sort().map((edge) => `  ${edge}`),
  '```',
].join('\n');

const doc = readFileSync(docPath, 'utf8');
const from = doc.indexOf(start);
const to = doc.indexOf(end);
if (from < 0 || to < from)
  throw new Error(`docs/ARCHITECTURE.md lacks the markers ${start} … ${end}`);
const updated = `${doc.slice(0, from + start.length)}\n${chart}\n${doc.slice(to)}`;
if (process.argv.includes('--check')) {
  if (updated !== doc) {
    console.error('docs/ARCHITECTURE.md: the module graph is out of date; run `npm run graph`.');
    process.exit(1);
  }
  console.log('module graph in docs/ARCHITECTURE.md is current');
} else {
  writeFileSync(docPath, updated);
  console.log(`docs/ARCHITECTURE.md: ${nodes.size} modules, ${edges.size} arrows`);
}
