import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PointDetail } from '../../../../src/shared/api/distribution.js';
import type { ProgramSummary } from '../../../../src/shared/api/programs.js';
import { apiGet, apiSend } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { divisionName, listStates, municipalitiesOf } from '../../geography/divisions.js';
import { useOperator } from '../../session/use-session.js';
import { purposeQuery } from '../programs/program-api.js';

const purpose = 'purpose=distribution';
const kinds = ['kiosk', 'shop', 'warehouse', 'pharmacy', 'fuel_station'] as const;

/**
 * The supervisor registers a distribution point (issue #15, point 1): code, name, kind, state
 * (one of their regions) and municipality. The new point is then chosen above and set up below.
 */
export function NewPointForm({ onCreated }: { onCreated: (pointId: string) => void }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const me = useOperator();
  const states = listStates().filter((state) => me?.regions.includes(state.code) ?? false);
  const [form, setForm] = useState({
    code: '',
    name: '',
    kind: 'kiosk' as (typeof kinds)[number],
    regionCode: '',
    municipalityCode: '',
  });
  const regionCode = form.regionCode || states[0]?.code || '';
  const create = useMutation({
    mutationFn: () =>
      apiSend<{ pointId: string }>('POST', `/api/distribution/points?${purpose}`, {
        code: form.code.trim(),
        name: form.name.trim(),
        kind: form.kind,
        regionCode,
        ...(form.municipalityCode ? { municipalityCode: form.municipalityCode } : {}),
      }),
    onSuccess: async (created) => {
      setForm((before) => ({ ...before, code: '', name: '' }));
      await client.invalidateQueries({ queryKey: ['distribution-points'] });
      onCreated(created.body.pointId);
    },
  });
  const set = (key: keyof typeof form) => (value: string) =>
    setForm((before) => ({
      ...before,
      [key]: value,
      ...(key === 'regionCode' ? { municipalityCode: '' } : {}),
    }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <details className="points-new">
      <summary>{t('supervision.points.new')}</summary>
      <form onSubmit={submit}>
        <Field
          label={t('supervision.points.code')}
          hint={t('supervision.points.codeHint')}
          required
        >
          {(control) => (
            <input
              {...control}
              value={form.code}
              pattern="[a-z0-9][a-z0-9_\-]{1,39}"
              onChange={(event) => set('code')(event.target.value)}
            />
          )}
        </Field>
        <Field label={t('supervision.points.name')} required>
          {(control) => (
            <input
              {...control}
              value={form.name}
              maxLength={120}
              onChange={(event) => set('name')(event.target.value)}
            />
          )}
        </Field>
        <Field label={t('supervision.points.kind')}>
          {(control) => (
            <select
              {...control}
              value={form.kind}
              onChange={(event) => set('kind')(event.target.value)}
            >
              {kinds.map((kind) => (
                <option key={kind} value={kind}>
                  {t(`supervision.points.kinds.${kind}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('supervision.points.state')}>
          {(control) => (
            <select
              {...control}
              value={regionCode}
              onChange={(event) => set('regionCode')(event.target.value)}
            >
              {states.map((state) => (
                <option key={state.code} value={state.code}>
                  {state.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          label={t('supervision.points.municipality')}
          hint={t('supervision.points.municipalityHint')}
        >
          {(control) => (
            <select
              {...control}
              value={form.municipalityCode}
              onChange={(event) => set('municipalityCode')(event.target.value)}
            >
              <option value="">{t('supervision.points.wholeState')}</option>
              {municipalitiesOf(regionCode).map((municipality) => (
                <option key={municipality.code} value={municipality.code}>
                  {municipality.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        {create.error ? <ProblemNotice error={create.error} /> : null}
        <button type="submit" disabled={create.isPending || regionCode === ''}>
          {create.isPending ? t('common.wait') : t('supervision.points.create')}
        </button>
      </form>
    </details>
  );
}

/**
 * One point as its supervisor changes it: open or closed, the programs it serves (the
 * allow-list) and the operators assigned to it, each change one audited request.
 */
export function PointEditor({ pointId }: { pointId: string }) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const me = useOperator();
  const language = i18n.language === 'en' ? 'en' : 'es';
  const detail = useQuery({
    queryKey: ['distribution-point', pointId],
    queryFn: () => apiGet<PointDetail>(`/api/distribution/points/${pointId}?${purpose}`),
  });
  const programs = useQuery({
    queryKey: ['programs-managed'],
    queryFn: () =>
      apiGet<{ programs: ProgramSummary[] }>(
        `/api/programs/managed${purposeQuery(me?.roles ?? [])}`,
      ),
  });
  const [username, setUsername] = useState('');
  const change = useMutation({
    mutationFn: async (body: Record<string, unknown>) =>
      (
        await apiSend<PointDetail>(
          'POST',
          `/api/distribution/points/${pointId}/changes?${purpose}`,
          body,
        )
      ).body,
    onSuccess: (answer) => {
      client.setQueryData(['distribution-point', pointId], answer);
      void client.invalidateQueries({ queryKey: ['distribution-points'] });
      void client.invalidateQueries({ queryKey: ['distribution-cycle-choices', pointId] });
    },
  });
  if (detail.isPending) return <p aria-live="polite">{t('common.loading')}</p>;
  if (detail.error) return <ProblemNotice error={detail.error} />;
  const point = detail.data;
  const served = new Set(point.programIds);
  const choices = (programs.data?.programs ?? []).filter(
    (program) => program.status === 'published' || served.has(program.id),
  );
  const closed = point.status === 'closed';
  return (
    <section aria-labelledby="point-title" data-testid="point-editor">
      <h2 id="point-title">{t('supervision.points.title')}</h2>
      <dl className="supervision-figures">
        <dt>{t('supervision.points.kind')}</dt>
        <dd className="supervision-value">{t(`supervision.points.kinds.${point.kind}`)}</dd>
        <dt>{t('supervision.points.area')}</dt>
        <dd className="supervision-value">
          {point.municipalityCode
            ? `${divisionName(point.municipalityCode)}, ${divisionName(point.regionCode)}`
            : divisionName(point.regionCode)}
        </dd>
        <dt>{t('supervision.points.status')}</dt>
        <dd className="supervision-value" data-testid="point-status">
          {t(`supervision.points.statuses.${point.status}`)}
        </dd>
      </dl>
      <button
        type="button"
        disabled={change.isPending}
        onClick={() => change.mutate({ status: closed ? 'open' : 'closed' })}
      >
        {closed ? t('supervision.points.open') : t('supervision.points.close')}
      </button>
      {change.error ? <ProblemNotice error={change.error} /> : null}
      <fieldset>
        <legend>{t('supervision.points.programs')}</legend>
        {programs.error ? <ProblemNotice error={programs.error} /> : null}
        {programs.data && choices.length === 0 ? <p>{t('supervision.points.noProgram')}</p> : null}
        {choices.map((program) => (
          <label key={program.id} className="choice">
            <input
              type="checkbox"
              checked={served.has(program.id)}
              disabled={change.isPending}
              onChange={(event) =>
                change.mutate(
                  event.target.checked
                    ? { addPrograms: [program.id] }
                    : { removePrograms: [program.id] },
                )
              }
            />{' '}
            {program.name[language]} ({program.code})
          </label>
        ))}
      </fieldset>
      <h3>{t('supervision.points.operators')}</h3>
      {point.operators.length === 0 ? <p>{t('supervision.points.noOperator')}</p> : null}
      <ul data-testid="point-operators">
        {point.operators.map((operator) => (
          <li key={operator.operatorId}>
            {operator.displayName} ({operator.username}){' '}
            <button
              type="button"
              disabled={change.isPending}
              onClick={() => change.mutate({ removeOperators: [operator.operatorId] })}
            >
              {t('supervision.points.unassign', { name: operator.username })}
            </button>
          </li>
        ))}
      </ul>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          change.mutate(
            { addOperatorUsernames: [username.trim().toLowerCase()] },
            { onSuccess: () => setUsername('') },
          );
        }}
      >
        <Field
          label={t('supervision.points.operatorUsername')}
          hint={t('supervision.points.operatorUsernameHint')}
        >
          {(control) => (
            <input
              {...control}
              value={username}
              autoComplete="off"
              onChange={(event) => setUsername(event.target.value)}
            />
          )}
        </Field>
        <button type="submit" disabled={change.isPending || username.trim() === ''}>
          {t('supervision.points.assign')}
        </button>
      </form>
    </section>
  );
}
