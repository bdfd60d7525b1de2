import { WorkerPool, workerEntry } from '../../../platform/worker-pool.js';
import type { SealedFactsRow } from '../../registry/index.js';
import { workerOverflowRefusal } from '../rules/rule-overflow.js';

/**
 * A small pool of worker threads that decide the sealed part of a rule (rule-plan.ts): each
 * task is a rule and candidate rows (clear facts and the sealed ciphertext); the answer is the
 * ids of those the rule makes eligible. Decryption and CEL run off the main thread, on both
 * cores, and no opened value ever crosses back. Each worker holds its own copy of the master
 * key (moved to it at start, wiped once held); `close()` ends the threads.
 *
 * @example
 *   const pool = sealedPool(masterKey, 2);
 *   try { const ids = await pool.decide(rule.source, rows); } finally { await pool.close(); }
 */
export interface SealedCandidate extends SealedFactsRow {
  readonly clear: Readonly<Record<string, unknown>>;
}

export interface SealedTask {
  readonly rule: string;
  readonly rows: readonly SealedCandidate[];
}

/** A worker's answer: the eligible ids, and how many candidates the rule overflowed for. */
export interface SealedAnswer {
  readonly eligible: string[];
  readonly overflowed: number;
}

export interface SealedPool {
  readonly size: number;
  /**
   * Ids of the eligible among `rows`, in the order given; refused with `AMP_RULE_FAILED` when
   * the rule overflows for any of them (rule-overflow.ts).
   */
  decide(rule: string, rows: readonly SealedCandidate[]): Promise<string[]>;
  close(): Promise<void>;
}

export function sealedPool(masterKey: Buffer, workers: number): SealedPool {
  const pool = new WorkerPool<SealedTask, SealedAnswer>({
    name: 'sealed-fact worker',
    size: workers,
    entry: sealedWorkerEntry,
    start: () => {
      const copy = new Uint8Array(masterKey);
      return { data: { masterKey: copy }, transfer: [copy.buffer] };
    },
    // An idle pool does not keep the process alive (a CLI run ends when its work does).
    unrefWhenIdle: true,
  });
  return {
    size: workers,
    /** Splits the rows across the workers and joins their answers in the rows' order. */
    async decide(rule, rows) {
      if (rows.length === 0) return [];
      const slice = Math.ceil(rows.length / workers);
      const parts: Promise<SealedAnswer>[] = [];
      for (let from = 0; from < rows.length; from += slice) {
        parts.push(pool.run({ rule, rows: rows.slice(from, from + slice) }));
      }
      const answers = await Promise.all(parts);
      const overflowed = answers.reduce((sum, answer) => sum + answer.overflowed, 0);
      if (overflowed > 0) throw workerOverflowRefusal(overflowed);
      return answers.flatMap((answer) => answer.eligible);
    },
    close: () => pool.close(),
  };
}

/** The worker runs `sealed-worker.ts`, as the registry's import workers do (worker-pool.ts). */
const sealedWorkerEntry = workerEntry(import.meta.url, './sealed-worker');

/**
 * A pool whose threads start at the first rule that needs them and then stay (idle threads
 * do not keep the process alive): what the server holds, since most programs read no sealed
 * fact.
 */
export function lazySealedPool(masterKey: Buffer, workers: number): SealedPool {
  let pool: SealedPool | undefined;
  return {
    size: workers,
    decide(rule, rows) {
      pool ??= sealedPool(masterKey, workers);
      return pool.decide(rule, rows);
    },
    async close() {
      await pool?.close();
    },
  };
}
