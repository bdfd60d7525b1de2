import { describe, expect, it } from 'vitest';
import type { Actor } from '../access/actor.js';
import { auditActorOf } from './audit-actor.js';
import { writeAuditEntry } from './write-audit-entry.js';

const operator: Actor = {
  kind: 'operator',
  operatorId: 'op-1',
  username: 'ana',
  roles: ['enrolment_clerk'],
  regions: ['VE-A'],
  sessionId: 's-1',
};
const citizen: Actor = { kind: 'citizen', personId: 'p-1', sessionId: 's-2' };
const job: Actor = { kind: 'system', job: 'cli:operators' };

describe('auditActorOf', () => {
  it('records an operator with the role and region the action ran under', () => {
    expect(auditActorOf(operator, 'enrolment_clerk', 'VE-A')).toEqual({
      kind: 'operator',
      id: 'op-1',
      role: 'enrolment_clerk',
      region: 'VE-A',
    });
  });

  it('records no region for a citizen or a system job, whatever the caller passes', () => {
    expect(auditActorOf(citizen, 'citizen', 'VE-A')).toEqual({
      kind: 'citizen',
      id: 'p-1',
      role: 'citizen',
      region: null,
    });
    expect(auditActorOf(job, null, 'VE-A')).toEqual({
      kind: 'system',
      id: 'cli:operators',
      role: null,
      region: null,
    });
  });

  it('records a request without an actor as the system actor anonymous', () => {
    expect(auditActorOf(null, 'citizen', 'VE-A')).toEqual({
      kind: 'system',
      id: 'anonymous',
      role: null,
      region: null,
    });
  });
});

describe('writeAuditEntry', () => {
  it("is an allowed entry with the grant's role and purpose and the fields sorted", () => {
    const write = {
      actor: operator,
      action: 'person.correct',
      regionCode: 'VE-A',
      grant: { principal: 'enrolment_clerk', purpose: 'enrolment' as const },
    };
    expect(writeAuditEntry(write, { type: 'person', id: 'p-9' }, ['sex', 'phone'], 'r-1')).toEqual({
      actor: { kind: 'operator', id: 'op-1', role: 'enrolment_clerk', region: 'VE-A' },
      action: 'person.correct',
      resource: { type: 'person', id: 'p-9' },
      purpose: 'enrolment',
      fields: ['phone', 'sex'],
      outcome: 'allowed',
      reasonCode: null,
      requestId: 'r-1',
    });
  });
});
