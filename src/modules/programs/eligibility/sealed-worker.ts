import { parentPort, workerData } from 'node:worker_threads';
import { answerTasks } from '../../../platform/worker-pool.js';
import { openSealedFacts } from '../../registry/index.js';
import { checkRule } from '../rules/rule-checker.js';
import { evaluateRuleInBatch } from '../rules/rule-evaluator.js';
import type { SealedAnswer, SealedTask } from './sealed-pool.js';

/**
 * A worker thread of the sealed-fact pool (sealed-pool.ts): opens each candidate's sealed
 * facts with its copy of the master key and evaluates the whole rule in CEL on the clear and
 * opened facts. Only the ids of the eligible (and how many overflowed) leave the thread: the opened values are never
 * posted, logged or written. A failure is answered with its message only (no row, no value).
 */
const masterKey = Buffer.from(workerData.masterKey as Uint8Array);
(workerData.masterKey as Uint8Array).fill(0);
const checked = new Map<string, ReturnType<typeof checkRule>>();

function decide(task: SealedTask): SealedAnswer {
  let rule = checked.get(task.rule);
  if (rule === undefined) {
    rule = checkRule(task.rule, 'bool', '/eligibilityRule');
    checked.set(task.rule, rule);
  }
  const eligible: string[] = [];
  let overflowed = 0;
  for (const row of task.rows) {
    const sealed = openSealedFacts(masterKey, row, rule.sealedVariables);
    const outcome = evaluateRuleInBatch(rule, { ...row.clear, ...sealed });
    if (outcome === 'true') eligible.push(row.person_id);
    else if (outcome === 'overflow') overflowed += 1;
  }
  return { eligible, overflowed };
}

answerTasks(parentPort, decide);
