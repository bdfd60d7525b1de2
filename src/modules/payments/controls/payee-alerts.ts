import { type Kysely, sql } from 'kysely';
import { limits } from '../../../limits.js';
import type { Database } from '../../../platform/db/schema.js';
import type { PinGuardSettings } from '../merchants/pin-guard-settings.js';
import { alertOnce } from './alert-once.js';

/** One staff account on both sides of a batch: who it paid, and the accounts it put there. */
interface PayeeCollusion {
  batchId: string;
  operatorId: string;
  persons: number;
  batchRoles: string[];
  payeeRoles: string[];
}

/**
 * `payout_payee_collusion`, to auditors (payouts/README.md, "Payee accounts"): one staff account
 * set or approved persons' payee accounts, and made or approved a payout batch paying those same
 * persons, within `windowMs` (7 days) either way — the two halves of paying an account of one's
 * choice, which the second check and the batch's approval are meant to split between accounts.
 * Looks at batches made or approved in the last window; once per batch and account. Details name
 * the batch, the roles and how many persons, never a person.
 *
 * @example
 *   await payeeCollusionScan(db, new Date()); // the pattern scan runs it every minute
 */
export async function payeeCollusionScan(
  db: Kysely<Database>,
  now: Date,
  windowMs: number = limits.payouts.payeeCollusionWindowMs,
): Promise<number> {
  const since = new Date(now.getTime() - windowMs);
  const found = await collusionQuery(since, now, windowMs).execute(db);
  let raised = 0;
  for (const pattern of found.rows) {
    const fresh = await alertOnce(db, 'payout_payee_collusion', pattern.operatorId, 'batchId', {
      batchId: pattern.batchId,
      persons: pattern.persons,
      batchRoles: [...pattern.batchRoles].sort(),
      payeeRoles: [...pattern.payeeRoles].sort(),
      windowHours: Math.round(windowMs / 3_600_000),
    });
    if (fresh) raised += 1;
  }
  return raised;
}

/**
 * Each (batch, staff account) where the account made or approved the batch in (since, now] and
 * set or approved, within `windowMs` of that, the payee account of a person the batch pays.
 */
function collusionQuery(since: Date, now: Date, windowMs: number) {
  const window = sql`(${windowMs}::bigint * interval '1 millisecond')`;
  return sql<PayeeCollusion>`
    with batch_staff as (
      select id as batch_id, created_by as operator_id, created_at as at, 'made' as role
        from payout_batch
       where created_by is not null and created_at > ${since} and created_at <= ${now}
      union all
      select id, approved_by, approved_at, 'approved'
        from payout_batch
       where approved_by is not null and approved_at > ${since} and approved_at <= ${now}
    ), payee_staff as (
      select person_id, set_by as operator_id, set_at as at, 'set' as role
        from payee_account where set_at > ${since}::timestamptz - ${window}
      union all
      select person_id, approved_by, set_at, 'approved'
        from payee_account
       where approved_by is not null and set_at > ${since}::timestamptz - ${window}
    )
    select b.batch_id as "batchId", b.operator_id as "operatorId",
           count(distinct i.person_id)::int as persons,
           array_agg(distinct b.role) as "batchRoles",
           array_agg(distinct p.role) as "payeeRoles"
      from batch_staff b
      join payout_instruction i on i.batch_id = b.batch_id
      join payee_staff p on p.person_id = i.person_id and p.operator_id = b.operator_id
       and p.at between b.at - ${window} and b.at + ${window}
     group by b.batch_id, b.operator_id`;
}

/**
 * `payee_account_takeover`, to auditors (payouts/README.md, "A payee account after a change of
 * phone"): a person's payee account was set within the phone-change window after a staff account
 * changed the phone on file (kept with the set: `payee_account.phone_changed_by`) — the two halves
 * of moving someone's payouts, whoever then typed the code texted to the new phone. Looks at sets
 * in the last `takeoverWindowMs`; once per operator and moment of the set. The alert names the
 * operator who changed the phone; details say who set the account (`payeeSetBy`: `same_operator`
 * or `other_operator`) and until when it is held, never the person.
 *
 * @example
 *   await payeeTakeoverScan(db, new Date(), { takeoverWindowMs: 7 * 86_400_000 });
 */
export async function payeeTakeoverScan(
  db: Kysely<Database>,
  now: Date,
  settings: Pick<PinGuardSettings, 'takeoverWindowMs'>,
): Promise<number> {
  const windowMs = settings.takeoverWindowMs;
  const sets = await db
    .selectFrom('payee_account')
    .select(['set_by', 'set_at', 'held_until', 'phone_changed_by'])
    .where('phone_changed_by', 'is not', null)
    .where('set_at', '>', new Date(now.getTime() - windowMs))
    .where('set_at', '<=', now)
    .execute();
  let raised = 0;
  for (const set of sets) {
    const operatorId = set.phone_changed_by;
    if (operatorId === null) continue;
    const fresh = await alertOnce(db, 'payee_account_takeover', operatorId, 'payeeSetAt', {
      payeeSetAt: set.set_at.toISOString(),
      alsoDid: ['phone_correction'],
      payeeSetBy: set.set_by === operatorId ? 'same_operator' : 'other_operator',
      heldUntil: set.held_until?.toISOString() ?? null,
      windowHours: Math.round(windowMs / 3_600_000),
    });
    if (fresh) raised += 1;
  }
  return raised;
}
