import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  MerchantAnswer,
  SettlementLinesAnswer,
} from '../../../../src/shared/api/merchants.js';
import { apiGet, apiSend } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { divisionName, listStates } from '../../geography/divisions.js';
import { type Currency, CurrencyField } from './currency-field.js';
import { amountText } from './money-api.js';

/**
 * The finance officer's merchant screens on /money (issue #16, point 5): register a merchant
 * (`merchant.manage`), list the merchants of their regions (`merchant.read`), and run a day's
 * settlement and download its pain.001 file (`merchant.settle`).
 */
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface MerchantForm {
  name: string;
  stateCode: string;
  currency: Currency;
  bankCode: string;
  accountNumber: string;
  holder: 'person' | 'organisation';
  staff: string;
  programId: string;
  sharePercent: string;
}

/** The form's problems, each the i18n key of its sentence; empty when it may be sent. */
export function merchantFormProblems(
  form: MerchantForm,
): Partial<Record<keyof MerchantForm, string>> {
  const problems: Partial<Record<keyof MerchantForm, string>> = {};
  const name = form.name.trim();
  if (name.length === 0 || name.length > 70) problems.name = 'money.merchants.errors.name';
  if (!/^VE-[A-Z]$/.test(form.stateCode)) problems.stateCode = 'money.merchants.errors.state';
  if (!/^[0-9]{4}$/.test(form.bankCode.trim())) problems.bankCode = 'money.merchants.errors.bank';
  if (!/^[0-9]{20}$/.test(form.accountNumber.trim()))
    problems.accountNumber = 'money.merchants.errors.account';
  if (staffIds(form.staff).some((id) => !uuid.test(id)))
    problems.staff = 'money.merchants.errors.staff';
  const programId = form.programId.trim();
  const share = Number(form.sharePercent.replace(',', '.'));
  if (programId !== '' && !uuid.test(programId))
    problems.programId = 'money.merchants.errors.program';
  if (programId !== '' && !(share > 0 && share <= 100 && Number.isInteger(share * 100)))
    problems.sharePercent = 'money.merchants.errors.share';
  return problems;
}

function staffIds(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((id) => id.trim())
    .filter((id) => id !== '');
}

export function MerchantsPanel(props: { purpose: string; canManage: boolean }) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="money-merchants-title">
      <h2 id="money-merchants-title">{t('money.merchants.title')}</h2>
      {props.canManage ? <RegisterForm purpose={props.purpose} /> : null}
      <MerchantList purpose={props.purpose} />
    </section>
  );
}

const emptyForm: MerchantForm = {
  name: '',
  stateCode: '',
  currency: 'VES',
  bankCode: '',
  accountNumber: '',
  holder: 'organisation',
  staff: '',
  programId: '',
  sharePercent: '',
};

