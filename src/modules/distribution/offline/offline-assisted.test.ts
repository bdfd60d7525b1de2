import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildHousehold, buildPerson } from '../../../../test/factories.js';
import { keyedHmacSha256 } from '../../../platform/crypto/keyed-hmac-sha256.js';
import type { AccessTestApp } from '../../access/access-test-kit.js';
import { auditedAs, type CardHolder, pointCall, type SignedIn } from '../distribution-test-kit.js';
import { stockDelivered } from '../stock/stock-test-kit.js';
import {
  bindingBytes,
  bindingLabel,
  bindingTagBytes,
  boundEntryIndex,
} from './household-bindings.js';
import { boxAndRiceScene, pointWithDevice, twoBoxes } from './offline-point-test-kit.js';
import { entitlementIdOfEntry, type OfflineDevice, offlineDevice } from './offline-test-kit.js';
import { bindingSecretOf, snapshotCardKey } from './snapshot-card-key.js';

/**
 * A hand-over without the card made offline with a household member's card (issue #15, points 4
 * and 5; safeguard 9), on PostgreSQL and PGlite alike. Pía has no card; Ana, of her household,
 * has one; Beto, of no household of theirs, has one. The snapshot finds Pía's entitlement from
 * Ana's card and Pía's ID number, and from nothing less, and holds neither in clear; synced, the
 * receipt counts once as an assisted redemption (the supervisor's list, the reconciliation, Pía's
 * history); a replay answers the first result; Beto's card, or another operator than the
 * snapshot's, is refused, counted nowhere, audited.
 */
