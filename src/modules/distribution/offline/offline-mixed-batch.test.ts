import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessTestApp } from '../../access/access-test-kit.js';
import {
  auditedAs,
  type CardHolder,
  distributionScene,
  type SignedIn,
} from '../distribution-test-kit.js';
import { receiptKeyFrom, verifyReceipt } from '../redemption/receipt.js';
import { entitlementRows, offlinePoint } from './offline-point-test-kit.js';
import type { OfflineReceiptInput } from './offline-receipt.js';
import { cardHashOf, entitlementIdOfEntry } from './offline-test-kit.js';

const box = { item: 'food_box', quantity: 1 };
const rice = (quantity: number) => ({ item: 'rice', quantity });

/**
 * One sync whose receipts each take another path, on PostgreSQL and PGlite alike: the sync reads,
 * checks and writes a batch with a few statements, and each receipt must still be answered, kept
 * and counted as it would be alone — a good one on an entitlement no point had touched and one on
 * an entitlement partly taken, a replay, a forged signature, a conflict, two asking more than the
 * snapshot showed (on an untouched entitlement and a partly taken one), and the same receipt
 * twice in the body. The same batch sent again changes nothing.
 */
describe('offline sync of a mixed batch', () => {
  let kit: AccessTestApp;
  let supervisor: SignedIn;
  let operator: SignedIn;
  let programId: string;
  let cycleId: string;
  let people: CardHolder[];

  beforeAll(async () => {
    ({ kit, supervisor, operator, programId, cycleId, people } = await distributionScene({
      people: 6,
      program: {
        code: 'mixed',
        basket: [
          { item: 'food_box', quantity: 1, unit: 'box' },
          { item: 'rice', quantity: 5, unit: 'kg' },
        ],
      },
    }));
  }, 120_000);
  afterAll(async () => kit?.close());

  it('answers, keeps, counts and audits each receipt of one batch as it would alone', async () => {
    const [ana, beto, caro, dani, eva, fede] = people as [
      CardHolder,
      CardHolder,
      CardHolder,
      CardHolder,
      CardHolder,
      CardHolder,
    ];
    const point = await offlinePoint({ kit, supervisor, operator, programId, cycleId }, 2, {
      food_box: 10,
      rice: 50,
    });
    const [a, b] = point.devices as [(typeof point.devices)[0], (typeof point.devices)[0]];
    const sync = async (device: { id: string }, receipts: object[]) => {
      const response = await point.call('POST', 'offline-syncs', operator, {
        deviceId: device.id,
        deviceNow: Date.now(),
        receipts,
      });
      expect(response.statusCode, response.body).toBe(200);
      return response;
    };
    /** One snapshot of the device, and receipts it signs with it for any holder. */
    const snapshotOf = async (device: (typeof point.devices)[0]) => {
      const response = await point.call('GET', `devices/${device.id}/snapshot`, operator);
      expect(response.statusCode, response.body).toBe(200);
      const payload = response.json().payload;
      const entitlementOf = (holder: CardHolder) =>
        entitlementIdOfEntry(
          payload.entries.find((each: string[]) => each[0] === cardHashOf(holder.credentialId))[1],
        );
      return {
        entitlementOf,
        receipt: (holder: CardHolder, lines: { item: string; quantity: number }[], at: number) =>
          device.key.receipt(point.pointId, device.id, {
            snapshotId: payload.snapshotId,
            entitlementId: entitlementOf(holder),
            credentialId: holder.credentialId,
            lines,
            deviceTime: at,
          }),
      };
    };
    const t = Date.now() - 120_000;

    // Before the batch: 2 kg of Beto's rice counted from an earlier snapshot of device A; then A's
    // snapshot for the batch; then device B, with a snapshot taken after A's, counts all of Caro's.
    const earlier = await snapshotOf(a);
    const prior = earlier.receipt(beto, [rice(2)], t);
    const [priorAnswer] = (await sync(a, [prior])).json().results;
    expect(priorAnswer).toMatchObject({ outcome: 'counted', replayed: false });
    const fromA = await snapshotOf(a);
    const fromB = await snapshotOf(b);
    const [takenByB] = (await sync(b, [fromB.receipt(caro, [box, rice(5)], t + 1)])).json().results;
    expect(takenByB).toMatchObject({ outcome: 'counted' });
    const before = { box: await point.onHand('food_box'), rice: await point.onHand('rice') };

    const good = fromA.receipt(ana, [box, rice(5)], t + 10);
    const forged: OfflineReceiptInput = { ...fromA.receipt(dani, [box], t + 13), lines: [rice(1)] };
    const batch = [
      good, // untouched entitlement: counted, all taken
      fromA.receipt(beto, [rice(1)], t + 11), // partly taken: counted, 3 → 2 kg
      prior, // synced before: its first answer
      forged, // lines changed after signing
      fromA.receipt(caro, [box, rice(5)], t + 14), // B took it after A's snapshot: conflict
      fromA.receipt(eva, [rice(6)], t + 15), // more than the basket: refused
      fromA.receipt(beto, [rice(4)], t + 16), // 3 kg at A's snapshot: refused
      good, // the same receipt twice in one body: one answer, counted once
      fromA.receipt(fede, [box], t + 18), // untouched entitlement, partly taken: counted
    ];
    const response = await sync(a, batch);
    const results = response.json().results as {
      receiptId: string;
      outcome: string;
      code: string | null;
      redemptionId: string | null;
      replayed: boolean;
    }[];
    expect(results.map((r) => [r.receiptId, r.code ?? r.outcome, r.replayed])).toEqual([
      [good.receiptId, 'counted', false],
      [batch[1]?.receiptId, 'counted', false],
      [prior.receiptId, 'counted', true],
      [forged.receiptId, 'AMP_OFFLINE_SIGNATURE_INVALID', false],
      [batch[4]?.receiptId, 'conflict', false],
      [batch[5]?.receiptId, 'AMP_QUANTITY_ABOVE_REMAINING', false],
      [batch[6]?.receiptId, 'AMP_QUANTITY_ABOVE_REMAINING', false],
      [good.receiptId, 'counted', false],
      [batch[8]?.receiptId, 'counted', false],
    ]);
    expect(results[2]?.redemptionId).toBe(priorAnswer.redemptionId);
    expect(results[7]).toEqual(results[0]);
    const counted = [results[0], results[1], results[8]].map((r) => r?.redemptionId as string);
    expect(new Set(counted).size).toBe(3);
    for (const r of [results[3], results[4], results[5], results[6]]) {
      expect(r?.redemptionId).toBeNull();
    }

    // Each entitlement as its receipts left it, those the batch created included.
    const rowsOf = async (holder: CardHolder) => entitlementRows(kit, fromA.entitlementOf(holder));
    expect(await rowsOf(ana)).toMatchObject({
      balances: [
        ['food_box', 0],
        ['rice', 0],
      ],
      standing: [counted[0]],
      state: 'consumed',
    });
    expect(await rowsOf(beto)).toMatchObject({
      balances: [
        ['food_box', 1],
        ['rice', 2],
      ],
      standing: [priorAnswer.redemptionId, counted[1]],
      state: 'partially_consumed',
    });
    expect(await rowsOf(caro)).toMatchObject({
      balances: [
        ['food_box', 0],
        ['rice', 0],
      ],
      standing: [takenByB.redemptionId],
      state: 'conflict_flagged',
      state_reason: 'offline_conflict',
    });
    expect(await rowsOf(dani)).toEqual({ balances: [], standing: [], reversed: [] });
    expect(await rowsOf(eva)).toMatchObject({
      balances: [
        ['food_box', 1],
        ['rice', 5],
      ],
      standing: [],
      state: 'activated',
    });
    expect(await rowsOf(fede)).toMatchObject({
      balances: [
        ['food_box', 0],
        ['rice', 5],
      ],
      standing: [counted[2]],
      state: 'partially_consumed',
    });
    // The stock moved once per counted line, nothing for the others.
    expect(await point.onHand('food_box')).toBe(before.box - 2);
    expect(await point.onHand('rice')).toBe(before.rice - 6);

    // The receipts kept (counted or conflict), exactly as the device sent them.
    const kept = await kit.database.asAdmin((admin) =>
      sql<{
        id: string;
        outcome: string;
        redemption_id: string | null;
        lines: unknown;
        device_time: Date;
        credential_id: Buffer;
        signature: string;
      }>`select id, outcome, redemption_id, lines, device_time, credential_id, signature
          from offline_receipt where id = any(${batch.map((r) => r.receiptId)}::uuid[])
         order by device_time`.execute(admin),
    );
    expect(
      kept.rows.map((row) => ({
        ...row,
        device_time: row.device_time.getTime(),
        credential_id: Buffer.from(row.credential_id).toString('hex'),
      })),
    ).toEqual(
      [
        [prior, priorAnswer.redemptionId, 'counted'],
        [good, counted[0], 'counted'],
        [batch[1], counted[1], 'counted'],
        [batch[4], null, 'conflict'],
        [batch[8], counted[2], 'counted'],
      ].map(([receipt, redemptionId, outcome]) => {
        const sent = receipt as OfflineReceiptInput;
        return {
          id: sent.receiptId,
          outcome,
          redemption_id: redemptionId,
          lines: sent.lines,
          device_time: sent.deviceTime,
          credential_id: sent.credentialId,
          signature: sent.signature,
        };
      }),
    );

    // Each counted receipt's server receipt is signed over what was handed over and what remains.
    const publicKey = receiptKeyFrom(kit.masterKey).publicKey;
    const signed = await kit.database.asAdmin((admin) =>
      sql<{
        id: string;
        entitlement_id: string;
        redeemed_at: Date;
        receipt_signature: string;
        point_code: string;
        lines: { item: string; unit: string; quantity: number; remaining_after: number }[];
      }>`select r.id, r.entitlement_id, r.redeemed_at, r.receipt_signature, p.code as point_code,
                (select json_agg(l order by l.item) from redemption_line l
                  where l.redemption_id = r.id) as lines
           from redemption r join distribution_point p on p.id = r.point_id
          where r.id = any(${counted}::uuid[])`.execute(admin),
    );
    expect(signed.rows).toHaveLength(3);
    for (const row of signed.rows) {
      // The canonical JSON the server signs: keys in order, at every level.
      const payload = {
        entitlementId: row.entitlement_id,
        lines: row.lines.map((line) => ({
          item: line.item,
          quantity: line.quantity,
          remainingAfter: line.remaining_after,
          unit: line.unit,
        })),
        mode: 'card',
        pointCode: row.point_code,
        programCode: 'mixed',
        receiptId: row.id,
        redeemedAt: new Date(row.redeemed_at).toISOString(),
        v: 1,
      };
      const text = Buffer.from(JSON.stringify(payload)).toString('base64url');
      expect(verifyReceipt(publicKey, `AMPR1.${text}.${row.receipt_signature}`)).toBeDefined();
    }
    expect(
      Object.fromEntries(
        signed.rows.map((row) => [
          row.id,
          row.lines.map((line) => [line.item, line.quantity, line.remaining_after]),
        ]),
      ),
    ).toEqual({
      [counted[0] as string]: [
        ['food_box', 1, 0],
        ['rice', 5, 0],
      ],
      [counted[1] as string]: [['rice', 1, 2]],
      [counted[2] as string]: [['food_box', 1, 0]],
    });

    // Every attempt audited once: three redemptions and a conflict allowed, four refusals.
    const audited = await auditedAs(kit, String(response.headers['x-request-id']));
    const asText = (entries: { action: string; outcome: string; reasonCode: string | null }[]) =>
      entries.map((e) => `${e.action} ${e.outcome} ${e.reasonCode ?? ''}`.trim()).sort();
    expect(asText(audited)).toEqual(
      [
        'distribution.redeem allowed',
        'distribution.redeem allowed',
        'distribution.redeem allowed',
        'distribution.redeem allowed',
        'distribution.redeem denied AMP_OFFLINE_RECEIPT_REPLAYED',
        'distribution.redeem denied AMP_OFFLINE_SIGNATURE_INVALID',
        'distribution.redeem denied AMP_QUANTITY_ABOVE_REMAINING',
        'distribution.redeem denied AMP_QUANTITY_ABOVE_REMAINING',
      ].sort(),
    );

    // The same batch again: the kept ones answer their first result, the others are refused
    // again, and nothing more is counted or moved.
    const again = (await sync(a, batch)).json().results as typeof results;
    expect(again.map((r) => [r.code ?? r.outcome, r.redemptionId, r.replayed])).toEqual(
      results.map((r) => [
        r.code ?? r.outcome,
        r.redemptionId,
        r.outcome !== 'refused' || r.replayed,
      ]),
    );
    expect((await rowsOf(beto)).balances).toEqual([
      ['food_box', 1],
      ['rice', 2],
    ]);
    expect((await rowsOf(eva)).balances).toEqual([
      ['food_box', 1],
      ['rice', 5],
    ]);
    expect(await point.onHand('food_box')).toBe(before.box - 2);
    expect(await point.onHand('rice')).toBe(before.rice - 6);
  });
});
