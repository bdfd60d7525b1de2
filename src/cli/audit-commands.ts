import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { type Config, loadConfig } from '../config.js';
import { AuditLog } from '../modules/audit/audit-log.js';
import { type AuditVerifyReport, verifyAuditLog } from '../modules/audit/audit-verify.js';
import { checkChangeTrail, describeChangeTrail } from '../modules/audit/change-trail-check.js';
import { treeHeadView } from '../modules/audit/routes.js';
import { loadTrustedHeads, type TrustedHeadSource } from '../modules/audit/trusted-heads.js';
import { witnessesFrom } from '../modules/audit/witness.js';
import { snapshotCommitments } from '../modules/distribution/index.js';
import { loadKeyStore } from '../platform/crypto/key-store.js';
import { type DatabaseHandle, openAppDatabase } from '../platform/db/database.js';

/** Where the commands read settings and write results; tests pass their own. */
export interface AuditCliContext {
  env: NodeJS.ProcessEnv;
  write(text: string): void;
  setExitCode(code: number): void;
  /** Show a progress bar on standard error (default: when it is a terminal). */
  progress?: boolean;
}

const processContext: AuditCliContext = {
  env: process.env,
  write: (text) => process.stdout.write(text),
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

/**
 * `amparo audit verify [--json]` and `amparo audit sign [--json]`, run as the application role
 * with the keys from AMPARO_KEYS_DIR. Verify exits 0 when the log is intact, 1 when not.
 *
 * @example
 * registerAuditCommands(program); // in main.ts
 * // $ amparo audit verify
 * // Audit log intact: 1000000 entries, 1000 signed tree heads …
 */
export function registerAuditCommands(
  program: Command,
  context: AuditCliContext = processContext,
): void {
  const audit = program.command('audit').description('the tamper-evident audit log');
  audit
    .command('verify')
    .description('recompute every leaf hash, MAC, root and consistency proof of the audit log')
    .option('--json', 'print the report as JSON')
    .option(
      '--trusted-head <FILE|SIZE:ROOT>',
      'a head remembered outside the database: a witness or head file, or SIZE:ROOTHEX (repeatable; default: the witness file)',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .action(async (flags: { json?: boolean; trustedHead: string[] }) => {
      const report = await withAuditDatabase(context, async (handle, keys, config) => {
        const trustedHeads = await trustedHeadsFor(flags.trustedHead, config);
        return verifyWithProgress(
          handle,
          keys,
          context.progress ?? (process.stderr.isTTY && !flags.json),
          trustedHeads,
        );
      });
      // The change trail is checked against the log only once the log itself is intact.
      const trail = report.ok
        ? await withAuditDatabase(context, (handle, keys) =>
            checkChangeTrail(handle.db, keys, { snapshots: snapshotCommitments() }),
          )
        : null;
      context.write(
        flags.json
          ? `${JSON.stringify({ ...report, changeTrail: trail }, null, 2)}\n`
          : describeReport(report) + (trail ? describeChangeTrail(trail) : ''),
      );
      context.setExitCode(report.ok && trail?.ok !== false ? 0 : 1);
    });
  audit
    .command('sign')
    .description('sign a tree head over every committed entry now')
    .option('--json', 'print the head as JSON')
    .action(async (flags: { json?: boolean }) => {
      const head = await withAuditDatabase(context, async (handle, keys, config) => {
        const auditLog = await AuditLog.open({
          db: handle.db,
          keys,
          witnesses: witnessesFrom(config.audit),
        });
        try {
          return treeHeadView(await auditLog.signTreeHead());
        } finally {
          await auditLog.close();
        }
      });
      context.write(
        flags.json
          ? `${JSON.stringify(head, null, 2)}\n`
          : `Tree head ${head.treeSize} signed at ${head.signedAt} (key ${head.keyId})\nroot ${head.rootHash}\n`,
      );
    });
}

type AuditKeys = ReturnType<typeof loadKeyStore>;

async function withAuditDatabase<T>(
  context: AuditCliContext,
  work: (handle: DatabaseHandle, keys: AuditKeys, config: Config) => Promise<T>,
): Promise<T> {
  const config = loadConfig(context.env);
  const keys = loadKeyStore(config.keysDir, config.masterKeyBase64);
  const handle = await openAppDatabase(config.database);
  try {
    return await work(handle, keys, config);
  } finally {
    await handle.close();
  }
}

/**
 * The heads given with --trusted-head, or else the configured witness file's largest head.
 * A given head that cannot be read stops the command; a missing witness file means none.
 */
async function trustedHeadsFor(arguments_: string[], config: Config): Promise<TrustedHeadSource[]> {
  if (arguments_.length === 0) {
    const file = config.audit.witnessFile;
    const source = file === undefined ? undefined : await loadTrustedHeads(file);
    return source === undefined ? [] : [source];
  }
  const sources: TrustedHeadSource[] = [];
  for (const argument of arguments_) {
    const source = await loadTrustedHeads(argument);
    if (source === undefined) {
      throw new Error(
        `--trusted-head ${argument}: no tree head there (expected a head or witness file, or SIZE:ROOTHEX)`,
      );
    }
    sources.push(source);
  }
  return sources;
}

async function verifyWithProgress(
  handle: DatabaseHandle,
  keys: AuditKeys,
  showBar: boolean,
  trustedHeads: TrustedHeadSource[],
): Promise<AuditVerifyReport> {
  if (!showBar) return verifyAuditLog(handle.db, keys, undefined, { trustedHeads });
  const bar = new SingleBar({
    format: 'audit verify [{bar}] {percentage}% | {value}/{total} entries | ETA {eta_formatted}',
    stream: process.stderr,
    hideCursor: true,
  });
  bar.start(0, 0);
  try {
    return await verifyAuditLog(
      handle.db,
      keys,
      (checked, total) => {
        bar.setTotal(total);
        bar.update(checked);
      },
      { trustedHeads },
    );
  } finally {
    bar.stop();
  }
}

/** A human-readable report; the first problem is named with its leaf index or head. */
export function describeReport(report: AuditVerifyReport): string {
  const head = report.latestTreeHead;
  const coverage = head
    ? `latest signed tree head ${head.treeSize} (root ${head.rootHashHex}); ${report.entriesAfterLatestHead} entries after it are protected by their MACs until the next head`
    : 'no signed tree head yet';
  const witnessed = describeTrustedHeads(report);
  if (report.ok) {
    const remember = head
      ? `\nTo check against this head later: --trusted-head ${head.treeSize}:${head.rootHashHex}`
      : '';
    const staged =
      report.pendingEntries > 0
        ? `\n${report.pendingEntries} staged entries not yet moved into the log (their HMACs verify; the server's sweep moves them).`
        : '';
    return `Audit log intact: ${report.entriesChecked} entries, ${report.treeHeadsChecked} signed tree heads checked.\n${coverage}${staged}\n${witnessed}${remember}\n`;
  }
  const problem = report.problem!;
  const where =
    [
      problem.leafIndex === null ? undefined : `entry ${problem.leafIndex}`,
      problem.treeSize === null ? undefined : `tree head ${problem.treeSize}`,
    ]
      .filter((part) => part !== undefined)
      .join(', ') || 'the staged entries';
  return `AUDIT LOG TAMPERED: ${problem.kind} at ${where}: ${problem.detail}\nChecked ${report.entriesChecked} entries and ${report.treeHeadsChecked} tree heads before the first problem.\n`;
}

function describeTrustedHeads(report: AuditVerifyReport): string {
  if (report.trustedHeads.length === 0) {
    return 'No head remembered outside the database was given (witness file, --trusted-head): removing the newest entries together with their heads would not be seen.';
  }
  return report.trustedHeads
    .map(
      (trusted) =>
        `Consistent with ${trusted.headsChecked} tree heads (largest ${trusted.largestTreeSize}) from ${trusted.source}${trusted.malformedLines > 0 ? ` (${trusted.malformedLines} unreadable lines skipped)` : ''}.`,
    )
    .join('\n');
}
