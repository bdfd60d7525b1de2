import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  prunePgliteTemplates,
  runIdentityOf,
  runIsDead,
  runTag,
  thisPidSpace,
} from './run-leftovers.js';

/**
 * What a killed test run leaves is removed only when provably its (global-setup.ts): a run is
 * dead when its pid is free or reused on this boot and pid namespace, and alive otherwise; the
 * PGlite template cache keeps the templates used last and any used lately.
 */
const onLinux = thisPidSpace() !== undefined;

describe.runIf(onLinux)('a run proved dead', () => {
  const tag = runTag() ?? '';
  const here = thisPidSpace();
  const identity = runIdentityOf(`amparo_test_${tag}_0a1b2c3d`);

  it('reads the run back from its database names', () => {
    expect(identity).toMatchObject({ pid: process.pid });
    expect(runIdentityOf(`amparo_template_${tag}`)).toEqual(identity);
    // The older names carry no pid: never provably dead.
    expect(runIdentityOf('amparo_test_1796524428003_4203fa72_f21b8faa')).toBeUndefined();
  });

  it('is this run alive, a finished process dead, a reused pid dead, another boot unknown', () => {
    if (identity === undefined) throw new Error('no identity');
    expect(runIsDead(identity, here)).toBe(false);
    const finished = spawnSync(process.execPath, ['-e', '0']).pid ?? 0;
    expect(runIsDead({ ...identity, pid: finished }, here)).toBe(true);
    // Process 1 is alive, but it is not a run that started when this one did: its pid reused.
    expect(runIsDead({ ...identity, pid: 1 }, here)).toBe(true);
    expect(runIsDead({ ...identity, pid: finished, boot: '000000000000' }, here)).toBe(false);
    expect(runIsDead({ ...identity, pid: finished, namespace: 'zz' }, here)).toBe(false);
  });
});

describe('the PGlite template cache', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'amparo-template-cache-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the three used last and any used within six hours; removes the rest and old partials', () => {
    const nowMs = Date.parse('2026-12-06T12:00:00Z');
    const hoursAgo = (hours: number) => new Date(nowMs - hours * 3_600_000);
    const template = (letter: string) => `pglite-template-000000000000000${letter}.tar`;
    const files: Array<[string, number]> = [
      [template('a'), 0],
      [template('b'), 1],
      [template('c'), 2],
      // The fourth used last, but three hours ago: a run may still be reading it.
      [template('d'), 3],
      [template('e'), 30],
      [template('f'), 60],
      [`${template('a')}.4242.abcd`, 7],
      [`${template('b')}.4243.abcd`, 1],
      [`${template('c')}.pruning-4244`, 9],
    ];
    for (const [name, hours] of files) {
      writeFileSync(path.join(dir, name), name);
      utimesSync(path.join(dir, name), hoursAgo(hours), hoursAgo(hours));
    }
    expect(prunePgliteTemplates(dir, nowMs).sort()).toEqual([
      `${template('a')}.4242.abcd`,
      `${template('c')}.pruning-4244`,
      template('e'),
      template('f'),
    ]);
    expect(readdirSync(dir).sort()).toEqual([
      template('a'),
      template('b'),
      `${template('b')}.4243.abcd`,
      template('c'),
      template('d'),
    ]);
  });
});
