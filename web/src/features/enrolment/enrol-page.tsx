import { useMutation } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { type FormEvent, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError, apiSend, withQuery } from '../../api/client.js';
import type { EnrolAnswer } from '../../api/types.js';
import { useCatalogue } from '../../catalogue/use-catalogue.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { refusalText } from '../../i18n/refusal-text.js';
import { AttributeInput } from './attribute-input.js';
import { CandidatesComparison } from './candidates-comparison.js';
import { EnrolReceipt } from './enrol-receipt.js';
import { HouseholdChoice, type HouseholdValue, householdBody } from './household-choice.js';
import {
  attributesFromForm,
  type FieldProblemKey,
  type FieldRule,
  formRules,
  validateForm,
} from './validate.js';

/**
 * Enrolment: a form built from the catalogue, checked as the clerk types; a duplicate
 * suspicion (202 `held`) shows the candidates beside what was entered, for a supervisor to
 * decide in the review queue.
 */
export function EnrolPage() {
  const { t } = useTranslation();
  const catalogue = useCatalogue();
  const rules = useMemo(() => formRules(catalogue.data?.attributes ?? []), [catalogue.data]);
  if (catalogue.isPending) return <p aria-live="polite">{t('common.loading')}</p>;
  if (catalogue.error) return <ProblemNotice error={catalogue.error} />;
  return (
    <section>
      <PageHeading>{t('enrol.title')}</PageHeading>
      <EnrolForm rules={rules} />
    </section>
  );
}

function EnrolForm({ rules }: { rules: FieldRule[] }) {
  const { t } = useTranslation();
  const [values, setValues] = useState<Record<string, string>>({});
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [household, setHousehold] = useState<HouseholdValue>({ kind: 'none' });
  // One client id per attempt: a retry of the same submission is answered with the first result.
  const clientId = useRef(crypto.randomUUID());
  const summary = useRef<HTMLDivElement>(null);
  const today = new Date().toISOString().slice(0, 10);
  const problems = validateForm(rules, values, today);
  const enrol = useMutation({
    mutationFn: async () =>
      (
        await apiSend<EnrolAnswer>('POST', withQuery('/api/persons', { purpose: 'enrolment' }), {
          clientId: clientId.current,
          attributes: attributesFromForm(rules, values),
          ...householdBody(household),
        })
      ).body,
  });
  const serverProblems = serverFieldProblems(enrol.error, t);
  const shown = (name: string): FieldProblemKey | undefined =>
    (submitted || touched.has(name) ? problems[name] : undefined) ?? serverProblems[name];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(problems).length > 0) {
      summary.current?.focus();
      return;
    }
    enrol.mutate();
  };
  if (enrol.data) {
    return (
      <EnrolResult
        answer={enrol.data}
        entered={attributesFromForm(rules, values)}
        onAgain={() => {
          clientId.current = crypto.randomUUID();
          setValues({});
          setTouched(new Set());
          setSubmitted(false);
          enrol.reset();
        }}
      />
    );
  }
  const listed = submitted ? Object.entries(problems) : [];
  const categories = [...new Set(rules.map((rule) => rule.category))];
  return (
    <form onSubmit={submit} noValidate>
      <div ref={summary} tabIndex={-1} aria-live="polite">
        {listed.length > 0 ? (
          <div className="notice notice-error error-summary" role="alert">
            <h2>{t('enrol.fixThese', { count: listed.length })}</h2>
            <ul>
              {listed.map(([name, problem]) => (
                <li key={name}>
                  {t(`attribute.${name}`, { defaultValue: name })}:{' '}
                  {t(`validation.${problem.key}`, { ...problem })}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </div>
      {categories.map((category) => {
        const members = rules.filter((rule) => rule.category === category);
        const inputs = members.map((rule) => (
          <AttributeInput
            key={rule.name}
            rule={rule}
            values={values}
            problem={shown(rule.name)}
            onChange={(name, value) => setValues((old) => ({ ...old, [name]: value }))}
            onBlur={(name) => setTouched((old) => new Set(old).add(name))}
          />
        ));
        // A group of one field needs no legend: it would repeat the label ("Estado civil /
        // Estado civil") and a screen reader would read both.
        return members.length === 1 ? (
          <div key={category} className="form-group">
            {inputs}
          </div>
        ) : (
          <fieldset key={category} className="form-group">
            <legend>{t(`category.${category}`, { defaultValue: category })}</legend>
            {inputs}
          </fieldset>
        );
      })}
      <HouseholdChoice value={household} onChange={setHousehold} />
      {enrol.error && Object.keys(serverProblems).length === 0 ? (
        <ProblemNotice error={enrol.error} />
      ) : null}
      <p className="hint">{t('enrol.purposeNote')}</p>
      <button type="submit" disabled={enrol.isPending}>
        {enrol.isPending ? t('common.wait') : t('enrol.submit')}
      </button>
    </form>
  );
}

/**
 * The server's field errors (`body/attributes/sex`) keyed by attribute name, each said in the
 * operator's language from its refusal code.
 */
function serverFieldProblems(error: unknown, t: TFunction): Record<string, FieldProblemKey> {
  const found: Record<string, FieldProblemKey> = {};
  if (!(error instanceof ApiError)) return found;
  for (const problem of error.fieldProblems) {
    const name = problem.field.split('/').at(-1);
    if (name) found[name] = { key: 'server', reason: refusalText(t, problem) };
  }
  return found;
}

function EnrolResult(props: {
  answer: EnrolAnswer;
  entered: Record<string, unknown>;
  onAgain: () => void;
}) {
  const { t } = useTranslation();
  const { answer } = props;
  return (
    <div>
      {answer.status === 'enrolled' ? (
        <div className="notice notice-ok" role="status">
          <h2>{t('enrol.enrolled')}</h2>
          <p>
            {t('enrol.uinIs')}{' '}
            <strong className="mono" data-testid="new-uin">
              {answer.uin}
            </strong>
          </p>
          <p>
            <Link to={withQuery(`/persons/${answer.personId}`, { suggested: 'enrolment' })}>
              {t('enrol.openRecord')}
            </Link>
          </p>
        </div>
      ) : (
        <div className="notice notice-warning" role="alert" data-testid="duplicate-warning">
          <h2>{t('enrol.held')}</h2>
          <p>{t('enrol.heldExplain')}</p>
          {answer.otherCandidates > 0 ? (
            <p>{t('enrol.otherCandidates', { count: answer.otherCandidates })}</p>
          ) : null}
        </div>
      )}
      <EnrolReceipt answer={answer} entered={props.entered} />
      {answer.status === 'held' ? (
        <CandidatesComparison entered={props.entered} candidates={answer.candidates} />
      ) : null}
      <button type="button" onClick={props.onAgain}>
        {t('enrol.another')}
      </button>
    </div>
  );
}
