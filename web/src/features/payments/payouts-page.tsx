import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { apiGet, apiSend } from '../../api/client.js';
import { ConfirmStep } from '../../components/confirm-step.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { may, purposesFor } from '../../session/permissions.js';
import { useOperator } from '../../session/use-session.js';
import { BankFilePanel } from './bank-file-panel.js';
import { moneyText } from './money.js';
import type { BatchPayment, PayoutBatch } from './money-api.js';
import { PayoutApproval } from './payout-approval.js';
import { PayoutCreatePanel } from './payout-create.js';
import { PayoutExclusions } from './payout-exclusions.js';
import { PayoutReturnsPanel } from './payout-returns-panel.js';

/**
 * Bank payouts for the finance officer and the auditor (issue #16): the payout batches with
 * their program, cycles, status, counts and totals; a batch's payments and their status; its
 * pain.001 file to download once a second finance officer approved it (confirming each new
 * payee account: `payout-approval.tsx`); cancelling a batch not yet sent (one interrupted while being
 * made); the bank's answers uploaded with what they did; the suspense report. Figures and
 * end-to-end ids only: no creditor is shown here (the file itself is the audited read).
 */
export function PayoutsPage() {
  const { t } = useTranslation();
  const roles = useOperator()?.roles ?? [];
  const purpose = roles.includes('finance_officer') ? 'distribution' : 'audit';
  const readable = purposesFor(roles, 'payout.read').some((each) => each === purpose);
  const [openId, setOpenId] = useState<string | null>(null);
  return (
    <section>
      <PageHeading>{t('payouts.title')}</PageHeading>
      <p>{t('payouts.lead')}</p>
      <p>
        <Link to="/money">{t('payouts.back')}</Link>
      </p>
      {may(roles, 'payout.manage') ? <PayoutCreatePanel purpose={purpose} /> : null}
      {readable ? (
        <BatchesPanel
          purpose={purpose}
          canManage={may(roles, 'payout.manage')}
          canApprove={may(roles, 'payout.approve')}
          openId={openId}
          onOpen={setOpenId}
        />
      ) : null}
      {may(roles, 'payout.reconcile') ? <BankFilePanel purpose={purpose} /> : null}
      {readable ? (
        <PayoutReturnsPanel
          purpose={purpose}
          canConfirm={may(roles, 'payout.return_confirm')}
          canReject={may(roles, 'payout.return_reject')}
        />
      ) : null}
      {readable ? (
        <section aria-labelledby="payouts-suspense-title">
          <h2 id="payouts-suspense-title">{t('payouts.suspense.title')}</h2>
          <p>{t('payouts.suspense.explain')}</p>
          <p>
            <a href={`/api/payouts/suspense.csv?purpose=${purpose}`} download>
              {t('payouts.suspense.download')}
            </a>
          </p>
        </section>
      ) : null}
    </section>
  );
}

