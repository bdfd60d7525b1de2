import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { loadConfig } from '../../config.js';
import { loadKeyStore } from '../../platform/crypto/key-store.js';
import { type DatabaseHandle, openAppDatabase } from '../../platform/db/database.js';
import { AuditLog } from './audit-log.js';
import { type AuditVerifyReport, verifyAuditLog } from './audit-verify.js';
import { treeHeadView } from './routes.js';

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
    .action(async (flags: { json?: boolean }) => {
      const report = await withAuditDatabase(context, (handle, keys) =>
        verifyWithProgress(handle, keys, context.progress ?? (process.stderr.isTTY && !flags.json)),
      );
      context.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : describeReport(report));
      context.setExitCode(report.ok ? 0 : 1);
    });
  audit
    .command('sign')
    .description('sign a tree head over every committed entry now')
    .option('--json', 'print the head as JSON')
    .action(async (flags: { json?: boolean }) => {
      const head = await withAuditDatabase(context, async (handle, keys) => {
        const auditLog = await AuditLog.open({ db: handle.db, keys });
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
  work: (handle: DatabaseHandle, keys: AuditKeys) => Promise<T>,
): Promise<T> {
  const config = loadConfig(context.env);
  const keys = loadKeyStore(config.keysDir, config.masterKeyBase64);
  const handle = await openAppDatabase(config.database);
  try {
    return await work(handle, keys);
  } finally {
    await handle.close();
  }
}

async function verifyWithProgress(
  handle: DatabaseHandle,
  keys: AuditKeys,
  showBar: boolean,
): Promise<AuditVerifyReport> {
  if (!showBar) return verifyAuditLog(handle.db, keys);
  const bar = new SingleBar({
    format: 'audit verify [{bar}] {percentage}% | {value}/{total} entries | ETA {eta_formatted}',
    stream: process.stderr,
    hideCursor: true,
  });
  bar.start(0, 0);
  try {
    return await verifyAuditLog(handle.db, keys, (checked, total) => {
      bar.setTotal(total);
      bar.update(checked);
    });
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
  if (report.ok) {
    return `Audit log intact: ${report.entriesChecked} entries, ${report.treeHeadsChecked} signed tree heads checked.\n${coverage}\n`;
  }
  const problem = report.problem!;
  const where = [
    problem.leafIndex === null ? undefined : `entry ${problem.leafIndex}`,
    problem.treeSize === null ? undefined : `tree head ${problem.treeSize}`,
  ]
    .filter((part) => part !== undefined)
    .join(', ');
  return `AUDIT LOG TAMPERED: ${problem.kind} at ${where}: ${problem.detail}\nChecked ${report.entriesChecked} entries and ${report.treeHeadsChecked} tree heads before the first problem.\n`;
}
