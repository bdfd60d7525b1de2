import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliEnvironment, createCliEnvironment } from '../../../../test/cli-environment.js';
import { type ImportCliContext, registerImportCommands } from './cli.js';
import { demoRecords, writeText } from './import-test-kit.js';
import { CSV_HEADER, toCsvLine } from './record-format.js';

/**
 * `amparo import persons --lang`: the refused rows come out in the language asked for, else
 * the environment's (AMPARO_LANG, LANG) when it is Spanish or English, else Spanish.
 */
describe('amparo import persons: the language of the refused rows', () => {
  let cli: CliEnvironment;
  const errors: string[] = [];

  beforeAll(async () => {
    cli = await createCliEnvironment('amparo-import-lang-');
  });
  afterAll(async () => cli?.close());

  /** A file of its own per run: a finished job is not run (nor its error file written) again. */
  function fileWithBadSex(name: string): string {
    const rows = demoRecords(12, `cli-language-${name}`).map((record, index) =>
      // Safe: the point is a value the catalogue refuses.
      index === 1 ? toCsvLine({ ...record, sex: 'X' as 'F' }) : toCsvLine(record),
    );
    return writeText(path.join(cli.workDir, `${name}.csv`), CSV_HEADER + rows.join(''));
  }

  async function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
    let exitCode = 0;
    const context: ImportCliContext = {
      env: { ...cli.env, ...env },
      write: () => undefined,
      writeError: (text) => errors.push(text),
      setExitCode: (code) => {
        exitCode = code;
      },
      progressBar: false,
    };
    const program = new Command('amparo').exitOverride();
    registerImportCommands(program, context);
    await program.parseAsync(['import', 'persons', file, ...args], { from: 'user' });
    return exitCode;
  }

  it('writes reasons in --lang, else in the environment language, else in Spanish', async () => {
    const asked = fileWithBadSex('asked');
    expect(await run(asked, ['--lang', 'en'], { LANG: 'es_VE.UTF-8' })).toBe(3);
    expect(readFileSync(`${asked}.errors.csv`, 'utf8')).toContain('sex,"must be one of F, M"');
    const fromEnvironment = fileWithBadSex('environment');
    expect(await run(fromEnvironment, [], { LANG: 'en_GB.UTF-8' })).toBe(3);
    expect(readFileSync(`${fromEnvironment}.errors.csv`, 'utf8')).toContain('must be one of F, M');
    const byDefault = fileWithBadSex('default');
    expect(await run(byDefault, [], { LANG: 'C.UTF-8' })).toBe(3);
    expect(readFileSync(`${byDefault}.errors.csv`, 'utf8')).toContain(
      'sex,"debe ser uno de: F, M"',
    );
    expect(await run(fileWithBadSex('french'), ['--lang', 'fr'], {})).toBe(2);
    expect(errors.join('')).toContain('--lang must be es or en');
  });
});
