import type { Purpose } from '../../../../src/shared/access/actor.js';
import type { Role } from '../../../../src/shared/access/roles.js';
import { purposesFor } from '../../session/permissions.js';

/**
 * The purpose the program pages name when they read (docs/ACCESS.md: `eligibility_review` for
 * officers and supervisors, `audit` for an auditor), and the query string that carries it.
 *
 * @example
 *   apiGet(`/api/programs/managed${purposeQuery(me.roles)}`);
 */
export function programPurpose(roles: readonly Role[]): Purpose {
  return purposesFor(roles, 'program.read')[0] ?? 'eligibility_review';
}

export function purposeQuery(roles: readonly Role[], extra: Record<string, string> = {}): string {
  return `?${new URLSearchParams({ purpose: programPurpose(roles), ...extra }).toString()}`;
}

/** Writes always name `eligibility_review`, the one purpose the table gives them. */
export const writePurpose = '?purpose=eligibility_review';
