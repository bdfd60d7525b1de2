import { randomBytes, randomUUID, sign } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessTestApp } from '../../access/access-test-kit.js';
import { AuditLog } from '../../audit/index.js';
import {
  auditedAs,
  type CardHolder,
  createPoint,
  type DistributionScene,
  pointCall,
  type SignedIn,
} from '../distribution-test-kit.js';
import { distributionLimits } from '../limits.js';
import { boxAndRiceScene } from './offline-point-test-kit.js';
import { offlineReceiptMessage } from './offline-receipt.js';
import {
  cardHashOf,
  entitlementIdOfEntry,
  forgedSignature,
  type OfflineDevice,
  offlineDevice,
} from './offline-test-kit.js';
import { proofKeyRotator } from './proof-key-versions.js';
import { cardProofKeyFrom } from './sealed-card-proof.js';

type Line = { item: string; quantity: number };

/** A registered device of a point, its snapshot and its syncs, as an insider holding it uses them. */
async function deviceAt(
  kit: AccessTestApp,
  point: string,
  supervisor: SignedIn,
  operator: SignedIn,
) {
  const call = (method: 'GET' | 'POST', url: string, who: SignedIn, payload?: object) =>
    pointCall(kit)(method, `${point}/${url}`, who, payload);
  const key: OfflineDevice = offlineDevice(operator.operatorId);
  const registered = await call('POST', 'devices', supervisor, key.registration(point));
  expect(registered.statusCode, registered.body).toBe(201);
  const id = registered.json().id as string;
  const snapshot = async () => {
    const response = await call('GET', `devices/${id}/snapshot`, operator);
    expect(response.statusCode, response.body).toBe(200);
    return response.json().payload as {
      snapshotId: string;
      salt: string;
      proofKey: string;
      proofKeyVersion: number;
      entries: [string, string][];
    };
  };
  const sync = async (receipts: object[]) => {
    const response = await call('POST', 'offline-syncs', operator, {
      deviceId: id,
      deviceNow: Date.now(),
      receipts,
    });
    expect(response.statusCode, response.body).toBe(200);
    return {
      results: response.json().results as { outcome: string; code: string | null }[],
      audited: await auditedAs(kit, String(response.headers['x-request-id'])),
    };
  };
  return { key, id, call, snapshot, sync };
}

const dayMs = 86_400_000;
const defaultWindowMs = distributionLimits.offline.proofKeyOpenAfterSnapshotsDays * dayMs;

/** Moves every snapshot that published `version` back, to have expired at `expired` (an hour's life). */
async function snapshotsOfVersionExpiredAt(kit: AccessTestApp, version: number, expired: number) {
  await kit.database.asAdmin((admin) =>
    sql`update distribution_snapshot
           set issued_at = ${new Date(expired - 3_600_000)}, expires_at = ${new Date(expired)}
         where proof_key_version = ${version}`.execute(admin),
  );
}

/** The command on the server (`amparo keys rotate-card-proof`), as the CLI calls it. */
async function rotatedByCommand(kit: AccessTestApp, requestId = `cli:${randomUUID()}`) {
  const audit = await AuditLog.open({ db: kit.database.db, keys: kit.keys });
  return proofKeyRotator(
    { db: kit.database.db, keys: kit.keys, audit },
    { now: new Date(), requestId, by: 'command_line' },
  ).finally(() => audit.close());
}

/** A point of the scene's program, its operator assigned, 50 of each item delivered, one device. */
async function stockedPointWithDevice(scene: DistributionScene, items: readonly string[]) {
  const { kit, supervisor, operator } = scene;
  const point = await createPoint(kit, supervisor, {
    operators: [operator.operatorId],
    programs: [scene.programId],
  });
  for (const item of items) {
    const delivered = await pointCall(kit)('POST', `${point}/deliveries`, supervisor, {
      clientId: randomUUID(),
      item,
      quantity: 50,
    });
    expect(delivered.statusCode, delivered.body).toBe(201);
  }
  return { point, device: await deviceAt(kit, point, supervisor, operator) };
}