describe('offline hand-over with a household member card', () => {
  let kit: AccessTestApp;
  let supervisor: SignedIn;
  let operator: SignedIn;
  let point: string;
  let cycleId: string;
  let pia: { id: string; uin: string };
  let ana: CardHolder;
  let beto: CardHolder;
  let piaEntitlement: string;
  const device: { key: OfflineDevice; id: string } = { key: offlineDevice(), id: '' };

  beforeAll(async () => {
    // Ana and Beto hold cards; Pía, of Ana's household, none (made before the cycle entitles her).
    const scene = await boxAndRiceScene('offline_household', 2, {
      basket: twoBoxes,
      beforeProgram: async (made) => {
        pia = await buildPerson(made.kit);
        await buildHousehold(made.kit, {
          members: [
            { person: pia, relationship: 'head' },
            { person: { id: made.people[0]?.personId ?? '' }, relationship: 'child' },
          ],
        });
      },
    });
    ({ kit, supervisor, operator, cycleId } = scene);
    // Safe: the scene made two card holders.
    [ana, beto] = scene.people as [CardHolder, CardHolder];
    const made = await pointWithDevice(scene);
    point = made.pointId;
    device.key = made.key;
    device.id = made.deviceId;
    await stockDelivered(kit, supervisor, point, { item: 'food_box', quantity: 10 });
    const row = await kit.database.asAdmin((admin) =>
      admin
        .selectFrom('entitlement')
        .select('id')
        .where('person_id', '=', pia.id)
        .executeTakeFirstOrThrow(),
    );
    piaEntitlement = row.id;
  }, 120_000);
  afterAll(async () => kit?.close());

  const call = (method: 'GET' | 'POST', url: string, who: SignedIn, payload?: object) =>
    pointCall(kit)(method, `${point}/${url}`, who, payload);

  async function snapshot() {
    const response = await call('GET', `devices/${device.id}/snapshot`, operator);
    expect(response.statusCode, response.body).toBe(200);
    return { text: response.body, payload: response.json().payload };
  }

  async function syncAssisted(
    snapshotId: string,
    props: { card: CardHolder; operatorId: string; receiptId?: string },
  ) {
    const receipt = device.key.receipt(point, device.id, {
      snapshotId,
      entitlementId: piaEntitlement,
      credentialId: props.card.credentialId,
      qrText: props.card.qrText,
      lines: [{ item: 'food_box', quantity: 2 }],
      assisted: { reason: 'never_had', operatorId: props.operatorId },
      // Made now, not the kit's second ago: the household is checked at the receipt's time, and
      // on a quick run it was formed less than a second before.
      deviceTime: Date.now(),
      ...(props.receiptId === undefined ? {} : { receiptId: props.receiptId }),
    });
    const response = await call('POST', 'offline-syncs', operator, {
      deviceId: device.id,
      deviceNow: Date.now(),
      receipts: [receipt],
    });
    expect(response.statusCode, response.body).toBe(200);
    return {
      requestId: String(response.headers['x-request-id']),
      result: response.json().results[0],
      receipt,
    };
  }

  const redemptionsOfPia = () =>
    kit.database.asAdmin((admin) =>
      admin
        .selectFrom('redemption')
        .select(['mode', 'assisted_id', 'credential_id', 'operator_id'])
        .where('entitlement_id', '=', piaEntitlement)
        .execute(),
    );

  it('finds the person from the member card and the ID number only, and holds neither', async () => {
    const { text, payload } = await snapshot();
    const salt = Buffer.from(payload.salt, 'base64url');
    const index = boundEntryIndex(salt, payload.assisted.bindings, ana.credentialId, pia.uin);
    expect(index).toBeDefined();
    expect(entitlementIdOfEntry(payload.entries[index as number][1])).toBe(piaEntitlement);
    expect(payload.entries[index as number][3]).toEqual([0, 2]);
    // A stranger's card, or another number, finds nothing.
    expect(boundEntryIndex(salt, payload.assisted.bindings, beto.credentialId, pia.uin)).toBe(
      undefined,
    );
    expect(boundEntryIndex(salt, payload.assisted.bindings, ana.credentialId, beto.uin)).toBe(
      undefined,
    );
    expect(payload.assisted.operatorId).toBe(operator.operatorId);
    for (const secret of [pia.uin, pia.id, ana.credentialId, ana.uin, ana.personId]) {
      expect(text).not.toContain(secret);
    }
    // A new snapshot has a new salt: its bindings share nothing with the last one's.
    const next = (await snapshot()).payload;
    expect(next.salt).not.toBe(payload.salt);
    expect(next.assisted.bindings).not.toBe(payload.assisted.bindings);
  });

  it('a brute force over ID numbers with the snapshot alone finds nobody; with the card it finds Pía', async () => {
    const { payload } = await snapshot();
    // A bounded space of ID numbers: the 2,000 around Pía's, hers among them.
    const start = Number(pia.uin) - 1_000;
    const space = Array.from({ length: 2_000 }, (_, offset) => String(start + offset));
    expect(space).toContain(pia.uin);
    // Every 16 bytes the snapshot holds (entry tags, entitlement ids, revocation hashes, the salt,
    // the bindings themselves), tried both as a card's credential id and as a card's binding
    // secret — what someone holding only the device's snapshot can try.
    const candidates = sixteenByteValuesOf(payload);
    expect(candidates.length).toBeGreaterThan(3);
    const found = bruteForce(payload, candidates, space);
    expect(found).toEqual([]);
    // The same search with the member's card (read from its QR, as the device does when it is
    // shown) finds Pía's number: the search is a real one.
    const withCard = bruteForce(payload, [Buffer.from(ana.credentialId, 'hex')], space);
    expect(withCard).toEqual([pia.uin]);
  }, 60_000);

  it("refuses a card of another household, and another operator than the snapshot's", async () => {
    const { payload } = await snapshot();
    const stranger = await syncAssisted(payload.snapshotId, {
      card: beto,
      operatorId: operator.operatorId,
    });
    expect(stranger.result).toMatchObject({
      outcome: 'refused',
      code: 'AMP_OFFLINE_HOUSEHOLD_REFUSED',
    });
    expect(await auditedAs(kit, stranger.requestId)).toContainEqual({
      action: 'distribution.assisted_redeem',
      outcome: 'denied',
      reasonCode: 'AMP_OFFLINE_HOUSEHOLD_REFUSED',
    });
    const other = await syncAssisted(payload.snapshotId, {
      card: ana,
      operatorId: supervisor.operatorId,
    });
    expect(other.result).toMatchObject({
      outcome: 'refused',
      code: 'AMP_OFFLINE_OPERATOR_MISMATCH',
    });
    expect(await redemptionsOfPia()).toEqual([]);
  });

  it('counts a good receipt once, as assisted: listed, reconciled, in the history; a replay is the first answer', async () => {
    const { payload } = await snapshot();
    const first = await syncAssisted(payload.snapshotId, {
      card: ana,
      operatorId: operator.operatorId,
    });
    expect(first.result).toMatchObject({ outcome: 'counted', code: null, replayed: false });
    expect(await auditedAs(kit, first.requestId)).toContainEqual({
      action: 'distribution.assisted_redeem',
      outcome: 'allowed',
      reasonCode: null,
    });
    const again = await call('POST', 'offline-syncs', operator, {
      deviceId: device.id,
      deviceNow: Date.now(),
      receipts: [first.receipt],
    });
    expect(again.json().results[0]).toMatchObject({
      outcome: 'counted',
      replayed: true,
      redemptionId: first.result.redemptionId,
    });
    const redemptions = await redemptionsOfPia();
    expect(redemptions).toHaveLength(1);
    expect(redemptions[0]).toMatchObject({
      mode: 'assisted',
      credential_id: null,
      operator_id: operator.operatorId,
    });
    const assisted = await kit.database.asAdmin((admin) =>
      admin
        .selectFrom('assisted_redemption')
        .select(['id', 'method', 'reason', 'household_credential_id', 'person_id'])
        .where('person_id', '=', pia.id)
        .execute(),
    );
    expect(assisted).toHaveLength(1);
    expect(assisted[0]?.id).toBe(redemptions[0]?.assisted_id);
    expect(assisted[0]).toMatchObject({ method: 'household_card', reason: 'never_had' });
    expect(assisted[0]?.household_credential_id?.toString('hex')).toBe(ana.credentialId);
    // The supervisor's list and the reconciliation see it once.
    const listing = await call('GET', 'assisted-redemptions', supervisor);
    expect(listing.json().assisted).toEqual([
      expect.objectContaining({ method: 'household_card', reason: 'never_had', redemptions: 1 }),
    ]);
    expect(listing.json().byOperator).toEqual([{ operatorId: operator.operatorId, count: 1 }]);
    const figures = await call('GET', `cycles/${cycleId}/reconciliation`, supervisor);
    expect(figures.json().figures).toMatchObject({ redemptions: 1, assisted: 1 });
    // Pía's access history names the hand-over without her card.
    const history = await kit.database.asAdmin((admin) =>
      admin.selectFrom('audit_entry').select('action').where('person_id', '=', pia.id).execute(),
    );
    expect(history.map((row) => row.action)).toContain('distribution.assisted_redeem');
  });
});

