import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccessTestApp, buildAccessTestApp } from '../../access/access-test-kit.js';
import {
  call,
  enrolBody,
  personAttributes,
  registryCounts,
  type SignedIn,
  signedInOperator,
} from '../persons/person-test-kit.js';
import { registryWriteLimits } from '../search/limits.js';

const q = '?purpose=enrolment';
const { householdMembersMax } = registryWriteLimits;
/** Distinct given names, so that no enrolment is held back as a possible duplicate. */
// biome-ignore format: a list of names reads better in rows
const givenNames = [
  'Alba', 'Braulio', 'Cecilia', 'Dámaso', 'Elvira', 'Froilán', 'Graciela', 'Heriberto',
  'Iraida', 'Jacinto', 'Leonor', 'Macario', 'Nieves', 'Olegario', 'Petra', 'Rigoberto',
];

/**
 * A household holds at most `householdMembersMax` members (src/limits.ts): the import refuses
 * a larger one, and online enrolment into an existing household and moves into one are
 * refused with 409 AMP_HOUSEHOLD_FULL, naming the household field, writing nothing.
 */
describe('the household size bound', () => {
  let kit: AccessTestApp;
  let clerk: SignedIn;
  let householdId: string;
  const members: string[] = [];
  let born = 0;

  beforeAll(async () => {
    kit = await buildAccessTestApp();
    clerk = await signedInOperator(kit, 'clerk.size', ['enrolment_clerk'], ['VE-A']);
  });
  afterAll(async () => kit?.close());

  function enrol(household: object) {
    const index = born++;
    const attributes = personAttributes({
      given_names: givenNames[index % givenNames.length],
      first_surname: index < givenNames.length ? 'Guaramato' : 'Chirinos',
      birth_date: `${1950 + index}-0${1 + (index % 9)}-1${index % 10}`,
      sex: index % 2 === 0 ? 'F' : 'M',
    });
    return call(kit, clerk, 'POST', `/api/persons${q}`, enrolBody(attributes, { household }));
  }

  it('enrols members up to the bound, then refuses the next one', async () => {
    const head = await enrol({ new: true, relationship: 'head' });
    expect(head.statusCode).toBe(201);
    householdId = head.json().householdId;
    members.push(head.json().personId);
    while (members.length < householdMembersMax) {
      const member = await enrol({ householdId, relationship: 'child' });
      expect(member.statusCode).toBe(201);
      members.push(member.json().personId);
    }
    const before = await registryCounts(kit);
    const refused = await enrol({ householdId, relationship: 'child' });
    expect(refused.statusCode).toBe(409);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json()).toMatchObject({
      status: 409,
      code: 'AMP_HOUSEHOLD_FULL',
      title: 'The household is full',
      detail: `The household already has ${householdMembersMax} members, the most one may have; choose another household or a new one`,
      errors: [
        {
          field: 'body/household/householdId',
          code: 'household_full',
          params: { max: householdMembersMax },
        },
      ],
    });
    expect(await registryCounts(kit)).toEqual(before);
  });

  it('refuses a move into a full household, and allows it once a place is free', async () => {
    const mover = await enrol({ new: true, relationship: 'head' });
    expect(mover.statusCode).toBe(201);
    const { personId, householdId: ownHousehold } = mover.json();
    const moveInto = (target: object, who: string = personId) =>
      call(kit, clerk, 'POST', `/api/persons/${who}/household${q}`, {
        clientId: randomUUID(),
        ...target,
      });
    const refused = await moveInto({ householdId, relationship: 'spouse' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      code: 'AMP_HOUSEHOLD_FULL',
      errors: [{ field: 'body/householdId', code: 'household_full' }],
    });
    const stillHome = await call(kit, clerk, 'GET', `/api/households/${ownHousehold}${q}`);
    expect(stillHome.json().members.map((m: { personId: string }) => m.personId)).toEqual([
      personId,
    ]);

    const leaving = members.at(-1) ?? '';
    const left = await moveInto({ new: true, relationship: 'head' }, leaving);
    expect(left.statusCode).toBe(200);
    const moved = await moveInto({ householdId, relationship: 'spouse' });
    expect(moved.statusCode).toBe(200);
    const full = await call(kit, clerk, 'GET', `/api/households/${householdId}${q}`);
    expect(full.json().members).toHaveLength(householdMembersMax);
  });
});
