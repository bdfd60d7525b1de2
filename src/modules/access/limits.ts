/**
 * Bounds of sign-in and sessions. They belong in `src/limits.ts` (under `access`); they live
 * here until that file is edited by its owner.
 */
const minuteMs = 60_000;

export const accessLimits = {
  signIn: {
    /** Failures for one username (existing or not) within the window before it locks. */
    failuresMax: 5,
    failureWindowMs: 15 * minuteMs,
    /** How long a lock lasts after the failure that triggered it. */
    lockMs: 15 * minuteMs,
    /**
     * Failures from one client address within the window before the address is refused.
     * Larger than `failuresMax` because an office behind one address has many operators.
     */
    addressFailuresMax: 50,
    /** Requests per minute per address to each sign-in route (in-process, first line). */
    routeRequestsPerMinuteMax: 30,
    /** Attempt counters older than this are pruned. */
    attemptRetentionMs: 60 * minuteMs,
  },
  totp: {
    stepSeconds: 30,
    digits: 6,
    /** Steps accepted either side of the current one, for clock drift. */
    skewSteps: 1,
  },
  session: {
    consoleAbsoluteMs: 12 * 60 * minuteMs,
    consoleIdleMs: 30 * minuteMs,
    citizenAbsoluteMs: 2 * 60 * minuteMs,
    citizenIdleMs: 15 * minuteMs,
    deviceDaysDefault: 30,
    deviceDaysMax: 365,
    /** Live device tokens one operator may hold. */
    deviceTokensPerOperatorMax: 50,
    /** `last_seen_at` is written at most this often, so reads do not each cost a write. */
    lastSeenWriteIntervalMs: minuteMs,
    tokenBytes: 32,
  },
  password: {
    codePointsMin: 12,
    codePointsMax: 128,
  },
  citizenCode: {
    digits: 6,
    ttlMs: 10 * minuteMs,
    attemptsMax: 5,
    /** Codes issued to one person per window (SMS costs money and can be used to harass). */
    issuesPerWindowMax: 3,
    issueWindowMs: 15 * minuteMs,
  },
} as const;