function RegisterForm({ purpose }: { purpose: string }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [form, setForm] = useState<MerchantForm>(emptyForm);
  const [checked, setChecked] = useState(false);
  const problems = merchantFormProblems(form);
  const shown = checked ? problems : {};
  const error = (key: keyof MerchantForm) => (shown[key] ? t(shown[key]) : undefined);
  const set = (key: keyof MerchantForm) => (value: string) =>
    setForm((before) => ({ ...before, [key]: value }));
  const register = useMutation({
    mutationFn: () => {
      const programId = form.programId.trim();
      return apiSend<MerchantAnswer>('POST', `/api/payments/merchants?purpose=${purpose}`, {
        merchantId: crypto.randomUUID(),
        name: form.name.trim(),
        stateCode: form.stateCode,
        currency: form.currency,
        settlement: {
          bankCode: form.bankCode.trim(),
          accountNumber: form.accountNumber.trim(),
          holder: form.holder,
        },
        staffOperatorIds: staffIds(form.staff),
        subsidies:
          programId === ''
            ? []
            : [
                {
                  programId,
                  shareBasisPoints: Math.round(Number(form.sharePercent.replace(',', '.')) * 100),
                },
              ],
      });
    },
    onSuccess: () => {
      setForm(emptyForm);
      setChecked(false);
      return client.invalidateQueries({ queryKey: ['money-merchants'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setChecked(true);
    if (Object.keys(problems).length === 0) register.mutate();
  };
  return (
    <form
      onSubmit={submit}
      className="stack"
      aria-labelledby="money-merchant-register-title"
      noValidate
    >
      <h3 id="money-merchant-register-title">{t('money.merchants.register')}</h3>
      <Field label={t('money.merchants.name')} error={error('name')} required>
        {(control) => (
          <input
            {...control}
            maxLength={70}
            value={form.name}
            onChange={(e) => set('name')(e.target.value)}
          />
        )}
      </Field>
      <Field label={t('money.merchants.state')} error={error('stateCode')} required>
        {(control) => (
          <select
            {...control}
            value={form.stateCode}
            onChange={(e) => set('stateCode')(e.target.value)}
          >
            <option value="">{t('money.merchants.chooseState')}</option>
            {listStates().map((state) => (
              <option key={state.code} value={state.code}>
                {state.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <CurrencyField value={form.currency} onChange={(value) => set('currency')(value)} />
      <Field
        label={t('money.merchants.bankCode')}
        hint={t('money.merchants.bankCodeHint')}
        error={error('bankCode')}
        required
      >
        {(control) => (
          <input
            {...control}
            inputMode="numeric"
            value={form.bankCode}
            onChange={(e) => set('bankCode')(e.target.value)}
          />
        )}
      </Field>
      <Field
        label={t('money.merchants.accountNumber')}
        hint={t('money.merchants.accountHint')}
        error={error('accountNumber')}
        required
      >
        {(control) => (
          <input
            {...control}
            inputMode="numeric"
            value={form.accountNumber}
            onChange={(e) => set('accountNumber')(e.target.value)}
          />
        )}
      </Field>
      <Field label={t('money.merchants.holder')}>
        {(control) => (
          <select
            {...control}
            value={form.holder}
            onChange={(e) => set('holder')(e.target.value === 'person' ? 'person' : 'organisation')}
          >
            <option value="organisation">{t('money.merchants.holders.organisation')}</option>
            <option value="person">{t('money.merchants.holders.person')}</option>
          </select>
        )}
      </Field>
      <Field
        label={t('money.merchants.staff')}
        hint={t('money.merchants.staffHint')}
        error={error('staff')}
      >
        {(control) => (
          <textarea
            {...control}
            value={form.staff}
            onChange={(e) => set('staff')(e.target.value)}
          />
        )}
      </Field>
      <Field
        label={t('money.merchants.subsidyProgram')}
        hint={t('money.merchants.subsidyHint')}
        error={error('programId')}
      >
        {(control) => (
          <input
            {...control}
            value={form.programId}
            onChange={(e) => set('programId')(e.target.value)}
          />
        )}
      </Field>
      <Field label={t('money.merchants.share')} error={error('sharePercent')}>
        {(control) => (
          <input
            {...control}
            inputMode="decimal"
            value={form.sharePercent}
            onChange={(e) => set('sharePercent')(e.target.value)}
          />
        )}
      </Field>
      <button type="submit" disabled={register.isPending}>
        {t('money.merchants.submit')}
      </button>
      {register.error ? <ProblemNotice error={register.error} /> : null}
      {register.data ? (
        <p role="status">
          {t(register.data.body.replayed ? 'money.merchants.known' : 'money.merchants.done', {
            name: register.data.body.name,
          })}
        </p>
      ) : null}
    </form>
  );
}

function MerchantList({ purpose }: { purpose: string }) {
  const { t } = useTranslation();
  const [after, setAfter] = useState<string[]>([]);
  const cursor = after.at(-1);
  const list = useQuery({
    queryKey: ['money-merchants', cursor ?? null],
    queryFn: () =>
      apiGet<{ merchants: MerchantAnswer[]; next: string | null }>(
        `/api/payments/merchants?purpose=${purpose}&limit=20${cursor ? `&after=${cursor}` : ''}`,
      ),
  });
  return (
    <>
      <h3>{t('money.merchants.list')}</h3>
      {list.error ? <ProblemNotice error={list.error} /> : null}
      {list.data?.merchants.length === 0 ? <p>{t('money.merchants.none')}</p> : null}
      <ul className="supervision-cards" data-testid="merchants">
        {list.data?.merchants.map((merchant) => (
          <li key={merchant.merchantId}>
            <p className="supervision-value">{merchant.name}</p>
            <dl className="supervision-figures">
              <dt>{t('money.merchants.state')}</dt>
              <dd>{divisionName(merchant.stateCode)}</dd>
              <dt>{t('money.currency')}</dt>
              <dd>{merchant.currency}</dd>
              <dt>{t('money.accountId')}</dt>
              <dd className="id-text">{merchant.accountId}</dd>
            </dl>
          </li>
        ))}
      </ul>
      <p className="actions">
        {after.length > 0 ? (
          <button type="button" onClick={() => setAfter((pages) => pages.slice(0, -1))}>
            {t('money.merchants.previous')}
          </button>
        ) : null}
        {list.data?.next ? (
          <button
            type="button"
            onClick={() => {
              const next = list.data?.next;
              if (next) setAfter((pages) => [...pages, next]);
            }}
          >
            {t('money.merchants.next')}
          </button>
        ) : null}
      </p>
    </>
  );
}

export function SettlementPanel({ purpose }: { purpose: string }) {
  const { t } = useTranslation();
  const [day, setDay] = useState('');
  const [currency, setCurrency] = useState<Currency>('VES');
  const [debtor, setDebtor] = useState({ name: '', accountNumber: '', bankCode: '' });
  const [checked, setChecked] = useState(false);
  const [ran, setRan] = useState<{ day: string; currency: Currency } | null>(null);
  const problems = {
    day: /^\d{4}-\d{2}-\d{2}$/.test(day) ? undefined : t('money.settlement.errors.day'),
    name:
      debtor.name.trim().length > 0 && debtor.name.trim().length <= 140
        ? undefined
        : t('money.settlement.errors.name'),
    accountNumber: /^[0-9]{20}$/.test(debtor.accountNumber.trim())
      ? undefined
      : t('money.merchants.errors.account'),
    bankCode: /^[0-9]{4}$/.test(debtor.bankCode.trim())
      ? undefined
      : t('money.merchants.errors.bank'),
  };
  const shown: Partial<typeof problems> = checked ? problems : {};
  const settle = useMutation({
    mutationFn: () =>
      apiSend<SettlementLinesAnswer>(
        'POST',
        `/api/payments/merchant-settlements?purpose=${purpose}`,
        {
          settlementDate: day,
          currency,
          debtor: {
            name: debtor.name.trim(),
            accountNumber: debtor.accountNumber.trim(),
            bankCode: debtor.bankCode.trim(),
          },
        },
      ),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setChecked(true);
    if (Object.values(problems).some((problem) => problem !== undefined)) return;
    setRan({ day, currency });
    settle.mutate();
  };
  const settled = settle.data?.body.settlements;
  return (
    <section aria-labelledby="money-settlement-title">
      <h2 id="money-settlement-title">{t('money.settlement.title')}</h2>
      <p>{t('money.settlement.explain')}</p>
      <form onSubmit={submit} className="stack" noValidate>
        <Field label={t('money.settlement.day')} error={shown.day} required>
          {(control) => (
            <input {...control} type="date" value={day} onChange={(e) => setDay(e.target.value)} />
          )}
        </Field>
        <CurrencyField value={currency} onChange={setCurrency} />
        <Field label={t('money.settlement.debtorName')} error={shown.name} required>
          {(control) => (
            <input
              {...control}
              maxLength={140}
              value={debtor.name}
              onChange={(e) => setDebtor({ ...debtor, name: e.target.value })}
            />
          )}
        </Field>
        <Field
          label={t('money.settlement.debtorAccount')}
          hint={t('money.merchants.accountHint')}
          error={shown.accountNumber}
          required
        >
          {(control) => (
            <input
              {...control}
              inputMode="numeric"
              value={debtor.accountNumber}
              onChange={(e) => setDebtor({ ...debtor, accountNumber: e.target.value })}
            />
          )}
        </Field>
        <Field
          label={t('money.merchants.bankCode')}
          hint={t('money.merchants.bankCodeHint')}
          error={shown.bankCode}
          required
        >
          {(control) => (
            <input
              {...control}
              inputMode="numeric"
              value={debtor.bankCode}
              onChange={(e) => setDebtor({ ...debtor, bankCode: e.target.value })}
            />
          )}
        </Field>
        <button type="submit" disabled={settle.isPending}>
          {t('money.settlement.submit')}
        </button>
      </form>
      {settle.error ? <ProblemNotice error={settle.error} /> : null}
      {settled ? (
        <div role="status" data-testid="settlement-result">
          <p>{t('money.settlement.done', { merchants: settled.length })}</p>
          <ul>
            {settled.map((line) => (
              <li key={line.merchantId}>
                {t('money.settlement.line', {
                  name: line.merchantName,
                  amount: amountText(line.amountMinor),
                  currency: line.currency,
                  payments: line.payments,
                })}
              </li>
            ))}
          </ul>
          {settled.length > 0 && ran ? (
            <p className="actions">
              <a
                href={`/api/payments/merchant-settlements/${ran.day}/${ran.currency}/pain.001.xml?purpose=${purpose}`}
                download
              >
                {t('money.settlement.file')}
              </a>
            </p>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
