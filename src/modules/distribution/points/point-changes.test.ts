import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AccessTestApp,
  buildAccessTestApp,
  createTestOperator,
} from '../../access/access-test-kit.js';
import {
  createPoint,
  pointCall,
  type SignedIn,
  signInSupervisor,
} from '../distribution-test-kit.js';

/**
 * A point's operators named by the name they sign in with (the console's point screen, issue
 * #15 point 1): an active distribution operator is assigned and named in the point's detail;
 * an unknown name, or an account without the distribution operator's role, changes nothing.
 */
describe('assigning operators to a point by username', () => {
  let kit: AccessTestApp;
  let supervisor: SignedIn;
  let pointId: string;

  beforeAll(async () => {
    kit = await buildAccessTestApp({ rateLimitRequestsMax: 100_000 });
    supervisor = await signInSupervisor(kit);
    await createTestOperator(kit, {
      username: 'pc.operator',
      roles: ['distribution_operator'],
      regions: ['VE-A'],
    });
    await createTestOperator(kit, {
      username: 'pc.officer',
      roles: ['program_officer'],
      regions: ['VE-A'],
    });
    pointId = await createPoint(kit, supervisor);
  }, 120_000);
  afterAll(async () => kit?.close());

  const change = (payload: object) =>
    pointCall(kit)('POST', `${pointId}/changes`, supervisor, payload);

  it('assigns a distribution operator by username and names them in the detail', async () => {
    const response = await change({ addOperatorUsernames: ['pc.operator'] });
    expect(response.statusCode, response.body).toBe(200);
    const detail = response.json() as {
      operatorIds: string[];
      operators: { operatorId: string; username: string }[];
    };
    expect(detail.operators.map((each) => each.username)).toEqual(['pc.operator']);
    expect(detail.operatorIds).toEqual(detail.operators.map((each) => each.operatorId));
  });

  it('refuses an unknown name or an account that is no distribution operator, changing nothing', async () => {
    for (const name of ['nobody.here', 'pc.officer']) {
      const refused = await change({ addOperatorUsernames: [name], status: 'closed' });
      expect(refused.statusCode, refused.body).toBe(400);
      expect(refused.json()).toMatchObject({ code: 'AMP_VALIDATION' });
    }
    const detail = await pointCall(kit)('GET', pointId, supervisor);
    expect(detail.json()).toMatchObject({ status: 'open', operatorIds: [expect.any(String)] });
  });
});