/** Each string in the payload read as base64url or hex, cut into 16 bytes at every 8th byte. */
function sixteenByteValuesOf(payload: unknown): Buffer[] {
  const seen = new Map<string, Buffer>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      const decoded = [Buffer.from(value, 'base64url')];
      if (/^[0-9a-f]+$/i.test(value)) decoded.push(Buffer.from(value, 'hex'));
      for (const bytes of decoded) {
        for (let offset = 0; offset + 16 <= bytes.length; offset += 8) {
          const chunk = bytes.subarray(offset, offset + 16);
          seen.set(chunk.toString('hex'), chunk);
        }
      }
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(payload);
  return [...seen.values()];
}

/**
 * The ID numbers of `space` whose binding, for one of the candidates taken as a card's id (the
 * device's computation) or directly as the card's binding secret, is in the snapshot and points
 * at one of its entries.
 */
function bruteForce(
  payload: { salt: string; entries: unknown[]; assisted: { bindings: string } },
  candidates: readonly Buffer[],
  space: readonly string[],
): string[] {
  const salt = Buffer.from(payload.salt, 'base64url');
  const records = Buffer.from(payload.assisted.bindings, 'base64url');
  const tags = new Set<string>();
  for (let offset = 0; offset < records.length; offset += bindingBytes) {
    tags.add(records.subarray(offset, offset + bindingTagBytes).toString('hex'));
  }
  const found = new Set<string>();
  const mac = keyedHmacSha256(salt);
  const key = Buffer.alloc(32);
  const label = Buffer.from(`${bindingLabel}\n`, 'utf8');
  for (const candidate of candidates) {
    // The device's computation (the candidate as the card's id), then the candidate itself.
    for (const secret of [bindingSecretOf(snapshotCardKey(salt, candidate)), candidate]) {
      for (const uin of space) {
        mac(Buffer.concat([label, secret, Buffer.from(uin, 'utf8')]), key);
        if (tags.has(key.subarray(0, bindingTagBytes).toString('hex'))) found.add(uin);
      }
    }
  }
  return [...found];
}
