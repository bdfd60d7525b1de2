import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import type { OfflineLine } from '../offline/offline-tables.js';
import type { EntitlementAnswer } from './entitlement-state.js';

/**
 * What offline conflicts still under review hold of each entitlement's items (migration 0140: a
 * conflict takes only the disputed quantity out of the balance until a supervisor decides), so
 * that a point's lookup says "in dispute / under review" instead of a bare 0 remaining. Only the
 * held quantity per item leaves: nothing of the other device's receipt — not its device, time,
 * point, lines or how many receipts — and a conflict from before holds (`held` null, the whole
 * entitlement `conflict_flagged`) adds nothing here: its state already says it.
 *
 * @example
 *   const held = await heldInDispute(db, answers); // Map { entitlementId => Map { 'rice' => 3 } }
 *   withDisputed(answers, held); // rice: { remaining: 0, inDispute: 3 }
 */
export async function heldInDispute(
  db: Kysely<Database>,
  answers: readonly Pick<EntitlementAnswer, 'entitlementId'>[],
): Promise<Map<string, Map<string, number>>> {
  const held = new Map<string, Map<string, number>>();
  if (answers.length === 0) return held;
  const rows = await db
    .selectFrom('offline_receipt as o')
    .select(['o.entitlement_id', 'o.held'])
    .where(
      'o.entitlement_id',
      'in',
      answers.map((answer) => answer.entitlementId),
    )
    .where('o.outcome', '=', 'conflict')
    .where('o.held', 'is not', null)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('offline_conflict_resolution as c')
            .select('c.receipt_id')
            .whereRef('c.receipt_id', '=', 'o.id'),
        ),
      ),
    )
    .execute();
  for (const row of rows) {
    // Safe: the sync writes `held` as a JSON array of {item, quantity} (text on PGlite).
    const lines = (typeof row.held === 'string' ? JSON.parse(row.held) : row.held) as OfflineLine[];
    const items = held.get(row.entitlement_id) ?? new Map<string, number>();
    for (const line of lines) items.set(line.item, (items.get(line.item) ?? 0) + line.quantity);
    held.set(row.entitlement_id, items);
  }
  return held;
}

/** The answers with each held quantity (above zero) as the item's `inDispute`. */
export function withDisputed(
  answers: readonly EntitlementAnswer[],
  held: ReadonlyMap<string, ReadonlyMap<string, number>>,
): EntitlementAnswer[] {
  return answers.map((answer) => {
    const items = held.get(answer.entitlementId);
    if (items === undefined) return answer;
    return {
      ...answer,
      items: answer.items.map((line) => {
        const inDispute = items.get(line.item) ?? 0;
        return inDispute > 0 ? { ...line, inDispute } : line;
      }),
    };
  });
}
