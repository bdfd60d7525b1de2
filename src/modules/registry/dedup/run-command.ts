import { SingleBar } from 'cli-progress';
import { loadConfig } from '../../../config.js';
import { loadKeyStore } from '../../../platform/crypto/key-store.js';
import { openAppDatabase } from '../../../platform/db/database.js';
import { AuditLog } from '../../audit/index.js';
import { type DedupRunOutcome, type DedupRunProgress, dedupRunner } from './dedup-runner.js';

export interface DedupRunCommandContext {
  readonly env: NodeJS.ProcessEnv;
  readonly writeError: (text: string) => void;
  readonly progressBar: boolean;
  readonly seed?: number;
}

/**
 * `amparo dedup run`: opens the database as the application role and the keys (for the
 * audit log's entry MAC only; no person data key is ever unwrapped), runs `dedupRunner`
 * with progress on standard error, and closes everything.
 *
 * @example
 * const outcome = await runDedupCommand({ env: process.env, writeError, progressBar: false });
 */
export async function runDedupCommand(context: DedupRunCommandContext): Promise<DedupRunOutcome> {
  const config = loadConfig(context.env);
  const keys = loadKeyStore(config.keysDir, config.masterKeyBase64);
  const handle = await openAppDatabase(config.database);
  const auditLog = await AuditLog.open({ db: handle.db, keys });
  const progress = progressReporter(context);
  try {
    return await dedupRunner({
      db: handle.db,
      audit: auditLog,
      onProgress: progress.update,
      ...(context.seed === undefined ? {} : { seed: context.seed }),
    });
  } finally {
    progress.stop();
    await auditLog.close();
    await handle.close();
  }
}

function progressReporter(context: DedupRunCommandContext): {
  update: (progress: DedupRunProgress) => void;
  stop: () => void;
} {
  if (!context.progressBar) {
    let lastPhase = '';
    return {
      // One line per phase keeps saved logs short; reading reports only its start and end.
      update: (p) => {
        if (p.phase === lastPhase && p.done < p.total) return;
        lastPhase = p.phase;
        context.writeError(`dedup ${p.phase}: ${p.done}/${p.total}\n`);
      },
      stop: () => undefined,
    };
  }
  const bar = new SingleBar({
    format: 'dedup {phase} [{bar}] {value}/{total} | {duration_formatted}',
    stream: process.stderr,
    hideCursor: true,
  });
  let started = false;
  let phase = '';
  return {
    update: (p) => {
      if (!started) bar.start(p.total, p.done, { phase: p.phase });
      started = true;
      if (p.phase !== phase) bar.setTotal(p.total);
      phase = p.phase;
      bar.update(p.done, { phase: p.phase });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
