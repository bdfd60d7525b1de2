import { useMutation } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { type FormEvent, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiSend, withQuery } from '../../../api/client.js';
import type { PersonRecord, Purpose } from '../../../api/types.js';
import { attributeLabel } from '../../../catalogue/attribute-value.js';
import { useCatalogue } from '../../../catalogue/use-catalogue.js';
import { ProblemNotice } from '../../../components/problem-notice.js';
import { AttributeInput } from '../../enrolment/attribute-input.js';
import {
  attributesFromForm,
  type FieldProblemKey,
  type FieldRule,
  formRules,
  validateValue,
} from '../../enrolment/validate.js';
import { isGeneralProblem, serverFieldReasons } from './write-problems.js';

/** The reasons `POST /api/persons/:id/corrections` accepts (`correctionReasons` on the server). */
const correctionReasons = [
  'clerical_error',
  'document_presented',
  'person_request',
  'appeal_decision',
  'other',
] as const;
type CorrectionReason = (typeof correctionReasons)[number];

/**
 * Corrects one attribute of the record (a new version): pick the attribute, enter the right
 * value (checked as in enrolment), say why. Server field errors show on the field; one client id
 * per correction, so a retry never writes twice.
 */
export function CorrectionForm(props: {
  person: PersonRecord;
  purpose: Purpose;
  onDone: () => Promise<unknown>;
}) {
  const { t } = useTranslation();
  const catalogue = useCatalogue();
  const rules = useMemo(() => formRules(catalogue.data?.attributes ?? []), [catalogue.data]);
  const [name, setName] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [reason, setReason] = useState<CorrectionReason>('clerical_error');
  const [submitted, setSubmitted] = useState(false);
  const rule = rules.find((candidate) => candidate.name === name);
  const correct = useCorrector(props, () => ({
    attributes: attributesFromForm(rule ? [rule] : [], values),
    reason,
  }));
  const choose = (next: string) => {
    setName(next);
    const current = props.person.attributes[next];
    setValues(current === undefined || current === null ? {} : { [next]: String(current) });
    correct.reset();
  };
  const local = localProblem(rule, values);
  const problem = shownProblem(submitted ? local : undefined, correct.error, name);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (rule && !local) correct.mutate();
  };
  return (
    <form onSubmit={submit} noValidate aria-labelledby="correct-heading" className="panel">
      <h2 id="correct-heading">{t('changes.correct.title')}</h2>
      <Picker
        label={t('changes.correct.attribute')}
        value={name}
        options={[{ value: '', label: t('enrol.choose') }, ...attributeOptions(rules, t)]}
        onChange={choose}
      />
      {rule ? (
        <AttributeInput
          rule={{ ...rule, required: false }}
          values={values}
          problem={problem}
          onChange={(field, value) => setValues((old) => ({ ...old, [field]: value }))}
          onBlur={() => undefined}
        />
      ) : null}
      <Picker
        label={t('changes.correct.reason')}
        value={reason}
        options={correctionReasons.map((value) => ({
          value,
          label: t(`changes.correct.reasons.${value}`),
        }))}
        // Safe: the options are exactly `correctionReasons`.
        onChange={(value) => setReason(value as CorrectionReason)}
      />
      <button type="submit" disabled={correct.isPending || !rule}>
        {correct.isPending ? t('common.wait') : t('changes.correct.submit')}
      </button>
      <CorrectionOutcome version={correct.data?.version} error={correct.error} />
    </form>
  );
}

/** What became of the last attempt: the new version, or a problem not tied to the field. */
function CorrectionOutcome(props: { version: number | undefined; error: unknown }) {
  const { t } = useTranslation();
  return (
    <>
      {props.version !== undefined ? (
        <p role="status" data-testid="correction-done">
          {t('changes.correct.done', { version: props.version })}
        </p>
      ) : null}
      {props.error && isGeneralProblem(props.error) ? <ProblemNotice error={props.error} /> : null}
    </>
  );
}

/** A labelled select of fixed options. */
function Picker(props: {
  label: string;
  value: string;
  options: ReadonlyArray<{ value: string; label: string }>;
  onChange: (value: string) => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <select id={id} value={props.value} onChange={(event) => props.onChange(event.target.value)}>
        {props.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The correction write; `body` gives attributes and reason, the client id is added. */
function useCorrector(
  props: { person: PersonRecord; purpose: Purpose; onDone: () => Promise<unknown> },
  body: () => Record<string, unknown>,
) {
  const clientId = useRef(crypto.randomUUID());
  return useMutation({
    mutationFn: async () =>
      (
        await apiSend<{ version: number }>(
          'POST',
          withQuery(`/api/persons/${props.person.id}/corrections`, { purpose: props.purpose }),
          { clientId: clientId.current, ...body() },
        )
      ).body,
    onSuccess: async () => {
      clientId.current = crypto.randomUUID();
      await props.onDone();
    },
  });
}

/** The problem the client sees in the value now (checked as in enrolment), if any. */
function localProblem(
  rule: FieldRule | undefined,
  values: Readonly<Record<string, string>>,
): FieldProblemKey | undefined {
  if (!rule) return undefined;
  const today = new Date().toISOString().slice(0, 10);
  return validateValue(rule, values[rule.name] ?? '', { approximateBirthDate: true, today });
}

/** The client's problem once submitted, else the server's field error for this attribute. */
function shownProblem(
  local: FieldProblemKey | undefined,
  error: unknown,
  name: string,
): FieldProblemKey | undefined {
  const server = serverFieldReasons(error)[name];
  return local ?? (server ? { key: 'server', reason: server } : undefined);
}

function attributeOptions(rules: readonly FieldRule[], t: TFunction) {
  return rules.map((rule) => ({ value: rule.name, label: attributeLabel(rule.name, t) }));
}
