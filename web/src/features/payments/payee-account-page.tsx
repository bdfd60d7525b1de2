import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { apiGet, apiSend } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { may } from '../../session/permissions.js';
import { useOperator } from '../../session/use-session.js';

/** One version of a person's payee account (`GET /api/payments/persons/:id/payee-account`). */
interface PayeeVersion {
  accountKind: 'bank_account' | 'mobile_money';
  bankCode: string | null;
  accountEnding: string;
  holderName: string;
  setMethod: 'staff_phone_code' | 'staff_two_person';
  setAt: string;
  heldUntil: string | null;
  /** Why it is held: set without the texted code, or soon after a change of phone. */
  holdReason: 'staff_two_person' | 'phone_changed' | null;
  held: boolean;
  /** When the person stopped this held change with the texted code; it was never in use. */
  stoppedAt: string | null;
}

interface PayeeAnswer {
  current: PayeeVersion | null;
  history: PayeeVersion[];
}

/**
 * A person's payee account for bank payouts (payouts/README.md, "Payee accounts"), for
 * enrolment and finance staff with the person at the counter: the account in use (last four
 * digits only) and its history; setting a new one under the second check the staff member does
 * not control — a code texted to the phone on file that the person reads out, or, without a
 * phone, the photo on file checked and another account's approval (then it is held a day).
 */
export function PayeeAccountPage() {
  const { t } = useTranslation();
  const { personId = '' } = useParams();
  const roles = useOperator()?.roles ?? [];
  const purpose = 'self';
  const account = useQuery({
    queryKey: ['payee-account', personId],
    enabled: may(roles, 'payee.read'),
    queryFn: () =>
      apiGet<PayeeAnswer>(`/api/payments/persons/${personId}/payee-account?purpose=${purpose}`),
  });
  return (
    <section>
      <PageHeading>{t('payee.title')}</PageHeading>
      <p>{t('payee.lead')}</p>
      <p>
        <Link to={`/persons/${personId}`}>{t('payee.back')}</Link>
      </p>
      {account.error ? <ProblemNotice error={account.error} /> : null}
      {account.data ? <PayeeHistory answer={account.data} /> : null}
      {/* For a person who calls about a held change they did not ask for: staff type the code. */}
      <p>
        <Link to="/payee-stop">{t('payeeStop.link')}</Link>
      </p>
      {may(roles, 'payee.set') ? <PayeeForm personId={personId} /> : null}
    </section>
  );
}

