import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  AssistedListing,
  PointDetail,
  Reconciliation,
} from '../../../../src/shared/api/distribution.js';
import type { CycleSummary, ProgramDetail } from '../../../../src/shared/api/programs.js';
import { apiGet, apiSend } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { NoteForm } from '../../components/note-form.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { useOperator } from '../../session/use-session.js';
import { purposeQuery } from '../programs/program-api.js';
import { HoldsPanel, type HoldTarget } from './holds-panel.js';
import { CarryOverDisputesPanel } from './offline/carry-over-disputes-panel.js';
import { ConflictsPanel, DevicesPanel } from './offline/offline-review.js';
import { PointSelect, usePointChoice } from './point-choice.js';
import { NewPointForm, PointEditor } from './points-panel.js';

const purpose = 'purpose=distribution';

/**
 * The supervisor's screens for a distribution point (issue #15, points 1, 4 and 7): a new
 * point registered, the chosen one opened or closed with its programs and operators
 * (`points-panel.tsx`); the
 * redemptions made without the card on a day (who, why, which second check, passed or not, and
 * each operator's count against the daily bound — no person named), and the reconciliation per
 * cycle (entitled, redeemed, without the card, conflicts, hand-overs reversed when a conflict was
 * cleared for the later receipt and their stock, stock in and out, discrepancies), its
 * CSV, and the sign-off with whether the figures are still those signed; the offline conflicts
 * to clear and the point's devices (`offline/offline-review.tsx`); and the holds on entitlements
 * of the supervisor's states, placed from a receipt, a conflict or an id (`holds-panel.tsx`).
 */
export function SupervisionPage() {
  const { t } = useTranslation();
  const { points, list, pointId, choose } = usePointChoice();
  const [holdTarget, setHoldTarget] = useState<HoldTarget | null>(null);
  const holdFromConflict = (target: HoldTarget) => {
    setHoldTarget(target);
    document.getElementById('holds-title')?.scrollIntoView();
  };
  return (
    <section>
      <PageHeading>{t('supervision.title')}</PageHeading>
      {points.isPending ? <p aria-live="polite">{t('common.loading')}</p> : null}
      {points.error ? <ProblemNotice error={points.error} /> : null}
      {points.data && list.length === 0 ? <p>{t('supervision.noPoint')}</p> : null}
      <NewPointForm onCreated={choose} />
      {list.length > 0 ? <PointSelect list={list} pointId={pointId} onChoose={choose} /> : null}
      {pointId ? (
        <>
          <PointEditor key={`p-${pointId}`} pointId={pointId} />
          <AssistedList key={`a-${pointId}`} pointId={pointId} />
          <ReconciliationPanel key={`r-${pointId}`} pointId={pointId} />
          <ConflictsPanel key={`c-${pointId}`} pointId={pointId} onHold={holdFromConflict} />
          <CarryOverDisputesPanel key={`o-${pointId}`} pointId={pointId} />
          <DevicesPanel key={`d-${pointId}`} pointId={pointId} />
        </>
      ) : null}
      <HoldsPanel target={holdTarget} onTarget={setHoldTarget} />
    </section>
  );
}

