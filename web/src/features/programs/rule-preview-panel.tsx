import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type {
  PreviewCountView,
  RulePreviewView,
} from '../../../../src/shared/api/program-rules.js';
import { apiGet } from '../../api/client.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { divisionName } from '../../geography/divisions.js';
import { useFormat } from '../../i18n/format.js';
import { useOperator } from '../../session/use-session.js';
import { purposeQuery } from './program-api.js';

/**
 * Who would enter and who would leave if a version were published (issue #13, point 6), by
 * state, as counts only: the server says a count under 10 as "fewer than 10" and withholds a
 * total that would reveal one; no person is ever named.
 *
 * @example
 *   <RulePreviewPanel programId={id} version={2} />
 */
export function RulePreviewPanel(props: { programId: string; version: number }) {
  const { t } = useTranslation();
  const roles = useOperator()?.roles ?? [];
  const preview = useQuery({
    queryKey: ['rule-preview', props.programId, props.version],
    queryFn: () =>
      apiGet<RulePreviewView>(
        `/api/programs/${props.programId}/versions/${props.version}/preview${purposeQuery(roles)}`,
      ),
  });
  if (preview.isPending) return <p aria-live="polite">{t('programs.previewComputing')}</p>;
  if (preview.error) return <ProblemNotice error={preview.error} />;
  const { byState, total, comparedWith, referenceDate } = preview.data;
  return (
    <div className="rule-preview" data-testid="rule-preview">
      <p>
        {comparedWith === null
          ? t('programs.previewFirst', { version: props.version, date: referenceDate })
          : t('programs.previewAgainst', {
              version: props.version,
              inForce: comparedWith,
              date: referenceDate,
            })}
      </p>
      {byState.length === 0 ? (
        <p>{t('programs.previewNoChange')}</p>
      ) : (
        <div className="table-scroll">
          <table>
            <caption>{t('programs.previewCaption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('programs.state')}</th>
                <th scope="col">{t('programs.entering')}</th>
                <th scope="col">{t('programs.leaving')}</th>
              </tr>
            </thead>
            <tbody>
              {byState.map((state) => (
                <tr key={state.regionCode}>
                  <th scope="row">{divisionName(state.regionCode)}</th>
                  <td>
                    <CountText count={state.entering} />
                  </td>
                  <td>
                    <CountText count={state.leaving} />
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">{t('programs.total')}</th>
                <td>
                  <CountText count={total.entering} />
                </td>
                <td>
                  <CountText count={total.leaving} />
                </td>
              </tr>
            </tfoot>
          </table>
        </div>
      )}
      <p className="hint">{t('programs.previewPrivacy')}</p>
    </div>
  );
}

/** A count from 10 up, "fewer than 10", or "withheld" where a total would reveal a state. */
export function CountText({ count }: { count: PreviewCountView | null }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (count === null) return <>{t('programs.withheld')}</>;
  if ('fewerThan' in count) return <>{t('programs.fewerThan', { limit: count.fewerThan })}</>;
  return <>{format.number(count.count)}</>;
}
