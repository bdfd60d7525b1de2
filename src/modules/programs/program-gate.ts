import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import type { Actor, Purpose } from '../../shared/access/actor.js';
import { type Action, authorize } from '../../shared/access/policy.js';
import { type AuditRecorder, type Grant, guardPersonAccess } from '../access/index.js';
import { listStates } from '../geography/index.js';

/**
 * The access gate of the program management routes (docs/ACCESS.md, "Benefit programs and
 * cycles"). A program's scope is the states its versions name, every state for a national
 * one. Reading needs one of them among the operator's regions (`mode: 'any'`); writing,
 * deciding and approving need all of them (`mode: 'all'`). The decision, its audit entry and
 * the refusals are the person-access guard's, so a program outside the operator's scope
 * answers exactly like one that does not exist.
 *
 * @example
 *   const grant = await gateProgram(deps, { ...who, action: 'program.manage', mode: 'all',
 *     resource: { type: 'program', id }, regions: await programScope(db, id) });
 *   … await grant.record([]);
 */
export interface GateDependencies {
  db: Kysely<Database>;
  audit: AuditRecorder;
}

export interface Caller {
  actor: Actor | null;
  purpose: Purpose | null;
  requestId: string;
}

const everyState = (): string[] => listStates().map((state) => state.code);

/** The states a program's versions name (all for a national one); undefined: no program. */
export async function programScope(
  db: Kysely<Database>,
  programId: string,
): Promise<string[] | undefined> {
  const rows = await db
    .selectFrom('program_version')
    .select('regions')
    .where('program_id', '=', programId)
    .execute();
  if (rows.length === 0) return undefined;
  if (rows.some((row) => row.regions.length === 0)) return everyState();
  return [...new Set(rows.flatMap((row) => row.regions))].sort();
}

/** The scope of content about to be written: its regions, or every state when national. */
export function contentScope(regions: readonly string[]): string[] {
  return regions.length === 0 ? everyState() : [...regions];
}

export async function gateProgram(
  deps: GateDependencies,
  access: Caller & {
    action: Action;
    mode: 'any' | 'all';
    resource: { type: 'program' | 'program_cycle'; id: string | null };
    regions: readonly string[] | undefined;
  },
): Promise<Grant> {
  const { actor, action, purpose, regions } = access;
  const allows = (regionCode: string) =>
    actor !== null && authorize(actor, action, { regionCode, personId: null }, purpose).allowed;
  // The region the guard decides on: for 'all' the first the operator lacks, for 'any' the
  // first the operator holds; either way the guard's answer is the answer for the program.
  const decisive =
    regions === undefined
      ? null
      : ((access.mode === 'all'
          ? regions.find((region) => !allows(region))
          : regions.find((region) => allows(region))) ??
        regions[0] ??
        null);
  return guardPersonAccess(deps, {
    actor,
    action,
    resource: access.resource,
    regionCode: decisive,
    personId: null,
    exists: regions !== undefined,
    purpose,
    requestId: access.requestId,
    countsAsPersonRead: false,
  });
}
