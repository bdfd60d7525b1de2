import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { pgbenchBinary } from '../distribution-redeem.js';
import type { CapturedStatement } from './statement-capture.js';

/**
 * Turns the statements one request sent (as `statement-capture.ts` records them) into a pgbench
 * script that sends the same statements, in the same order and on one connection, with every
 * parameter written in as a literal (pgbench `-M simple`: one round trip per statement, as `pg`
 * sends them), so that pgbench can replay the request's database work without Node.
 *
 * What must differ from one replayed transaction to the next is drawn afresh in each:
 * - each value the request generated (a UUID in this request's parameters that is not in the
 *   `previous` request of the same caller and is not the id of a row that existed before, e.g.
 *   an idempotency key, a redemption id, an audit entry's id and request id): its last two
 *   groups become pgbench variables drawn at random (`random(1000, 9999)` and a 12-digit one);
 * - the advisory lock number of an idempotency claim (`idempotency_claim`): random, as the
 *   app's is a hash of the fresh key;
 * - the audit log's leaf index: the app reads the next index under the appender's lock
 *   (`audit_append_lock…`) and writes its entries from there; the script keeps that statement's
 *   answer with `\gset` and writes `next + k`.
 * Everything else (timestamps, the remaining quantities, signatures, hashes) is replayed as
 * captured: the same statements on the same rows do the same work.
 */
