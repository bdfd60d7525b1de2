import type { Purpose } from '../../../src/shared/access/actor.js';
import { type Action, decisionTable } from '../../../src/shared/access/policy.js';
import type { Role } from '../../../src/shared/access/roles.js';

/**
 * What the console offers an operator, read from the server's own decision table
 * (docs/ACCESS.md), so a menu item or a purpose is never offered that the server would refuse.
 * The server still decides every request; this only avoids offering dead ends.
 *
 * @example
 *   purposesFor(['registry_supervisor'], 'person.read'); // ['enrolment', 'appeal']
 */
export function purposesFor(roles: readonly Role[], action: Action): Purpose[] {
  const found = new Set<Purpose>();
  for (const rule of decisionTable) {
    if (rule.action !== action || rule.role === 'citizen') continue;
    if (roles.includes(rule.role)) for (const purpose of rule.purposes) found.add(purpose);
  }
  return [...found];
}

/** True when at least one of the roles may take the action for some purpose. */
export function may(roles: readonly Role[], action: Action): boolean {
  return purposesFor(roles, action).length > 0;
}

export type { Action };
