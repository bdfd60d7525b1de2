import { type CheckedContent, checkContent, contentOf } from './program-content.js';
import type { ProgramVersionRow } from './program-repository.js';
import { ProgramsError } from './programs-error.js';

/**
 * A stored program version, checked again as it is loaded. Saving and publishing refuse a rule
 * the checker refuses (`AMP_RULE_INVALID`); a version stored before a check existed (a rule
 * naming `birth_date`, from before `rule_identifying_attribute`) is still in an old database.
 * Such a version is not thrown at the reader: it is answered as needing a new version, with the
 * checker's first problem, so a list of programs leaves it out and still answers for the others,
 * and the program's own page says why.
 *
 * @example
 *   const stored = storedVersion(row, log);
 *   if (stored.problem !== null) return undefined; // left out; logged once here
 */
export interface VersionProblem {
  /** The checker's code, e.g. `rule_identifying_attribute` (the console says it in es/en). */
  readonly code: string;
  /** `/eligibilityRule` or `/benefit/formula`. */
  readonly field: string;
  /** The English sentence. */
  readonly reason: string;
  /** Where in that source, in character offsets. */
  readonly start: number;
  readonly end: number;
}

export type StoredVersion =
  | { readonly checked: CheckedContent; readonly problem: null }
  | { readonly checked: null; readonly problem: VersionProblem };

/** Where a problem is told: a Fastify or pino logger. */
export interface ProblemLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

export function storedVersion(row: ProgramVersionRow, log?: ProblemLog): StoredVersion {
  try {
    return { checked: checkContent(contentOf(row)), problem: null };
  } catch (error) {
    if (!(error instanceof ProgramsError) || error.code !== 'AMP_RULE_INVALID') throw error;
    const first = error.errors?.[0];
    const problem: VersionProblem = {
      code: first?.code ?? 'rule_invalid',
      field: first?.field ?? '/eligibilityRule',
      reason: first?.reason ?? error.message,
      start: Number(first?.params?.start ?? 0),
      end: Number(first?.params?.end ?? 0),
    };
    // No personal data: the program, the version and the checker's code.
    log?.warn(
      { programId: row.program_id, version: row.version, code: problem.code },
      'a stored program version no longer passes the rule checks: it needs a new version and is left out of evaluation and the public list',
    );
    return { checked: null, problem };
  }
}

/**
 * The checked content of a stored version that is about to be evaluated (a cycle, an
 * explanation, a preview), or a refusal that names the version and says a new one is needed.
 */
export function evaluableVersion(row: ProgramVersionRow, log?: ProblemLog): CheckedContent {
  const stored = storedVersion(row, log);
  if (stored.problem === null) return stored.checked;
  const { problem } = stored;
  throw new ProgramsError(
    'AMP_RULE_INVALID',
    `Version ${row.version} of this program was stored with a rule that no longer passes the checks (${problem.reason}): save and publish a new version`,
    [
      {
        field: problem.field,
        reason: problem.reason,
        code: problem.code,
        params: { start: problem.start, end: problem.end, version: row.version },
      },
    ],
  );
}
