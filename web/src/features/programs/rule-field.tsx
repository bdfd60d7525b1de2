import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { RuleCheckAnswer } from '../../../../src/shared/api/program-rules.js';
import { ApiError, apiSend } from '../../api/client.js';

/** How long the officer may pause typing before the rule is checked. */
export const ruleCheckDelayMs = 400;

type CheckState =
  | { kind: 'idle' }
  | { kind: 'checking' }
  | { kind: 'valid'; answer: RuleCheckAnswer }
  | { kind: 'invalid'; code: string; reason: string; start: number; end: number }
  | { kind: 'failed'; error: unknown };

/**
 * The rule (or formula) box of the program editor, type-checked as the officer types: after a
 * pause of `ruleCheckDelayMs` the server's checker answers, and either the clauses are said in
 * plain words (what a person will read when denied) or the problem is marked at its position
 * in the rule. Only the last answer counts, so a slow one never overwrites a newer one.
 *
 * @example
 *   <RuleField label={t('programs.rule')} yields="bool" value={rule} onChange={setRule} />
 */
export function RuleField(props: {
  label: string;
  hint?: string;
  yields: 'bool' | 'int';
  value: string;
  onChange: (value: string) => void;
  onValidity?: (valid: boolean) => void;
}) {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'en' ? 'en' : 'es';
  const id = useId();
  const [state, setState] = useState<CheckState>({ kind: 'idle' });
  const { value, yields, onValidity } = props;
  useEffect(() => {
    if (value.trim() === '') {
      setState({ kind: 'idle' });
      onValidity?.(false);
      return;
    }
    let current = true;
    setState({ kind: 'checking' });
    const timer = setTimeout(() => {
      apiSend<RuleCheckAnswer>('POST', '/api/programs/rule-check', { source: value, yields })
        .then(({ body }) => {
          if (!current) return;
          setState({ kind: 'valid', answer: body });
          onValidity?.(true);
        })
        .catch((error: unknown) => {
          if (!current) return;
          onValidity?.(false);
          const problem = error instanceof ApiError ? error.fieldProblems[0] : undefined;
          if (error instanceof ApiError && error.code === 'AMP_RULE_INVALID' && problem) {
            setState({
              kind: 'invalid',
              code: problem.code ?? 'rule_syntax',
              reason: problem.reason,
              start: Number(problem.params?.start ?? 0),
              end: Number(problem.params?.end ?? value.length),
            });
          } else setState({ kind: 'failed', error });
        });
    }, ruleCheckDelayMs);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [value, yields, onValidity]);
  const statusId = `${id}-status`;
  return (
    <div className={state.kind === 'invalid' ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>
        {props.label}
        <span aria-hidden="true"> *</span>
      </label>
      {props.hint ? <p className="hint">{props.hint}</p> : null}
      <textarea
        id={id}
        className="rule-input"
        rows={3}
        required
        spellCheck={false}
        maxLength={4000}
        aria-describedby={statusId}
        aria-invalid={state.kind === 'invalid' ? true : undefined}
        value={value}
        onChange={(event) => props.onChange(event.target.value)}
      />
      <div id={statusId} aria-live="polite" data-testid={`rule-status-${yields}`}>
        {state.kind === 'checking' ? <p className="hint">{t('programs.checking')}</p> : null}
        {state.kind === 'invalid' ? <RuleProblem source={value} problem={state} /> : null}
        {state.kind === 'failed' ? (
          <p className="field-error">{t('programs.checkFailed')}</p>
        ) : null}
        {state.kind === 'valid' ? (
          <div className="rule-valid">
            <p>{yields === 'bool' ? t('programs.ruleValid') : t('programs.formulaValid')}</p>
            {yields === 'bool' ? (
              <ul className="clause-list" data-testid="rule-explanation">
                {state.answer.clauses.map((clause) => (
                  <li key={clause.source}>{clause.text[language]}</li>
                ))}
              </ul>
            ) : null}
            {state.answer.sealedVariables.length > 0 && yields === 'int' ? (
              <p className="field-error">
                {t('programs.sealedNotPlanned', { names: state.answer.sealedVariables.join(', ') })}
              </p>
            ) : null}
            {state.answer.sealedVariables.length > 0 && yields === 'bool' ? (
              <p>
                {t('programs.sealedDecided', { names: state.answer.sealedVariables.join(', ') })}
              </p>
            ) : null}
          </div>
        ) : null}
      </div>
    </div>
  );
}

export function RuleProblem(props: {
  source: string;
  problem: { code: string; reason: string; start: number; end: number };
}) {
  const { t } = useTranslation();
  const { source, problem } = props;
  const start = Math.max(0, Math.min(problem.start, source.length));
  const end = Math.max(start, Math.min(problem.end, source.length));
  const marked = source.slice(start, end);
  return (
    <div className="field-error" data-testid="rule-problem">
      <p>
        {t(`programs.ruleProblem.${problem.code}`, {
          text: marked,
          defaultValue: t('programs.ruleProblem.other', {
            reason: problem.reason.replace(/ \(at \d+–\d+\)$/, ''),
          }),
        })}{' '}
        {t('programs.atPosition', { start: start + 1, end })}
      </p>
      <pre className="rule-source" aria-hidden="true">
        <code>
          {source.slice(0, start)}
          <mark>{marked === '' ? ' ' : marked}</mark>
          {source.slice(end)}
        </code>
      </pre>
    </div>
  );
}
