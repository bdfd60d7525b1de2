/** What `/readyz` and the alert report of background tree-head signing. */
export interface AuditSigningStatus {
  readonly state: 'ok' | 'failing';
  /** Failed attempts in a row (0 while ok). */
  readonly consecutiveFailures: number;
  /** Which step failed last: signing in the database, or handing the head to the witness. */
  readonly failedStep: SigningStep | null;
  /** SQLSTATE or error name of the last failure; never its message, which may quote data. */
  readonly lastErrorCode: string | null;
  readonly failingSince: string | null;
  /** When the next attempt runs (ISO-8601), while failing. */
  readonly nextRetryAt: string | null;
  /** Size of the latest head this process signed or found, and of the latest one witnessed. */
  readonly latestTreeHeadSize: number;
  readonly witnessedTreeHeadSize: number | null;
}

export type SigningStep = 'sign' | 'witness';

/** A failed signing attempt, with the step that failed. */
export class SigningStepError extends Error {
  constructor(
    readonly step: SigningStep,
    override readonly cause: unknown,
  ) {
    super(`audit tree head ${step === 'sign' ? 'signing' : 'witnessing'} failed`, { cause });
    this.name = 'SigningStepError';
  }
}

export interface RetryDelays {
  minMs: number;
  maxMs: number;
}

/**
 * Failure streak of background signing: when to try again (exponential backoff from
 * `minMs`, doubling up to `maxMs`) and what to report. A streak ends at the first success.
 */
export class SigningHealth {
  readonly #delays: RetryDelays;
  #failures = 0;
  #failedStep: SigningStep | null = null;
  #lastErrorCode: string | null = null;
  #failingSinceMs: number | null = null;
  #nextRetryAtMs: number | null = null;
  #latestTreeHeadSize: number;
  #witnessedTreeHeadSize: number | null;

  constructor(delays: RetryDelays, latestTreeHeadSize: number, witnessed: boolean) {
    this.#delays = delays;
    this.#latestTreeHeadSize = latestTreeHeadSize;
    this.#witnessedTreeHeadSize = witnessed ? 0 : null;
  }

  get failing(): boolean {
    return this.#failures > 0;
  }

  /** True while a failing streak waits out its backoff (the minute timer must not hurry it). */
  waiting(nowMs: number): boolean {
    return this.#nextRetryAtMs !== null && nowMs < this.#nextRetryAtMs;
  }

  signed(treeSize: number): void {
    this.#latestTreeHeadSize = Math.max(this.#latestTreeHeadSize, treeSize);
  }

  witnessed(treeSize: number): void {
    this.#witnessedTreeHeadSize = Math.max(this.#witnessedTreeHeadSize ?? 0, treeSize);
  }

  /** Records a success; returns how many failures the streak it ends had. */
  succeeded(): number {
    const ended = this.#failures;
    this.#failures = 0;
    this.#failedStep = null;
    this.#lastErrorCode = null;
    this.#failingSinceMs = null;
    this.#nextRetryAtMs = null;
    return ended;
  }

  /** Records a failure; returns the delay before the next attempt. */
  failed(error: unknown, nowMs: number): number {
    this.#failures += 1;
    this.#failedStep = error instanceof SigningStepError ? error.step : 'sign';
    this.#lastErrorCode = errorCode(error instanceof SigningStepError ? error.cause : error);
    this.#failingSinceMs ??= nowMs;
    const delayMs = Math.min(
      this.#delays.maxMs,
      this.#delays.minMs * 2 ** Math.min(this.#failures - 1, 30),
    );
    this.#nextRetryAtMs = nowMs + delayMs;
    return delayMs;
  }

  status(): AuditSigningStatus {
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      state: this.#failures > 0 ? 'failing' : 'ok',
      consecutiveFailures: this.#failures,
      failedStep: this.#failedStep,
      lastErrorCode: this.#lastErrorCode,
      failingSince: iso(this.#failingSinceMs),
      nextRetryAt: iso(this.#nextRetryAtMs),
      latestTreeHeadSize: this.#latestTreeHeadSize,
      witnessedTreeHeadSize: this.#witnessedTreeHeadSize,
    };
  }
}

/** A short, data-free code: PostgreSQL's SQLSTATE, a Node error code, or the error's class. */
export function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code: unknown = Reflect.get(error, 'code');
    if (typeof code === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(code)) return code;
    const name: unknown = Reflect.get(error, 'name');
    if (typeof name === 'string' && /^[A-Za-z0-9_]{1,40}$/.test(name)) return name;
  }
  return 'unknown';
}