export interface ReplayScript {
  /** The pgbench script text. */
  text: string;
  /** Statements (= round trips) in it, `begin` and `commit` included. */
  statements: number;
  /** Values drawn afresh per transaction. */
  freshValues: number;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** The UUIDs in a request's text parameters. */
export function uuidsOf(statements: CapturedStatement[]): Set<string> {
  const found = new Set<string>();
  for (const statement of statements) {
    for (const value of statement.values) {
      if (typeof value === 'string') for (const match of value.matchAll(UUID)) found.add(match[0]);
    }
  }
  return found;
}

/**
 * The script for `request`; `fresh` is the set of UUIDs it generated (see above: callers
 * compute it with `uuidsOf` against the previous request and the database's existing ids).
 */
export function replayScript(request: CapturedStatement[], fresh: Set<string>): ReplayScript {
  const freshNames = new Map<string, number>();
  for (const uuid of fresh) freshNames.set(uuid, freshNames.size);
  const lines: string[] = [];
  for (const index of freshNames.values()) {
    lines.push(`\\set fl_a${index} random(1000, 9999)`);
    lines.push(`\\set fl_b${index} random(100000000000, 999999999999)`);
  }
  const leafVariables = new Map<string, string>();
  let locks = 0;
  for (const statement of request) {
    const values = statement.values.map((value) => {
      if (typeof value !== 'string') return value;
      return value.replace(UUID, (uuid) => {
        const index = freshNames.get(uuid);
        return index === undefined ? uuid : `${uuid.slice(0, 19)}:fl_a${index}-:fl_b${index}`;
      });
    });
    if (/idempotency_claim\(/.test(statement.text) && typeof values[0] === 'string') {
      // The claim's lock numbers (a bigint array, one per key): each drawn afresh.
      values[0] = values[0].replace(/-?\d+/g, () => {
        locks += 1;
        lines.push(`\\set fl_lock${locks} random(-4000000000000000000, 4000000000000000000)`);
        return `:fl_lock${locks}`;
      });
    }
    if (/^\s*insert into "audit_entry"/.test(statement.text)) {
      // Four parameters a row: leaf index, entry, leaf hash, entry MAC.
      // Several moves in one script (concurrent requests): each insert follows its own `\gset`.
      for (let at = 0; at < values.length; at += 4) {
        const leaf = values[at];
        if (typeof leaf !== 'string') continue;
        const name = `fl_leaf${leafVariables.size}`;
        lines.push(`\\set ${name} :fl_next + ${at / 4}`);
        leafVariables.set(leaf, name);
        values[at] = `:${name}`;
      }
    }
    if (/audit_pending_moved\(/.test(statement.text) && typeof values[1] === 'string') {
      values[1] = values[1].replace(/\d+/g, (leaf) => `:${leafVariables.get(leaf) ?? leaf}`);
    }
    const sql = withLiterals(statement.text, values).trimEnd();
    const keepsNext = /audit_append_lock(_staged)?\(/.test(statement.text);
    lines.push(keepsNext ? `${sql} \\gset fl_` : `${sql};`);
  }
  return { text: `${lines.join('\n')}\n`, statements: request.length, freshValues: fresh.size };
}

/**
 * Statements several connections sent at once, as one connection can send them: each
 * connection's transactions (begin … commit) and single statements kept whole, in the order
 * their first statements were sent. A transaction that began after another's commit (the audit
 * move after the write it moves) stays after it.
 */
export function linearised(statements: CapturedStatement[]): CapturedStatement[] {
  const units: CapturedStatement[][] = [];
  const open = new Map<number, CapturedStatement[]>();
  for (const statement of statements) {
    const text = statement.text.trim().toLowerCase();
    let unit = open.get(statement.connection);
    if (unit === undefined) {
      unit = [];
      units.push(unit);
      if (text === 'begin') open.set(statement.connection, unit);
    }
    unit.push(statement);
    if (text === 'commit' || text === 'rollback') open.delete(statement.connection);
  }
  return units.flat();
}

/** The statement with `$n` replaced by its parameter as an SQL literal (untyped, as `pg` sends it). */
function withLiterals(text: string, values: (string | Buffer | null)[]): string {
  return text.replace(/\$(\d+)/g, (whole, digits: string) => {
    const value = values[Number(digits) - 1];
    if (value === undefined) return whole;
    if (value === null) return 'NULL';
    if (Buffer.isBuffer(value)) return `'\\x${value.toString('hex')}'`;
    return `'${value.replaceAll("'", "''")}'`;
  });
}

export interface PgbenchRun {
  tps: number;
  transactions: number;
  failed: number;
  latencyAverageMs: number;
  /** Lines pgbench wrote about aborted clients or errors (at most 5). */
  errors: string[];
}

/** `pgbench -n -M simple -c clients -j 2 -T seconds` with these scripts (each `@1`) on `databaseUrl`. */
export async function runPgbench(
  databaseUrl: string,
  scripts: string[],
  props: { clients: number; seconds: number },
): Promise<PgbenchRun & { command: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'amparo-floor-'));
  try {
    const files = scripts.map((text, index) => {
      const file = path.join(dir, `request-${index}.sql`);
      writeFileSync(file, text);
      return file;
    });
    const url = new URL(databaseUrl);
    const args = [
      '-n',
      '-M',
      'simple',
      '-c',
      String(props.clients),
      '-j',
      '2',
      '-T',
      String(props.seconds),
      ...files.flatMap((file) => ['-f', `${file}@1`]),
    ];
    const { stdout, stderr } = await promisify(execFile)(
      pgbenchBinary(),
      [...args, url.pathname.slice(1)],
      {
        env: {
          ...process.env,
          PGHOST: url.hostname,
          PGPORT: url.port || '5432',
          PGUSER: decodeURIComponent(url.username) || 'postgres',
          PGPASSWORD: decodeURIComponent(url.password),
        },
        maxBuffer: 64 * 1024 * 1024,
      },
    ).catch((error: { stdout?: string; stderr?: string }) => ({
      stdout: error.stdout ?? '',
      stderr: error.stderr ?? String(error),
    }));
    const number = (pattern: RegExp) => Number(pattern.exec(stdout)?.[1] ?? Number.NaN);
    return {
      command: `pgbench -n -M simple -c ${props.clients} -j 2 -T ${props.seconds} -f request-N.sql@1 (${scripts.length} scripts)`,
      tps: +number(/tps = ([\d.]+) \(without initial connection time\)/).toFixed(1),
      transactions: number(/number of transactions actually processed: (\d+)/),
      failed: number(/number of failed transactions: (\d+)/) || 0,
      latencyAverageMs: number(/latency average = ([\d.]+) ms/),
      errors: stderr
        .split('\n')
        .filter((line) => /abort|ERROR|error/i.test(line))
        .slice(0, 5)
        .map((line) => line.slice(0, 300)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
