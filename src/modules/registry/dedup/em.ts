import { dedupLimits } from './limits.js';

/**
 * Comparison vectors of the candidate pairs, grouped: pairs with the same vector are one
 * pattern with a count, so EM costs O(patterns) per iteration, not O(pairs).
 */
export interface PatternTable {
  /** Levels per comparison, including the null level 0. */
  readonly levelCounts: readonly number[];
  /** Pattern p, comparison c is at levels[p * comparisons + c]. */
  readonly levels: Uint8Array;
  readonly counts: Float64Array;
  /**
   * Per pattern, log-odds (natural log) added in the E-step: the term-frequency evidence of
   * exact name matches, which depends on the value and not on the level. Patterns are then
   * (levels, frequency bin) groups, so EM sees the same likelihood the scorer uses.
   */
  readonly offsets?: Float64Array;
}

export interface EmResult {
  /** m[c][level]: P(level | match); index 0 (null) is 0. */
  readonly m: number[][];
  /** u among candidate pairs, P(level | non-match, candidate): for diagnostics. */
  readonly uCandidates: number[][];
  /** Share of candidate pairs that are matches. */
  readonly matchShare: number;
  readonly iterations: number;
  readonly converged: boolean;
}

export interface EmOptions {
  /** Starting u (random pairs); m starts high on the best level and falls away. */
  readonly uStart: readonly (readonly number[])[];
  readonly matchShareStart?: number;
  readonly iterationsMax?: number;
  readonly tolerance?: number;
  /** Pseudo-count per level, so that no probability reaches 0 (a weight of −∞). */
  readonly smoothing?: number;
  /**
   * Keep u at its start (random-pair) values, as Splink does by default. Off by default
   * here: candidate pairs are not random pairs, and a free u absorbs the blocking bias.
   */
  readonly fixU?: boolean;
  /** Starting m; EM's own start (high on the best level) when absent. */
  readonly mStart?: readonly (readonly number[])[];
  /**
   * Keep m at its start: only the match share and the candidates' u are fitted. Used once m
   * has been learnt in blocked training sessions (see m-sessions.ts).
   */
  readonly fixM?: boolean;
}

/**
 * Expectation–maximisation for the two-class (match / non-match) mixture under
 * conditional independence of the comparisons, as Fellegi and Sunter's m and u. Null
 * levels carry no information: they are left out of both the likelihood and the counts.
 *
 * @example
 * const result = expectationMaximisation(table, { uStart });
 * result.m[0]?.[1] // P(first comparison exact | match)
 */
export function expectationMaximisation(table: PatternTable, options: EmOptions): EmResult {
  const comparisonCount = table.levelCounts.length;
  let m = options.mStart?.map((levels) => [...levels]) ?? table.levelCounts.map(startingM);
  let u = options.uStart.map((levels) => [...levels]);
  let matchShare = options.matchShareStart ?? 0.1;
  const iterationsMax = options.iterationsMax ?? dedupLimits.emIterationsMax;
  const tolerance = options.tolerance ?? dedupLimits.emToleranceMax;
  const smoothing = options.smoothing ?? 1;
  const posterior = new Float64Array(table.counts.length);
  let iterations = 0;
  let converged = false;
  while (iterations < iterationsMax && !converged) {
    iterations += 1;
    const expectedMatches = expectation(table, comparisonCount, m, u, matchShare, posterior);
    const next = maximisation(table, comparisonCount, posterior, smoothing);
    const total = sum(table.counts);
    const nextShare = Math.min(1 - 1e-9, Math.max(1e-9, expectedMatches / total));
    converged =
      Math.abs(nextShare - matchShare) < tolerance &&
      (options.fixM === true || maxDifference(m, next.m) < tolerance) &&
      (options.fixU === true || maxDifference(u, next.u) < tolerance);
    if (options.fixM !== true) m = next.m;
    if (options.fixU !== true) u = next.u;
    matchShare = nextShare;
  }
  return { m, uCandidates: u, matchShare, iterations, converged };
}

function startingM(levelCount: number): number[] {
  const raw = Array.from({ length: levelCount }, (_, level) =>
    level === 0 ? 0 : level === 1 ? 0.9 : 0.1 / 2 ** (level - 1),
  );
  const total = sum(raw);
  return raw.map((value) => value / total);
}

/** Fills the match posterior of each pattern; returns the expected number of matches. */
function expectation(
  table: PatternTable,
  comparisonCount: number,
  m: readonly (readonly number[])[],
  u: readonly (readonly number[])[],
  matchShare: number,
  posterior: Float64Array,
): number {
  let expectedMatches = 0;
  const priorLogOdds = Math.log(matchShare / (1 - matchShare));
  for (let p = 0; p < table.counts.length; p += 1) {
    let logOdds = priorLogOdds + (table.offsets?.[p] ?? 0);
    for (let c = 0; c < comparisonCount; c += 1) {
      const level = table.levels[p * comparisonCount + c] ?? 0;
      if (level === 0) continue;
      logOdds += Math.log((m[c]?.[level] ?? 1) / (u[c]?.[level] ?? 1));
    }
    const share = 1 / (1 + Math.exp(-logOdds));
    posterior[p] = share;
    expectedMatches += share * (table.counts[p] ?? 0);
  }
  return expectedMatches;
}

function maximisation(
  table: PatternTable,
  comparisonCount: number,
  posterior: Float64Array,
  smoothing: number,
): { m: number[][]; u: number[][] } {
  const mCounts = table.levelCounts.map((count) => new Array<number>(count).fill(0));
  const uCounts = table.levelCounts.map((count) => new Array<number>(count).fill(0));
  for (let p = 0; p < table.counts.length; p += 1) {
    const count = table.counts[p] ?? 0;
    const share = posterior[p] ?? 0;
    for (let c = 0; c < comparisonCount; c += 1) {
      const level = table.levels[p * comparisonCount + c] ?? 0;
      const mRow = mCounts[c];
      const uRow = uCounts[c];
      if (level === 0 || mRow === undefined || uRow === undefined) continue;
      mRow[level] = (mRow[level] ?? 0) + count * share;
      uRow[level] = (uRow[level] ?? 0) + count * (1 - share);
    }
  }
  return {
    m: mCounts.map((row) => normalise(row, smoothing)),
    u: uCounts.map((row) => normalise(row, smoothing)),
  };
}

/** Probabilities over levels 1..n from counts, with additive smoothing; level 0 stays 0. */
export function normalise(counts: readonly number[], smoothing: number): number[] {
  const levels = counts.length - 1;
  const total = sum(counts.slice(1)) + smoothing * levels;
  return counts.map((count, level) => (level === 0 ? 0 : (count + smoothing) / total));
}

function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i += 1) total += values[i] ?? 0;
  return total;
}

function maxDifference(
  a: readonly (readonly number[])[],
  b: readonly (readonly number[])[],
): number {
  let difference = 0;
  a.forEach((row, c) => {
    row.forEach((value, level) => {
      difference = Math.max(difference, Math.abs(value - (b[c]?.[level] ?? 0)));
    });
  });
  return difference;
}
