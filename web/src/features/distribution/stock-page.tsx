import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { PointDetail, PointSummary } from '../../../../src/shared/api/distribution.js';
import type { TransferListing } from '../../../../src/shared/api/stock-transfers.js';
import { apiGet } from '../../api/client.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { may } from '../../session/permissions.js';
import { useOperator } from '../../session/use-session.js';
import { PointSelect, usePointChoice } from './point-choice.js';
import { stockPurpose } from './stock-fields.js';
import { AdjustmentForm, CountForm, DeliveryForm, TransferForm } from './stock-forms.js';
import { MovementsList } from './stock-movements.js';
import { IncomingTransfers, OutgoingTransfers } from './stock-transfers.js';

/**
 * Stock at a distribution point (issue #15, point 2), for its operators and supervisors: what is
 * on hand per item and what is in transit to and from it; deliveries recorded; transfers sent to
 * another point and those sent here accepted (with what arrived, a shortfall with its reason) or
 * refused; a supervisor's cancellation, with its reason, of a transfer sent and still in transit;
 * a physical count of an item beside what the ledger says (moving no stock); a supervisor's
 * adjustments with their reason, and the explicit override when one would
 * take the stock below zero; the point's ledger, a page at a time. Phone width first.
 */
export function StockPage() {
  const { t } = useTranslation();
  const me = useOperator();
  const supervisor = may(me?.roles ?? [], 'distribution.stock_adjust');
  const mayCancel = may(me?.roles ?? [], 'distribution.transfer_cancel');
  const mayCount = may(me?.roles ?? [], 'distribution.stock_count');
  // An operator works at the points they are assigned to; a supervisor at any of their states'.
  const { points, list, pointId, choose } = usePointChoice((point) => supervisor || point.assigned);
  const all = points.data?.points ?? [];
  return (
    <section>
      <PageHeading>{t('stock.title')}</PageHeading>
      {points.isPending ? <p aria-live="polite">{t('common.loading')}</p> : null}
      {points.error ? <ProblemNotice error={points.error} /> : null}
      {points.data && list.length === 0 ? <p>{t('stock.noPoint')}</p> : null}
      {list.length > 1 ? <PointSelect list={list} pointId={pointId} onChoose={choose} /> : null}
      {pointId ? (
        <PointStock
          key={pointId}
          pointId={pointId}
          others={all.filter((point) => point.id !== pointId)}
          supervisor={supervisor}
          mayCancel={mayCancel}
          mayCount={mayCount}
        />
      ) : null}
    </section>
  );
}

function PointStock(props: {
  pointId: string;
  others: readonly PointSummary[];
  supervisor: boolean;
  mayCancel: boolean;
  mayCount: boolean;
}) {
  const { pointId } = props;
  const detail = useQuery({
    queryKey: ['distribution-point', pointId],
    queryFn: () => apiGet<PointDetail>(`/api/distribution/points/${pointId}?${stockPurpose}`),
  });
  const transfers = useQuery({
    queryKey: ['stock-transfers', pointId],
    queryFn: () =>
      apiGet<TransferListing>(`/api/distribution/points/${pointId}/transfers?${stockPurpose}`),
  });
  const stock = detail.data?.stock ?? [];
  return (
    <>
      {detail.error ? <ProblemNotice error={detail.error} /> : null}
      {transfers.error ? <ProblemNotice error={transfers.error} /> : null}
      <OnHand stock={stock} inTransit={transfers.data?.inTransit ?? []} />
      <IncomingTransfers pointId={pointId} transfers={transfers.data?.transfers ?? []} />
      <DeliveryForm pointId={pointId} />
      <TransferForm pointId={pointId} others={props.others} />
      <OutgoingTransfers
        pointId={pointId}
        transfers={transfers.data?.transfers ?? []}
        mayCancel={props.mayCancel}
      />
      {props.mayCount ? <CountForm pointId={pointId} /> : null}
      {props.supervisor ? <AdjustmentForm pointId={pointId} stock={stock} /> : null}
      <MovementsList pointId={pointId} />
    </>
  );
}

function OnHand(props: { stock: PointDetail['stock']; inTransit: TransferListing['inTransit'] }) {
  const { t } = useTranslation();
  const format = useFormat();
  const items = [
    ...new Set([...props.stock.map((line) => line.item), ...props.inTransit.map((l) => l.item)]),
  ].sort();
  return (
    <section aria-labelledby="stock-on-hand-title">
      <h2 id="stock-on-hand-title">{t('stock.onHand.title')}</h2>
      {items.length === 0 ? <p>{t('stock.onHand.empty')}</p> : null}
      <ul className="supervision-cards" data-testid="stock-on-hand">
        {items.map((item) => {
          const transit = props.inTransit.find((line) => line.item === item);
          const figures = [
            ['onHand', props.stock.find((line) => line.item === item)?.quantity ?? 0],
            ['incoming', transit?.incoming ?? 0],
            ['outgoing', transit?.outgoing ?? 0],
          ] as const;
          return (
            <li key={item} data-item={item}>
              <h3>{item}</h3>
              <dl className="supervision-figures">
                {figures.map(([name, value]) => (
                  <div key={name}>
                    <dt>{t(`stock.onHand.${name}`)}</dt>
                    <dd className="supervision-value">{format.number(value)}</dd>
                  </div>
                ))}
              </dl>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
