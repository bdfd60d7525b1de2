import type { TFunction } from 'i18next';
import type { AccessHistoryEntry } from '../../api/types.js';
import type { Formatters } from '../../i18n/format.js';

/**
 * A person's access history folded for reading: one group per day and per "who" (the kind of
 * actor, their role and their region — all a person is shown of who looked), so a sign-in's
 * four entries read as one line that opens to show them. Only the presentation changes: every
 * entry stays in its group, in the server's order, and is still checked on its own.
 *
 * @example
 *   groupAccessHistory(entries, (time) => time.slice(0, 10));
 *   // [{ day: '2026-11-23', who: { actorKind: 'citizen', … }, entries: [4 entries] }, …]
 */
export interface AccessGroup {
  /** Stable React key: the day and the who. */
  key: string;
  day: string;
  who: Pick<AccessHistoryEntry, 'actorKind' | 'role' | 'region'>;
  entries: AccessHistoryEntry[];
}

export function groupAccessHistory(
  entries: readonly AccessHistoryEntry[],
  dayOf: (time: string) => string,
): AccessGroup[] {
  const groups = new Map<string, AccessGroup>();
  for (const entry of entries) {
    const day = dayOf(entry.time);
    // The person themself and the system are one "who" each, whatever role or region their
    // entries carry; staff are told apart by role and region, all the person is shown of them.
    const operator = entry.actorKind === 'operator';
    const role = operator ? entry.role : null;
    const region = operator ? entry.region : null;
    const key = [day, entry.actorKind, role ?? '', region ?? ''].join('|');
    let group = groups.get(key);
    if (!group) {
      const who = { actorKind: entry.actorKind, role, region };
      group = { key, day, who, entries: [] };
      groups.set(key, group);
    }
    group.entries.push(entry);
  }
  // A Map keeps insertion order: groups come in the order of their newest entry.
  return [...groups.values()];
}

/** A group's verdict from its lines' verdicts: any failure wins, then any still unchecked. */
export type GroupVerdict = 'ok' | 'failed' | 'pending';

export function groupVerdict(
  group: AccessGroup,
  verdictOf: (leafIndex: number) => { ok: boolean } | undefined,
): GroupVerdict {
  let pending = false;
  for (const entry of group.entries) {
    const verdict = verdictOf(entry.leafIndex);
    if (verdict === undefined) pending = true;
    else if (!verdict.ok) return 'failed';
  }
  return pending ? 'pending' : 'ok';
}

/**
 * The distinct actions of a group, in order of first appearance, for its one-line summary. An
 * offline list that held the person is its own kind (`distribution.offline_list`), not the
 * snapshot entry's generic action.
 */
export function distinctActions(group: AccessGroup): string[] {
  return [
    ...new Set(
      group.entries.map((entry) =>
        entry.offlineList === undefined ? entry.action : 'distribution.offline_list',
      ),
    ),
  ];
}

/**
 * An offline list's line: not an access to the record, but a point's device that took the
 * person offline in a snapshot — "included in the offline list of point X (snapshot of DATE)".
 *
 * @example
 *   offlineListText(entry.offlineList, '09:30', t, format);
 *   // '09:30 — Included in the offline list of point Kiosco Catia (snapshot of 12/3/2026).'
 */
export function offlineListText(
  list: NonNullable<AccessHistoryEntry['offlineList']>,
  time: string,
  t: TFunction,
  format: Pick<Formatters, 'date'>,
): string {
  return t('history.offlineListLine', {
    time,
    point: list.pointName,
    date: format.date(list.snapshotIssuedAt),
  });
}