function PayeeHistory({ answer }: { answer: PayeeAnswer }) {
  const { t } = useTranslation();
  const format = useFormat();
  const line = (version: PayeeVersion) =>
    t('payee.line', {
      kind: t(`payouts.accountKinds.${version.accountKind}`),
      ending: version.accountEnding,
      holder: version.holderName,
      date: format.dateTime(version.setAt),
      how: t(`payee.methods.${version.setMethod}`),
    });
  // The account in use is the newest change the person did not stop; the rest is history.
  const others = answer.history.filter((version) => version.setAt !== answer.current?.setAt);
  return (
    <section aria-labelledby="payee-current-title">
      <h2 id="payee-current-title">{t('payee.current')}</h2>
      {answer.current === null ? (
        <p data-testid="payee-current">{t('payee.none')}</p>
      ) : (
        <p data-testid="payee-current">
          {line(answer.current)}
          {answer.current.held && answer.current.heldUntil !== null
            ? ` ${t(
                answer.current.holdReason === 'phone_changed'
                  ? 'payee.heldPhoneChanged'
                  : 'payee.heldUntil',
                { date: format.dateTime(answer.current.heldUntil) },
              )}`
            : ''}
        </p>
      )}
      {others.length > 0 ? (
        <>
          <h3>{t('payee.history')}</h3>
          <ul className="card-list" data-testid="payee-history">
            {others.map((version) => (
              <li key={version.setAt}>
                {line(version)}
                {version.stoppedAt === null
                  ? ''
                  : ` ${t('payee.stopped', { date: format.dateTime(version.stoppedAt) })}`}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

type Method = 'phone_code' | 'two_person';

function PayeeForm({ personId }: { personId: string }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [method, setMethod] = useState<Method>('phone_code');
  const [photoChecked, setPhotoChecked] = useState(false);
  const [checkId, setCheckId] = useState<string | null>(null);
  const [form, setForm] = useState({
    holderName: '',
    holderNationalId: '',
    kind: 'bank_account' as 'bank_account' | 'mobile_money',
    number: '',
    bankCode: '',
    code: '',
  });
  const base = `/api/payments/persons/${personId}`;
  const start = useMutation({
    mutationFn: () =>
      apiSend<{ checkId: string }>('POST', `${base}/payee-checks?purpose=self`, {
        method,
        ...(method === 'two_person' ? { photoChecked } : {}),
      }),
    onSuccess: (answer) => setCheckId(answer.body.checkId),
  });
  const save = useMutation({
    mutationFn: () =>
      apiSend('PUT', `${base}/payee-account?purpose=self`, {
        checkId,
        ...(method === 'phone_code' ? { code: form.code } : {}),
        holderName: form.holderName,
        ...(form.holderNationalId ? { holderNationalId: form.holderNationalId } : {}),
        account:
          form.kind === 'bank_account'
            ? { kind: 'bank_account', accountNumber: form.number }
            : { kind: 'mobile_money', phoneNumber: form.number },
        bank: form.bankCode ? { bankCode: form.bankCode } : {},
      }),
    onSuccess: () => {
      setCheckId(null);
      client.invalidateQueries({ queryKey: ['payee-account', personId] });
    },
  });
  const set = (key: keyof typeof form) => (value: string) =>
    setForm((before) => ({ ...before, [key]: value }));
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (checkId === null) start.mutate();
    else save.mutate();
  };
  return (
    <form aria-labelledby="payee-form-title" onSubmit={onSubmit} className="stack">
      <h2 id="payee-form-title">{t('payee.form.title')}</h2>
      <p>{t('payee.form.explain')}</p>
      <AccountFields form={form} set={set} />
      <fieldset disabled={checkId !== null}>
        <legend>{t('payee.form.check')}</legend>
        {(['phone_code', 'two_person'] as const).map((each) => (
          <label key={each} className="checkbox-line">
            <input
              type="radio"
              name="payee-method"
              checked={method === each}
              onChange={() => setMethod(each)}
            />{' '}
            {t(`payee.form.methods.${each}`)}
          </label>
        ))}
        {method === 'two_person' ? (
          <label className="checkbox-line">
            <input
              type="checkbox"
              checked={photoChecked}
              onChange={(event) => setPhotoChecked(event.target.checked)}
            />{' '}
            {t('payee.form.photoChecked')}
          </label>
        ) : null}
      </fieldset>
      {checkId !== null && method === 'phone_code' ? (
        <Field label={t('payee.form.code')} hint={t('payee.form.codeHint')} required>
          {(control) => (
            <input
              {...control}
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              value={form.code}
              onChange={(event) => set('code')(event.target.value)}
            />
          )}
        </Field>
      ) : null}
      {checkId !== null && method === 'two_person' ? (
        <p role="status">{t('payee.form.waitingApproval')}</p>
      ) : null}
      <button type="submit" disabled={start.isPending || save.isPending}>
        {checkId === null ? t(`payee.form.start.${method}`) : t('payee.form.save')}
      </button>
      {start.error ? <ProblemNotice error={start.error} /> : null}
      {save.error ? <ProblemNotice error={save.error} /> : null}
      {save.isSuccess ? <p role="status">{t('payee.form.saved')}</p> : null}
    </form>
  );
}

type PayeeFormValues = {
  holderName: string;
  holderNationalId: string;
  kind: 'bank_account' | 'mobile_money';
  number: string;
  bankCode: string;
  code: string;
};

function AccountFields(props: {
  form: PayeeFormValues;
  set: (key: keyof PayeeFormValues) => (value: string) => void;
}) {
  const { t } = useTranslation();
  const { form, set } = props;
  return (
    <>
      <Field label={t('payee.form.holderName')} hint={t('payee.form.holderNameHint')} required>
        {(control) => (
          <input
            {...control}
            maxLength={140}
            value={form.holderName}
            onChange={(event) => set('holderName')(event.target.value)}
          />
        )}
      </Field>
      <Field label={t('payee.form.holderNationalId')} hint={t('payee.form.nationalIdHint')}>
        {(control) => (
          <input
            {...control}
            value={form.holderNationalId}
            onChange={(event) => set('holderNationalId')(event.target.value)}
          />
        )}
      </Field>
      <Field label={t('payee.form.kind')}>
        {(control) => (
          <select
            {...control}
            value={form.kind}
            onChange={(event) => set('kind')(event.target.value)}
          >
            <option value="bank_account">{t('payouts.accountKinds.bank_account')}</option>
            <option value="mobile_money">{t('payouts.accountKinds.mobile_money')}</option>
          </select>
        )}
      </Field>
      <Field
        label={t(form.kind === 'bank_account' ? 'payee.form.accountNumber' : 'payee.form.phone')}
        hint={t(form.kind === 'bank_account' ? 'payee.form.accountHint' : 'payee.form.phoneHint')}
        required
      >
        {(control) => (
          <input
            {...control}
            inputMode={form.kind === 'bank_account' ? 'numeric' : 'tel'}
            value={form.number}
            onChange={(event) => set('number')(event.target.value)}
          />
        )}
      </Field>
      <Field label={t('payee.form.bankCode')} hint={t('payee.form.bankCodeHint')}>
        {(control) => (
          <input
            {...control}
            inputMode="numeric"
            value={form.bankCode}
            onChange={(event) => set('bankCode')(event.target.value)}
          />
        )}
      </Field>
    </>
  );
}
