import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { AccessHistoryEntry } from '../../api/types.js';
import { divisionName } from '../../geography/divisions.js';
import { type Formatters, useFormat } from '../../i18n/format.js';
import {
  type AccessGroup,
  distinctActions,
  type GroupVerdict,
  groupAccessHistory,
  groupVerdict,
  offlineListText,
} from './history-groups.js';
import type { LineVerdict } from './verify-history.js';

/**
 * The access history as days and who looked, each a disclosure that opens to its lines; each
 * line keeps its own verdict badge from the browser's check. A group with a line that failed
 * its check opens by itself, so the warning is never hidden behind a summary.
 */
export function HistoryGroupList(props: {
  entries: readonly AccessHistoryEntry[];
  verdicts: ReadonlyMap<number, LineVerdict> | undefined;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const groups = groupAccessHistory(props.entries, format.dayKey);
  const verdictOf = (leafIndex: number) => props.verdicts?.get(leafIndex);
  return (
    <ol className="history" data-testid="access-history">
      {groups.map((group) => {
        const verdict = groupVerdict(group, verdictOf);
        return (
          <li key={group.key} className="history-group" data-testid="history-group">
            <details open={verdict === 'failed' || undefined}>
              <summary>
                <span className="history-day">{format.day(group.entries[0]?.time ?? '')}</span>{' '}
                <span className="history-who">{whoText(group.who, t)}</span>{' '}
                <span className="history-count">
                  {t('history.count', { count: group.entries.length })}:{' '}
                  {distinctActions(group)
                    .map((action) => actionPhrase(action, t))
                    .join('; ')}
                </span>{' '}
                <GroupBadge verdict={verdict} />
              </summary>
              <ol className="history-lines">
                {group.entries.map((entry) => (
                  <li key={entry.leafIndex} className="history-line">
                    <p>{lineText(entry, t, format)}</p>
                    <VerdictBadge verdict={verdictOf(entry.leafIndex)} />
                  </li>
                ))}
              </ol>
            </details>
          </li>
        );
      })}
    </ol>
  );
}

function GroupBadge({ verdict }: { verdict: GroupVerdict }) {
  const { t } = useTranslation();
  if (verdict === 'pending')
    return <span className="badge badge-pending">{t('history.checking')}</span>;
  if (verdict === 'ok')
    return (
      <span className="badge badge-ok" data-group-verified="true">
        <span aria-hidden="true">✓ </span>
        {t('history.allVerified')}
      </span>
    );
  return (
    <span className="badge badge-bad" data-group-verified="false">
      <span aria-hidden="true">⚠ </span>
      {t('history.someFailed')}
    </span>
  );
}

export function VerdictBadge({ verdict }: { verdict: LineVerdict | undefined }) {
  const { t } = useTranslation();
  if (verdict === undefined) {
    return <span className="badge badge-pending">{t('history.checking')}</span>;
  }
  if (verdict.ok) {
    return (
      <span className="badge badge-ok" data-verified="true">
        <span aria-hidden="true">✓ </span>
        {t('history.verified')}
      </span>
    );
  }
  return (
    <span className="badge badge-bad" role="alert" data-verified="false">
      <span aria-hidden="true">⚠ </span>
      {t(`history.failed.${verdict.reason}`)}
    </span>
  );
}

/** "Someone from the enrolment staff in Distrito Capital", "You", "The system". */
export function whoText(who: AccessGroup['who'], t: TFunction): string {
  const name =
    who.actorKind === 'citizen'
      ? t('history.who.citizen')
      : who.actorKind === 'system'
        ? t('history.who.system')
        : t('history.who.operator', {
            role: t(`role.${who.role ?? 'unknown'}`, { defaultValue: who.role ?? '' }),
          });
  return name + (who.region ? t('history.where', { region: divisionName(who.region) }) : '');
}

function actionPhrase(action: string, t: TFunction): string {
  return t(`history.action.${action}`, {
    defaultValue: t('history.action.other', {
      action: t(`action.${action}`, { defaultValue: action }),
    }),
  });
}

/**
 * One access in the group: its time, what was done and why, e.g. "17:32 — Looked at your
 * record, to enrol or update a person." A refused one names what was tried, without the
 * awkward "you tried: signed in…". An offline list that held the person names its point and the
 * snapshot's date ("included in the offline list of point X (snapshot of DATE)").
 */
export function lineText(entry: AccessHistoryEntry, t: TFunction, format: Formatters): string {
  const why = entry.purpose
    ? t('history.why', { purpose: t(`purpose.describe.${entry.purpose}`) })
    : '';
  const time = format.time(entry.time);
  if (entry.offlineList !== undefined) return offlineListText(entry.offlineList, time, t, format);
  if (entry.outcome === 'denied') {
    const what = lowerFirst(t(`action.${entry.action}`, { defaultValue: entry.action }));
    return t('history.deniedLine', { time, what, why });
  }
  return t('history.line', { time, what: upperFirst(actionPhrase(entry.action, t)), why });
}

function upperFirst(text: string): string {
  return text.charAt(0).toLocaleUpperCase() + text.slice(1);
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLocaleLowerCase() + text.slice(1);
}
