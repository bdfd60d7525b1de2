import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessTestApp } from '../../access/access-test-kit.js';
import {
  auditedAs,
  type CardHolder,
  inKindProgramWithCycle,
  type SignedIn,
} from '../distribution-test-kit.js';
import { receiptKeyFrom, verifyReceipt } from '../redemption/receipt.js';
import { boxAndRiceScene, entitlementRows, offlinePoint } from './offline-point-test-kit.js';
import type { OfflineReceiptWire } from './offline-receipt.js';
import { cardHashOf, entitlementIdOfEntry, forgedSignature } from './offline-test-kit.js';

const box = { item: 'food_box', quantity: 1 };
const rice = (quantity: number) => ({ item: 'rice', quantity });

/**
 * One sync whose receipts each take another path, on PostgreSQL and PGlite alike: the sync reads,
 * checks and writes a batch with a few statements, and each receipt must still be answered, kept
 * and counted as it would be alone — a good one on an entitlement no point had touched and one on
 * an entitlement partly taken, a replay, a forged signature, a conflict (holding what remained of
 * what it asks), two asking more than the snapshot showed (on an untouched entitlement and a
 * partly taken one), the same receipt twice in the body, one without the card's QR text (an app
 * from before card proofs), one showing another person's card, one a card with its issuer
 * signature altered, and two for entitlements their snapshot did not hold (of a program the point
 * does not serve; a snapshot from before scopes were kept). The same batch sent again changes
 * nothing, and each refused receipt sent alone is refused with the same code.
 */