/** A receipt v5 for 1 kg of the holder's rice under `snapshot`, its card sealed to `sealTo`. */
function sealedRice(props: {
  device: Awaited<ReturnType<typeof deviceAt>>;
  point: string;
  snapshot: Snapshot;
  holder: CardHolder;
  sealTo: string;
  deviceTime?: number | undefined;
}) {
  const { device, snapshot, holder, deviceTime } = props;
  return device.key.sealedReceipt(props.point, device.id, {
    snapshotId: snapshot.snapshotId,
    entitlementId: entitlementUnder(snapshot, holder.credentialId) as string,
    credentialId: holder.credentialId,
    qrText: holder.qrText,
    lines: [{ item: 'rice', quantity: 1 }],
    sealTo: props.sealTo,
    ...(deviceTime === undefined ? {} : { deviceTime }),
  });
}

/** The one receipt of a sync refused as sealed to a key version not open, and audited so. */
function expectKeyUnknown(sync: {
  results: { outcome: string; code: string | null }[];
  audited: { action: string; outcome: string; reasonCode: string | null }[];
}) {
  const code = 'AMP_OFFLINE_CARD_PROOF_KEY_UNKNOWN';
  expect(sync.results[0]).toMatchObject({ outcome: 'refused', code });
  expect(sync.audited).toContainEqual({
    action: 'distribution.redeem',
    outcome: 'denied',
    reasonCode: code,
  });
}

type Snapshot = Awaited<ReturnType<Awaited<ReturnType<typeof deviceAt>>['snapshot']>>;

/** The entitlement a snapshot holds under a card: its entry found by the card's tag. */
function entitlementUnder(
  snapshot: { salt: string; entries: [string, string][] },
  credentialId: string,
): string | undefined {
  const hash = cardHashOf(snapshot, credentialId);
  const entry = snapshot.entries.find((each) => each[0] === hash);
  return entry === undefined ? undefined : entitlementIdOfEntry(entry[1]);
}

/**
 * Review finding F1 (Medium): an offline receipt needed only a card's 16-byte credential id —
 * which the person's card list shows officers — never the card; and the sync never asked whether
 * the entitlement was in the snapshot the receipt names (F1b). A receipt now carries the card's
 * QR text, signed with it by the device, and the sync verifies it as online at the receipt's
 * moment and checks it is the card named (the snapshot's scope: `snapshot-area.test.ts`). On
 * PostgreSQL and PGlite alike; each attack counted nowhere and audited.
 */
