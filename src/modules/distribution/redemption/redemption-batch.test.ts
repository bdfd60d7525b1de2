import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statementLog } from '../../../../test/statement-log.js';
import type { Database } from '../../../platform/db/schema.js';
import type { OperatorActor } from '../../../shared/access/actor.js';
import type { AuditEntryInput } from '../../../shared/audit/audit-entry.js';
import type { AccessTestApp } from '../../access/access-test-kit.js';
import type { TransactionalAuditRecorder } from '../../access/index.js';
import { onlineCardCheck } from '../../credentials/index.js';
import type { DistributionDependencies } from '../distribution-context.js';
import {
  type CardHolder,
  createPoint,
  distributionScene,
  pointCall,
  type SignedIn,
} from '../distribution-test-kit.js';
import { distributionLimits } from '../limits.js';
import { guardPoint, type PointGrant } from '../point-gate.js';
import { stockDelivered } from '../stock/stock-test-kit.js';
import {
  type BatchedRedemption,
  type BatchOutcome,
  RedemptionBatcher,
} from './redemption-batch.js';

/**
 * The batcher's rule (redemption-batch.ts), pinned without timing: a batch starts on the next
 * turn of the event loop, with every submission made before it; at most
 * `redemptionBatchesInFlightMax` batches are in flight, and what is submitted meanwhile — in any
 * number of turns — waits and is written together in the next batch once one ends. Batches are
 * held in flight by the test (each batch's transaction waits for the test to let it go), so
 * which batch each redemption joins is decided by the order of the calls alone; which
 * transaction wrote each redemption is read from the database (its row's `xmin`).
 */