function BatchesPanel(props: {
  purpose: string;
  canManage: boolean;
  canApprove: boolean;
  openId: string | null;
  onOpen: (id: string | null) => void;
}) {
  const { t } = useTranslation();
  const batches = useQuery({
    queryKey: ['payout-batches'],
    queryFn: () =>
      apiGet<{ batches: PayoutBatch[] }>(`/api/payouts/batches?purpose=${props.purpose}`),
  });
  const list = batches.data?.batches ?? [];
  return (
    <section aria-labelledby="payouts-batches-title">
      <h2 id="payouts-batches-title">{t('payouts.batches.title')}</h2>
      <button type="button" onClick={() => batches.refetch()}>
        {t('payouts.batches.refresh')}
      </button>
      {batches.error ? <ProblemNotice error={batches.error} /> : null}
      {batches.data && list.length === 0 ? <p>{t('payouts.batches.none')}</p> : null}
      <ul className="supervision-cards" data-testid="payout-batches">
        {list.map((batch) => (
          <li key={batch.id} data-batch={batch.messageId}>
            <BatchCard batch={batch} />
            <button
              type="button"
              aria-expanded={props.openId === batch.id}
              onClick={() => props.onOpen(props.openId === batch.id ? null : batch.id)}
            >
              {t(props.openId === batch.id ? 'payouts.batches.close' : 'payouts.batches.open', {
                file: batch.messageId,
              })}
            </button>
            {props.openId === batch.id ? (
              <BatchDetail
                batch={batch}
                purpose={props.purpose}
                canManage={props.canManage}
                canApprove={props.canApprove}
              />
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

function BatchCard({ batch }: { batch: PayoutBatch }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const language = i18n.language === 'en' ? 'en' : 'es';
  const money = (minor: string) => moneyText(minor, batch.currency, language);
  return (
    <>
      <h3>{batch.programName?.[language] ?? batch.programId}</h3>
      <dl className="supervision-figures">
        <Figure label={t('payouts.batches.file')}>{batch.messageId}</Figure>
        <Figure label={t('payouts.batches.status')} testId="batch-status">
          {t(`payouts.batchStatuses.${batch.status}`)}
          {batch.sentAt === null ? '' : `, ${t('payouts.batches.sent')}`}
        </Figure>
        <Figure label={t('payouts.batches.cycles')} wrap>
          {batch.cycleIds.length === 0 ? '—' : batch.cycleIds.join(', ')}
        </Figure>
        <Figure label={t('payouts.batches.createdAt')}>{format.dateTime(batch.createdAt)}</Figure>
        <Figure label={t('payouts.batches.executionDate')}>{batch.requestedExecutionDate}</Figure>
        <Figure label={t('payouts.batches.total')}>
          {t('payouts.batches.count', { count: batch.paymentsCount })},{' '}
          {money(batch.amountTotalMinor)}
        </Figure>
        {batch.excludedCount > 0 ? (
          <Figure label={t('payouts.batches.excludedLabel')} testId="batch-excluded">
            {t('payouts.batches.excluded', { count: batch.excludedCount })}
          </Figure>
        ) : null}
        {batch.byStatus.map((group) => (
          <Figure
            key={group.status}
            label={t(`money.flagged.statuses.${group.status}`)}
            testId={`batch-${group.status}`}
          >
            {group.count} ({money(group.amountMinor)})
          </Figure>
        ))}
      </dl>
    </>
  );
}

/** One figure of a batch: its name and value, grouped so the list stays a valid `dl`. */
function Figure(props: { label: string; testId?: string; wrap?: boolean; children: ReactNode }) {
  return (
    <div>
      <dt>{props.label}</dt>
      <dd
        className={props.wrap ? 'supervision-value payout-ids' : 'supervision-value'}
        data-testid={props.testId}
      >
        {props.children}
      </dd>
    </div>
  );
}

function BatchDetail(props: {
  batch: PayoutBatch;
  purpose: string;
  canManage: boolean;
  canApprove: boolean;
}) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [afterSeq, setAfterSeq] = useState(-1);
  const { batch, purpose } = props;
  const payments = useQuery({
    queryKey: ['payout-batch-payments', batch.id, afterSeq],
    queryFn: () =>
      apiGet<{ payments: BatchPayment[]; nextAfterSeq: number | null }>(
        `/api/payouts/batches/${batch.id}/payments?purpose=${purpose}&afterSeq=${afterSeq}`,
      ),
  });
  const cancel = useMutation({
    mutationFn: () =>
      apiSend('POST', `/api/payouts/batches/${batch.id}/cancellation?purpose=${purpose}`),
    onSuccess: () => setConfirming(false),
    onSettled: () => {
      client.invalidateQueries({ queryKey: ['payout-batches'] });
      client.invalidateQueries({ queryKey: ['payout-batch-payments', batch.id] });
    },
  });
  const resume = useMutation({
    mutationFn: () =>
      apiSend('POST', `/api/payouts/batches/${batch.id}/resumption?purpose=${purpose}`),
    onSettled: () => client.invalidateQueries({ queryKey: ['payout-batches'] }),
  });
  const language = i18n.language === 'en' ? 'en' : 'es';
  const cancellable = props.canManage && batch.sentAt === null && batch.status !== 'cancelled';
  return (
    <div className="stack" data-testid="batch-detail">
      {props.canManage && batch.status === 'ready' && batch.approvedAt !== null ? (
        <>
          <p>
            <a href={`/api/payouts/batches/${batch.id}/pain.001.xml?purpose=${purpose}`} download>
              {t('payouts.detail.download', { file: batch.messageId })}
            </a>
          </p>
          <p>{t('payouts.detail.downloadNote')}</p>
        </>
      ) : null}
      {batch.status === 'ready' && batch.approvedAt === null ? (
        <p data-testid="batch-awaiting-approval">{t('payouts.detail.awaitingApproval')}</p>
      ) : null}
      {props.canApprove && batch.status === 'ready' && batch.approvedAt === null ? (
        <PayoutApproval batch={batch} purpose={purpose} />
      ) : null}
      {batch.status === 'preparing' ? <p>{t('payouts.detail.preparing')}</p> : null}
      {props.canManage && batch.resumable ? (
        <button type="button" disabled={resume.isPending} onClick={() => resume.mutate()}>
          {t('payouts.detail.resume')}
        </button>
      ) : null}
      {resume.error ? <ProblemNotice error={resume.error} /> : null}
      {cancellable && !confirming ? (
        <button type="button" onClick={() => setConfirming(true)}>
          {t('payouts.detail.cancel')}
        </button>
      ) : null}
      {cancellable && confirming ? (
        <ConfirmStep
          question={t('payouts.detail.cancelQuestion', {
            count: batch.paymentsCount,
            file: batch.messageId,
          })}
          confirmLabel={t('payouts.detail.cancelConfirm')}
          pending={cancel.isPending}
          onConfirm={() => cancel.mutate()}
          onCancel={() => setConfirming(false)}
        />
      ) : null}
      {cancel.error ? <ProblemNotice error={cancel.error} /> : null}
      {cancel.isSuccess ? <p role="status">{t('payouts.detail.cancelled')}</p> : null}
      {batch.excludedCount > 0 ? <PayoutExclusions batch={batch} purpose={purpose} /> : null}
      {payments.error ? <ProblemNotice error={payments.error} /> : null}
      <h4>{t('payouts.detail.payments')}</h4>
      <ul className="card-list" data-testid="batch-payments">
        {payments.data?.payments.map((payment) => (
          <li key={payment.seq}>
            {t('payouts.detail.line', {
              endToEndId: payment.endToEndId,
              amount: moneyText(payment.amountMinor, batch.currency, language),
              account: t(`payouts.accountKinds.${payment.accountKind}`),
              status: t(`money.flagged.statuses.${payment.status}`),
            })}
            {payment.statusReason === null ? '' : ` (${payment.statusReason})`}
          </li>
        ))}
      </ul>
      {afterSeq !== -1 || payments.data?.nextAfterSeq != null ? (
        <p className="actions">
          <button type="button" disabled={afterSeq === -1} onClick={() => setAfterSeq(-1)}>
            {t('payouts.detail.first')}
          </button>{' '}
          <button
            type="button"
            disabled={payments.data?.nextAfterSeq == null}
            onClick={() => setAfterSeq(payments.data?.nextAfterSeq ?? -1)}
          >
            {t('payouts.detail.next')}
          </button>
        </p>
      ) : null}
    </div>
  );
}