describe('an offline receipt needs the card itself (F1)', () => {
  let kit: AccessTestApp;
  let officer: SignedIn;
  let operator: SignedIn;
  let victim: CardHolder;
  let victim2: CardHolder;
  let insiderOwn: CardHolder;
  let point: string;
  let device: Awaited<ReturnType<typeof deviceAt>>;

  beforeAll(async () => {
    const scene = await boxAndRiceScene('proof_review', 3);
    ({ kit, officer, operator } = scene);
    [victim, victim2, insiderOwn] = scene.people as [CardHolder, CardHolder, CardHolder];
    ({ point, device } = await stockedPointWithDevice(scene, ['food_box', 'rice']));
  }, 120_000);
  afterAll(async () => kit?.close());

  /** A receipt v5 for 1 kg of the insider's own rice, its card sealed to `sealTo`. */
  const insiderSealed = (snapshot: Snapshot, sealTo = snapshot.proofKey, deviceTime?: number) =>
    sealedRice({ device, point, snapshot, holder: insiderOwn, sealTo, deviceTime });

  /** What a program officer reads of a person's cards: their ids, never their QR. */
  async function credentialIdFromCardList(personId: string): Promise<string> {
    const response = await kit.app.inject({
      url: `/api/persons/${personId}/credentials?purpose=eligibility_review`,
      cookies: officer.cookies,
    });
    expect(response.statusCode, response.body).toBe(200);
    const cards: { credentialId: string; status: string }[] = response.json().credentials;
    return cards.find((card) => card.status === 'active')?.credentialId ?? '';
  }

  it('refuses receipts made from the card list: no QR text, another card, a forged one; the holder then collects everything', async () => {
    const credentialId = await credentialIdFromCardList(victim.personId);
    expect(credentialId).toBe(victim.credentialId);
    const snapshot = await device.snapshot();
    const entitlementId = entitlementUnder(snapshot, credentialId) as string;
    expect(entitlementId).toBeDefined();
    const lines: Line[] = [
      { item: 'food_box', quantity: 1 },
      { item: 'rice', quantity: 5 },
    ];
    const fabricated = (qrText?: string) =>
      device.key.receipt(point, device.id, {
        snapshotId: snapshot.snapshotId,
        entitlementId,
        credentialId,
        ...(qrText === undefined ? {} : { qrText }),
        lines,
      });
    const { results, audited } = await device.sync([
      fabricated(), // what an app from before card proofs sent: signed, without the card
      fabricated(insiderOwn.qrText), // a real card, but not the one named
      fabricated(forgedSignature(victim.qrText)), // the victim's card, its signature altered
      fabricated('NCFOXN%TSMAHN-H'), // not a card at all
    ]);
    expect(results.map((result) => [result.outcome, result.code])).toEqual([
      ['refused', 'AMP_OFFLINE_CARD_PROOF_MISSING'],
      ['refused', 'AMP_OFFLINE_CARD_PROOF_INVALID'],
      ['refused', 'AMP_OFFLINE_CARD_PROOF_INVALID'],
      ['refused', 'AMP_OFFLINE_CARD_PROOF_INVALID'],
    ]);
    for (const code of ['AMP_OFFLINE_CARD_PROOF_MISSING', 'AMP_OFFLINE_CARD_PROOF_INVALID']) {
      expect(audited).toContainEqual({
        action: 'distribution.redeem',
        outcome: 'denied',
        reasonCode: code,
      });
    }
    // The person comes with the card: everything is still there, and handed over.
    const lookup = await pointCall(kit)('POST', `${point}/entitlement-lookups`, operator, {
      qrText: victim.qrText,
    });
    expect(lookup.statusCode, lookup.body).toBe(200);
    expect(lookup.json().entitlements[0].items).toEqual([
      expect.objectContaining({ item: 'food_box', remaining: 1 }),
      expect.objectContaining({ item: 'rice', remaining: 5 }),
    ]);
    const redeemed = await pointCall(kit)('POST', `${point}/redemptions`, operator, {
      clientId: randomUUID(),
      qrText: victim.qrText,
      entitlementId,
      lines,
    });
    expect(redeemed.statusCode, redeemed.body).toBe(201);
  });

  it('signs the card with the receipt: another QR text in a signed receipt breaks its signature', async () => {
    const snapshot = await device.snapshot();
    const entitlementId = entitlementUnder(snapshot, insiderOwn.credentialId) as string;
    const signed = device.key.receipt(point, device.id, {
      snapshotId: snapshot.snapshotId,
      entitlementId,
      credentialId: insiderOwn.credentialId,
      qrText: insiderOwn.qrText,
      lines: [{ item: 'rice', quantity: 1 }],
    });
    const swapped = { ...signed, qrText: victim2.qrText, credentialId: victim2.credentialId };
    const { results } = await device.sync([swapped]);
    expect(results[0]).toMatchObject({ outcome: 'refused', code: 'AMP_OFFLINE_SIGNATURE_INVALID' });
    // The receipt as the device made it, the card shown: counted.
    expect((await device.sync([signed])).results[0]).toMatchObject({ outcome: 'counted' });
  });

  it('opens a card proof sealed to the snapshot’s key (v5); one that does not open is refused and audited', async () => {
    const snapshot = await device.snapshot();
    const made = (sealTo: string) => insiderSealed(snapshot, sealTo);
    const sealed = await made(snapshot.proofKey);
    // What the device keeps and sends: neither the card's id nor its QR text.
    const kept = JSON.stringify(sealed);
    expect(kept).not.toContain(insiderOwn.credentialId);
    expect(kept).not.toContain(insiderOwn.qrText.slice(0, 24));
    // Its ciphertext altered and signed again (the device's key, or a bug): it does not open.
    const alteredProof = (receipt: Awaited<typeof sealed>) => {
      const bytes = Buffer.from(receipt.sealedProof as string, 'base64url');
      bytes[bytes.length - 20] = (bytes[bytes.length - 20] as number) ^ 0x01;
      return { ...receipt, sealedProof: bytes.toString('base64url') };
    };
    const altered = alteredProof(await made(snapshot.proofKey));
    altered.signature = sign(
      null,
      offlineReceiptMessage(point, device.id, altered),
      device.key.privateKey,
    ).toString('base64url');
    // Sealed to a key that is not this server's: no version it publishes.
    const otherKey = cardProofKeyFrom(randomBytes(32)).publicKey.toString('base64url');
    // Altered after signing: the device's signature covers the sealed proof.
    const unsigned = alteredProof(await made(snapshot.proofKey));
    const { results, audited } = await device.sync([altered, await made(otherKey), unsigned]);
    expect(results.map((result) => [result.outcome, result.code])).toEqual([
      ['refused', 'AMP_OFFLINE_CARD_PROOF_SEALED_INVALID'],
      ['refused', 'AMP_OFFLINE_CARD_PROOF_KEY_UNKNOWN'],
      ['refused', 'AMP_OFFLINE_SIGNATURE_INVALID'],
    ]);
    for (const code of [
      'AMP_OFFLINE_CARD_PROOF_SEALED_INVALID',
      'AMP_OFFLINE_CARD_PROOF_KEY_UNKNOWN',
    ]) {
      expect(audited).toContainEqual({
        action: 'distribution.redeem',
        outcome: 'denied',
        reasonCode: code,
      });
    }
    // The sealed proof as the device made it opens on the server and is checked as v4's: counted.
    expect((await device.sync([sealed])).results[0]).toMatchObject({ outcome: 'counted' });
  });

  it('keeps no conflict for a receipt without the card: what remains stays the holder’s', async () => {
    const credentialId = await credentialIdFromCardList(victim2.personId);
    const snapshot = await device.snapshot();
    const entitlementId = entitlementUnder(snapshot, credentialId) as string;
    kit.advance(1000);
    // The person comes with the card and takes 2 of the 5 kg.
    const taken = await pointCall(kit)('POST', `${point}/redemptions`, operator, {
      clientId: randomUUID(),
      qrText: victim2.qrText,
      entitlementId,
      lines: [{ item: 'rice', quantity: 2 }],
    });
    expect(taken.statusCode, taken.body).toBe(201);
    // A receipt "made" with the older snapshot for the whole 5 kg, from the card list alone.
    const crafted = device.key.receipt(point, device.id, {
      snapshotId: snapshot.snapshotId,
      entitlementId,
      credentialId,
      lines: [{ item: 'rice', quantity: 5 }],
      deviceTime: Date.now(),
    });
    expect((await device.sync([crafted])).results[0]).toMatchObject({
      outcome: 'refused',
      code: 'AMP_OFFLINE_CARD_PROOF_MISSING',
    });
    const conflicts = await kit.database.asAdmin((admin) =>
      sql<{ n: string }>`select count(*) as n from offline_receipt
        where entitlement_id = ${entitlementId} and outcome = 'conflict'`.execute(admin),
    );
    expect(Number(conflicts.rows[0]?.n)).toBe(0);
    const rest = await pointCall(kit)('POST', `${point}/redemptions`, operator, {
      clientId: randomUUID(),
      qrText: victim2.qrText,
      entitlementId,
      lines: [{ item: 'rice', quantity: 3 }],
    });
    expect(rest.statusCode, rest.body).toBe(201);
  });

  it('rotates the card-proof key alone: the next snapshot publishes the new version; a proof sealed to the previous still syncs until it is retired; an unknown version is refused', async () => {
    const before = await device.snapshot();
    const pending = await insiderSealed(before); // made offline before the rotation, synced after
    // The administrator's command (amparo keys rotate-card-proof), audited.
    const requestId = `cli:${randomUUID()}`;
    const rotated = await rotatedByCommand(kit, requestId);
    expect(rotated).toMatchObject({
      previousVersion: before.proofKeyVersion,
      version: before.proofKeyVersion + 1,
    });
    expect(await auditedAs(kit, requestId)).toEqual([
      { action: 'distribution.proof_key_rotate', outcome: 'allowed', reasonCode: null },
    ]);
    const after = await device.snapshot();
    expect(after.proofKeyVersion).toBe(rotated.version);
    expect(after.proofKey).toBe(
      cardProofKeyFrom(kit.masterKey, rotated.version).publicKey.toString('base64url'),
    );
    expect(after.proofKey).not.toBe(before.proofKey);
    // A version derivable from the master key but never published: refused.
    const unpublished = cardProofKeyFrom(kit.masterKey, rotated.version + 1);
    const { results, audited } = await device.sync([
      pending,
      await insiderSealed(after, unpublished.publicKey.toString('base64url')),
    ]);
    expect(results.map((result) => [result.outcome, result.code])).toEqual([
      ['counted', null],
      ['refused', 'AMP_OFFLINE_CARD_PROOF_KEY_UNKNOWN'],
    ]);
    expect(audited).toContainEqual({
      action: 'distribution.redeem',
      outcome: 'denied',
      reasonCode: 'AMP_OFFLINE_CARD_PROOF_KEY_UNKNOWN',
    });
    // Every snapshot of the previous version expired longer ago than the default window (30 days,
    // no AMPARO_OFFLINE_PROOF_KEY_OPEN_DAYS here): it is retired, and a receipt made with one while
    // it was valid, synced only now, is refused and audited.
    const expired = Date.now() - defaultWindowMs - 60_000;
    await snapshotsOfVersionExpiredAt(kit, before.proofKeyVersion, expired);
    const late = await insiderSealed(before, before.proofKey, expired - 60_000);
    const retired = await device.sync([late]);
    expectKeyUnknown(retired);
  });
});

