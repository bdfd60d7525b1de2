import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks a second of /proc's CPU times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** utime + stime of a process, in milliseconds (/proc/PID/stat). */
export function processCpuMs(pid: number): number {
  const fields = statFields(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  return ticksToMs(Number(fields[11]) + Number(fields[12]));
}

/**
 * The CPU of every PostgreSQL process of this machine, in milliseconds: each `postgres`
 * process's utime + stime, and for the postmaster (a `postgres` process whose parent is not
 * one) also its reaped children's (cutime + cstime), so that backends that have exited still
 * count. Every database's backends count, other users' too.
 */
export function postgresCpuMs(): number {
  const processes: { pid: number; ppid: number; ticks: number; childTicks: number }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    if (!stat.includes('(postgres)')) continue;
    const fields = statFields(stat);
    processes.push({
      pid: Number(entry),
      ppid: Number(fields[1]),
      ticks: Number(fields[11]) + Number(fields[12]),
      childTicks: Number(fields[13]) + Number(fields[14]),
    });
  }
  const pids = new Set(processes.map((each) => each.pid));
  const ticks = processes.reduce(
    (sum, each) => sum + each.ticks + (pids.has(each.ppid) ? 0 : each.childTicks),
    0,
  );
  return ticksToMs(ticks);
}

/**
 * The CPU of the PostgreSQL backends serving the databases whose names `database` matches
 * (their process titles, /proc/PID/cmdline), sampled every `everyMs` while it runs, so that
 * backends that exit (pgbench's, at its end) still count up to their last sample. Backends there
 * at the start count from then; later ones from zero. Unlike `postgresCpuMs`, other users'
 * databases do not count, and neither do the server's shared processes (WAL writer,
 * checkpointer, autovacuum).
 */
export function backendCpuSampler(database: RegExp, everyMs = 200) {
  const atStart = new Map<number, number>();
  const latest = new Map<number, number>();
  // The sampler runs on the measured process's own thread: what it reads there counts in the
  // process CPU it reports (about 30 ms a sample on a busy machine, when it read every process's
  // stat each time). A process that is not PostgreSQL is not read again (a backend is a fresh
  // process forked by the postmaster), nor the title of a backend once it matched (its
  // database does not change). A process gone from /proc leaves both sets: its id, reused
  // (pid_max may be 32,768), is read afresh.
  let notPostgres = new Set<string>();
  let matched = new Set<string>();
  const sample = (into: Map<number, number>) => {
    const entries = readdirSync('/proc');
    const present = new Set(entries);
    notPostgres = new Set([...notPostgres].filter((entry) => present.has(entry)));
    matched = new Set([...matched].filter((entry) => present.has(entry)));
    for (const entry of entries) {
      if (notPostgres.has(entry) || !/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        if (!stat.includes('(postgres)')) {
          notPostgres.add(entry);
          continue;
        }
        if (!matched.has(entry)) {
          const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
          if (!database.test(title)) continue;
          matched.add(entry);
        }
        const fields = statFields(stat);
        into.set(Number(entry), Number(fields[11]) + Number(fields[12]));
      } catch {
        // exited meanwhile
      }
    }
  };
  sample(atStart);
  const timer = setInterval(() => sample(latest), everyMs);
  return {
    /** Milliseconds of CPU those backends used since the sampler started. */
    stop(): number {
      clearInterval(timer);
      sample(latest);
      let ticks = 0;
      for (const [pid, now] of latest) ticks += now - (atStart.get(pid) ?? 0);
      return ticksToMs(ticks);
    },
  };
}

/** Busy CPU time of the whole machine (every core; /proc/stat less idle and iowait), in ms. */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.slice(0, 8).reduce((sum, value) => sum + value, 0);
  return ticksToMs(total - (values[3] ?? 0) - (values[4] ?? 0));
}

/**
 * Starts measuring; `stop(operations)` answers, per operation, the CPU of every PostgreSQL
 * process of the machine (other users' included) and of the backends of the databases
 * `database` matches, the machine's busy cores over the interval and, given a pid, that
 * process's CPU per operation.
 */
export function cpuMeter(database: RegExp, pid?: number) {
  const started = performance.now();
  const backends = backendCpuSampler(database);
  const postgresAtStart = postgresCpuMs();
  const machineAtStart = machineBusyMs();
  const processAtStart = pid === undefined ? 0 : processCpuMs(pid);
  return {
    stop(operations: number) {
      const elapsedMs = performance.now() - started;
      const per = (ms: number) => +(ms / Math.max(1, operations)).toFixed(3);
      return {
        backendCpuMsPerOperation: per(backends.stop()),
        postgresCpuMsPerOperation: per(postgresCpuMs() - postgresAtStart),
        machineBusyCores: +((machineBusyMs() - machineAtStart) / elapsedMs).toFixed(2),
        ...(pid === undefined
          ? {}
          : { processCpuMsPerOperation: per(processCpuMs(pid) - processAtStart) }),
      };
    },
  };
}

function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

function ticksToMs(ticks: number): number {
  return (ticks * 1000) / TICKS_PER_SECOND;
}
