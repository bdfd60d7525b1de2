import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccessTestApp, buildAccessTestApp } from '../../access/access-test-kit.js';
import {
  auditedAs,
  createPoint,
  pointCall,
  type SignedIn,
  signIn,
  signInSupervisor,
} from '../distribution-test-kit.js';
import { registrationMessage } from './device-service.js';

/** A device's key pair, as WebCrypto makes one: the raw public key and a signer. */
function deviceKey() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
  return {
    publicKey: raw.toString('base64url'),
    prove: (pointId: string, key = raw.toString('base64url')) =>
      sign(null, registrationMessage(pointId, key), privateKey).toString('base64url'),
  };
}

/**
 * A point's offline devices (issue #15, point 5, first part), on PostgreSQL and PGlite alike:
 * a supervisor registers a key only with the device's signature over this point's registration,
 * never twice, lists and revokes it; an operator may list, not register.
 */
describe("a point's offline devices", () => {
  let kit: AccessTestApp;
  let supervisor: SignedIn;
  let operator: SignedIn;
  let point: string;
  let other: string;

  beforeAll(async () => {
    kit = await buildAccessTestApp({ rateLimitRequestsMax: 100_000 });
    supervisor = await signInSupervisor(kit);
    operator = await signIn(kit, ['distribution_operator'], ['VE-A']);
    point = await createPoint(kit, supervisor, { operators: [operator.operatorId] });
    other = await createPoint(kit, supervisor);
  }, 120_000);
  afterAll(async () => kit?.close());

  const call = (method: 'GET' | 'POST', url: string, who: SignedIn, payload?: object) =>
    pointCall(kit)(method, url, who, payload);

  it('registers a key the device proves it holds, for this point only, once', async () => {
    const device = deviceKey();
    const body = { publicKey: device.publicKey, proof: device.prove(point), label: 'Tablet 1' };
    // Signed for another point, or by another key: refused and audited.
    for (const proof of [device.prove(other), deviceKey().prove(point, device.publicKey)]) {
      const refused = await call('POST', `${point}/devices`, supervisor, { ...body, proof });
      expect(refused.statusCode, refused.body).toBe(422);
      expect(refused.json().code).toBe('AMP_DEVICE_PROOF_INVALID');
      expect(await auditedAs(kit, String(refused.headers['x-request-id']))).toContainEqual({
        action: 'distribution.device_manage',
        outcome: 'denied',
        reasonCode: 'AMP_DEVICE_PROOF_INVALID',
      });
    }
    expect((await call('POST', `${point}/devices`, operator, body)).statusCode).toBe(403);
    const registered = await call('POST', `${point}/devices`, supervisor, body);
    expect(registered.statusCode, registered.body).toBe(201);
    expect(registered.json()).toMatchObject({ label: 'Tablet 1', publicKey: device.publicKey });
    const again = await call('POST', `${point}/devices`, supervisor, body);
    expect(again.statusCode).toBe(409);

    const listed = await call('GET', `${point}/devices`, operator);
    expect(listed.statusCode).toBe(200);
    expect(listed.json().devices).toHaveLength(1);
  });

  it('revokes a device once, and keeps it listed as revoked', async () => {
    const device = deviceKey();
    const registered = await call('POST', `${point}/devices`, supervisor, {
      publicKey: device.publicKey,
      proof: device.prove(point),
      label: 'Phone 7',
    });
    const id = registered.json().id as string;
    // Revoked through another point: no such device there.
    expect(
      (await call('POST', `${other}/devices/${id}/revoke`, supervisor, { reason: 'lost' }))
        .statusCode,
    ).toBe(404);
    const revoked = await call('POST', `${point}/devices/${id}/revoke`, supervisor, {
      reason: 'stolen',
    });
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json()).toMatchObject({ id, revocationReason: 'stolen' });
    expect(revoked.json().revokedAt).not.toBeNull();
    const twice = await call('POST', `${point}/devices/${id}/revoke`, supervisor, {
      reason: 'lost',
    });
    expect(twice.statusCode).toBe(404);
    const listed = (await call('GET', `${point}/devices`, supervisor)).json().devices as {
      id: string;
      revokedAt: string | null;
    }[];
    expect(listed.find((each) => each.id === id)?.revokedAt).not.toBeNull();
  });
});
