import { useEffect, useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * The second step of an action that cannot be undone: the question in words, then "yes" or
 * "cancel", as an `alertdialog` so a screen reader announces it. The "yes" button takes the
 * focus, since the button that opened the step is gone and a keyboard user would be lost.
 *
 * @example
 *   <ConfirmStep question={t('changes.death.question', { date })} confirmLabel={t('changes.death.confirm')}
 *     pending={record.isPending} onConfirm={() => record.mutate()} onCancel={() => setConfirming(false)} />
 */
export function ConfirmStep(props: {
  question: string;
  confirmLabel: string;
  pending: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const questionId = useId();
  const confirm = useRef<HTMLButtonElement>(null);
  useEffect(() => confirm.current?.focus(), []);
  return (
    <div role="alertdialog" aria-labelledby={questionId}>
      <p id={questionId}>{props.question}</p>
      <ul className="actions">
        <li>
          <button type="button" ref={confirm} onClick={props.onConfirm} disabled={props.pending}>
            {props.pending ? t('common.wait') : props.confirmLabel}
          </button>
        </li>
        <li>
          <button type="button" onClick={props.onCancel} disabled={props.pending}>
            {t('card.revoke.cancel')}
          </button>
        </li>
      </ul>
    </div>
  );
}
