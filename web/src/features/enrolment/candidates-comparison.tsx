import { useTranslation } from 'react-i18next';
import type { DuplicateCandidate } from '../../api/types.js';
import { attributeLabel, attributeText } from '../../catalogue/attribute-value.js';
import { useFormat } from '../../i18n/format.js';

/**
 * What was entered beside each duplicate candidate, attribute by attribute, with how the
 * matcher judged each field ("exact", "phonetic") and cells that differ marked in words, not
 * only in colour. A wide screen gets one table; a phone gets one card per candidate with the
 * entered value under each of its values, since a table's candidate columns would sit off
 * screen there (the stylesheet shows one or the other).
 */
export function CandidatesComparison(props: {
  entered: Record<string, unknown>;
  candidates: readonly DuplicateCandidate[];
  enteredLabel?: string;
}) {
  const { t } = useTranslation();
  const names = [
    ...new Set([
      ...Object.keys(props.entered),
      ...props.candidates.flatMap((candidate) => Object.keys(candidate.attributes ?? {})),
    ]),
  ].filter((name) => name !== 'photo');
  return (
    <>
      <div className="table-scroll comparison-wide">
        <ComparisonTable {...props} names={names} />
      </div>
      <div className="comparison-narrow" data-testid="candidates-narrow">
        {props.candidates.map((candidate, index) => (
          <CandidateCard
            key={candidate.personId}
            candidate={candidate}
            number={index + 1}
            entered={props.entered}
            enteredLabel={props.enteredLabel ?? t('duplicates.entered')}
            names={names}
          />
        ))}
      </div>
    </>
  );
}

function CandidateCard(props: {
  candidate: DuplicateCandidate;
  number: number;
  entered: Record<string, unknown>;
  enteredLabel: string;
  names: readonly string[];
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const { candidate } = props;
  return (
    <section
      className="panel comparison-card"
      aria-label={t('duplicates.candidate', { number: props.number })}
    >
      <p className="comparison-card-title">
        <strong>{t('duplicates.candidate', { number: props.number })}</strong>{' '}
        <span className="mono">{candidate.uin ?? ''}</span>{' '}
        <span className="hint">
          {t('duplicates.score', { score: format.number(candidate.score, 1) })} ·{' '}
          {t(`duplicates.decision.${candidate.decision}`)}
        </span>
      </p>
      <dl className="attributes">
        {props.names.map((name) => {
          const value = candidate.attributes?.[name];
          const differs =
            value !== undefined && String(value) !== String(props.entered[name] ?? '');
          const level = candidate.fieldLevels[name];
          return (
            <div key={name} className={differs ? 'attribute differs' : 'attribute'}>
              <dt>{attributeLabel(name, t)}</dt>
              <dd>
                {attributeText(name, value, t, format)}
                {differs ? <span className="tag">{t('duplicates.differs')}</span> : null}
                {level ? (
                  <span className="hint level">
                    {t(`duplicates.level.${level}`, { defaultValue: level })}
                  </span>
                ) : null}
                <span className="hint comparison-entered">
                  {props.enteredLabel}: {attributeText(name, props.entered[name], t, format)}
                </span>
              </dd>
            </div>
          );
        })}
      </dl>
    </section>
  );
}

function ComparisonTable(props: {
  entered: Record<string, unknown>;
  candidates: readonly DuplicateCandidate[];
  enteredLabel?: string | undefined;
  names: readonly string[];
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const { names } = props;
  return (
    <table className="comparison" data-testid="candidates">
      <caption>{t('duplicates.caption', { count: props.candidates.length })}</caption>
      <thead>
        <tr>
          <th scope="col">{t('duplicates.attribute')}</th>
          <th scope="col">{props.enteredLabel ?? t('duplicates.entered')}</th>
          {props.candidates.map((candidate, index) => (
            <th scope="col" key={candidate.personId}>
              {t('duplicates.candidate', { number: index + 1 })}
              <br />
              <span className="mono">{candidate.uin ?? ''}</span>
              <br />
              <span className="hint">
                {t('duplicates.score', { score: format.number(candidate.score, 1) })} ·{' '}
                {t(`duplicates.decision.${candidate.decision}`)}
              </span>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {names.map((name) => (
          <tr key={name}>
            <th scope="row">{attributeLabel(name, t)}</th>
            <td>{attributeText(name, props.entered[name], t, format)}</td>
            {props.candidates.map((candidate) => {
              const value = candidate.attributes?.[name];
              const differs =
                value !== undefined && String(value) !== String(props.entered[name] ?? '');
              const level = candidate.fieldLevels[name];
              return (
                <td key={candidate.personId} className={differs ? 'differs' : undefined}>
                  {attributeText(name, value, t, format)}
                  {differs ? <span className="tag">{t('duplicates.differs')}</span> : null}
                  {level ? (
                    <span className="hint level">
                      {t(`duplicates.level.${level}`, { defaultValue: level })}
                    </span>
                  ) : null}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
