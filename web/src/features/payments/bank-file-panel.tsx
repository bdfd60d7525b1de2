import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiSend } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { FilePicker } from '../../components/file-picker.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import type { BankFileFormat, BankFileOutcome } from './money-api.js';

const formats: readonly BankFileFormat[] = ['camt.053', 'camt.054', 'mt940', 'pain.002'];
const figures = [
  'accepted',
  'settled',
  'rejected',
  'returned',
  'suspense',
  'unchanged',
  'refused',
] as const;

/**
 * Uploads what the bank answered — a pain.002 status report, a camt.053 or camt.054
 * statement, an MT940 — and shows what it did: payments accepted, paid, rejected, returned,
 * movements sent to suspense, unchanged, refused by the ledger. The same file twice does
 * nothing more and says so; a malformed one is refused whole, naming where.
 */
export function BankFilePanel({ purpose }: { purpose: string }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [format, setFormat] = useState<BankFileFormat>('camt.053');
  const [file, setFile] = useState<File | null>(null);
  const upload = useMutation({
    mutationFn: async (chosen: File) =>
      apiSend<BankFileOutcome>('POST', `/api/payouts/bank-files?purpose=${purpose}`, {
        format,
        content: await chosen.text(),
      }),
    onSettled: () => {
      client.invalidateQueries({ queryKey: ['payout-batches'] });
      client.invalidateQueries({ queryKey: ['payout-batch-payments'] });
      client.invalidateQueries({ queryKey: ['payout-returns'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (file !== null) upload.mutate(file);
  };
  const outcome = upload.data?.body;
  return (
    <section aria-labelledby="payouts-bank-file-title">
      <h2 id="payouts-bank-file-title">{t('payouts.bankFile.title')}</h2>
      <p>{t('payouts.bankFile.explain')}</p>
      <form onSubmit={submit} className="stack">
        <Field label={t('payouts.bankFile.format')}>
          {(control) => (
            <select
              {...control}
              value={format}
              onChange={(event) => setFormat(event.target.value as BankFileFormat)}
            >
              {formats.map((each) => (
                <option key={each} value={each}>
                  {t(`payouts.bankFile.formats.${each}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('payouts.bankFile.file')} required>
          {(control) => (
            <FilePicker control={control} accept=".xml,.txt,.sta,.940,.mt940" onFile={setFile} />
          )}
        </Field>
        <button type="submit" disabled={file === null || upload.isPending}>
          {upload.isPending ? t('common.wait') : t('payouts.bankFile.submit')}
        </button>
      </form>
      {upload.error ? <ProblemNotice error={upload.error} /> : null}
      {outcome ? (
        <div role="status" data-testid="bank-file-outcome">
          <p>
            {t(outcome.replayed ? 'payouts.bankFile.replayed' : 'payouts.bankFile.applied', {
              message: outcome.messageId,
            })}
          </p>
          <dl className="supervision-figures">
            {figures.map((name) => (
              <div key={name}>
                <dt>{t(`payouts.bankFile.figures.${name}`)}</dt>
                <dd className="supervision-value" data-testid={`bank-file-${name}`}>
                  {outcome.summary[name]}
                </dd>
              </div>
            ))}
          </dl>
        </div>
      ) : null}
    </section>
  );
}
