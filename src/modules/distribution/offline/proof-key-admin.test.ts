import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessTestApp } from '../../access/access-test-kit.js';
import { auditedAs, type SignedIn, signIn } from '../distribution-test-kit.js';
import { boxAndRiceScene, type OfflinePoint, offlinePoint } from './offline-point-test-kit.js';

const dayMs = 86_400_000;

/**
 * The administrators' card-proof key screen's API (docs/ACCESS.md, "The offline card-proof key"),
 * on PostgreSQL and PGlite alike: the versions and their states as the sync sees them, under the
 * window the agency set (here 45 days), never key material; a rotation by one administrator,
 * audited with its version, that the next snapshot publishes; a second rotation from the same
 * stale view refused and audited, nothing written.
 */
describe('the card-proof key in the console', () => {
  let kit: AccessTestApp;
  let admin: SignedIn;
  let supervisor: SignedIn;
  let operator: SignedIn;
  let point: OfflinePoint;

  const list = (who: SignedIn) =>
    kit.app.inject({
      url: '/api/distribution/card-proof-key?purpose=distribution',
      cookies: who.cookies,
    });
  const rotate = (who: SignedIn, currentVersion: number) =>
    kit.app.inject({
      method: 'POST',
      url: '/api/distribution/card-proof-key/rotations?purpose=distribution',
      cookies: who.cookies,
      payload: { currentVersion },
    });
  const snapshot = async () => {
    const [device] = point.devices;
    if (device === undefined) throw new Error('one device');
    const response = await point.call('GET', `devices/${device.id}/snapshot`, operator);
    expect(response.statusCode, response.body).toBe(200);
    return response.json().payload as { proofKey: string; proofKeyVersion: number };
  };

  beforeAll(async () => {
    let programId: string;
    let cycleId: string;
    ({ kit, supervisor, operator, programId, cycleId } = await boxAndRiceScene('proof_admin', 1, {
      app: { configEnv: { AMPARO_OFFLINE_PROOF_KEY_OPEN_DAYS: '45' } },
    }));
    point = await offlinePoint({ kit, supervisor, operator, programId, cycleId }, 1, {});
    admin = await signIn(kit, ['administrator'], ['VE-A']);
  }, 120_000);
  afterAll(async () => kit?.close());

  it('lists the versions and their states under the window set, never key material; a rotation is audited and published', async () => {
    const published = await snapshot();
    const first = await list(admin);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.json()).toEqual({
      openAfterSnapshotsDays: 45,
      versions: [
        {
          version: 1,
          createdAt: expect.any(String),
          createdBy: 'migration',
          retiredAt: null,
          lastSnapshotExpiresAt: expect.any(String),
          openUntil: null,
          state: 'current',
        },
      ],
    });
    expect(first.body).not.toContain(published.proofKey);
    expect(await auditedAs(kit, String(first.headers['x-request-id']))).toEqual([
      { action: 'distribution.proof_key_read', outcome: 'allowed', reasonCode: null },
    ]);

    const rotated = await rotate(admin, 1);
    expect(rotated.statusCode, rotated.body).toBe(201);
    expect(rotated.json()).toEqual({ version: 2, previousVersion: 1 });
    const rotationEntry = await kit.database.asAdmin((db) =>
      sql<{ entry: string }>`select entry from audit_entry
        where entry::json->>'requestId' = ${String(rotated.headers['x-request-id'])}`.execute(db),
    );
    expect(rotationEntry.rows.map((row) => JSON.parse(row.entry))).toEqual([
      expect.objectContaining({
        action: 'distribution.proof_key_rotate',
        outcome: 'allowed',
        resource: { type: 'offline_proof_key', id: '2' },
        actor: expect.objectContaining({ kind: 'operator', role: 'administrator' }),
      }),
    ]);
    // A second administrator's click from the same view: refused, audited, nothing written.
    const stale = await rotate(admin, 1);
    expect(stale.statusCode, stale.body).toBe(409);
    expect(stale.json().code).toBe('AMP_CONFLICT');
    expect(await auditedAs(kit, String(stale.headers['x-request-id']))).toEqual([
      { action: 'distribution.proof_key_rotate', outcome: 'denied', reasonCode: 'AMP_CONFLICT' },
    ]);

    // The next snapshot publishes version 2; version 1 opens until 45 days after its last expiry.
    expect((await snapshot()).proofKeyVersion).toBe(2);
    const [two, one] = (await list(admin)).json().versions;
    expect(two).toMatchObject({ version: 2, createdBy: 'console', state: 'current' });
    expect(one).toMatchObject({ version: 1, state: 'open', retiredAt: two.createdAt });
    expect(Date.parse(one.openUntil) - Date.parse(one.lastSnapshotExpiresAt)).toBe(45 * dayMs);

    // Rotated again before any snapshot published version 3: version 2 stays open (the snapshot
    // above published it), and a version no snapshot published closes at its retirement.
    expect((await rotate(admin, 2)).statusCode).toBe(201);
    expect((await rotate(admin, 3)).statusCode).toBe(201);
    const states = (await list(admin)).json().versions as { version: number; state: string }[];
    expect(states.map((each) => [each.version, each.state])).toEqual([
      [4, 'current'],
      [3, 'closed'],
      [2, 'open'],
      [1, 'open'],
    ]);
    expect((await snapshot()).proofKeyVersion).toBe(4);
  });

  it('refuses the key to a distribution supervisor and operator, audited, and rotates nothing', async () => {
    for (const who of [supervisor, operator]) {
      for (const response of [await list(who), await rotate(who, 4)]) {
        expect(response.statusCode, response.body).toBe(403);
        expect(await auditedAs(kit, String(response.headers['x-request-id']))).toContainEqual(
          expect.objectContaining({ outcome: 'denied', reasonCode: 'AMP_FORBIDDEN' }),
        );
      }
    }
    const versions = (await list(admin)).json().versions as { version: number }[];
    expect(versions[0]?.version).toBe(4);
  });
});
