import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import type { CycleView, RoundDiffView } from '../../../../src/shared/api/programs.js';
import { apiGet, apiSend } from '../../api/client.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { divisionName } from '../../geography/divisions.js';
import { useFormat } from '../../i18n/format.js';
import { may } from '../../session/permissions.js';
import { useOperator } from '../../session/use-session.js';
import { purposeQuery, writePurpose } from './program-api.js';
import { moneyText } from './program-words.js';

/** How often the page asks for a computing cycle's progress. */
const progressPollMs = 700;

/**
 * A cycle for the staff (issue #13, point 10): the computation's progress (polled while it
 * runs), counts and totals by state, the budget with its figures, what changed against the
 * previous round and the previous cycle (in and out, by state), the approvals given and
 * needed; and the steps the operator's roles allow: approve, publish, close, recompute.
 */
export function CyclePage() {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'en' ? 'en' : 'es';
  const { cycleId = '' } = useParams();
  const roles = useOperator()?.roles ?? [];
  const cycle = useQuery({
    queryKey: ['cycle', cycleId],
    queryFn: () => apiGet<CycleView>(`/api/program-cycles/${cycleId}${purposeQuery(roles)}`),
    // Polled while the computation runs, and after approval while the entitlements are written.
    refetchInterval: (query) => {
      const data = query.state.data;
      const granting = data?.cycle.status === 'approved' && data.grant.finishedAt === null;
      return data?.cycle.status === 'computing' || granting ? progressPollMs : false;
    },
  });
  if (cycle.isPending) return <p aria-live="polite">{t('common.loading')}</p>;
  if (cycle.error) return <ProblemNotice error={cycle.error} />;
  const view = cycle.data;
  return (
    <section>
      <PageHeading>
        {t('programs.cycleTitle', {
          name: view.program.name[language],
          date: view.cycle.referenceDate,
        })}
      </PageHeading>
      <p>
        <Link to={`/programs/manage/${view.program.id}`}>{view.program.code}</Link> ·{' '}
        {t('programs.versionN', { version: view.cycle.version })} ·{' '}
        <strong data-testid="cycle-status">{t(`programs.cycleStatus.${view.cycle.status}`)}</strong>{' '}
        · {t('programs.round', { round: view.cycle.round })}
      </p>
      <Progress view={view} />
      {view.cycle.status === 'computing' ? null : (
        <>
          <Summary view={view} />
          <Budget view={view} />
          <Diff title={t('programs.diffPreviousCycle')} diff={view.diffPreviousCycle} />
          {view.cycle.round > 1 ? (
            <Diff title={t('programs.diffPreviousRound')} diff={view.diffPreviousRound} />
          ) : null}
          <Approvals view={view} />
          <Grant view={view} />
          <Steps
            view={view}
            canApprove={may(roles, 'cycle.approve')}
            canManage={may(roles, 'program.manage')}
          />
        </>
      )}
    </section>
  );
}

function Progress({ view }: { view: CycleView }) {
  const { t } = useTranslation();
  const { chunksDone, chunksTotal } = view.progress;
  return (
    <div className="cycle-progress">
      <label htmlFor="cycle-progress">
        {t('programs.progress', { done: chunksDone, total: chunksTotal })}
      </label>
      <progress id="cycle-progress" max={chunksTotal} value={chunksDone} />
    </div>
  );
}

/** The entitlements written after approval: progress, then who got none and why (counts). */
function Grant({ view }: { view: CycleView }) {
  const { t } = useTranslation();
  const { grant, cycle } = view;
  const started = grant.chunksDone > 0 || cycle.status === 'approved';
  if (!started || cycle.status === 'computed') return null;
  const skipped = grant.skipped.death + grant.skipped.merge + grant.skipped.erasure;
  return (
    <div className="cycle-progress" data-testid="cycle-grant">
      <label htmlFor="cycle-grant-progress">
        {t('programs.grantProgress', { done: grant.chunksDone, total: grant.chunksTotal })}
      </label>
      <progress id="cycle-grant-progress" max={grant.chunksTotal} value={grant.chunksDone} />
      {grant.finishedAt === null ? null : <p>{t('programs.grantDone')}</p>}
      {skipped === 0 ? null : (
        <p data-testid="grant-skipped">{t('programs.grantSkipped', grant.skipped)}</p>
      )}
    </div>
  );
}

