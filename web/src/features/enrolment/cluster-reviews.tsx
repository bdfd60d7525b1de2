import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiGet, apiSend, withQuery } from '../../api/client.js';
import type { PersonRecord } from '../../api/types.js';
import { attributeLabel, attributeText } from '../../catalogue/attribute-value.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { divisionName } from '../../geography/divisions.js';
import { useFormat } from '../../i18n/format.js';

/** What `GET /api/dedup-clusters` answers: record ids, never attributes. */
interface DedupCluster {
  runId: string;
  clusterId: number;
  maxScore: number;
  persons: Array<{ personId: string; status: string; regionCode: string }>;
}

const purpose = { purpose: 'enrolment' } as const;

/**
 * Clusters the batch duplicate run found (`amparo dedup run`): the records side by side, each
 * opened with purpose `enrolment` (an audited read). The supervisor picks the record to keep
 * and merges the others into it, or says they are different people.
 */
export function ClusterReviews() {
  const { t } = useTranslation();
  const clusters = useQuery({
    queryKey: ['dedup-clusters'],
    queryFn: () => apiGet<{ items: DedupCluster[] }>(withQuery('/api/dedup-clusters', purpose)),
  });
  return (
    <section aria-labelledby="clusters-heading">
      <h2 id="clusters-heading">{t('clusters.title')}</h2>
      <p className="hint">{t('clusters.explain')}</p>
      {clusters.isPending ? <p aria-live="polite">{t('common.loading')}</p> : null}
      {clusters.error ? <ProblemNotice error={clusters.error} /> : null}
      {clusters.data?.items.length === 0 ? <p>{t('clusters.empty')}</p> : null}
      {clusters.data?.items.map((cluster) => (
        <ClusterItem key={`${cluster.runId}:${cluster.clusterId}`} cluster={cluster} />
      ))}
    </section>
  );
}

function ClusterItem({ cluster }: { cluster: DedupCluster }) {
  const { t } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const records = useQueries({
    queries: cluster.persons.map((person) => ({
      queryKey: ['person', person.personId, 'enrolment'],
      queryFn: () => apiGet<PersonRecord>(withQuery(`/api/persons/${person.personId}`, purpose)),
    })),
  });
  const active = cluster.persons.filter((person) => person.status === 'active');
  const [keep, setKeep] = useState(active[0]?.personId ?? '');
  const review = useMutation({
    mutationFn: async (distinct: boolean) => {
      if (!distinct)
        await mergeInto(
          keep,
          active.map((person) => person.personId),
        );
      return apiSend(
        'POST',
        withQuery(`/api/dedup-clusters/${cluster.runId}/${cluster.clusterId}/review`, purpose),
        { distinct },
      );
    },
    onSettled: () => client.invalidateQueries({ queryKey: ['dedup-clusters'] }),
  });
  const headingId = `cluster-${cluster.runId}-${cluster.clusterId}`;
  return (
    <article className="panel" aria-labelledby={headingId}>
      <h3 id={headingId}>
        {t('clusters.heading', {
          count: cluster.persons.length,
          score: format.number(cluster.maxScore, 1),
        })}
      </h3>
      <ClusterTable cluster={cluster} records={records.map((query) => query.data)} />
      <fieldset>
        <legend>{t('clusters.keep')}</legend>
        {active.map((person, index) => (
          <label key={person.personId} className="choice">
            <input
              type="radio"
              name={`keep-${headingId}`}
              value={person.personId}
              checked={keep === person.personId}
              onChange={() => setKeep(person.personId)}
            />
            {t('clusters.record', { number: cluster.persons.indexOf(person) + 1 })}
            {index === 0 ? ` (${t('clusters.oldest')})` : ''}
          </label>
        ))}
      </fieldset>
      <div className="actions">
        <button
          type="button"
          disabled={review.isPending || keep === ''}
          onClick={() => review.mutate(false)}
        >
          {t('clusters.merge')}
        </button>
        <button
          type="button"
          className="button-secondary"
          disabled={review.isPending}
          onClick={() => review.mutate(true)}
        >
          {t('clusters.distinct')}
        </button>
      </div>
      {review.error ? <ProblemNotice error={review.error} /> : null}
    </article>
  );
}

/** Merges every other active record into the one kept; each merge is its own audited write. */
async function mergeInto(survivorId: string, activeIds: readonly string[]): Promise<void> {
  for (const personId of activeIds) {
    if (personId === survivorId) continue;
    await apiSend('POST', withQuery(`/api/persons/${personId}/merge`, purpose), {
      clientId: crypto.randomUUID(),
      survivorId,
    });
  }
}

function ClusterTable(props: { cluster: DedupCluster; records: Array<PersonRecord | undefined> }) {
  const { t } = useTranslation();
  const format = useFormat();
  const names = [
    ...new Set(props.records.flatMap((record) => Object.keys(record?.attributes ?? {}))),
  ].filter((name) => name !== 'photo');
  const first = props.records[0]?.attributes ?? {};
  // A phone gets one card per record (the stylesheet shows the table or the cards), since a
  // table of three records side by side would scroll sideways at 360 px.
  return (
    <>
      <div className="table-scroll comparison-wide">
        <table className="comparison" data-testid="cluster">
          <caption>{t('clusters.caption', { count: props.cluster.persons.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('duplicates.attribute')}</th>
              {props.cluster.persons.map((person, index) => (
                <th scope="col" key={person.personId}>
                  {t('clusters.record', { number: index + 1 })}
                  <br />
                  <span className="mono">{props.records[index]?.uin ?? ''}</span>
                  <br />
                  <span className="hint">
                    {t(`status.${person.status}`, { defaultValue: person.status })} ·{' '}
                    {divisionName(person.regionCode)}
                  </span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {names.map((name) => (
              <tr key={name}>
                <th scope="row">{attributeLabel(name, t)}</th>
                {props.records.map((record, index) => {
                  const value = record?.attributes[name];
                  const differs = index > 0 && String(value ?? '') !== String(first[name] ?? '');
                  return (
                    <td
                      key={props.cluster.persons[index]?.personId}
                      className={differs ? 'differs' : undefined}
                    >
                      {attributeText(name, value, t, format)}
                      {differs ? <span className="tag">{t('duplicates.differs')}</span> : null}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="comparison-narrow" data-testid="cluster-narrow">
        {props.cluster.persons.map((person, index) => {
          const record = props.records[index];
          return (
            <section
              key={person.personId}
              className="panel comparison-card"
              aria-label={t('clusters.record', { number: index + 1 })}
            >
              <p className="comparison-card-title">
                <strong>{t('clusters.record', { number: index + 1 })}</strong>{' '}
                <span className="mono">{record?.uin ?? ''}</span>{' '}
                <span className="hint">
                  {t(`status.${person.status}`, { defaultValue: person.status })} ·{' '}
                  {divisionName(person.regionCode)}
                </span>
              </p>
              <dl className="attributes">
                {names.map((name) => {
                  const value = record?.attributes[name];
                  const differs = index > 0 && String(value ?? '') !== String(first[name] ?? '');
                  return (
                    <div key={name} className={differs ? 'attribute differs' : 'attribute'}>
                      <dt>{attributeLabel(name, t)}</dt>
                      <dd>
                        {attributeText(name, value, t, format)}
                        {differs ? <span className="tag">{t('duplicates.differs')}</span> : null}
                      </dd>
                    </div>
                  );
                })}
              </dl>
            </section>
          );
        })}
      </div>
    </>
  );
}
