import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { documentedDecisionTable } from '../../../test/access-table.js';
import divisions from '../geography/divisions.json' with { type: 'json' };
import { type Actor, purposes } from './actor.js';
import { actions, authorize, decisionTable } from './policy.js';
import { roles } from './roles.js';

const documented = documentedDecisionTable();
/** The ISO 3166-2 codes of the 25 states, which are the regions operators are scoped to. */
const regionCodes = divisions.map((state) => state.iso_31662);

describe('the decision table', () => {
  it('in code is exactly the one in docs/ACCESS.md', () => {
    const normalise = (
      rules: ReadonlyArray<{
        action: string;
        role: string;
        purposes: readonly string[];
        scope: string;
      }>,
    ) =>
      rules
        .map((r) => `${r.action}|${r.role}|${[...r.purposes].sort().join(',')}|${r.scope}`)
        .sort();
    expect(normalise(decisionTable)).toEqual(normalise(documented));
    expect(documented.length).toBeGreaterThan(20);
  });

  it('names only known actions, roles and purposes', () => {
    for (const rule of documented) {
      expect(actions).toContain(rule.action);
      expect([...roles, 'citizen']).toContain(rule.role);
      for (const purpose of rule.purposes) expect(purposes).toContain(purpose);
      expect(['region', 'own', 'any', 'merchant']).toContain(rule.scope);
    }
  });

  it('gives the administrator no read of person data', () => {
    const reads = documented.filter(
      (rule) =>
        rule.role === 'administrator' && ['person.read', 'person.search'].includes(rule.action),
    );
    expect(reads).toEqual([]);
  });
});

/** What docs/ACCESS.md says, evaluated directly from the parsed rows. */
function expectedFromDocument(
  actor: Actor,
  action: string,
  region: string,
  personId: string,
  purpose: string | null,
  staff: readonly string[] = [],
) {
  if (actor.kind === 'system') return true;
  const principals: string[] = actor.kind === 'citizen' ? ['citizen'] : [...actor.roles];
  return documented.some(
    (rule) =>
      rule.action === action &&
      principals.includes(rule.role) &&
      purpose !== null &&
      rule.purposes.includes(purpose) &&
      (rule.scope === 'any' ||
        (rule.scope === 'own' && actor.kind === 'citizen' && actor.personId === personId) ||
        (rule.scope === 'region' && actor.kind === 'operator' && actor.regions.includes(region)) ||
        (rule.scope === 'merchant' &&
          actor.kind === 'operator' &&
          staff.includes(actor.operatorId))),
  );
}

const operatorArbitrary = fc.record({
  kind: fc.constant('operator' as const),
  operatorId: fc.uuid(),
  username: fc.constant('someone'),
  roles: fc.subarray([...roles], { minLength: 1 }),
  regions: fc.subarray(regionCodes, { minLength: 1, maxLength: 4 }),
  sessionId: fc.uuid(),
});
const citizenArbitrary = fc.record({
  kind: fc.constant('citizen' as const),
  personId: fc.uuid(),
  sessionId: fc.uuid(),
});

describe('authorize', () => {
  it('allows exactly what the documented table allows, for any actor, record, region and purpose', () => {
    fc.assert(
      fc.property(
        fc.oneof(operatorArbitrary, citizenArbitrary),
        fc.constantFrom(...actions),
        fc.constantFrom(...regionCodes),
        fc.uuid(),
        fc.option(fc.constantFrom(...purposes), { nil: null }),
        fc.boolean(),
        fc.boolean(),
        (actor, action, region, personId, purpose, ownRecord, staffOfMerchant) => {
          const recordPerson = ownRecord && actor.kind === 'citizen' ? actor.personId : personId;
          // A merchant's staff: the operator acting, or someone else.
          const staff =
            staffOfMerchant && actor.kind === 'operator' ? [actor.operatorId] : ['someone-else'];
          const decision = authorize(
            actor,
            action,
            { regionCode: region, personId: recordPerson, staffOperatorIds: staff },
            purpose,
          );
          expect(decision.allowed).toBe(
            expectedFromDocument(actor, action, region, recordPerson, purpose, staff),
          );
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('says why it refused', () => {
    const clerk: Actor = {
      kind: 'operator',
      operatorId: 'o',
      username: 'c',
      roles: ['enrolment_clerk'],
      regions: ['VE-A'],
      sessionId: 's',
    };
    const scope = { regionCode: 'VE-A', personId: 'p' };
    expect(authorize(clerk, 'person.merge', scope, 'enrolment')).toEqual({
      allowed: false,
      refusal: 'no_role',
    });
    expect(authorize(clerk, 'person.read', scope, null)).toEqual({
      allowed: false,
      refusal: 'purpose_required',
    });
    expect(authorize(clerk, 'person.read', scope, 'distribution')).toEqual({
      allowed: false,
      refusal: 'purpose_not_allowed',
    });
    expect(
      authorize(clerk, 'person.read', { regionCode: 'VE-Z', personId: 'p' }, 'enrolment'),
    ).toEqual({
      allowed: false,
      refusal: 'outside_scope',
    });
    expect(authorize(clerk, 'person.read', scope, 'enrolment')).toEqual({
      allowed: true,
      principal: 'enrolment_clerk',
      purpose: 'enrolment',
    });
  });
});
