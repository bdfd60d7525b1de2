import { apiGet, apiSend, withQuery } from '../../api/client.js';
import type { AuditKeys, TreeHead } from '../../api/types.js';
import { hexBytes } from '../access-history/verify-history.js';
import { consistencyHolds } from './consistency.js';
import { headSignatureHolds } from './head-signature.js';

/**
 * "Verify now" on the audit page: has a new head signed, then checks in this browser that
 * both heads carry valid signatures of a published audit key and that the new tree extends
 * the head this browser checked last time (or the latest head before signing). The last
 * checked head is kept in localStorage, so tampering between two visits is caught too.
 *
 * @example
 *   const report = await checkLogNow();
 *   report.ok; // true when every step passed
 */
export interface LogCheckReport {
  ok: boolean;
  from: TreeHead;
  to: TreeHead;
  steps: Array<{ step: 'signatureFrom' | 'signatureTo' | 'growth' | 'consistency'; ok: boolean }>;
}

const lastCheckedKey = 'amparo.audit.lastCheckedHead';

export function lastCheckedHead(): TreeHead | null {
  const text = localStorage.getItem(lastCheckedKey);
  if (text === null) return null;
  try {
    // Written by this page from a verified head; re-verified before use.
    return JSON.parse(text) as TreeHead;
  } catch {
    return null;
  }
}

export async function checkLogNow(): Promise<LogCheckReport> {
  const keys = await apiGet<AuditKeys>('/api/audit/keys');
  const from = lastCheckedHead() ?? (await apiGet<TreeHead>('/api/audit/tree-heads/latest'));
  const to = (
    await apiSend<TreeHead>('POST', withQuery('/api/audit/tree-heads', { purpose: 'audit' }))
  ).body;
  const steps: LogCheckReport['steps'] = [
    { step: 'signatureFrom', ok: await headSignatureHolds(from, keys) },
    { step: 'signatureTo', ok: await headSignatureHolds(to, keys) },
    { step: 'growth', ok: to.treeSize >= from.treeSize },
  ];
  let consistent = false;
  if (to.treeSize >= from.treeSize) {
    const answer = await apiGet<{ proof: string[] }>(
      withQuery('/api/audit/proofs/consistency', { from: from.treeSize, to: to.treeSize }),
    );
    consistent = await consistencyHolds({
      firstSize: from.treeSize,
      secondSize: to.treeSize,
      firstRoot: hexBytes(from.rootHash),
      secondRoot: hexBytes(to.rootHash),
      proof: answer.proof.map(hexBytes),
    });
  }
  steps.push({ step: 'consistency', ok: consistent });
  const ok = steps.every((step) => step.ok);
  if (ok) localStorage.setItem(lastCheckedKey, JSON.stringify(to));
  return { ok, from, to, steps };
}
