import { limits } from '../src/limits.js';
import { AuditLog } from '../src/modules/audit/audit-log.js';
import { buildAuditKeys } from '../src/modules/audit/audit-test-support.js';
import { countEligible } from '../src/modules/programs/eligibility/eligibility-query.js';
import { sealedPool } from '../src/modules/programs/eligibility/sealed-pool.js';
import { checkRule } from '../src/modules/programs/rules/rule-checker.js';
import { planRule } from '../src/modules/programs/rules/rule-plan.js';
import { addPersons, loadAverage, seconds, throwawayDatabase } from './lib/program-population.js';

/**
 * Eligibility in batch over a rule with a sealed attribute (issue #13, performance: ≤ 60 s at
 * 1M): SQL narrows to the adults, then the pool of worker threads (one per core) opens each
 * candidate's data key and sealed attributes and decides `disability_status` in CEL. Every
 * person has a data key and a sealed disability status (sealed in Node, copied in with SQL),
 * in a throwaway PostgreSQL database. The audit log is the real one (one entry per chunk).
 *
 *   npm run bench -- programs-sealed 1000000
 */
const rule = 'age >= 18 && disability_status != "none"';

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const persons = Number(args[0] ?? 1_000_000);
  const database = await throwawayDatabase('sealed');
  const keys = buildAuditKeys();
  const pool = sealedPool(keys.masterKey, limits.programs.sealedWorkers);
  try {
    const generateSeconds = await addPersons(database.admin, 0, persons, keys.masterKey);
    const audit = await AuditLog.open({ db: database.app, keys });
    const checked = checkRule(rule, 'bool', '/eligibilityRule');
    const loadBefore = loadAverage();
    const started = performance.now();
    const eligible = await countEligible(database.app, {
      rule: checked,
      referenceDate: '2026-12-01',
      regions: [],
      sealed: { pool, audit },
    });
    const sealedSeconds = seconds(started);
    return {
      command: `npm run bench -- programs-sealed ${persons}`,
      database: 'postgres',
      persons,
      rule,
      plan: planRule(checked).described,
      workers: pool.size,
      eligible: Number(eligible),
      generateSeconds: +generateSeconds.toFixed(1),
      sealedRuleSeconds: sealedSeconds,
      targetSeconds: 60,
      loadAverageBefore: loadBefore,
      loadAverageAfter: loadAverage(),
    };
  } finally {
    await pool.close();
    await database.close();
  }
}
