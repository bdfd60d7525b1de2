import { type Kysely, sql } from 'kysely';
import { limits } from '../../../limits.js';
import type { Database } from '../../../platform/db/schema.js';
import { localDate, type PersonNotifier } from '../../notifications/index.js';
import { notLifted } from './hold-reads.js';

/** What the lapse sweep needs: the database, the one notifier, and a clock. */
export interface HoldLapseSweepDependencies {
  db: Kysely<Database>;
  notifier: PersonNotifier;
  now?: () => Date;
}

/**
 * Texts the holder of every hold that lapsed by itself (docs/DISTRIBUTION.md, "Holds"), once per
 * hold. The lapse stays read at `now` (the entitlement is redeemable again at `lapses_at` however
 * late this runs); what this writes is only that the person was told. In one transaction per
 * batch, an `entitlement_hold_lapse_notice` row is inserted for each hold lapsed within
 * `holdLapseNoticeWithinDays`, not lifted and not noticed yet, and the text
 * `distribution.entitlement_hold_lapsed` is queued for exactly the rows that insert wrote: the
 * primary key keeps a second sweep (a restart, another server process) from writing the row, so
 * from texting, again. A hold lapsed longer ago than the window (before the server ran, or
 * before this sweep existed) is old news and gets no text. Resolves to the number of holds
 * noticed (a holder without a phone is noticed and sent nothing, as `notify` sends nothing).
 *
 * @example
 *   await holdLapseNotifier({ db, notifier }); // 1: one hold lapsed since the last pass
 */
export async function holdLapseNotifier(deps: HoldLapseSweepDependencies): Promise<number> {
  const { holdLapseNoticeWithinDays, holdLapseSweepBatchMax } = limits.distribution;
  const now = deps.now?.() ?? new Date();
  const since = new Date(now.getTime() - holdLapseNoticeWithinDays * 86_400_000);
  let noticed = 0;
  for (;;) {
    const batch = await deps.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('entitlement_hold_lapse_notice')
        .columns(['hold_id', 'noticed_at'])
        .expression((eb) =>
          eb
            .selectFrom('entitlement_hold as h')
            .select(['h.id', eb.val(now).as('noticed_at')])
            .where('h.lapses_at', '<=', now)
            .where('h.lapses_at', '>', since)
            .where(notLifted)
            .where(
              sql<boolean>`not exists (select 1 from entitlement_hold_lapse_notice n
                where n.hold_id = h.id)`,
            )
            .orderBy('h.lapses_at')
            .limit(holdLapseSweepBatchMax),
        )
        .onConflict((conflict) => conflict.column('hold_id').doNothing())
        .returning('hold_id')
        .execute();
      if (inserted.length === 0) return 0;
      const holds = await trx
        .selectFrom('entitlement_hold')
        .select(['person_id', 'lapses_at'])
        .where(
          'id',
          'in',
          inserted.map((row) => row.hold_id),
        )
        .execute();
      await queueLapseTexts(trx, deps.notifier, holds);
      return inserted.length;
    });
    noticed += batch;
    if (batch < holdLapseSweepBatchMax) return noticed;
  }
}

async function queueLapseTexts(
  trx: Kysely<Database>,
  notifier: PersonNotifier,
  holds: readonly { person_id: string; lapses_at: Date }[],
): Promise<void> {
  const notices = holds.map((hold) => ({
    personId: hold.person_id,
    notice: {
      event: 'entitlement_hold_lapsed' as const,
      date: localDate(new Date(hold.lapses_at)),
    },
  }));
  if (notifier.notifyEach !== undefined) {
    await notifier.notifyEach(trx, notices);
    return;
  }
  for (const each of notices) await notifier.notify(trx, each.personId, each.notice);
}

/**
 * The server's lapse sweep: a pass at start and then every `holdLapseSweepEveryMs` (tests pass
 * a shorter `tickMs`), one pass at a time in this process; two processes may pass at once, and
 * the notice rows keep each text single. A failed pass is logged without its message (it may
 * quote data) and retried at the next tick; nothing is lost, since the rows are written with
 * the texts or not at all.
 *
 * @example
 *   const stop = startHoldLapseSweep({ db, notifier }, app.log);
 *   app.addHook('onClose', async () => stop());
 */
export function startHoldLapseSweep(
  deps: HoldLapseSweepDependencies & { tickMs?: number },
  log: { error(details: object, message: string): void },
): () => Promise<void> {
  let running: Promise<void> | null = null;
  let stopped = false;
  const pass = () => {
    if (running !== null || stopped) return;
    running = holdLapseNotifier(deps)
      .then(() => undefined)
      .catch((error: unknown) =>
        log.error({ errorCode: codeOf(error) }, 'distribution: the hold lapse sweep failed'),
      )
      .finally(() => {
        running = null;
      });
  };
  // The first pass on the next turn, so the caller finishes starting first.
  const first = setTimeout(pass, 0);
  const timer = setInterval(pass, deps.tickMs ?? limits.distribution.holdLapseSweepEveryMs);
  first.unref();
  timer.unref();
  return async () => {
    stopped = true;
    clearTimeout(first);
    clearInterval(timer);
    await running;
  };
}

/** The error's code (SQLSTATE, an application code) or class name; never its message. */
function codeOf(error: unknown): string {
  const code =
    typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  if (/^[A-Za-z0-9_]{1,64}$/.test(code)) return code;
  return error instanceof Error && /^[A-Za-z0-9_]{1,64}$/.test(error.name) ? error.name : 'unknown';
}
