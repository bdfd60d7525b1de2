import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessTestApp } from '../../access/access-test-kit.js';
import {
  auditedAs,
  type CardHolder,
  type DistributionScene,
  type SignedIn,
} from '../distribution-test-kit.js';
import { distributionLimits } from '../limits.js';
import { stockDelivered } from '../stock/stock-test-kit.js';
import {
  boxAndRiceScene,
  pointWithDevice as pointWithDeviceOf,
  twoBoxes,
} from './offline-point-test-kit.js';
import { snapshotEntries } from './snapshot-builder.js';
import { snapshotEntryTag } from './snapshot-card-key.js';

/** The cards a snapshot holds: its entries' tags, found from a card under its salt. */
function heldCards(body: { salt: string; entries: [string, ...unknown[]][] }) {
  const tags = new Set(body.entries.map((entry) => entry[0]));
  return {
    size: tags.size,
    has: (holder: CardHolder) => tags.has(snapshotEntryTag(body.salt, holder.credentialId)),
  };
}

/**
 * A point's offline snapshot holds the persons of its area and those it served before (issue
 * #15): a national program's holder of another state is absent (their card offline "needs the
 * network"), one of the point's state is present; a point that names a municipality holds its
 * residents only, until it serves someone from elsewhere in the state. The sync keeps to it: a
 * receipt for someone the snapshot did not hold is refused, their card shown or not (review
 * finding F1b; migration 0139).
 */
