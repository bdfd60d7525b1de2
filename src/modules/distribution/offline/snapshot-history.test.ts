import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Static } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessHistoryResponse, AuditKeysResponse } from '../../../shared/api/audit.js';
import { verifyAccessEntry } from '../../../shared/audit/access-proof-verifier.js';
import type { AccessTestApp } from '../../access/access-test-kit.js';
import { checkChangeTrail } from '../../audit/change-trail-check.js';
import {
  type CardHolder,
  type DistributionScene,
  type SignedIn,
  signIn,
} from '../distribution-test-kit.js';
import { boxAndRiceScene, pointWithDevice, twoBoxes } from './offline-point-test-kit.js';
import { snapshotCommitments } from './snapshot-history.js';

type AccessHistory = Static<typeof AccessHistoryResponse>;
type AuditKeys = Static<typeof AuditKeysResponse>;

/**
 * Review finding F6: every person an offline snapshot held sees it in their access history —
 * "included in the offline list of point X (snapshot of DATE)" — as the snapshot's one audit entry,
 * with an inclusion proof the browser checks, the entry naming the snapshot and committing to
 * its kept scope. A person the snapshot did not hold sees nothing of it; a person who moved away
 * keeps the lines of the snapshots that held them, and is not in the next one.
 */
describe("an offline snapshot in each person's access history", () => {
  let scene: DistributionScene;
  let kit: AccessTestApp;
  let auditor: SignedIn;
  let inTown: CardHolder;
  let otherState: CardHolder;

  beforeAll(async () => {
    scene = await boxAndRiceScene(
      'listed_box',
      [
        { region: 'VE-A', municipality: 'VE-A-01' },
        { region: 'VE-Z', municipality: 'VE-Z-01' },
      ],
      { rule: 'state_code == "VE-A" || state_code == "VE-Z"', basket: twoBoxes },
    );
    kit = scene.kit;
    // Safe: the scene made one holder for each of the two places, in their order.
    [inTown, otherState] = scene.people as [CardHolder, CardHolder];
    auditor = await signIn(kit, ['auditor'], ['VE-A', 'VE-Z']);
  }, 120_000);
  afterAll(async () => kit?.close());

  async function historyOf(holder: CardHolder): Promise<AccessHistory> {
    const response = await kit.app.inject({
      url: `/api/persons/${holder.personId}/access-history?purpose=audit&limit=100`,
      cookies: auditor.cookies,
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as AccessHistory;
  }

  const listsOf = (history: AccessHistory) =>
    history.entries.filter((entry) => entry.offlineList !== undefined);

  it('lists the snapshot in the history of a person it held, checkable, and not of one it did not hold', async () => {
    const point = await pointWithDevice(scene, { label: 'Tableta 7' });
    const { snapshotId, pointCode } = await point.snapshot();

    const history = await historyOf(inTown);
    const [line, ...more] = listsOf(history);
    expect(more).toEqual([]);
    const { entitlement_scope: scope, issued_at: issuedAt } = await kit.database.asAdmin((admin) =>
      admin
        .selectFrom('distribution_snapshot')
        .select(['entitlement_scope', 'issued_at'])
        .where('id', '=', snapshotId)
        .executeTakeFirstOrThrow(),
    );
    // The console says "included in the offline list of point X (snapshot of DATE)": the line
    // names the point and when the snapshot was built.
    expect(line?.offlineList).toEqual({
      pointCode,
      pointName: expect.any(String),
      deviceLabel: 'Tableta 7',
      snapshotIssuedAt: new Date(issuedAt).toISOString(),
    });
    expect(line).toMatchObject({ action: 'distribution.redeem', outcome: 'allowed' });
    // The entry is the snapshot's, on the point: it names the snapshot and its scope's digest.
    const entry = JSON.parse(line?.entryText ?? '{}');
    expect(entry.resource).toEqual({ type: 'distribution_point', id: point.pointId });
    const digest = createHash('sha256')
      .update(scope ?? Buffer.alloc(0))
      .digest('hex');
    expect(entry.fields).toEqual(
      expect.arrayContaining([`snapshot_id:${snapshotId}`, `entitlement_scope_sha256:${digest}`]),
    );
    // The browser's check: the line is in the log under the signed head.
    const keys = (await kit.app.inject({ url: '/api/audit/keys' })).json() as AuditKeys;
    const key = keys.keys.find((each) => each.keyId === history.treeHead.keyId);
    const verdict = await verifyAccessEntry({
      entryText: line?.entryText ?? '',
      leafIndex: line?.leafIndex ?? -1,
      proof: line?.proof ?? [],
      treeHead: history.treeHead,
      publicKeyRaw: Buffer.from(key?.publicKey ?? '', 'hex'),
    });
    expect(verdict).toEqual({ ok: true });

    expect(listsOf(await historyOf(otherState))).toEqual([]);
  });

  it('keeps the lines of a person who moved away, and lists no later snapshot that left them out', async () => {
    const point = await pointWithDevice(scene, {
      label: 'Kiosco municipal',
      municipalityCode: 'VE-A-01',
    });
    const before = listsOf(await historyOf(inTown)).length;
    await point.snapshot();
    expect(listsOf(await historyOf(inTown))).toHaveLength(before + 1);

    // A new version of the record: the person now lives in another municipality.
    await kit.database.asAdmin(async (admin) => {
      await sql`insert into person_version (person_id, version, attributes, sealed_attributes,
          reason, recorded_by, recorded_at)
        select v.person_id, v.version + 1,
          v.attributes || '{"municipality_code": "VE-A-02"}'::jsonb, v.sealed_attributes, 'move',
          v.recorded_by, now()
          from person_version v join person p on p.id = v.person_id
         where p.id = ${inTown.personId} and v.version = p.current_version`.execute(admin);
      await sql`update person set current_version = current_version + 1
         where id = ${inTown.personId}`.execute(admin);
    });
    await point.snapshot();
    const lines = listsOf(await historyOf(inTown));
    expect(lines).toHaveLength(before + 1);
    expect(
      lines.filter((line) => line.offlineList?.deviceLabel === 'Kiosco municipal'),
    ).toHaveLength(1);
  });

  it('is checked by `amparo audit verify`: a kept scope, leaf or point changed after the build is reported', async () => {
    const point = await pointWithDevice(scene, { label: 'Tableta 9' });
    // Three snapshots, read two at a time.
    await point.snapshot();
    await point.snapshot();
    const { snapshotId } = await point.snapshot();
    const snapshotProblems = async () => {
      const report = await checkChangeTrail(kit.database.db, kit.keys, {
        snapshots: snapshotCommitments(2),
      });
      expect(report.snapshotsChecked).toBeGreaterThanOrEqual(3);
      return report.problems
        .filter((problem) => problem.table === 'distribution_snapshot')
        .map((problem) => [problem.recordId, problem.what]);
    };
    expect(await snapshotProblems()).toEqual([]);

    // Someone with the database's password takes the first person out of the kept scope (the
    // person's history would no longer list the snapshot), then clears its leaf index.
    const change = (statement: ReturnType<typeof sql>) =>
      kit.database.asAdmin((admin) => statement.execute(admin));
    await change(sql`update distribution_snapshot
       set entitlement_scope = substring(entitlement_scope from 7) where id = ${snapshotId}`);
    expect(await snapshotProblems()).toEqual([[snapshotId, 'entitlement_scope']]);
    await change(sql`update distribution_snapshot set audit_leaf_index = null, point_id = (
       select id from distribution_point where id <> ${point.pointId} limit 1) where id = ${snapshotId}`);
    expect(await snapshotProblems()).toEqual([
      [snapshotId, 'audit_leaf_index'],
      [snapshotId, 'point_id'],
      [snapshotId, 'entitlement_scope'],
    ]);
  });
});
