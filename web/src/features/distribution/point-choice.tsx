import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PointSummary } from '../../../../src/shared/api/distribution.js';
import { apiGet } from '../../api/client.js';
import { Field } from '../../components/field.js';

/**
 * The distribution points an operator may pick from (`keep` narrows them, e.g. to those they
 * are assigned to) and the one picked: the first until they choose another.
 */
export function usePointChoice(keep: (point: PointSummary) => boolean = () => true) {
  const points = useQuery({
    queryKey: ['distribution-points'],
    queryFn: () =>
      apiGet<{ points: PointSummary[] }>('/api/distribution/points?purpose=distribution'),
  });
  const list = points.data?.points.filter(keep) ?? [];
  const [chosen, setChosen] = useState<string | null>(null);
  return { points, list, pointId: chosen ?? list[0]?.id ?? null, choose: setChosen };
}

/** The select of a point, by name and code. */
export function PointSelect({
  list,
  pointId,
  onChoose,
}: {
  list: readonly PointSummary[];
  pointId: string | null;
  onChoose: (pointId: string) => void;
}) {
  const { t } = useTranslation();
  return (
    <Field label={t('pos.point')}>
      {(control) => (
        <select
          {...control}
          value={pointId ?? ''}
          onChange={(event) => onChoose(event.target.value)}
        >
          {list.map((point) => (
            <option key={point.id} value={point.id}>
              {point.name} ({point.code})
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
