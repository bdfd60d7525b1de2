import { randomBytes, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../../test/db.js';
import { AuditLog } from '../../audit/audit-log.js';
import { buildAuditKeys } from '../../audit/audit-test-support.js';
import { eligibilityFactsRelation, readEligibilityFacts } from '../../registry/index.js';
import { cycleCreator } from '../cycles/cycle-service.js';
import { eligiblePersonIds } from '../eligibility/eligibility-query.js';
import type { SealedDeciding } from '../eligibility/sealed-decider.js';
import { type SealedPool, sealedPool } from '../eligibility/sealed-pool.js';
import { programCreator, publicationDecider, publicationRequester } from '../program-service.js';
import { insertRandomPopulation } from '../programs-test-kit.js';
import { checkRule } from './rule-checker.js';
import { evaluateRule } from './rule-evaluator.js';
import { explainRule } from './rule-explainer.js';
import { planRule } from './rule-plan.js';
import { sealedRuleSource } from './rule-test-kit.js';

/**
 * Issue #13, point 3b with sealed facts: for random rules that mix clear facts and the sealed
 * `disability_status` (present, missing, none sealed, key destroyed), the batch evaluator —
 * SQL narrowing, then decryption and CEL in the worker pool — selects exactly the persons the
 * per-person evaluator and its explanation find eligible, and a cycle's frozen set is the
 * same. Each batch read of sealed facts is audited (purpose eligibility_review), and no
 * opened value reaches the audit log or a table.
 */
const dialects: Array<'pglite' | 'postgres'> =
  inject('testDatabase').kind === 'postgres' ? ['pglite', 'postgres'] : ['pglite'];
const referenceDate = '2026-12-01';
const disabilityWords = ['physical', 'visual', 'hearing', 'intellectual', 'psychosocial'];

describe.each(dialects)(
  'sealed facts: batch (SQL + workers) and per-person agree on %s',
  (kind) => {
    let database: TestDatabase;
    let pool: SealedPool;
    let sealed: SealedDeciding;
    let audit: AuditLog;
    let persons: Array<Record<string, unknown>>;
    const masterKey = randomBytes(32);
    beforeAll(async () => {
      database = await createTestDatabase(kind);
      await database.asAdmin((admin) =>
        insertRandomPopulation(admin, { persons: 80, seed: 31, masterKey }),
      );
      const relation = eligibilityFactsRelation({ referenceDate });
      const ids = (
        await sql<{ person_id: string }>`select person_id from ${relation} as f`.execute(
          database.db,
        )
      ).rows.map((row) => row.person_id);
      // The per-person evaluator's facts: one read per person, the sealed fact opened.
      persons = [];
      for (const id of ids) {
        const facts = await readEligibilityFacts(database.db, id, referenceDate, {
          masterKey,
          names: ['disability_status'],
        });
        if (facts !== undefined) persons.push(facts);
      }
      audit = await AuditLog.open({ db: database.db, keys: { ...buildAuditKeys(), masterKey } });
      pool = sealedPool(masterKey, 2);
      sealed = { pool, audit };
    }, 60_000);
    afterAll(async () => {
      await pool?.close();
      await database?.close();
    });

    it('the population has the sealed fact present, missing, and unreadable', () => {
      const values = persons.map((row) => row.disability_status);
      expect(values.filter((value) => value === undefined).length).toBeGreaterThan(5);
      expect(values.filter((value) => value === 'none').length).toBeGreaterThan(2);
      expect(
        values.filter((value) => typeof value === 'string' && value !== 'none').length,
      ).toBeGreaterThan(10);
    });

    it('selects exactly the persons CEL (and its explanation) finds eligible, for random rules', async () => {
      let split = 0;
      await fc.assert(
        fc.asyncProperty(sealedRuleSource, async (source) => {
          const rule = checkRule(source, 'bool', '/eligibilityRule');
          const batch = await eligiblePersonIds(database.db, {
            rule,
            referenceDate,
            regions: [],
            sealed,
            chunks: 2,
          });
          const single = persons
            .filter((row) => evaluateRule(rule, row) === 'true')
            .map((row) => String(row.person_id))
            .sort();
          const explained = persons
            .filter((row) => explainRule(rule, row).outcome === 'true')
            .map((row) => String(row.person_id))
            .sort();
          if (
            rule.sealedVariables.length > 0 &&
            single.length > 0 &&
            single.length < persons.length
          )
            split += 1;
          expect(batch, source).toEqual(single);
          expect(explained, source).toEqual(single);
        }),
        { numRuns: 25, seed: 20261204 },
      );
      expect(split).toBeGreaterThan(5);
    }, 120_000);

    it('a cycle over a sealed rule freezes the per-person set; reads are audited without values', async () => {
      const db = database.db;
      // `age + 0`: arithmetic, so the cycle first checks the whole rule for overflow, workers too.
      const eligibilityRule =
        'age + 0 >= 18 && disability_status in ["visual", "hearing", "physical"]';
      const { programId } = await programCreator(db, {
        code: `sealed_${kind}`,
        operatorId: randomUUID(),
        content: {
          nameEs: 'Apoyo',
          nameEn: 'Support',
          descriptionEs: '',
          descriptionEn: '',
          kind: 'cash',
          unit: 'person',
          regions: [],
          cadence: 'monthly',
          benefit: { amountMinor: 100_00n, currency: 'VES' },
          budgetCap: 1_000_000_00n,
          eligibilityRule,
        },
      });
      const { publicationId } = await publicationRequester(db, {
        programId,
        version: 1,
        operatorId: randomUUID(),
      });
      await publicationDecider(db, { publicationId, approve: true, operatorId: randomUUID() });
      const { cycleId, summary } = await cycleCreator(db, {
        programId,
        referenceDate,
        operatorId: null,
        chunks: 2,
        sealed,
      });
      const rule = checkRule(eligibilityRule, 'bool', '/r');
      const expected = persons
        .filter((row) => evaluateRule(rule, row) === 'true')
        .map((row) => String(row.person_id))
        .sort();
      const members = await db
        .selectFrom('program_cycle_member')
        .select('person_id')
        .where('cycle_id', '=', cycleId)
        .orderBy('person_id')
        .execute();
      expect(members.map((row) => row.person_id)).toEqual(expected);
      expect(summary.eligible).toBe(BigInt(expected.length));
      expect(expected.length).toBeGreaterThan(3);
      expect(planRule(rule).described).toEqual({
        sql: 'age + 0 >= 18',
        workers: ['disability_status in ["visual", "hearing", "physical"]'],
        sealedFacts: ['disability_status'],
      });

      const entries = await database.asAdmin(async (admin) => {
        const rows = await sql<{ entry: string }>`select entry from audit_entry`.execute(admin);
        return rows.rows.map((row) => JSON.parse(row.entry) as Record<string, unknown>);
      });
      const cycleReads = entries.filter(
        (entry) =>
          entry.action === 'person.eligibility_sealed_read' &&
          String(entry.requestId).startsWith(`cycle:${cycleId}:round:1:members:`),
      );
      expect(cycleReads).toHaveLength(2);
      // The overflow check's read over everyone, audited before its transaction.
      const checkReads = entries.filter(
        (entry) => entry.requestId === `cycle:${cycleId}:round:1:checks`,
      );
      expect(checkReads).toHaveLength(1);
      for (const entry of [...cycleReads, ...checkReads]) {
        expect(entry.purpose).toBe('eligibility_review');
        expect(entry.fields).toEqual(['disability_status']);
      }
      // No opened value anywhere: not in the audit log, not in the cycle's rows.
      const dump = JSON.stringify(entries);
      const memberRows = await database.asAdmin((admin) =>
        sql`select * from program_cycle_member where cycle_id = ${cycleId}`.execute(admin),
      );
      for (const word of disabilityWords) {
        expect(dump).not.toContain(word);
        expect(JSON.stringify(memberRows.rows, (_, value) => String(value))).not.toContain(word);
      }
    });

    it('a rule that overflows in the workers is refused with AMP_RULE_FAILED, not read as false', async () => {
      // `a || s` narrows nothing in SQL: the overflow is met only after decryption, in CEL.
      const rule = checkRule(
        'disability_status == "visual" || age * 1000000000000 * 1000000 > 1',
        'bool',
        '/r',
      );
      expect(planRule(rule).described.sql).toBe('true');
      const refused = await eligiblePersonIds(database.db, {
        rule,
        referenceDate,
        regions: [],
        sealed,
      }).catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: 'AMP_RULE_FAILED' });
    });

    it('refuses to run a sealed rule without the worker pool, rather than skip its sealed part', async () => {
      const rule = checkRule('disability_status == "visual"', 'bool', '/r');
      await expect(
        eligiblePersonIds(database.db, { rule, referenceDate, regions: [] }),
      ).rejects.toThrow(/sealed-fact pool is needed/);
    });
  },
);
