import { parentPort, workerData } from 'node:worker_threads';
import { answerTasks } from '../../../platform/worker-pool.js';
import { openSealedFacts } from '../../registry/index.js';
import { checkRule } from '../rules/rule-checker.js';
import { evaluateRule } from '../rules/rule-evaluator.js';
import type { SealedTask } from './sealed-pool.js';

/**
 * A worker thread of the sealed-fact pool (sealed-pool.ts): opens each candidate's sealed
 * facts with its copy of the master key and evaluates the whole rule in CEL on the clear and
 * opened facts. Only the ids of the eligible leave the thread: the opened values are never
 * posted, logged or written. A failure is answered with its message only (no row, no value).
 */
const masterKey = Buffer.from(workerData.masterKey as Uint8Array);
(workerData.masterKey as Uint8Array).fill(0);
const checked = new Map<string, ReturnType<typeof checkRule>>();

function decide(task: SealedTask): string[] {
  let rule = checked.get(task.rule);
  if (rule === undefined) {
    rule = checkRule(task.rule, 'bool', '/eligibilityRule');
    checked.set(task.rule, rule);
  }
  const eligible: string[] = [];
  for (const row of task.rows) {
    const sealed = openSealedFacts(masterKey, row, rule.sealedVariables);
    if (evaluateRule(rule, { ...row.clear, ...sealed }) === 'true') eligible.push(row.person_id);
  }
  return eligible;
}

answerTasks(parentPort, decide);
