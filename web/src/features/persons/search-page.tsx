import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { apiGet, withQuery } from '../../api/client.js';
import type { PersonPage, Purpose } from '../../api/types.js';
import { attributeText, fullName } from '../../catalogue/attribute-value.js';
import { Field } from '../../components/field.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { uinDigits, uinFeedback } from '../../components/uin-feedback.js';
import { divisionName } from '../../geography/divisions.js';
import { useFormat } from '../../i18n/format.js';
import { purposesFor } from '../../session/permissions.js';
import { useOperator } from '../../session/use-session.js';

const searchKinds = ['name', 'uin', 'phone'] as const;
type SearchKind = (typeof searchKinds)[number];

/**
 * Person search by name, ID number or phone, always under a purpose the operator's roles
 * allow. The query lives in the address, so Back returns to the same results.
 */
export function SearchPage() {
  const { t } = useTranslation();
  const operator = useOperator();
  const purposes = purposesFor(operator?.roles ?? [], 'person.search');
  const [params, setParams] = useSearchParams();
  const [purpose, setPurpose] = useState<Purpose | ''>(
    (params.get('purpose') as Purpose | null) ?? purposes[0] ?? '',
  );
  const [kind, setKind] = useState<SearchKind>((params.get('kind') as SearchKind) ?? 'name');
  const [text, setText] = useState(params.get('q') ?? '');
  const [tried, setTried] = useState(false);
  // An ID number is checked as it is typed (check digit included), with the server's rules.
  const uinProblem = kind === 'uin' ? uinFeedback(uinDigits(text), tried) : null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (kind === 'uin' && uinFeedback(uinDigits(text), true) !== null) return;
    const q = kind === 'uin' ? uinDigits(text) : text.trim();
    if (purpose && q) setParams({ purpose, kind, q });
  };
  return (
    <section>
      <PageHeading>{t('search.title')}</PageHeading>
      <search>
        <form onSubmit={submit} className="search-form">
          <Field label={t('search.purpose')} required>
            {(control) => (
              <select
                {...control}
                value={purpose}
                onChange={(event) => setPurpose(event.target.value as Purpose)}
              >
                {purposes.map((value) => (
                  <option key={value} value={value}>
                    {t(`purpose.name.${value}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label={t('search.by')}>
            {(control) => (
              <select
                {...control}
                value={kind}
                onChange={(event) => setKind(event.target.value as SearchKind)}
              >
                {searchKinds.map((value) => (
                  <option key={value} value={value}>
                    {t(`search.kind.${value}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field
            label={t('search.text')}
            hint={t(`search.hint.${kind}`)}
            error={uinProblem ? t(`uin.problem.${uinProblem}`) : undefined}
            required
          >
            {(control) => (
              <input
                {...control}
                type="search"
                inputMode={kind === 'uin' ? 'numeric' : undefined}
                value={text}
                onChange={(event) => setText(event.target.value)}
              />
            )}
          </Field>
          <button type="submit">{t('search.submit')}</button>
        </form>
      </search>
      <SearchResults />
    </section>
  );
}

function SearchResults() {
  const { t } = useTranslation();
  const format = useFormat();
  const [params] = useSearchParams();
  const purpose = params.get('purpose') ?? '';
  const kind = params.get('kind') ?? 'name';
  const text = params.get('q') ?? '';
  const query = useQuery({
    queryKey: ['search', purpose, kind, text],
    queryFn: () => apiGet<PersonPage>(withQuery('/api/persons', { purpose, [kind]: text })),
    enabled: purpose !== '' && text !== '',
  });
  if (purpose === '' || text === '') return null;
  if (query.isPending) return <p aria-live="polite">{t('common.loading')}</p>;
  if (query.error) return <ProblemNotice error={query.error} />;
  const items = query.data.items;
  return (
    <section aria-labelledby="results-heading">
      <h2 id="results-heading">{t('search.results', { count: items.length })}</h2>
      {query.data.truncated ? <p className="notice">{t('search.truncated')}</p> : null}
      {items.length === 0 ? null : (
        <div className="table-scroll">
          <table>
            <thead>
              <tr>
                <th scope="col">{t('person.name')}</th>
                <th scope="col">{t('person.uin')}</th>
                <th scope="col">{t('attribute.birth_date')}</th>
                <th scope="col">{t('person.region')}</th>
                <th scope="col">{t('person.status')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr key={item.id}>
                  <td>
                    <Link to={withQuery(`/persons/${item.id}`, { suggested: purpose })}>
                      {fullName(item.attributes) || item.uin}
                    </Link>
                  </td>
                  <td className="mono">{item.uin}</td>
                  <td>{attributeText('birth_date', item.attributes.birth_date, t, format)}</td>
                  <td>{divisionName(item.regionCode)}</td>
                  <td>{t(`status.${item.status}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