function AssistedList({ pointId }: { pointId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [day, setDay] = useState(() => new Date().toISOString().slice(0, 10));
  const listing = useQuery({
    queryKey: ['distribution-assisted', pointId, day],
    queryFn: () =>
      apiGet<AssistedListing>(
        `/api/distribution/points/${pointId}/assisted-redemptions?${purpose}&day=${day}`,
      ),
    enabled: /^\d{4}-\d{2}-\d{2}$/.test(day),
  });
  const outcome = (row: AssistedListing['assisted'][number]) =>
    row.verifiedAt !== null ? 'passed' : row.failedAt !== null ? 'failed' : 'pending';
  return (
    <section aria-labelledby="assisted-title">
      <h2 id="assisted-title">{t('supervision.assisted.title')}</h2>
      <Field label={t('supervision.assisted.day')} hint={t('supervision.assisted.dayHint')}>
        {(control) => (
          <input
            {...control}
            type="date"
            value={day}
            onChange={(event) => setDay(event.target.value)}
          />
        )}
      </Field>
      {listing.error ? <ProblemNotice error={listing.error} /> : null}
      {listing.data ? (
        <>
          <p>{t('supervision.assisted.bound', { max: listing.data.perOperatorPerDayMax })}</p>
          {listing.data.assisted.length === 0 ? <p>{t('supervision.assisted.none')}</p> : null}
          <ul className="supervision-cards" data-testid="assisted-list">
            {listing.data.assisted.map((row) => (
              <li key={row.id}>
                <dl className="supervision-figures">
                  <dt>{t('supervision.assisted.started')}</dt>
                  <dd className="supervision-value">{format.dateTime(row.startedAt)}</dd>
                  <dt>{t('supervision.assisted.operator')}</dt>
                  <dd className="supervision-value">
                    <code>{row.operatorId.slice(0, 8)}</code>
                  </dd>
                  <dt>{t('pos.assisted.reason')}</dt>
                  <dd className="supervision-value">{t(`pos.assisted.reasons.${row.reason}`)}</dd>
                  <dt>{t('pos.assisted.method')}</dt>
                  <dd className="supervision-value">{t(`pos.assisted.methods.${row.method}`)}</dd>
                  <dt>{t('supervision.assisted.outcome')}</dt>
                  <dd className="supervision-value">
                    {t(`supervision.assisted.outcomes.${outcome(row)}`)}
                  </dd>
                  <dt>{t('supervision.assisted.wrongCodes')}</dt>
                  <dd className="supervision-value">{row.codeAttempts}</dd>
                  <dt>{t('supervision.assisted.redemptions')}</dt>
                  <dd className="supervision-value">{row.redemptions}</dd>
                </dl>
              </li>
            ))}
          </ul>
          {listing.data.byOperator.length > 0 ? (
            <>
              <h3>{t('supervision.assisted.byOperator')}</h3>
              <ul data-testid="assisted-by-operator">
                {listing.data.byOperator.map((row) => (
                  <li key={row.operatorId}>
                    {t('supervision.assisted.operatorCount', {
                      operator: row.operatorId.slice(0, 8),
                      used: row.count,
                      max: listing.data.perOperatorPerDayMax,
                    })}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

interface CycleChoice {
  cycleId: string;
  label: string;
}

/** The cycles of the programs the point serves, newest first, named by program and date. */
function useCycleChoices(pointId: string): {
  choices: CycleChoice[];
  error: unknown;
  pending: boolean;
} {
  const { i18n } = useTranslation();
  const language = i18n.language === 'en' ? 'en' : 'es';
  const me = useOperator();
  const roles = me?.roles ?? [];
  const query = useQuery({
    queryKey: ['distribution-cycle-choices', pointId],
    queryFn: async () => {
      const detail = await apiGet<PointDetail>(`/api/distribution/points/${pointId}?${purpose}`);
      return Promise.all(
        detail.programIds.map(async (programId) => {
          const [program, cycles] = await Promise.all([
            apiGet<ProgramDetail>(`/api/programs/${programId}${purposeQuery(roles)}`),
            apiGet<{ cycles: CycleSummary[] }>(
              `/api/programs/${programId}/cycles${purposeQuery(roles)}`,
            ),
          ]);
          return { name: program.program.name, cycles: cycles.cycles };
        }),
      );
    },
  });
  const choices = (query.data ?? []).flatMap((program) =>
    program.cycles
      .filter((cycle) => cycle.status !== 'computing' && cycle.status !== 'computed')
      .map((cycle) => ({
        cycleId: cycle.id,
        label: `${program.name[language]} · ${cycle.referenceDate}`,
      })),
  );
  return { choices, error: query.error, pending: query.isPending };
}

function ReconciliationPanel({ pointId }: { pointId: string }) {
  const { t } = useTranslation();
  const { choices, error, pending } = useCycleChoices(pointId);
  const [chosen, setChosen] = useState<string | null>(null);
  const cycleId = chosen ?? choices[0]?.cycleId ?? null;
  return (
    <section aria-labelledby="reconciliation-title">
      <h2 id="reconciliation-title">{t('supervision.reconciliation.title')}</h2>
      {pending ? <p aria-live="polite">{t('common.loading')}</p> : null}
      {error ? <ProblemNotice error={error} /> : null}
      {!pending && choices.length === 0 ? <p>{t('supervision.reconciliation.noCycle')}</p> : null}
      {choices.length > 0 ? (
        <Field label={t('supervision.reconciliation.cycle')}>
          {(control) => (
            <select
              {...control}
              value={cycleId ?? ''}
              onChange={(event) => setChosen(event.target.value)}
            >
              {choices.map((choice) => (
                <option key={choice.cycleId} value={choice.cycleId}>
                  {choice.label}
                </option>
              ))}
            </select>
          )}
        </Field>
      ) : null}
      {cycleId ? <Figures key={cycleId} pointId={pointId} cycleId={cycleId} /> : null}
    </section>
  );
}

function Figures({ pointId, cycleId }: { pointId: string; cycleId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const path = `/api/distribution/points/${pointId}/cycles/${cycleId}/reconciliation`;
  const report = useQuery({
    queryKey: ['distribution-reconciliation', pointId, cycleId],
    queryFn: () => apiGet<Reconciliation>(`${path}?${purpose}`),
  });
  if (report.isPending) return <p aria-live="polite">{t('common.loading')}</p>;
  if (report.error) return <ProblemNotice error={report.error} />;
  const { figures, signOffs, refusedReceipts } = report.data;
  const counts = [
    ['entitled', figures.entitled],
    ['entitledProgramWide', figures.entitledProgramWide],
    ['entitlementsRedeemed', figures.entitlementsRedeemed],
    ['redemptions', figures.redemptions],
    ['assisted', figures.assisted],
    ['conflicts', figures.conflicts],
    ['reversed', figures.reversed],
    ['refusedOffline', figures.refusedOffline ?? 0],
  ] as const;
  // The reversal figures appear once a conflict cleared for the later receipt reversed a hand-over.
  const reversalFigures = ['reversed', 'reversedStockOut', 'reversedReturned'] as const;
  const itemFigures = [
    'redeemed',
    'stockOutForRedemptions',
    'integrityGap',
    ...(figures.reversed > 0 ? reversalFigures : []),
    'delivered',
    'transferredIn',
    'transferredOut',
    'transferReturned',
    'transferShortfall',
    'inTransitOut',
    'inTransitIn',
    'adjusted',
    'onHand',
  ] as const;
  const { from, to } = figures.stockWindow;
  const windowText =
    from === null
      ? t('supervision.reconciliation.windowNotBegun')
      : to === null
        ? t('supervision.reconciliation.windowOpen', { from: format.dateTime(from) })
        : t('supervision.reconciliation.window', {
            from: format.dateTime(from),
            to: format.dateTime(to),
          });
  return (
    <div data-testid="reconciliation">
      <p data-testid="reconciliation-window">{windowText}</p>
      <dl className="supervision-figures">
        {counts.map(([name, value]) => (
          <div key={name}>
            <dt>{t(`supervision.reconciliation.counts.${name}`)}</dt>
            <dd className="supervision-value">{format.number(value)}</dd>
          </div>
        ))}
      </dl>
      <ul className="supervision-cards">
        {figures.items.map((line) => (
          <li
            key={line.item}
            data-item={line.item}
            className={
              line.integrityGap !== 0 || (line.count?.unexplained ?? 0) !== 0
                ? 'supervision-discrepancy'
                : ''
            }
          >
            <h3>{line.item}</h3>
            <dl className="supervision-figures">
              {itemFigures.map((name) => (
                <div key={name}>
                  <dt>{t(`supervision.reconciliation.items.${name}`)}</dt>
                  <dd className="supervision-value">{format.number(line[name])}</dd>
                </div>
              ))}
            </dl>
            {line.integrityGap !== 0 ? (
              <p role="alert">{t('supervision.reconciliation.discrepancyAlert')}</p>
            ) : null}
            <CountFigures count={line.count} />
          </li>
        ))}
      </ul>
      {refusedReceipts.length > 0 ? (
        <>
          <h3>{t('supervision.reconciliation.refusedTitle')}</h3>
          <ul className="supervision-cards" data-testid="reconciliation-refused">
            {refusedReceipts.map((each) => (
              <li key={each.receiptId}>
                {t('supervision.reconciliation.refusedLine', {
                  time: format.dateTime(each.deviceTime),
                  device: each.deviceLabel,
                  receipt: each.receiptId.slice(0, 8),
                  lines: each.lines.map((line) => `${line.item}: ${line.quantity}`).join(', '),
                })}{' '}
                — {t(`problem.${each.reason}`, { defaultValue: each.reason })}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <p>
        <a href={`${path}.csv?${purpose}`} download>
          {t('supervision.reconciliation.csv')}
        </a>
      </p>
      <h3>{t('supervision.reconciliation.signOffs')}</h3>
      {signOffs.length === 0 ? <p>{t('supervision.reconciliation.notSigned')}</p> : null}
      <ul data-testid="sign-offs">
        {signOffs.map((each) => (
          <li key={each.id}>
            {t('supervision.reconciliation.signedAt', { time: format.dateTime(each.signedAt) })}{' '}
            {each.current
              ? t('supervision.reconciliation.current')
              : each.earlierDefinition
                ? t('supervision.reconciliation.earlierDefinition')
                : t('supervision.reconciliation.changed')}
            {each.note ? ` — ${each.note}` : ''}
          </li>
        ))}
      </ul>
      <NoteForm
        label={t('supervision.reconciliation.note')}
        submit={t('supervision.reconciliation.sign')}
        send={(note) =>
          apiSend('POST', `${path}/sign-offs?${purpose}`, note === undefined ? {} : { note })
        }
        refresh={[['distribution-reconciliation', pointId, cycleId]]}
      />
    </div>
  );
}

const countFigureNames = [
  'expected',
  'counted',
  'discrepancy',
  'corrected',
  'unexplained',
] as const;

/** An item's latest physical count in the cycle beside the ledger, and what explains the gap. */
function CountFigures({ count }: { count: Reconciliation['figures']['items'][number]['count'] }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (count === undefined) return <p>{t('supervision.reconciliation.count.none')}</p>;
  return (
    <>
      <h4>
        {t('supervision.reconciliation.count.title', { time: format.dateTime(count.countedAt) })}
      </h4>
      <dl className="supervision-figures" data-testid="reconciliation-count">
        {countFigureNames.map((name) => (
          <div key={name}>
            <dt>{t(`supervision.reconciliation.count.${name}`)}</dt>
            <dd className="supervision-value">{format.number(count[name])}</dd>
          </div>
        ))}
      </dl>
      {count.unexplained !== 0 ? (
        <p role="alert">{t('supervision.reconciliation.countAlert')}</p>
      ) : null}
    </>
  );
}
