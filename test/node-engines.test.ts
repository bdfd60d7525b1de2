import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The README names the oldest Node.js Amparo runs on. Every installed package must declare
 * that it runs there too, or `npm install` warns (EBADENGINE) and the claim is only luck.
 * Reads package-lock.json, so a dependency bump that needs a newer Node fails here, and the
 * fix is a pin in package.json "overrides" or a change to the README.
 */

const root = new URL('../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');

interface LockFile {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
}
// Safe: package-lock.json is written by npm in this shape (lockfileVersion 3).
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as LockFile;
// Safe: package.json is ours and declares engines.node.
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  engines: { node: string };
};

describe('Node.js version', () => {
  const claimed = /Requires Node\.js ≥ (\d+\.\d+)/.exec(readme)?.[1];

  it('the README and package.json name the same minimum', () => {
    expect(claimed).toBeDefined();
    expect(manifest.engines.node).toBe(`>=${claimed}`);
  });

  it('every package in the lock file admits the minimum the README names', () => {
    const minimum = `${claimed}.0`;
    const refusing = Object.entries(lock.packages)
      .map(([where, entry]) => ({
        name: where.replace(/^.*node_modules\//, '') || 'amparo',
        version: entry.version,
        range: Array.isArray(entry.engines) ? undefined : entry.engines?.node,
      }))
      .filter(({ range }) => range !== undefined && !admits(range, minimum));
    expect(refusing).toEqual([]);
  });

  it('reads the ranges npm packages declare', () => {
    expect(admits('>=20.19', '20.19.0')).toBe(true);
    expect(admits('>=22', '20.19.0')).toBe(false);
    expect(admits('^20.19.0 || >=22.12.0', '20.19.0')).toBe(true);
    expect(admits('^20.19.0 || >=22.12.0', '22.11.0')).toBe(false);
    expect(admits('^20.20.0', '20.19.0')).toBe(false);
    expect(admits('18 || 20 || >=22', '20.19.0')).toBe(true);
    expect(admits('6.* || 8.* || >= 10.*', '20.19.0')).toBe(true);
    expect(admits('>=16 || 14 >=14.17', '14.16.0')).toBe(false);
    expect(admits('>= 10.x', '20.19.0')).toBe(true);
    expect(admits('^10 || ^12 || ^13.7', '20.19.0')).toBe(false);
    expect(admits('>=12 <20', '20.19.0')).toBe(false);
    expect(() => admits('~20.1', '20.19.0')).toThrow(/cannot read/);
  });
});

type Version = [number, number, number];

/** Whether an npm `engines` range admits `version`; throws on syntax it does not know. */
function admits(range: string, version: string): boolean {
  const wanted = parseVersion(version).parts;
  return range.split('||').some((alternative) =>
    alternative
      .trim()
      .replace(/([<>=^]+)\s+/g, '$1')
      .split(/\s+/)
      .every((comparator) => satisfies(comparator, wanted, range)),
  );
}

function satisfies(comparator: string, wanted: Version, range: string): boolean {
  const match = /^(>=|<=|>|<|\^|=)?(\d+(?:\.(?:\d+|[x*]))*)$/.exec(comparator);
  const operator = match?.[1] ?? '=';
  if (!match?.[2]) throw new Error(`cannot read the engines range "${range}"`);
  const { parts, given } = parseVersion(match[2]);
  // A caret on 0.x means something else; no Node.js range needs it, so it is not read.
  if (operator === '^' && parts[0] === 0)
    throw new Error(`cannot read the engines range "${range}"`);
  switch (operator) {
    case '>=':
      return compare(wanted, parts) >= 0;
    case '<':
      return compare(wanted, parts) < 0;
    case '^':
      return compare(wanted, parts) >= 0 && wanted[0] === parts[0];
    case '=':
      return parts.slice(0, given).every((part, index) => wanted[index] === part);
    default:
      throw new Error(`cannot read the engines range "${range}"`);
  }
}

/** "20.19" is [20, 19, 0] with two parts given; "10.x" and "6.*" give one. */
function parseVersion(text: string): { parts: Version; given: number } {
  const numbers = text.split('.').filter((part) => /^\d+$/.test(part));
  const parts: Version = [
    Number(numbers[0] ?? 0),
    Number(numbers[1] ?? 0),
    Number(numbers[2] ?? 0),
  ];
  return { parts, given: numbers.length };
}

function compare(left: Version, right: Version): number {
  for (let index = 0; index < 3; index += 1) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