describe('RedemptionBatcher', () => {
  let kit: AccessTestApp;
  let operator: SignedIn;
  let people: CardHolder[];
  let point: string;
  let gate: PointGrant;
  let reader: OperatorActor;
  const entitlementOf = new Map<string, string>();
  const audited: AuditEntryInput[] = [];

  /** Batch transactions: started (held until released), in the order they started. */
  let held: { release(): void }[] = [];
  let holding = false;

  /** The database as the batcher sees it: each transaction waits while the test holds them. */
  function heldDatabase(db: Kysely<Database>): Kysely<Database> {
    return new Proxy(db, {
      get(target, property, receiver) {
        if (property !== 'transaction') return Reflect.get(target, property, receiver);
        return () => {
          const builder = target.transaction();
          return {
            execute: async <T>(work: Parameters<typeof builder.execute<T>>[0]) => {
              if (holding) await new Promise<void>((release) => held.push({ release }));
              else held.push({ release: () => undefined });
              return builder.execute(work);
            },
          };
        };
      },
    });
  }

  let batcher: RedemptionBatcher;
  let deps: DistributionDependencies;

  beforeAll(async () => {
    const scene = await distributionScene({
      people: 6 + distributionLimits.redemptionBatchesInFlightMax,
      program: { code: 'batcher', basket: [{ item: 'rice_kg', quantity: 4, unit: 'kg' }] },
    });
    ({ kit, operator, people } = scene);
    point = await createPoint(kit, scene.supervisor, {
      operators: [operator.operatorId],
      programs: [scene.programId],
    });
    const call = pointCall(kit);
    await stockDelivered(kit, operator, point, { item: 'rice_kg', quantity: 1000 });
    for (const person of people) {
      const lookup = await call('POST', `${point}/entitlement-lookups`, operator, {
        qrText: person.qrText,
      });
      expect(lookup.statusCode, lookup.body).toBe(200);
      const [entitlement] = lookup.json().entitlements as { entitlementId: string }[];
      if (entitlement === undefined) throw new Error('no entitlement');
      entitlementOf.set(person.personId, entitlement.entitlementId);
    }
    const { username } = await kit.database.db
      .selectFrom('operator')
      .select('username')
      .where('id', '=', operator.operatorId)
      .executeTakeFirstOrThrow();
    reader = {
      kind: 'operator',
      operatorId: operator.operatorId,
      username,
      roles: ['distribution_operator'],
      regions: ['VE-A'],
      sessionId: randomUUID(),
    };
    // The audit log is not what is under test: its entries are kept to be counted.
    const audit: TransactionalAuditRecorder = {
      append: async (entry: AuditEntryInput) => {
        audited.push(entry);
      },
      appendInTransaction: async (_trx, entries) => {
        audited.push(...entries);
      },
    } as TransactionalAuditRecorder;
    deps = { db: kit.database.db, audit, keys: kit.keys };
    gate = await guardPoint(
      deps,
      { actor: reader, purpose: 'distribution', requestId: randomUUID() },
      'distribution.redeem',
      point,
    );
    batcher = new RedemptionBatcher({ ...deps, db: heldDatabase(kit.database.db) });
  }, 120_000);
  afterAll(async () => kit?.close());

  function redemptionOf(person: CardHolder, quantity = 1): BatchedRedemption {
    const entitlementId = entitlementOf.get(person.personId) ?? '';
    const clientId = randomUUID();
    const line = { item: 'rice_kg', quantity };
    return {
      gate,
      reader,
      personId: person.personId,
      credentialId: person.credentialId,
      requestId: randomUUID(),
      clientId,
      request: { pointId: point, clientId, entitlementId, lines: [line] },
      entitlementId,
      line,
    };
  }

  /** The transaction (xmin) that wrote each of these redemptions, by entitlement. */
  async function writtenBy(redemptionIds: readonly string[]): Promise<Map<string, string>> {
    const rows = await sql<{ id: string; xmin: string }>`
      select id, xmin::text as xmin from redemption where id in (${sql.join(redemptionIds)})`.execute(
      kit.database.db,
    );
    return new Map(rows.rows.map((row) => [row.id, row.xmin]));
  }

  const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
  async function untilStarted(count: number) {
    for (let turns = 0; held.length < count; turns += 1) {
      if (turns > 10_000) throw new Error(`${held.length} batches started, not ${count}`);
      await turn();
    }
  }
  function answered(outcome: BatchOutcome | undefined) {
    if (outcome === undefined) throw new Error('left out of the batch');
    return outcome;
  }

  it('writes the submissions of one turn together, each with its own answer', async () => {
    held = [];
    holding = false;
    const chosen = [people[0], people[1], people[2]] as CardHolder[];
    // One turn: no await between the calls.
    const outcomes = await Promise.all(
      chosen.map((person) => batcher.submit(redemptionOf(person))),
    );
    expect(held).toHaveLength(1);
    const ids = outcomes.map((outcome) => answered(outcome).body.redemptionId);
    const by = await writtenBy(ids);
    expect(new Set(ids.map((id) => by.get(id))).size).toBe(1);
    for (const [index, outcome] of outcomes.entries()) {
      expect(answered(outcome).status).toBe(201);
      expect(answered(outcome).body.entitlement.entitlementId).toBe(
        entitlementOf.get(chosen[index]?.personId ?? ''),
      );
    }
    expect(new Set(ids).size).toBe(3);
  });

  it('writes what arrives while batches are in flight together in the next, the ones it cannot write left out', async () => {
    const inFlightMax = distributionLimits.redemptionBatchesInFlightMax;
    held = [];
    holding = true;
    const alone = people.slice(3, 3 + inFlightMax);
    const [c, d, e] = people.slice(3 + inFlightMax) as CardHolder[];
    if (c === undefined || d === undefined || e === undefined) throw new Error('too few people');
    // As many batches in flight as may be, one after the other: each starts alone.
    const first: Promise<BatchOutcome>[] = [];
    for (const person of alone) {
      first.push(batcher.submit(redemptionOf(person)));
      await untilStarted(first.length);
    }
    // Three more, each in its own turn, while all are held; one asks more than remains.
    const later: Promise<BatchOutcome>[] = [];
    for (const [person, quantity] of [
      [c, 1],
      [d, 5],
      [e, 2],
    ] as const) {
      later.push(batcher.submit(redemptionOf(person, quantity)));
      await turn();
      await turn();
    }
    expect(held).toHaveLength(inFlightMax);
    holding = false;
    for (const batch of held) batch.release();
    const firstAnswers = await Promise.all(first);
    const [forC, forD, forE] = await Promise.all(later);
    // One transaction more: the three that waited went together.
    expect(held).toHaveLength(inFlightMax + 1);
    expect(forD).toBeUndefined();
    const waited = [answered(forC), answered(forE)];
    expect(waited.map((outcome) => outcome.status)).toEqual([201, 201]);
    expect(waited.map((outcome) => outcome.body.entitlement.entitlementId)).toEqual([
      entitlementOf.get(c.personId),
      entitlementOf.get(e.personId),
    ]);
    expect(
      waited.map(
        (outcome) =>
          outcome.body.entitlement.items.find((item) => item.item === 'rice_kg')?.remaining,
      ),
    ).toEqual([3, 2]);
    const ids = [...firstAnswers, forC, forE].map((outcome) => answered(outcome).body.redemptionId);
    const by = await writtenBy(ids);
    const transactions = ids.map((id) => by.get(id));
    // C and E in one transaction; each of the first in its own, none of them C's.
    expect(transactions.at(-1)).toBe(transactions.at(-2));
    expect(new Set(transactions).size).toBe(inFlightMax + 1);
    // D's entitlement is untouched, its key unanswered: redeemFor answers it alone.
    const dRows = await kit.database.db
      .selectFrom('redemption')
      .select('id')
      .where('entitlement_id', '=', entitlementOf.get(d.personId) ?? '')
      .execute();
    expect(dRows).toEqual([]);
  });

  it('reads the cards of checks that arrive at once in one statement, each its own holder', async () => {
    const logged = statementLog(kit.database.db);
    const chosen = people.slice(0, 4);
    const checks = await Promise.all(
      chosen.map((person) =>
        onlineCardCheck({ db: logged.db, keys: kit.keys }, person.qrText, kit.now()),
      ),
    );
    expect(checks.map((check) => check.holder?.personId)).toEqual(
      chosen.map((person) => person.personId),
    );
    expect(logged.statements.filter((text) => /from "credential"/.test(text))).toHaveLength(1);
  });

  it('locks and moves the stock rows in its one write, with no statement of their own', async () => {
    held = [];
    holding = false;
    const logged = statementLog(kit.database.db);
    const own = new RedemptionBatcher({ ...deps, db: heldDatabase(logged.db) });
    const chosen = [people[0], people[1]] as CardHolder[];
    const outcomes = await Promise.all(chosen.map((person) => own.submit(redemptionOf(person))));
    expect(outcomes.map((outcome) => answered(outcome).status)).toEqual([201, 201]);
    // The key claims, the read quota, the entitlements locked, the write: four statements.
    expect(logged.statements.filter((text) => /stock_balance/.test(text))).toHaveLength(1);
    expect(logged.statements).toHaveLength(4);
  });

  it('runs a batch again with its stock locked first when a row is short: what it covers is written, the rest left out', async () => {
    held = [];
    holding = false;
    const stockNow = () =>
      kit.database.asAdmin(async (admin) => {
        const row = await admin
          .selectFrom('stock_balance')
          .select('quantity')
          .where('point_id', '=', point)
          .where('item', '=', 'rice_kg')
          .executeTakeFirstOrThrow();
        return row.quantity;
      });
    await kit.database.asAdmin((admin) =>
      admin
        .updateTable('stock_balance')
        .set({ quantity: 1 })
        .where('point_id', '=', point)
        .where('item', '=', 'rice_kg')
        .execute(),
    );
    const chosen = [people[0], people[1]] as CardHolder[];
    const [covered, short] = await Promise.all(
      chosen.map((person) => batcher.submit(redemptionOf(person))),
    );
    // Two transactions: the write found the row short and rolled back; then the stock first.
    expect(held).toHaveLength(2);
    expect(answered(covered).status).toBe(201);
    expect(short).toBeUndefined();
    expect(await stockNow()).toBe(0);
    const movement = await kit.database.db
      .selectFrom('stock_movement')
      .select(['quantity_delta', 'balance_after'])
      .where('redemption_id', '=', answered(covered).body.redemptionId)
      .executeTakeFirstOrThrow();
    expect(movement).toEqual({ quantity_delta: -1, balance_after: 0 });
  });
});
