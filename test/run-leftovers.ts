import {
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
} from 'node:fs';
import path from 'node:path';
import { type Kysely, sql } from 'kysely';

/**
 * What a test run killed outright (SIGKILL, an OOM kill, a closed terminal) leaves behind, and
 * how a later run removes it without touching a run still alive — other worktrees on the same
 * machine run tests at the same time against the same PostgreSQL and share one node_modules.
 *
 * A run names its PostgreSQL databases after itself (`runTag`): the host's boot, its pid
 * namespace, its pid and the process's start time. A later run on the same boot and pid
 * namespace can then prove the run dead — no process with that pid, or one that started at
 * another time (the pid was reused) — and drop its databases. Anything it cannot prove dead (a
 * run on another host or container sharing the server, one from before a reboot, a name of the
 * older form) is left alone.
 */

/** The host as far as a pid means anything: its boot and this process's pid namespace. */
export interface PidSpace {
  /** The first 12 hex digits of /proc/sys/kernel/random/boot_id (a new one each boot). */
  boot: string;
  /** The pid namespace's inode, base 36 (/proc/self/ns/pid). */
  namespace: string;
}

/** A run's identity as its database names carry it. */
export interface RunIdentity extends PidSpace {
  pid: number;
  /** The process's start time in clock ticks since boot, base 36 (/proc/PID/stat, field 22). */
  startTicks: string;
}

/** The identity of this process, or undefined where /proc does not say (not Linux). */
export function thisPidSpace(): PidSpace | undefined {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').replaceAll('-', '');
    const inode = /^pid:\[(\d+)\]$/.exec(readlinkSync('/proc/self/ns/pid'))?.[1];
    if (inode === undefined) return undefined;
    return { boot: boot.slice(0, 12), namespace: Number(inode).toString(36) };
  } catch {
    return undefined;
  }
}

/** A process's start time (clock ticks since boot, base 36), or undefined if it is not seen. */
function startTicksOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its end.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = fields[19]; // field 22 of the whole line
    return ticks === undefined ? undefined : Number(ticks).toString(36);
  } catch {
    return undefined;
  }
}

/**
 * This run's tag, or undefined where a run cannot be proved dead later (no /proc): then the
 * caller names its databases as before and nothing prunes them.
 *
 * @example
 *   runTag(); // 'peea6448264ad_1ujyfpo_mrk_8wfy'
 */
export function runTag(): string | undefined {
  const space = thisPidSpace();
  const startTicks = startTicksOf(process.pid);
  if (space === undefined || startTicks === undefined) return undefined;
  return `p${space.boot}_${space.namespace}_${process.pid.toString(36)}_${startTicks}`;
}

/** `amparo_test_<tag>_…` (a test database) or `amparo_template_<tag>` (the run's template). */
const taggedName =
  /^amparo_(?:test|template)_p([0-9a-f]{12})_([0-9a-z]+)_([0-9a-z]+)_([0-9a-z]+)(?:_[0-9a-f]+)?$/;

/** The run a database name of either form above belongs to, or undefined for other names. */
export function runIdentityOf(name: string): RunIdentity | undefined {
  const match = taggedName.exec(name);
  if (match === null) return undefined;
  const [, boot = '', namespace = '', pid = '', startTicks = ''] = match;
  return { boot, namespace, pid: Number.parseInt(pid, 36), startTicks };
}

/** Whether the process exists at all (one of another user counts, though it cannot be signalled). */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the run is provably gone: same boot and pid namespace as this process, and its pid is
 * free or now a process that started at another time. Unknowable is alive.
 */
export function runIsDead(identity: RunIdentity, here: PidSpace | undefined): boolean {
  if (here === undefined || identity.boot !== here.boot || identity.namespace !== here.namespace) {
    return false;
  }
  if (identity.pid === process.pid) return false;
  if (!processExists(identity.pid)) return true;
  const startTicks = startTicksOf(identity.pid);
  // Hidden from us (/proc mounted hidepid) yet existing: it may be the run; leave it.
  return startTicks !== undefined && startTicks !== identity.startTicks;
}