/**
 * The window after which a retired card-proof key version stops opening is the agency's setting
 * (`AMPARO_OFFLINE_PROOF_KEY_OPEN_DAYS`, here 60 days: rural points visited every other month),
 * not the 30-day default: a receipt sealed to the retired version whose last snapshot expired 45
 * days ago is counted (refused under the default, above), one past 60 days refused and audited.
 * PostgreSQL and PGlite alike.
 */
describe('a retired card-proof key opens for the window the agency set', () => {
  let kit: AccessTestApp;
  let holder: CardHolder;
  let point: string;
  let device: Awaited<ReturnType<typeof deviceAt>>;

  beforeAll(async () => {
    const scene = await boxAndRiceScene('proof_window', 1, {
      app: { configEnv: { AMPARO_OFFLINE_PROOF_KEY_OPEN_DAYS: '60' } },
    });
    ({ kit } = scene);
    [holder] = scene.people as [CardHolder];
    ({ point, device } = await stockedPointWithDevice(scene, ['rice']));
  }, 120_000);
  afterAll(async () => kit?.close());

  it('counts a receipt sealed to a version retired inside the window set, and refuses one outside it', async () => {
    const before = await device.snapshot();
    await rotatedByCommand(kit);
    const after = await device.snapshot();
    expect(after.proofKeyVersion).toBe(before.proofKeyVersion + 1);
    // Made now with the current snapshot, but sealed to the retired version's key: only the key's
    // age differs from an ordinary receipt (the operator, the card and the entitlement are as
    // they are now), so the window alone decides.
    const sealedToRetired = () =>
      sealedRice({ device, point, snapshot: after, holder, sealTo: before.proofKey });
    // Expired 45 days ago: past the default 30, inside the 60 set.
    const inside = Date.now() - 45 * dayMs;
    expect(45 * dayMs).toBeGreaterThan(defaultWindowMs);
    await snapshotsOfVersionExpiredAt(kit, before.proofKeyVersion, inside);
    const counted = await device.sync([await sealedToRetired()]);
    expect(counted.results[0]).toMatchObject({ outcome: 'counted', code: null });
    // Expired 61 days ago: past the window set.
    const outside = Date.now() - 61 * dayMs;
    await snapshotsOfVersionExpiredAt(kit, before.proofKeyVersion, outside);
    const refused = await device.sync([await sealedToRetired()]);
    expectKeyUnknown(refused);
  });
});