describe("a snapshot limited to the point's area", () => {
  let kit: AccessTestApp;
  let supervisor: SignedIn;
  let operator: SignedIn;
  let programId: string;
  let inTown: CardHolder;
  let elsewhereInState: CardHolder;
  let otherState: CardHolder;
  let scene: DistributionScene;

  beforeAll(async () => {
    scene = await boxAndRiceScene(
      'national_box',
      [
        { region: 'VE-A', municipality: 'VE-A-01' },
        { region: 'VE-A', municipality: 'VE-A-02' },
        { region: 'VE-Z', municipality: 'VE-Z-01' },
      ],
      { rule: 'state_code == "VE-A" || state_code == "VE-Z"', basket: twoBoxes },
    );
    ({ kit, supervisor, operator, programId } = scene);
    // Safe: the scene made one holder for each of the three places, in their order.
    [inTown, elsewhereInState, otherState] = scene.people as [CardHolder, CardHolder, CardHolder];
  }, 120_000);
  afterAll(async () => kit?.close());

  async function pointWithDevice(municipalityCode?: string) {
    const point = await pointWithDeviceOf(
      scene,
      municipalityCode === undefined ? {} : { municipalityCode },
    );
    const { pointId, deviceId, key, call, snapshot } = point;
    const cardsInSnapshot = async () => heldCards(await snapshot());
    /** Syncs one receipt of the device for the holder's entitlement, their card shown. */
    const syncFor = async (holder: CardHolder, snapshotId: string) => {
      const { id: entitlementId } = await kit.database.asAdmin((admin) =>
        admin
          .selectFrom('entitlement')
          .select('id')
          .where('person_id', '=', holder.personId)
          .executeTakeFirstOrThrow(),
      );
      const receipt = key.receipt(pointId, deviceId, {
        snapshotId,
        entitlementId,
        credentialId: holder.credentialId,
        qrText: holder.qrText,
        lines: [{ item: 'food_box', quantity: 1 }],
      });
      const response = await call('POST', 'offline-syncs', operator, {
        deviceId,
        deviceNow: Date.now(),
        receipts: [receipt],
      });
      expect(response.statusCode, response.body).toBe(200);
      return {
        result: response.json().results[0],
        audited: await auditedAs(kit, String(response.headers['x-request-id'])),
      };
    };
    return { pointId, deviceId, call, snapshot, cardsInSnapshot, syncFor };
  }

  it("holds the persons of the point's state, not those of another state", async () => {
    const point = await pointWithDevice();
    const cards = await point.cardsInSnapshot();
    expect(cards.has(inTown)).toBe(true);
    expect(cards.has(elsewhereInState)).toBe(true);
    expect(cards.has(otherState)).toBe(false);
    expect(cards.size).toBe(2);
  });

  it('refuses at sync a receipt for a person the snapshot did not hold, though their card is shown', async () => {
    const point = await pointWithDevice();
    const delivered = await point.call('POST', 'deliveries', supervisor, {
      clientId: randomUUID(),
      item: 'food_box',
      quantity: 5,
    });
    expect(delivered.statusCode, delivered.body).toBe(201);
    const held = await point.snapshot();
    const { snapshotId } = held;
    expect(heldCards(held).has(otherState)).toBe(false);
    // A VE-Z person at this VE-A point: entitled by the national program, never held here.
    const outside = await point.syncFor(otherState, snapshotId);
    expect(outside.result).toMatchObject({
      outcome: 'refused',
      code: 'AMP_OFFLINE_NOT_IN_SNAPSHOT',
    });
    expect(outside.audited).toContainEqual({
      action: 'distribution.redeem',
      outcome: 'denied',
      reasonCode: 'AMP_OFFLINE_NOT_IN_SNAPSHOT',
    });
    // A person the snapshot held: counted.
    expect((await point.syncFor(inTown, snapshotId)).result).toMatchObject({ outcome: 'counted' });
    // A snapshot issued before scopes were kept (migration 0139) proves nothing either.
    const older = randomUUID();
    await kit.database.asAdmin((admin) =>
      sql`insert into distribution_snapshot
            (id, point_id, device_id, issued_at, expires_at, entries, payload_sha256, issued_by)
          values (${older}, ${point.pointId}, ${point.deviceId}, now() - interval '1 hour',
            now() + interval '1 day', 2, ${Buffer.alloc(32)}, ${operator.operatorId})`.execute(
        admin,
      ),
    );
    expect((await point.syncFor(elsewhereInState, older)).result).toMatchObject({
      outcome: 'refused',
      code: 'AMP_OFFLINE_NOT_IN_SNAPSHOT',
    });
    const redeemed = await kit.database.asAdmin((admin) =>
      admin
        .selectFrom('redemption')
        .select('person_id')
        .where('point_id', '=', point.pointId)
        .execute(),
    );
    expect(redeemed).toEqual([{ person_id: inTown.personId }]);
  });

  it('holds the residents of a municipality, and whoever the point served before', async () => {
    const point = await pointWithDevice('VE-A-01');
    let cards = await point.cardsInSnapshot();
    expect([cards.size, cards.has(inTown)]).toEqual([1, true]);
    await stockDelivered(kit, supervisor, point.pointId, { item: 'food_box', quantity: 5 });
    // Served online at this point once, from another municipality: one box of two.
    const lookup = await point.call('POST', 'entitlement-lookups', operator, {
      qrText: elsewhereInState.qrText,
    });
    expect(lookup.statusCode, lookup.body).toBe(200);
    const [entitlement] = lookup.json().entitlements as { entitlementId: string }[];
    const redeemed = await point.call('POST', 'redemptions', operator, {
      clientId: randomUUID(),
      qrText: elsewhereInState.qrText,
      entitlementId: entitlement?.entitlementId,
      lines: [{ item: 'food_box', quantity: 1 }],
    });
    expect(redeemed.statusCode, redeemed.body).toBe(201);
    cards = await point.cardsInSnapshot();
    expect(cards.has(inTown)).toBe(true);
    expect(cards.has(elsewhereInState)).toBe(true);
    expect(cards.has(otherState)).toBe(false);
    // Served within the window: still held; served only before it: no longer (the area's stays).
    const window = distributionLimits.offline.servedWindowMs;
    const at = async (nowMs: number) => {
      const body = await snapshotEntries(kit.database.db, [programId], new Date(nowMs), {
        pointId: point.pointId,
        regionCode: 'VE-A',
        municipalityCode: 'VE-A-01',
      });
      return heldCards(body);
    };
    const served = await kit.database.db
      .selectFrom('redemption')
      .select('redeemed_at')
      .where('point_id', '=', point.pointId)
      .executeTakeFirstOrThrow();
    const servedAtMs = served.redeemed_at.getTime();
    const inside = await at(servedAtMs + window - 60_000);
    expect([inside.has(elsewhereInState), inside.has(inTown)]).toEqual([true, true]);
    const after = await at(servedAtMs + window + 60_000);
    expect([after.has(elsewhereInState), after.has(inTown)]).toEqual([false, true]);
  });
});
