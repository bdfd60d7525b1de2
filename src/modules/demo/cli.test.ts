import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { registerDemoCommands } from './cli.js';
import { DemoOptionsError, validatePopulationOptions } from './options.js';
import { writePopulation } from './write-population.js';

const directory = mkdtempSync(join(tmpdir(), 'amparo-demo-cli-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

let printed: string[] = [];
beforeEach(() => {
  printed = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

async function run(...args: string[]): Promise<void> {
  const program = new Command('amparo').exitOverride().configureOutput({ writeErr: () => {} });
  registerDemoCommands(program);
  await program.parseAsync(['demo', 'generate', ...args], { from: 'user' });
}

describe('amparo demo generate', () => {
  it('writes the file and its default truth file, and says so', async () => {
    const out = join(directory, 'people.csv');
    await run('--persons', '400', '--seed', '42', '--duplicates', '0.05', '--out', out);
    expect(readFileSync(out, 'utf8').split('\r\n')).toHaveLength(402);
    expect(existsSync(`${out}.truth.csv`)).toBe(true);
    expect(printed.join('')).toMatch(/Wrote 400 records \(20 duplicate enrolments\)/);
  });

  it('treats an integer seed and the same digits as a string alike', async () => {
    const out = join(directory, 'integer.csv');
    await run('--persons', '300', '--seed', '42', '--out', out);
    const fromApi = validatePopulationOptions({ persons: 300, seed: 42 });
    const apiOut = join(directory, 'integer-api.csv');
    await writePopulation({ ...fromApi, out: apiOut });
    expect(readFileSync(out)).toEqual(readFileSync(apiOut));
  });

  it('writes NDJSON and a truth file where asked', async () => {
    const out = join(directory, 'people.ndjson');
    const truth = join(directory, 'truth.csv');
    await run('--persons', '50', '--out', out, '--format', 'ndjson', '--truth', truth);
    const first: Record<string, unknown> = JSON.parse(
      readFileSync(out, 'utf8').split('\n')[0] ?? '',
    );
    expect(first.record_id).toBe('R00000001');
    expect(readFileSync(truth, 'utf8').startsWith('record_id,person_id\r\n')).toBe(true);
  });

  it.each([
    [['--persons', '0'], /persons must be a whole number from 1 to 50000000/],
    [['--persons', '50000001'], /persons must be/],
    [['--persons', 'ten'], /persons must be/],
    [['--persons', '10', '--duplicates', '0.6'], /duplicates must be a share from 0 to 0.5/],
    [['--persons', '10', '--duplicates', '-0.1'], /duplicates must be/],
    [['--persons', '10', '--reference-date', '2025-02-30'], /reference date/],
    [['--persons', '10', '--format', 'xml'], /xml.*invalid|Allowed choices/],
    [['--persons', '10', '--regions', 'VE-A,VE-Q'], /regions must be state codes.*not VE-Q/],
    [['--persons', '10', '--regions', 'VE-W'], /regions must be state codes.*not VE-W/],
  ])('refuses %j with a clear message', async (args, message) => {
    const out = join(directory, 'refused.csv');
    const failure = run(...args, '--out', out);
    await expect(failure).rejects.toBeInstanceOf(CommanderError);
    await expect(failure).rejects.toThrow(message);
    expect(existsSync(out)).toBe(false);
  });

  it('places every household in the --regions states, and only there', async () => {
    const out = join(directory, 'regions.csv');
    await run('--persons', '300', '--seed', '3', '--regions', 'VE-A, VE-Z', '--out', out);
    const [header, ...rows] = readFileSync(out, 'utf8').split('\r\n').filter(Boolean);
    const column = header?.split(',').indexOf('state_code') ?? -1;
    const states = new Set(rows.map((row) => row.split(',')[column]));
    expect(states).toEqual(new Set(['VE-A', 'VE-Z']));
  });

  it('requires --persons and --out', async () => {
    await expect(run('--out', join(directory, 'x.csv'))).rejects.toThrow(/--persons/);
    await expect(run('--persons', '10')).rejects.toThrow(/--out/);
  });
});

describe('validatePopulationOptions', () => {
  it('fills defaults and keeps what was given', () => {
    expect(validatePopulationOptions({ persons: '10', seed: 'x' })).toEqual({
      persons: 10,
      seed: 'x',
      duplicateShare: 0.05,
      referenceDate: '2026-01-01',
    });
  });

  it('refuses seeds that are neither integers nor short strings', () => {
    expect(() => validatePopulationOptions({ persons: 1, seed: 1.5 })).toThrow(DemoOptionsError);
    expect(() => validatePopulationOptions({ persons: 1, seed: '' })).toThrow(DemoOptionsError);
    expect(() => validatePopulationOptions({ persons: 1, seed: {} })).toThrow(DemoOptionsError);
    expect(() => validatePopulationOptions({ persons: 1.5, seed: 'a' })).toThrow(DemoOptionsError);
  });
});