/**
 * Drops the test databases and templates of runs proved dead (above), a few at a time; one
 * another run is dropping at the same moment is skipped. Answers the names dropped.
 *
 * @example
 *   const dropped = await dropDeadRunDatabases(server);
 */
export async function dropDeadRunDatabases<DB>(server: Kysely<DB>): Promise<string[]> {
  const here = thisPidSpace();
  if (here === undefined) return [];
  const { rows } = await sql<{ datname: string }>`
    select datname from pg_database
    where starts_with(datname, 'amparo_test_p') or starts_with(datname, 'amparo_template_p')
  `.execute(server);
  const dead = rows
    .map((row) => row.datname)
    .filter((name) => {
      const identity = runIdentityOf(name);
      return identity !== undefined && runIsDead(identity, here);
    });
  const dropped: string[] = [];
  const dropNext = async (): Promise<void> => {
    const name = dead.pop();
    if (name === undefined) return;
    try {
      await sql`drop database if exists ${sql.id(name)} with (force)`.execute(server);
      dropped.push(name);
    } catch {
      // Another run starting now is dropping it (or already has): nothing to do.
    }
    return dropNext();
  };
  await Promise.all([dropNext(), dropNext(), dropNext(), dropNext()]);
  return dropped.sort();
}

/** PGlite templates kept whatever their age: the ones used last. */
const templatesKeptMin = 3;
/** A template (or a half-written one) unused this long is no run's: a run takes minutes. */
const templateStaleMs = 6 * 60 * 60 * 1000;

/**
 * Marks a cached template as used now (its modification time is its last use), so that a
 * concurrent pruning leaves it. False if it is gone (pruned meanwhile): make it again.
 */
export function templateTouched(file: string): boolean {
  try {
    const now = new Date();
    utimesSync(file, now, now);
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes cached PGlite templates beyond the `templatesKeptMin` used last that no run has used
 * for `templateStaleMs`, and half-written ones as old. A template is first renamed aside, then
 * looked at again: one a starting run touched meanwhile (`templateTouched`) is put back; a run
 * that touches it after the rename finds it gone and makes it again. Answers the files removed.
 *
 * @example
 *   prunePgliteTemplates(cacheDir, Date.now());
 */
export function prunePgliteTemplates(cacheDir: string, nowMs: number): string[] {
  let names: string[];
  try {
    names = readdirSync(cacheDir).filter((name) => name.startsWith('pglite-template-'));
  } catch {
    return [];
  }
  const files = names
    .map((name) => ({ name, usedMs: usedAtMs(path.join(cacheDir, name)) }))
    .filter((file): file is { name: string; usedMs: number } => file.usedMs !== undefined);
  const complete = files
    .filter((file) => /^pglite-template-[0-9a-f]+\.tar$/.test(file.name))
    .sort((a, b) => b.usedMs - a.usedMs);
  const candidates = [
    ...complete.slice(templatesKeptMin),
    // Half-written by a run killed while writing, or set aside by one killed while pruning.
    ...files.filter((file) => !/^pglite-template-[0-9a-f]+\.tar$/.test(file.name)),
  ].filter((file) => nowMs - file.usedMs > templateStaleMs);
  const removed: string[] = [];
  for (const file of candidates) {
    const from = path.join(cacheDir, file.name);
    const aside = `${from}.pruning-${process.pid}`;
    try {
      renameSync(from, aside);
    } catch {
      continue; // gone already: another run pruned it
    }
    const usedMs = usedAtMs(aside);
    if (usedMs !== undefined && nowMs - usedMs <= templateStaleMs) {
      renameSync(aside, from);
      continue;
    }
    rmSync(aside, { force: true });
    removed.push(file.name);
  }
  return removed;
}

function usedAtMs(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}
