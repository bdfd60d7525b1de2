import { type Kysely, sql } from 'kysely';
import { limits } from '../../limits.js';
import type { Database } from '../../platform/db/schema.js';
import type { Actor, Purpose } from '../../shared/access/actor.js';
import type { AccessGuard } from '../../shared/access/guard-port.js';
import { type Action, authorize } from '../../shared/access/policy.js';
import { shownText } from './message-history.js';
import { localDate } from './notice-values.js';

/** One day × provider of the dashboard: what happened to the messages queued that day. */
export interface DeliveryDay {
  /** Calendar day in Caracas, YYYY-MM-DD. */
  day: string;
  /** The provider that took the messages; `none` for messages never handed to one. */
  provider: string;
  /** Handed to the provider (sent, delivered, or failed after it took them). */
  sent: number;
  delivered: number;
  failed: number;
  expired: number;
  /** Still queued or being sent. */
  waiting: number;
}

export interface FailedMessage {
  id: string;
  queuedAt: string;
  failedAt: string | null;
  provider: string | null;
  templateId: string;
  regionCode: string;
  failureReason: string | null;
  /** The words (codes as dots) where the operator holds `notification.content`; else null. */
  text: string | null;
}

export interface DeliveryDashboard {
  from: string;
  to: string;
  days: DeliveryDay[];
  failed: FailedMessage[];
}

export interface DashboardProps {
  actor: Actor | null;
  purpose: Purpose | null;
  requestId: string;
  days: number;
  now: Date;
}

/**
 * The operators' delivery dashboard (issue 14, point 7): counts by Caracas day and provider of
 * the messages queued in the last `days` days for persons of the regions where the operator
 * holds `notification.dashboard`, and the latest failed ones: which template, when, why, never
 * the phone, the words only in the regions where they also hold `notification.content`. Goes
 * through the person-access guard (refused: 403, audited) and is audited as allowed.
 *
 * @example
 *   const view = await deliveryDashboard({ db, guard }, { actor, purpose: 'audit', requestId, days: 14, now });
 */
export async function deliveryDashboard(
  deps: { db: Kysely<Database>; guard: AccessGuard },
  props: DashboardProps,
): Promise<DeliveryDashboard> {
  const held = props.actor?.kind === 'operator' ? props.actor.regions : [];
  const grant = await deps.guard({
    actor: props.actor,
    action: 'notification.dashboard',
    resource: { type: 'person', id: null },
    regionCode: held[0] ?? null,
    personId: null,
    exists: true,
    purpose: props.purpose,
    requestId: props.requestId,
    countsAsPersonRead: false,
  });
  const where = (action: Action) =>
    props.actor === null
      ? []
      : held.filter(
          (regionCode) =>
            authorize(props.actor as Actor, action, { regionCode, personId: null }, props.purpose)
              .allowed,
        );
  const regions = where('notification.dashboard');
  const contentRegions = new Set(where('notification.content'));
  const to = localDate(props.now);
  const since = new Date(props.now.getTime() - (props.days - 1) * 24 * 60 * 60_000);
  const from = localDate(since);
  const days = await countByDay(deps.db, regions, from);
  const failed = await latestFailed(deps.db, regions, from);
  await grant.record(contentRegions.size > 0 && failed.length > 0 ? ['messages'] : []);
  return {
    from,
    to,
    days,
    failed: failed.map((row) => ({
      id: row.id,
      queuedAt: row.created_at.toISOString(),
      failedAt: row.failed_at?.toISOString() ?? null,
      provider: row.provider,
      templateId: row.template_id,
      regionCode: row.region_code ?? '',
      failureReason: row.failure_reason,
      text:
        row.region_code !== null && contentRegions.has(row.region_code)
          ? shownText(row.template_id, row.language, row.parameters)
          : null,
    })),
  };
}

const zone = limits.notifications.quietHours.timeZone;

/**
 * The Caracas calendar day of `created_at`, in SQL (the same on PostgreSQL and PGlite). The zone
 * is a literal (a constant of limits.ts, not input): a parameter would make the selected and the
 * grouped expression differ in PostgreSQL's eyes.
 */
const dayOf = sql<string>`to_char(created_at at time zone ${sql.lit(zone)}, 'YYYY-MM-DD')`;

async function countByDay(
  db: Kysely<Database>,
  regions: readonly string[],
  from: string,
): Promise<DeliveryDay[]> {
  if (regions.length === 0) return [];
  const count = (condition: ReturnType<typeof sql<boolean>>) =>
    sql<string>`count(*) filter (where ${condition})`;
  const rows = await db
    .selectFrom('notification_outbox')
    .select([
      dayOf.as('day'),
      sql<string>`coalesce(provider, 'none')`.as('provider'),
      count(sql<boolean>`sent_at is not null`).as('sent'),
      count(sql<boolean>`status = 'delivered'`).as('delivered'),
      count(sql<boolean>`status = 'failed'`).as('failed'),
      count(sql<boolean>`status = 'expired'`).as('expired'),
      count(sql<boolean>`status in ('queued', 'sending')`).as('waiting'),
    ])
    .where('region_code', 'in', [...regions])
    .where(dayOf, '>=', from)
    .groupBy([dayOf, sql`coalesce(provider, 'none')`])
    .orderBy('day', 'desc')
    .orderBy('provider')
    .execute();
  return rows.map((row) => ({
    day: row.day,
    provider: row.provider,
    sent: Number(row.sent),
    delivered: Number(row.delivered),
    failed: Number(row.failed),
    expired: Number(row.expired),
    waiting: Number(row.waiting),
  }));
}

async function latestFailed(db: Kysely<Database>, regions: readonly string[], from: string) {
  if (regions.length === 0) return [];
  return db
    .selectFrom('notification_outbox')
    .select([
      'id',
      'created_at',
      'failed_at',
      'provider',
      'template_id',
      'region_code',
      'failure_reason',
      'language',
      'parameters',
    ])
    .where('region_code', 'in', [...regions])
    .where('status', '=', 'failed')
    .where(dayOf, '>=', from)
    .orderBy('created_at', 'desc')
    .limit(limits.notifications.dashboardFailedMax)
    .execute();
}