function Summary({ view }: { view: CycleView }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const money = view.program.kind === 'cash' || view.program.kind === 'voucher';
  const total = (minor: string) =>
    money ? moneyText(minor, view.program.currency, i18n.language) : '—';
  return (
    // At phone width large amounts make the table scroll sideways; the region takes focus so
    // a keyboard can scroll it.
    // biome-ignore lint/a11y/noNoninteractiveTabindex: axe's scrollable-region-focusable asks for it
    <section className="table-scroll" tabIndex={0} aria-label={t('programs.summaryCaption')}>
      <table data-testid="cycle-summary">
        <caption>{t('programs.summaryCaption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('programs.state')}</th>
            <th scope="col">{t('programs.eligible')}</th>
            <th scope="col">{t('programs.totalAmount')}</th>
          </tr>
        </thead>
        <tbody>
          {view.summary.byState.map((state) => (
            <tr key={state.regionCode}>
              <th scope="row">{divisionName(state.regionCode)}</th>
              <td>{format.number(Number(state.eligible))}</td>
              <td>{total(state.totalMinor)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{t('programs.total')}</th>
            <td>{format.number(Number(view.summary.eligible))}</td>
            <td>{total(view.summary.totalMinor)}</td>
          </tr>
        </tfoot>
      </table>
    </section>
  );
}

function Budget({ view }: { view: CycleView }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const { budget } = view;
  const figure = (value: string) =>
    budget.measuredIn === 'minor_units'
      ? moneyText(value, view.program.currency, i18n.language)
      : t('programs.benefitsCount', { figure: format.number(Number(value)) });
  const text = t('programs.budgetLine', { cost: figure(budget.cost), cap: figure(budget.cap) });
  return budget.exceeded ? (
    <div className="notice notice-error" data-testid="budget" role="status">
      <p>{t('programs.budgetExceeded')}</p>
      <p>{text}</p>
    </div>
  ) : (
    <p data-testid="budget">{text}</p>
  );
}

function Diff({ title, diff }: { title: string; diff: RoundDiffView | null }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (diff === null) {
    return (
      <>
        <h2>{title}</h2>
        <p>{t('programs.noPrevious')}</p>
      </>
    );
  }
  const states = [...new Set([...diff.entered, ...diff.left].map((row) => row.regionCode))].sort();
  const count = (rows: RoundDiffView['entered'], state: string) =>
    format.number(Number(rows.find((row) => row.regionCode === state)?.count ?? 0));
  return (
    <div className="table-scroll" data-testid="cycle-diff">
      <table>
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">{t('programs.state')}</th>
            <th scope="col">{t('programs.entered')}</th>
            <th scope="col">{t('programs.left')}</th>
          </tr>
        </thead>
        <tbody>
          {states.length === 0 ? (
            <tr>
              <td colSpan={3}>{t('programs.noChange')}</td>
            </tr>
          ) : null}
          {states.map((state) => (
            <tr key={state}>
              <th scope="row">{divisionName(state)}</th>
              <td>{count(diff.entered, state)}</td>
              <td>{count(diff.left, state)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Approvals({ view }: { view: CycleView }) {
  const { t } = useTranslation();
  const format = useFormat();
  const { required, given } = view.approvals;
  return (
    <>
      <h2>{t('programs.approvals')}</h2>
      <p data-testid="approvals">
        {t('programs.approvalsLine', { given: given.length, required })}
      </p>
      <ul>
        {given.map((approval) => (
          <li key={approval.approvedAt}>
            {t('programs.approvedAt', { date: format.dateTime(approval.approvedAt) })}
          </li>
        ))}
      </ul>
    </>
  );
}

function Steps(props: { view: CycleView; canApprove: boolean; canManage: boolean }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const { cycle } = props.view;
  const step = useMutation({
    mutationFn: (verb: 'approvals' | 'publish' | 'close' | 'recompute') =>
      apiSend<CycleView>('POST', `/api/program-cycles/${cycle.id}/${verb}${writePurpose}`, {}),
    onSuccess: ({ body }) => client.setQueryData(['cycle', cycle.id], body),
  });
  const offered: Array<{ verb: 'approvals' | 'publish' | 'close' | 'recompute'; label: string }> =
    [];
  // Two persons: whoever created the cycle, or approved this round already, is not offered it
  // (the server refuses them too).
  const mayApprove = props.canApprove && props.view.approvals.byViewerAllowed;
  if (cycle.status === 'computed' && mayApprove)
    offered.push({ verb: 'approvals', label: t('programs.approve') });
  if (cycle.status === 'computed' && props.canManage)
    offered.push({ verb: 'recompute', label: t('programs.recompute') });
  if (cycle.status === 'approved' && props.canManage)
    offered.push({ verb: 'publish', label: t('programs.publishCycle') });
  if (['computed', 'approved', 'published'].includes(cycle.status) && props.canManage)
    offered.push({ verb: 'close', label: t('programs.closeCycle') });
  return (
    <div className="button-row">
      {cycle.status === 'computed' && props.canApprove && !mayApprove ? (
        <p data-testid="approval-by-another">{t('programs.approvalByAnother')}</p>
      ) : null}
      {offered.map(({ verb, label }) => (
        <button
          key={verb}
          type="button"
          onClick={() => step.mutate(verb)}
          disabled={step.isPending}
        >
          {label}
        </button>
      ))}
      {step.isPending ? <p aria-live="polite">{t('common.wait')}</p> : null}
      {step.error ? <ProblemNotice error={step.error} /> : null}
    </div>
  );
}