describe('offline sync of a mixed batch', () => {
  let kit: AccessTestApp;
  let supervisor: SignedIn;
  let operator: SignedIn;
  let programId: string;
  let cycleId: string;
  let people: CardHolder[];
  /** An entitlement of the same people under a program the point does not serve. */
  let otherProgramId: string;

  beforeAll(async () => {
    ({ kit, supervisor, operator, programId, cycleId, people } = await boxAndRiceScene(
      'mixed',
      11,
    ));
    ({ programId: otherProgramId } = await inKindProgramWithCycle(kit, {
      code: 'mixed_other',
      basket: [{ item: 'food_box', quantity: 1, unit: 'box' }],
    }));
  }, 180_000);
  afterAll(async () => kit?.close());

  it('answers, keeps, counts and audits each receipt of one batch as it would alone', async () => {
    const [ana, beto, caro, dani, eva, fede, gil, hugo, ines, jose, kiko] = people as [
      CardHolder,
      CardHolder,
      CardHolder,
      CardHolder,
      CardHolder,
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
    /**
     * One snapshot of the device, and receipts it signs with it for any holder: their card's QR
     * text shown unless `shown` says another (null: none, as an app from before card proofs).
     */
    const snapshotOf = async (device: (typeof point.devices)[0]) => {
      const response = await point.call('GET', `devices/${device.id}/snapshot`, operator);
      expect(response.statusCode, response.body).toBe(200);
      const payload = response.json().payload;
      const entitlementOf = (holder: CardHolder) =>
        entitlementIdOfEntry(
          payload.entries.find(
            (each: string[]) => each[0] === cardHashOf(payload, holder.credentialId),
          )[1],
        );
      return {
        entitlementOf,
        snapshotId: payload.snapshotId as string,
        receipt: (
          holder: CardHolder,
          lines: { item: string; quantity: number }[],
          at: number,
          shown: { qrText?: string | null; entitlementId?: string; snapshotId?: string } = {},
        ) =>
          device.key.receipt(point.pointId, device.id, {
            snapshotId: shown.snapshotId ?? payload.snapshotId,
            entitlementId: shown.entitlementId ?? entitlementOf(holder),
            credentialId: holder.credentialId,
            ...(shown.qrText === null ? {} : { qrText: shown.qrText ?? holder.qrText }),
            lines,
            deviceTime: at,
          }),
      };
    };
    const t = Date.now() - 120_000;

    // Before the batch: 2 kg of Beto's rice counted from an earlier snapshot of device A; then A's
    // snapshot for the batch; then device B, with a snapshot taken after A's, counts Caro's box
    // and 3 of her 5 kg of rice.
    const earlier = await snapshotOf(a);
    const prior = earlier.receipt(beto, [rice(2)], t);
    const [priorAnswer] = (await sync(a, [prior])).json().results;
    expect(priorAnswer).toMatchObject({ outcome: 'counted', replayed: false });
    const fromA = await snapshotOf(a);
    const fromB = await snapshotOf(b);
    const [takenByB] = (await sync(b, [fromB.receipt(caro, [box, rice(3)], t + 1)])).json().results;
    expect(takenByB).toMatchObject({ outcome: 'counted' });
    const before = { box: await point.onHand('food_box'), rice: await point.onHand('rice') };
    // Jose's entitlement of a program the point does not serve: never in the point's snapshots.
    const joseElsewhere = await kit.database.asAdmin((admin) =>
      admin
        .selectFrom('entitlement')
        .select('id')
        .where('person_id', '=', jose.personId)
        .where('program_id', '=', otherProgramId)
        .executeTakeFirstOrThrow(),
    );
    // A snapshot of device A issued before scopes were kept (migration 0139): it proves nothing.
    const unscoped = randomUUID();
    await kit.database.asAdmin((admin) =>
      sql`insert into distribution_snapshot
            (id, point_id, device_id, issued_at, expires_at, entries, payload_sha256, issued_by)
          values (${unscoped}, ${point.pointId}, ${a.id}, now() - interval '1 hour',
            now() + interval '1 day', 11, ${Buffer.alloc(32)}, ${operator.operatorId})`.execute(
        admin,
      ),
    );

    const good = fromA.receipt(ana, [box, rice(5)], t + 10);
    const forged: OfflineReceiptWire = { ...fromA.receipt(dani, [box], t + 13), lines: [rice(1)] };
    const batch = [
      good, // untouched entitlement: counted, all taken
      fromA.receipt(beto, [rice(1)], t + 11), // partly taken: counted, 3 → 2 kg
      prior, // synced before: its first answer
      forged, // lines changed after signing
      fromA.receipt(caro, [box, rice(5)], t + 14), // B took most after A's snapshot: conflict
      fromA.receipt(eva, [rice(6)], t + 15), // more than the basket: refused
      fromA.receipt(beto, [rice(4)], t + 16), // 3 kg at A's snapshot: refused
      good, // the same receipt twice in one body: one answer, counted once
      fromA.receipt(fede, [box], t + 18), // untouched entitlement, partly taken: counted
      fromA.receipt(gil, [box], t + 19, { qrText: null }), // no card shown: an older app
      fromA.receipt(hugo, [box], t + 20, { qrText: ana.qrText }), // another person's card
      fromA.receipt(ines, [box], t + 21, { qrText: forgedSignature(ines.qrText) }), // altered
      fromA.receipt(jose, [box], t + 22, { entitlementId: joseElsewhere.id }), // not served here
      fromA.receipt(kiko, [box], t + 23, { snapshotId: unscoped }), // a snapshot without scope
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
      [batch[9]?.receiptId, 'AMP_OFFLINE_CARD_PROOF_MISSING', false],
      [batch[10]?.receiptId, 'AMP_OFFLINE_CARD_PROOF_INVALID', false],
      [batch[11]?.receiptId, 'AMP_OFFLINE_CARD_PROOF_INVALID', false],
      [batch[12]?.receiptId, 'AMP_OFFLINE_NOT_IN_SNAPSHOT', false],
      [batch[13]?.receiptId, 'AMP_OFFLINE_NOT_IN_SNAPSHOT', false],
    ]);
    expect(results[2]?.redemptionId).toBe(priorAnswer.redemptionId);
    expect(results[7]).toEqual(results[0]);
    const counted = [results[0], results[1], results[8]].map((r) => r?.redemptionId as string);
    expect(new Set(counted).size).toBe(3);
    for (const r of [results[3], results[4], results[5], results[6], ...results.slice(9)]) {
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
    // The conflict holds the 2 kg that remained of what it asks (migration 0140): nothing is
    // left, and the entitlement takes the state its balances imply, not flagged whole.
    expect(await rowsOf(caro)).toMatchObject({
      balances: [
        ['food_box', 0],
        ['rice', 0],
      ],
      standing: [takenByB.redemptionId],
      state: 'consumed',
      state_reason: null,
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
    // The receipts refused for their card or their snapshot left their entitlements untouched.
    for (const holder of [gil, hugo, ines, kiko]) {
      expect(await rowsOf(holder)).toEqual({ balances: [], standing: [], reversed: [] });
    }
    expect(await entitlementRows(kit, joseElsewhere.id)).toEqual({
      balances: [],
      standing: [],
      reversed: [],
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
        held: unknown;
      }>`select id, outcome, redemption_id, lines, device_time, credential_id, signature, held
          from offline_receipt where id = any(${batch.map((r) => r.receiptId)}::uuid[])
         order by device_time`.execute(admin),
    );
    expect(
      kept.rows.map((row) => ({
        ...row,
        device_time: row.device_time.getTime(),
        credential_id: Buffer.from(row.credential_id).toString('hex'),
        held: typeof row.held === 'string' ? JSON.parse(row.held) : row.held,
      })),
    ).toEqual(
      [
        [prior, priorAnswer.redemptionId, 'counted', null],
        [good, counted[0], 'counted', null],
        [batch[1], counted[1], 'counted', null],
        [batch[4], null, 'conflict', [rice(2)]],
        [batch[8], counted[2], 'counted', null],
      ].map(([receipt, redemptionId, outcome, held]) => {
        const sent = receipt as OfflineReceiptWire;
        return {
          id: sent.receiptId,
          outcome,
          redemption_id: redemptionId,
          lines: sent.lines,
          device_time: sent.deviceTime,
          credential_id: sent.credentialId,
          signature: sent.signature,
          held,
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

    // Every attempt audited once: three redemptions and a conflict allowed, nine refusals.
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
        'distribution.redeem denied AMP_OFFLINE_CARD_PROOF_MISSING',
        'distribution.redeem denied AMP_OFFLINE_CARD_PROOF_INVALID',
        'distribution.redeem denied AMP_OFFLINE_CARD_PROOF_INVALID',
        'distribution.redeem denied AMP_OFFLINE_NOT_IN_SNAPSHOT',
        'distribution.redeem denied AMP_OFFLINE_NOT_IN_SNAPSHOT',
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

    // Each refused receipt alone: the same refusal, audited as one.
    const refused = batch.filter((_, index) => results[index]?.outcome === 'refused');
    expect(refused).toHaveLength(8);
    for (const receipt of refused) {
      const alone = await sync(a, [receipt]);
      const [answer] = alone.json().results;
      const inBatch = results.find((r) => r.receiptId === receipt.receiptId);
      expect(answer, receipt.receiptId).toEqual(inBatch);
      expect(
        asText(await auditedAs(kit, String(alone.headers['x-request-id']))),
        receipt.receiptId,
      ).toEqual([`distribution.redeem denied ${inBatch?.code}`]);
    }
  });
});
