import { useTranslation } from 'react-i18next';

/** Which half of an enrolment code was just made, for whom. */
export interface ShownCodeHalf {
  username: string;
  half: 'first' | 'second';
  code: string;
}

/**
 * One half of a staff member's enrolment code, shown once to the administrator allowed to see
 * it: the one who asked sees the first, the one who approved the second. The person needs both
 * to set their own password and authenticator, so neither administrator can do it alone.
 */
export function CodeHalfOnce(props: { shown: ShownCodeHalf; onDone: () => void }) {
  const { t } = useTranslation();
  const { shown } = props;
  return (
    <section className="panel" aria-labelledby="code-half-heading" data-testid="code-half">
      <h2 id="code-half-heading">
        {t(`operators.code.title.${shown.half}`, { username: shown.username })}
      </h2>
      <p role="alert">{t('operators.code.once')}</p>
      <p className="mono" data-testid="code-half-value">
        {shown.code}
      </p>
      <p className="hint">{t(`operators.code.next.${shown.half}`)}</p>
      <button type="button" onClick={props.onDone}>
        {t('operators.code.done')}
      </button>
    </section>
  );
}
