import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Field } from '../../components/field.js';

/**
 * Beside a return's confirm button: a second finance officer, not the uploader, rejects a
 * return the bank did not make (migration 0135), giving the reason, after checking the bank's
 * reference with the bank. The panel sends it (`POST …/returns/:instructionId/rejection`) and
 * tells what happened, since the return leaves the list.
 */
export function PayoutReturnRejection(props: {
  endToEndId: string;
  pending: boolean;
  onReject: (reason: string) => void;
}) {
  const { t } = useTranslation();
  const [reason, setReason] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (reason.trim() !== '') props.onReject(reason.trim());
  };
  return (
    <form onSubmit={submit} className="return-rejection">
      <Field
        label={t('payouts.returns.rejectReason', { endToEndId: props.endToEndId })}
        hint={t('payouts.returns.rejectHint')}
        required
      >
        {(control) => (
          <input
            {...control}
            maxLength={500}
            value={reason}
            onChange={(event) => setReason(event.target.value)}
          />
        )}
      </Field>
      <button type="submit" disabled={props.pending || reason.trim() === ''}>
        {t('payouts.returns.reject', { endToEndId: props.endToEndId })}
      </button>
    </form>
  );
}
