import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../../app.js';
import { loadConfig } from '../../../config.js';
import { type AccessTestApp, citizenSession } from '../../access/access-test-kit.js';
import { personNotifier } from '../../notifications/index.js';
import { cyclePublisher } from '../../programs/index.js';
import {
  approvedCycle,
  auditedAs,
  type CardHolder,
  type DistributionScene,
  distributionScene,
  holderCalls,
  personWithCard,
  redemptionWrites,
  type SignedIn,
  signIn,
} from '../distribution-test-kit.js';
import { type OfflinePoint, offlinePoint } from '../offline/offline-point-test-kit.js';
import { entitlementIdOfEntry } from '../offline/offline-test-kit.js';
import { holdLapseNotifier } from './hold-lapse-sweep.js';

/**
 * The voucher states `blocked` and `pre_activated` (docs/DISTRIBUTION.md, "Entitlement states"
 * and "Holds"). A supervisor's hold on one entitlement refuses it online (audited, nothing
 * written), shows it blocked at the point, leaves it out of a new snapshot, refuses an offline
 * receipt made after the hold and counts one made before; the person sees the hold and its
 * reason code, never the note; it lapses by itself at its maximum length. An entitlement of a
 * cycle not yet published is pre-activated: refused until the cycle is published.
 */
describe('entitlement holds and pre-activated entitlements', () => {
  let scene: DistributionScene;
  let kit: AccessTestApp;
  let point: OfflinePoint;

  beforeAll(async () => {
    scene = await distributionScene({
      people: 4,
      program: { code: 'held', basket: [{ item: 'food_box', quantity: 1, unit: 'box' }] },
    });
    kit = scene.kit;
    point = await offlinePoint(scene, 1, { food_box: 10 });
  }, 120_000);
  afterAll(async () => kit?.close());

  const { holder, lookup, redeem } = holderCalls(() => ({ scene, call: point.call }));
  const hold = (entitlementId: string) =>
    kit.app.inject({
      method: 'POST',
      url: '/api/distribution/entitlement-holds?purpose=distribution',
      cookies: scene.supervisor.cookies,
      payload: { entitlementId, reason: 'suspected_fraud_report', note: 'Report 114, do not tell' },
    });
  const ownHolds = async (index: number) => {
    const response = await kit.app.inject({
      method: 'GET',
      // What the person is shown, read here by a program officer at an appeal (the supervisor who
      // holds reads no person's file).
      url: `/api/persons/${holder(index).personId}/entitlement-holds?purpose=appeal`,
      cookies: scene.officer.cookies,
    });
    return response;
  };

  it('refuses a held entitlement online and offline-after, counts offline-before, and lapses', async () => {
    const device = point.devices[0];
    if (device === undefined) throw new Error('no device');
    const [first] = await lookup(0);
    const [second] = await lookup(1);
    const [fourth] = await lookup(3);
    if (first === undefined || second === undefined || fourth === undefined) {
      throw new Error('no entitlement');
    }
    const before = await point.offline(device, holder(1));
    const after = await point.offline(device, holder(3));
    const madeBefore = before.receipt([{ item: 'food_box', quantity: 1 }], Date.now() - 30_000);

    const placed = await hold(first.entitlementId);
    expect(placed.statusCode, placed.body).toBe(201);
    expect(await auditedAs(kit, String(placed.headers['x-request-id']))).toContainEqual({
      action: 'distribution.entitlement_hold',
      outcome: 'allowed',
      reasonCode: null,
    });
    expect((await hold(first.entitlementId)).json().code).toBe('AMP_ENTITLEMENT_HOLD_EXISTS');
    expect((await lookup(0))[0]?.state).toBe('blocked');
    const clientId = randomUUID();
    const refused = await redeem(0, first.entitlementId, clientId);
    expect([refused.statusCode, refused.json().code]).toEqual([409, 'AMP_ENTITLEMENT_BLOCKED']);
    expect(await auditedAs(kit, String(refused.headers['x-request-id']))).toContainEqual({
      action: 'distribution.redeem',
      outcome: 'denied',
      reasonCode: 'AMP_ENTITLEMENT_BLOCKED',
    });
    expect(
      await redemptionWrites(kit, {
        entitlementId: first.entitlementId,
        clientId,
        pointId: point.pointId,
      }),
    ).toEqual({ redemptions: [], answers: [], movements: [] });

    // Offline: one receipt made before its entitlement's hold counts, one made after is refused.
    expect((await hold(second.entitlementId)).statusCode).toBe(201);
    expect((await hold(fourth.entitlementId)).statusCode).toBe(201);
    const madeAfter = after.receipt([{ item: 'food_box', quantity: 1 }], Date.now());
    expect(await before.sync(madeBefore)).toMatchObject({ outcome: 'counted' });
    expect(await after.sync(madeAfter)).toMatchObject({
      outcome: 'refused',
      code: 'AMP_ENTITLEMENT_BLOCKED',
    });
    expect(await point.onHand('food_box')).toBe(9);
    // A snapshot taken now leaves the held entitlements out: only the third person's is in it.
    const snapshot = await point.call('GET', `devices/${device.id}/snapshot`, scene.operator);
    expect(snapshot.statusCode, snapshot.body).toBe(200);
    expect(snapshot.json().payload.entries).toHaveLength(1);

    // The person sees the hold and its reason code, never the note.
    const seen = await ownHolds(0);
    expect(seen.statusCode, seen.body).toBe(200);
    expect(seen.json().holds).toEqual([
      expect.objectContaining({ reason: 'suspected_fraud_report', status: 'in_force' }),
    ]);
    expect(seen.body).not.toContain('Report 114');

    // Past its maximum length the hold lapses by itself: redeemable again, no write needed.
    await kit.database.asAdmin((admin) =>
      sql`update entitlement_hold set placed_at = placed_at - interval '15 days',
            lapses_at = lapses_at - interval '15 days'
          where entitlement_id = ${first.entitlementId}`.execute(admin),
    );
    expect((await lookup(0))[0]?.state).toBe('activated');
    expect((await ownHolds(0)).json().holds[0]?.status).toBe('lapsed');
    const redeemed = await redeem(0, first.entitlementId);
    expect(redeemed.statusCode, redeemed.body).toBe(201);
  });

  it('lifts a hold: the entitlement is redeemable again, and the lift is audited', async () => {
    const [third] = await lookup(2);
    if (third === undefined) throw new Error('no entitlement');
    const placed = await hold(third.entitlementId);
    const { holdId } = placed.json() as { holdId: string };
    const listed = await kit.app.inject({
      method: 'GET',
      url: '/api/distribution/entitlement-holds?purpose=distribution',
      cookies: scene.supervisor.cookies,
    });
    expect(listed.json().holds).toContainEqual(
      expect.objectContaining({ holdId, status: 'in_force', note: 'Report 114, do not tell' }),
    );
    const lifted = await kit.app.inject({
      method: 'POST',
      url: `/api/distribution/entitlement-holds/${holdId}/lift?purpose=distribution`,
      cookies: scene.supervisor.cookies,
      payload: { note: 'Report withdrawn' },
    });
    expect(lifted.statusCode, lifted.body).toBe(200);
    expect(await auditedAs(kit, String(lifted.headers['x-request-id']))).toContainEqual({
      action: 'distribution.entitlement_hold',
      outcome: 'allowed',
      reasonCode: null,
    });
    expect((await lookup(2))[0]?.state).toBe('activated');
  });

  it('refuses a pre-activated entitlement until its cycle is published', async () => {
    const { cycleId } = await approvedCycle(kit, scene.programId, '2027-01-01', {
      unpublished: true,
    });
    const next = (await lookup(1)).find((answer) => answer.state === 'pre_activated');
    if (next === undefined) throw new Error('no pre-activated entitlement answered');
    const refused = await redeem(1, next.entitlementId);
    expect([refused.statusCode, refused.json().code]).toEqual([
      409,
      'AMP_ENTITLEMENT_PRE_ACTIVATED',
    ]);
    expect(await auditedAs(kit, String(refused.headers['x-request-id']))).toContainEqual({
      action: 'distribution.redeem',
      outcome: 'denied',
      reasonCode: 'AMP_ENTITLEMENT_PRE_ACTIVATED',
    });
    // Offline too: a snapshot taken before publication carries no pre-activated entitlement, so a
    // receipt naming one (the third person's, on their card) is refused at sync as one its
    // snapshot never offered, nothing counted.
    const device = point.devices[0];
    const third = (await lookup(2)).find((answer) => answer.state === 'pre_activated');
    if (device === undefined || third === undefined) throw new Error('no device or entitlement');
    const snapshot = await point.call('GET', `devices/${device.id}/snapshot`, scene.operator);
    expect(snapshot.statusCode, snapshot.body).toBe(200);
    const carried = snapshot
      .json()
      .payload.entries.map((entry: string[]) => entitlementIdOfEntry(entry[1] as string));
    expect(carried).not.toContain(next.entitlementId);
    expect(carried).not.toContain(third.entitlementId);
    const offline = await point.offline(device, holder(2));
    const onHand = await point.onHand('food_box');
    const receipt = await device.key.receipt(point.pointId, device.id, {
      snapshotId: offline.snapshotId,
      entitlementId: third.entitlementId,
      credentialId: holder(2).credentialId,
      qrText: holder(2).qrText,
      lines: [{ item: 'food_box', quantity: 1 }],
      deviceTime: Date.now() - 30_000,
    });
    expect(await offline.sync(receipt)).toMatchObject({
      outcome: 'refused',
      code: 'AMP_OFFLINE_NOT_IN_SNAPSHOT',
    });
    expect(await point.onHand('food_box')).toBe(onHand);
    await cyclePublisher(kit.database.db, { cycleId, operatorId: randomUUID() });
    const answered = (await lookup(1)).find((a) => a.entitlementId === next.entitlementId);
    expect(answered?.state).toBe('activated');
    const redeemed = await redeem(1, next.entitlementId);
    expect(redeemed.statusCode, redeemed.body).toBe(201);
  });

  /**
   * The person's objection to a hold (docs/DISTRIBUTION.md, "Objecting to a hold"): filed by the
   * person or a clerk for them, one per hold, decided by a program officer of the hold's region —
   * never the supervisor who placed it nor the filer. Upheld lifts it as a lift does (audited,
   * texted); rejected keeps it; a decision on an ended hold is refused.
   */
  describe('objections to a hold', () => {
    let texted: CardHolder;
    let citizen: { amparo_session: string };
    let clerk: SignedIn;

    beforeAll(async () => {
      // A person with a phone (to sign in and be texted), entitled by a cycle published now.
      texted = await personWithCard(kit, scene.issuer, 'VE-A', { phone: '+584121230164' });
      await approvedCycle(kit, scene.programId, '2027-02-01');
      citizen = await citizenSession(kit, texted);
      clerk = await signIn(kit, ['enrolment_clerk'], ['VE-A']);
    }, 120_000);

    const activated = async (qrText: string) => {
      const response = await point.call('POST', 'entitlement-lookups', scene.operator, { qrText });
      const found = (
        response.json().entitlements as { entitlementId: string; state: string }[]
      ).find((answer) => answer.state === 'activated');
      if (found === undefined) throw new Error('no activated entitlement');
      return found.entitlementId;
    };
    const stateOf = async (qrText: string, entitlementId: string) => {
      const response = await point.call('POST', 'entitlement-lookups', scene.operator, { qrText });
      return (response.json().entitlements as { entitlementId: string; state: string }[]).find(
        (answer) => answer.entitlementId === entitlementId,
      )?.state;
    };
    const holdBy = async (who: SignedIn, entitlementId: string) => {
      const response = await kit.app.inject({
        method: 'POST',
        url: '/api/distribution/entitlement-holds?purpose=distribution',
        cookies: who.cookies,
        payload: { entitlementId, reason: 'identity_dispute', note: 'Second claim on this ID' },
      });
      expect(response.statusCode, response.body).toBe(201);
      return response.json().holdId as string;
    };
    const object = (holdId: string, cookies: { amparo_session: string }, purpose: string) =>
      kit.app.inject({
        method: 'POST',
        url: `/api/distribution/entitlement-holds/${holdId}/objections?purpose=${purpose}`,
        cookies,
        payload: { statement: 'Esa cédula es mía; la otra solicitud no la hice yo.' },
      });
    const decide = (objectionId: string, who: SignedIn, payload: Record<string, string>) =>
      kit.app.inject({
        method: 'POST',
        url: `/api/distribution/hold-objections/${objectionId}/decision?purpose=appeal`,
        cookies: who.cookies,
        payload,
      });
    const openedObjection = async (objectionId: string) => {
      const response = await kit.app.inject({
        method: 'GET',
        url: `/api/distribution/hold-objections/${objectionId}?purpose=appeal`,
        cookies: scene.officer.cookies,
      });
      expect(response.statusCode, response.body).toBe(200);
      return response.json();
    };
    const queuedIds = async () => {
      const response = await kit.app.inject({
        method: 'GET',
        url: '/api/distribution/hold-objections?purpose=appeal',
        cookies: scene.officer.cookies,
      });
      return (response.json().objections as { objectionId: string }[]).map(
        (one) => one.objectionId,
      );
    };
    /** The texts queued for the person with that template: their (clear) parameters. */
    const textsOf = (personId: string, templateId: string) =>
      kit.database.db
        .selectFrom('notification_outbox')
        .select('parameters')
        .where('person_id', '=', personId)
        .where('template_id', '=', templateId)
        .execute();
    const texts = async (personId: string, templateId: string) =>
      (await textsOf(personId, templateId)).length;

    it('the person objects; the officer upholds: the hold is lifted, audited and texted', async () => {
      const entitlementId = await activated(texted.qrText);
      const holdId = await holdBy(scene.supervisor, entitlementId);
      const filed = await object(holdId, citizen, 'self');
      expect(filed.statusCode, filed.body).toBe(201);
      const { objectionId } = filed.json() as { objectionId: string };
      expect(await auditedAs(kit, String(filed.headers['x-request-id']))).toContainEqual({
        action: 'appeal.file',
        outcome: 'allowed',
        reasonCode: null,
      });
      const again = await object(holdId, clerk.cookies, 'appeal');
      expect([again.statusCode, again.json().code]).toEqual([409, 'AMP_HOLD_OBJECTION_FILED']);
      const own = await kit.app.inject({
        method: 'GET',
        url: `/api/persons/${texted.personId}/entitlement-holds?purpose=self`,
        cookies: citizen,
      });
      expect(own.json().holds).toContainEqual(
        expect.objectContaining({ holdId, objection: expect.objectContaining({ status: 'open' }) }),
      );

      const queue = await kit.app.inject({
        method: 'GET',
        url: '/api/distribution/hold-objections?purpose=appeal',
        cookies: scene.officer.cookies,
      });
      expect(queue.json().objections).toContainEqual(
        expect.objectContaining({ objectionId, holdId, status: 'open', overdue: false }),
      );
      expect(queue.body).not.toContain('cédula');
      const opened = await kit.app.inject({
        method: 'GET',
        url: `/api/distribution/hold-objections/${objectionId}?purpose=appeal`,
        cookies: scene.officer.cookies,
      });
      expect(opened.json()).toMatchObject({ holdNote: 'Second claim on this ID' });
      expect(opened.json().statement).toContain('cédula');

      // The supervisor who placed the hold holds no `appeal.decide`: refused by the policy.
      const bySupervisor = await decide(objectionId, scene.supervisor, { outcome: 'upheld' });
      expect(bySupervisor.statusCode).toBe(403);
      const upheld = await decide(objectionId, scene.officer, { outcome: 'upheld' });
      expect(upheld.statusCode, upheld.body).toBe(200);
      const audited = await auditedAs(kit, String(upheld.headers['x-request-id']));
      expect(audited.filter((entry) => entry.action === 'appeal.decide')).toHaveLength(2);
      expect(await stateOf(texted.qrText, entitlementId)).toBe('activated');
      expect(await texts(texted.personId, 'distribution.entitlement_hold_lifted')).toBe(1);
      const twice = await decide(objectionId, scene.officer, { outcome: 'rejected', reason: 'No' });
      expect([twice.statusCode, twice.json().code]).toEqual([409, 'AMP_HOLD_OBJECTION_DECIDED']);
    });

    it('a rejected objection keeps the hold; the placer cannot decide; an ended hold is not decided', async () => {
      // One operator both places holds and decides objections: not on a hold of their own.
      const both = await signIn(kit, ['distribution_supervisor', 'program_officer'], ['VE-A']);
      const entitlementId = await activated(texted.qrText);
      const holdId = await holdBy(both, entitlementId);
      const filed = await object(holdId, clerk.cookies, 'appeal');
      expect(filed.statusCode, filed.body).toBe(201);
      const { objectionId } = filed.json() as { objectionId: string };
      const ownHold = await decide(objectionId, both, { outcome: 'upheld' });
      expect([ownHold.statusCode, ownHold.json().code]).toEqual([
        403,
        'AMP_HOLD_OBJECTION_SEPARATION',
      ]);
      expect(await auditedAs(kit, String(ownHold.headers['x-request-id']))).toContainEqual({
        action: 'appeal.decide',
        outcome: 'denied',
        reasonCode: 'AMP_HOLD_OBJECTION_SEPARATION',
      });
      const rejected = await decide(objectionId, scene.officer, {
        outcome: 'rejected',
        reason: 'The second claim is under review by the registry',
      });
      expect(rejected.statusCode, rejected.body).toBe(200);
      expect(await stateOf(texted.qrText, entitlementId)).toBe('blocked');
      expect(await texts(texted.personId, 'distribution.hold_objection_rejected')).toBe(1);
      const own = await kit.app.inject({
        method: 'GET',
        url: `/api/persons/${texted.personId}/entitlement-holds?purpose=self`,
        cookies: citizen,
      });
      const seen = own.json().holds as { holdId: string; objection: unknown }[];
      expect(seen.find((one) => one.holdId === holdId)?.objection).toMatchObject({
        status: 'rejected',
        reason: 'The second claim is under review by the registry',
      });

      // A hold lifted while its objection waits: nothing is left to decide.
      const other = await activated(holder(3).qrText);
      const endedHold = await holdBy(scene.supervisor, other);
      const waiting = (await object(endedHold, clerk.cookies, 'appeal')).json()
        .objectionId as string;
      const lifted = await kit.app.inject({
        method: 'POST',
        url: `/api/distribution/entitlement-holds/${endedHold}/lift?purpose=distribution`,
        cookies: scene.supervisor.cookies,
        payload: {},
      });
      expect(lifted.statusCode, lifted.body).toBe(200);
      const late = await decide(waiting, scene.officer, { outcome: 'rejected', reason: 'Late' });
      expect([late.statusCode, late.json().code]).toEqual([409, 'AMP_HOLD_OBJECTION_HOLD_ENDED']);
      const refiled = await object(endedHold, clerk.cookies, 'appeal');
      expect(refiled.json().code).toBe('AMP_HOLD_OBJECTION_HOLD_ENDED');
      // Undecided when its hold was lifted: it reads `hold_ended` (not `open`) to the person and to
      // an officer who opens it, and has left the officers' queue.
      const endedSeen = (await ownHolds(3)).json().holds as PersonHold[];
      expect(endedSeen.find((one) => one.holdId === endedHold)?.objection?.status).toBe(
        'hold_ended',
      );
      expect(await openedObjection(waiting)).toMatchObject({
        status: 'hold_ended',
        holdStatus: 'lifted',
        overdue: false,
      });
      expect(await queuedIds()).not.toContain(waiting);
      // The table changes only as an erasure changes it: the statement blanked, nothing else.
      const objections = () => kit.database.db.updateTable('entitlement_hold_objection');
      await expect(
        objections().set({ statement: 'Changed' }).where('id', '=', waiting).execute(),
      ).rejects.toThrow(/append-only/);
      await objections().set({ statement: '' }).where('id', '=', waiting).execute();
    });

    it('a lapsed hold: its objection reads hold_ended, never overdue; the holder is texted once', async () => {
      await approvedCycle(kit, scene.programId, '2027-03-01');
      const holdId = await holdBy(scene.supervisor, await activated(texted.qrText));
      // Placed 15 days ago (so lapsed a day ago), objected to 10 days ago and due 5 days ago:
      // overdue, were it still open.
      const objectionId = randomUUID();
      await kit.database.asAdmin(async (admin) => {
        await sql`update entitlement_hold set placed_at = placed_at - interval '15 days',
              lapses_at = lapses_at - interval '15 days' where id = ${holdId}`.execute(admin);
        await sql`insert into entitlement_hold_objection (id, hold_id, person_id, region_code,
              statement, filed_by_kind, filed_by, filed_at, decide_due_at)
            select ${objectionId}, id, person_id, region_code, 'No es correcto', 'citizen',
              person_id::text, placed_at + interval '5 days', placed_at + interval '10 days'
            from entitlement_hold where id = ${holdId}`.execute(admin);
      });
      const own = await kit.app.inject({
        method: 'GET',
        url: `/api/persons/${texted.personId}/entitlement-holds?purpose=self`,
        cookies: citizen,
      });
      const mine = (own.json().holds as PersonHold[]).find((one) => one.holdId === holdId);
      expect(mine).toMatchObject({ status: 'lapsed', objection: { status: 'hold_ended' } });
      expect(await queuedIds()).not.toContain(objectionId);
      expect(await openedObjection(objectionId)).toMatchObject({
        status: 'hold_ended',
        holdStatus: 'lapsed',
        overdue: false,
      });
      const late = await decide(objectionId, scene.officer, { outcome: 'upheld' });
      expect([late.statusCode, late.json().code]).toEqual([409, 'AMP_HOLD_OBJECTION_HOLD_ENDED']);

      // The lapse sweep. The person's lifted holds are pushed past their lapse too: a lifted hold
      // ended by its lift (and was texted so), never by a lapse.
      await kit.database.asAdmin((admin) =>
        sql`update entitlement_hold set placed_at = placed_at - interval '15 days',
              lapses_at = lapses_at - interval '15 days'
            where person_id = ${texted.personId}
              and id in (select hold_id from entitlement_hold_lift)`.execute(admin),
      );
      // Every holder has a phone here, so each noticed hold queues one text.
      const notifier = personNotifier({
        masterKey: kit.masterKey,
        contacts: {
          contactsIn: async (_trx, personIds) =>
            new Map(personIds.map((id) => [id, { phone: '+584121230164', language: 'es' }])),
        },
      });
      const sweep = () => holdLapseNotifier({ db: kit.database.db, notifier });
      // Two sweeps at once, as two server processes would: one text.
      const [one, two] = await Promise.all([sweep(), sweep()]);
      expect(one + two).toBeGreaterThanOrEqual(1);
      // The lapse date only: no benefit, no reason, nothing of the person.
      expect(await textsOf(texted.personId, 'distribution.entitlement_hold_lapsed')).toEqual([
        { parameters: { date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) } },
      ]);
      // Again (a restart): nothing more to notice, no second text.
      expect(await sweep()).toBe(0);
      expect(await texts(texted.personId, 'distribution.entitlement_hold_lapsed')).toBe(1);
      const noticed = await kit.database.db
        .selectFrom('entitlement_hold_lapse_notice as n')
        .innerJoin('entitlement_hold as h', 'h.id', 'n.hold_id')
        .leftJoin('entitlement_hold_lift as l', 'l.hold_id', 'n.hold_id')
        .select(['n.hold_id', 'l.hold_id as lifted'])
        .where('h.person_id', '=', texted.personId)
        .execute();
      expect(noticed).toEqual([{ hold_id: holdId, lifted: null }]);
    });

    it('a started server runs the lapse sweep itself, and texts the holder', async () => {
      await approvedCycle(kit, scene.programId, '2027-04-01');
      const holdId = await holdBy(scene.supervisor, await activated(texted.qrText));
      // Lapsed an hour ago by the database's clock (the server's sweep reads the real one).
      await kit.database.asAdmin((admin) =>
        sql`update entitlement_hold set placed_at = now() - interval '15 days',
              lapses_at = now() - interval '1 hour' where id = ${holdId}`.execute(admin),
      );
      const lapsedTexts = async () =>
        (await textsOf(texted.personId, 'distribution.entitlement_hold_lapsed')).length;
      const before = await lapsedTexts();
      const noticed = async () =>
        (
          await kit.database.db
            .selectFrom('entitlement_hold_lapse_notice')
            .select('hold_id')
            .where('hold_id', '=', holdId)
            .execute()
        ).length;
      // The app as the server builds it (src/server.ts), its sweep every 20 ms.
      const server = await build(loadConfig({ AMPARO_WEB_DIR: '/nonexistent' }), {
        database: kit.database.handle,
        keys: kit.keys,
        holdLapseSweep: { tickMs: 20 },
      });
      try {
        await server.ready();
        await expect.poll(noticed, { timeout: 30_000, interval: 50 }).toBe(1);
      } finally {
        await server.close();
      }
      expect(await noticed()).toBe(1);
      expect(await lapsedTexts()).toBe(before + 1);
    }, 60_000);
  });
});

type PersonHold = { holdId: string; status: string; objection: { status: string } | null };
