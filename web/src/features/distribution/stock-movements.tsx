import { useInfiniteQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { MovementPage } from '../../../../src/shared/api/stock-transfers.js';
import { apiGet } from '../../api/client.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { stockPurpose } from './stock-fields.js';

const pageSize = 20;

/**
 * The point's stock ledger, newest first, a page at a time ("older movements" asks for the next
 * page after the last one shown): each movement with its kind, quantity, the balance after it,
 * and an adjustment's reason and override.
 */
export function MovementsList({ pointId }: { pointId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const pages = useInfiniteQuery({
    queryKey: ['stock-movements', pointId],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      apiGet<MovementPage>(
        `/api/distribution/points/${pointId}/movements?${stockPurpose}&limit=${pageSize}${
          pageParam === null ? '' : `&before=${pageParam}`
        }`,
      ),
    getNextPageParam: (page) => page.nextBefore,
  });
  const movements = pages.data?.pages.flatMap((page) => page.movements) ?? [];
  return (
    <section aria-labelledby="stock-movements-title">
      <h2 id="stock-movements-title">{t('stock.movements.title')}</h2>
      {pages.error ? <ProblemNotice error={pages.error} /> : null}
      {pages.data && movements.length === 0 ? <p>{t('stock.movements.none')}</p> : null}
      <ul className="supervision-cards" data-testid="stock-movements">
        {movements.map((movement) => (
          <li key={movement.id}>
            <p>
              <strong>{t(`stock.movements.kind.${movement.kind}`)}</strong>{' '}
              {t('stock.movements.line', {
                item: movement.item,
                delta: `${movement.quantityDelta > 0 ? '+' : ''}${format.number(movement.quantityDelta)}`,
                balance: format.number(movement.balanceAfter),
              })}
            </p>
            <p>{format.dateTime(movement.recordedAt)}</p>
            {movement.reason !== null ? <p>{t(`stock.reasons.${movement.reason}`)}</p> : null}
            {movement.overrideNegative ? <p>{t('stock.movements.override')}</p> : null}
            {movement.note !== null ? <p>{movement.note}</p> : null}
          </li>
        ))}
      </ul>
      {pages.hasNextPage ? (
        <button
          type="button"
          disabled={pages.isFetchingNextPage}
          onClick={() => void pages.fetchNextPage()}
        >
          {pages.isFetchingNextPage ? t('common.wait') : t('stock.movements.older')}
        </button>
      ) : null}
    </section>
  );
}
