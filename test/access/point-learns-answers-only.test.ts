import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditedAs,
  createPoint,
  type DistributionScene,
  distributionScene,
  pointCall,
} from '../../src/modules/distribution/distribution-test-kit.js';
import { buildHousehold } from '../factories.js';

/**
 * Safeguard 7 against an insider with one account: a distribution operator, assigned to a point
 * serving the person's program in the person's region, learns what the card's holder may take
 * there — and cannot open the person's file, household or cards by any route, whatever purpose
 * they name. Each attempt is refused and audited as denied.
 */
describe('a distribution operator learns entitlement answers, not the person file', () => {
  let scene: DistributionScene;
  let pointId: string;
  let householdId: string;

  beforeAll(async () => {
    scene = await distributionScene({
      people: 1,
      program: { code: 'guard_food', basket: [{ item: 'food_box', quantity: 1, unit: 'box' }] },
    });
    pointId = await createPoint(scene.kit, scene.supervisor, {
      operators: [scene.operator.operatorId],
      programs: [scene.programId],
    });
    const person = scene.people[0];
    if (person === undefined) throw new Error('the scene has one person');
    ({ id: householdId } = await buildHousehold(scene.kit, {
      members: [{ person: { id: person.personId }, relationship: 'head' }],
    }));
  }, 120_000);
  afterAll(async () => scene?.kit.close());

  it('refuses the person by ID number and by id, the household and the cards', async () => {
    const [person] = scene.people;
    if (person === undefined) throw new Error('the scene has one person');
    const urls = [
      `/api/persons/by-uin/${person.uin}`,
      `/api/persons/${person.personId}`,
      `/api/households/${householdId}`,
      `/api/persons/${person.personId}/credentials`,
    ];
    for (const url of urls) {
      for (const purpose of ['distribution', 'enrolment', 'self']) {
        const response = await scene.kit.app.inject({
          method: 'GET',
          url: `${url}?purpose=${purpose}`,
          cookies: scene.operator.cookies,
        });
        expect(response.statusCode, `${url} ${purpose}: ${response.body}`).toBe(403);
        expect(response.body).not.toContain(person.uin);
        expect(await auditedAs(scene.kit, String(response.headers['x-request-id']))).toEqual([
          expect.objectContaining({ action: 'person.read', outcome: 'denied' }),
        ]);
      }
    }
  });

  it('still answers what the card holder may take at the point', async () => {
    const [person] = scene.people;
    if (person === undefined) throw new Error('the scene has one person');
    const lookup = await pointCall(scene.kit)(
      'POST',
      `${pointId}/entitlement-lookups`,
      scene.operator,
      {
        qrText: person.qrText,
      },
    );
    expect(lookup.statusCode, lookup.body).toBe(200);
    const body = lookup.json() as { entitlements: { items: { item: string }[] }[] };
    expect(body.entitlements.map((each) => each.items.map((line) => line.item))).toEqual([
      ['food_box'],
    ]);
    expect(lookup.body).not.toContain(person.uin);
    expect(lookup.body).not.toContain(householdId);
  });
});
