import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  MerchantAnswer,
  MerchantChoicesAnswer,
  SettlementLinesAnswer,
} from '../../../../src/shared/api/merchants.js';
import { ApiError, apiGet, apiSend } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { divisionName, listStates } from '../../geography/divisions.js';
import { CounterAssistedList } from './counter-assisted.js';
import { type Currency, CurrencyField } from './currency-field.js';
import { MerchantApproval } from './merchant-approval.js';
import { amountText } from './money-api.js';
import { debtorOf, PayingAccountPanel, usePayingAccount } from './paying-account-panel.js';

/**
 * The finance officer's merchant screens on /money (issue #16, point 5): register a merchant
 * (`merchant.manage`), list the merchants of their regions (`merchant.read`), and run a day's
 * settlement and download its pain.001 file (`merchant.settle`).
 */
/** A username as operators sign in with it (migrations/0003_operators.sql). */
const username = /^[a-z0-9][a-z0-9._-]{2,63}$/;

/** One program paying a share of the merchant's subsidised prices. */
interface SubsidyRow {
  /** Stable key of the row in the form (not sent). */
  key: number;
  programId: string;
  sharePercent: string;
}

interface MerchantForm {
  name: string;
  stateCode: string;
  currency: Currency;
  bankCode: string;
  accountNumber: string;
  holder: 'person' | 'organisation';
  staff: string;
  subsidies: SubsidyRow[];
}

type FormProblems = Partial<Record<Exclude<keyof MerchantForm, 'subsidies'>, string>> & {
  /** By row key: the row's program or share problem. */
  subsidies?: Record<number, { programId?: string; sharePercent?: string }>;
};

/** The form's problems, each the i18n key of its sentence; empty when it may be sent. */
export function merchantFormProblems(form: MerchantForm): FormProblems {
  const problems: FormProblems = {};
  const name = form.name.trim();
  if (name.length === 0 || name.length > 70) problems.name = 'money.merchants.errors.name';
  if (!/^VE-[A-Z]$/.test(form.stateCode)) problems.stateCode = 'money.merchants.errors.state';
  if (!/^[0-9]{4}$/.test(form.bankCode.trim())) problems.bankCode = 'money.merchants.errors.bank';
  if (!/^[0-9]{20}$/.test(form.accountNumber.trim()))
    problems.accountNumber = 'money.merchants.errors.account';
  if (staffNames(form.staff).some((name) => !username.test(name)))
    problems.staff = 'money.merchants.errors.staff';
  const rows: NonNullable<FormProblems['subsidies']> = {};
  const chosen = new Set<string>();
  for (const row of form.subsidies) {
    const share = Number(row.sharePercent.replace(',', '.'));
    const problem: { programId?: string; sharePercent?: string } = {};
    if (row.programId === '') problem.programId = 'money.merchants.errors.program';
    else if (chosen.has(row.programId)) problem.programId = 'money.merchants.errors.programTwice';
    chosen.add(row.programId);
    if (
      !(/^[0-9]{1,3}([.,][0-9]{1,2})?$/.test(row.sharePercent.trim()) && share > 0 && share <= 100)
    )
      problem.sharePercent = 'money.merchants.errors.share';
    if (problem.programId || problem.sharePercent) rows[row.key] = problem;
  }
  if (Object.keys(rows).length > 0) problems.subsidies = rows;
  return problems;
}

function staffNames(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
}

export function MerchantsPanel(props: {
  purpose: string;
  canManage: boolean;
  /** Holds `merchant.counter_assisted_review`: each merchant shows its payments without the card. */
  canReview?: boolean;
  canApprove: boolean;
}) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="money-merchants-title">
      <h2 id="money-merchants-title">{t('money.merchants.title')}</h2>
      {props.canManage ? <RegisterForm purpose={props.purpose} /> : null}
      <MerchantList
        purpose={props.purpose}
        canReview={props.canReview === true}
        canApprove={props.canApprove}
      />
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
  subsidies: [],
};

/** The server's problem with one staff username, shown under the staff field. */
function staffProblem(error: unknown, names: readonly string[]): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const indexes = error.fieldProblems
    .map((problem) => /^\/staffUsernames\/([0-9]+)$/.exec(problem.field)?.[1])
    .filter((index): index is string => index !== undefined);
  if (indexes.length === 0) return undefined;
  return indexes.map((index) => names[Number(index)] ?? '').join(', ');
}

let subsidyKeys = 0;

function RegisterForm({ purpose }: { purpose: string }) {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const [form, setForm] = useState<MerchantForm>(emptyForm);
  const [checked, setChecked] = useState(false);
  const choices = useQuery({
    queryKey: ['merchant-choices'],
    queryFn: () =>
      apiGet<MerchantChoicesAnswer>(`/api/payments/merchant-choices?purpose=${purpose}`),
  });
  const problems = merchantFormProblems(form);
  const shown: FormProblems = checked ? problems : {};
  const error = (key: Exclude<keyof MerchantForm, 'subsidies'>) =>
    shown[key] ? t(shown[key]) : undefined;
  const set = (key: Exclude<keyof MerchantForm, 'subsidies'>) => (value: string) =>
    setForm((before) => ({ ...before, [key]: value }));
  const setRow = (key: number, change: Partial<SubsidyRow>) =>
    setForm((before) => ({
      ...before,
      subsidies: before.subsidies.map((row) => (row.key === key ? { ...row, ...change } : row)),
    }));
  const register = useMutation({
    mutationFn: () =>
      apiSend<MerchantAnswer>('POST', `/api/payments/merchants?purpose=${purpose}`, {
        merchantId: crypto.randomUUID(),
        name: form.name.trim(),
        stateCode: form.stateCode,
        currency: form.currency,
        settlement: {
          bankCode: form.bankCode.trim(),
          accountNumber: form.accountNumber.trim(),
          holder: form.holder,
        },
        staffOperatorIds: [],
        staffUsernames: staffNames(form.staff),
        subsidies: form.subsidies.map((row) => ({
          programId: row.programId,
          shareBasisPoints: Math.round(Number(row.sharePercent.replace(',', '.')) * 100),
        })),
      }),
    onSuccess: () => {
      setForm(emptyForm);
      setChecked(false);
      return client.invalidateQueries({ queryKey: ['money-merchants'] });
    },
  });
  const unknownStaff = staffProblem(register.error, staffNames(form.staff));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setChecked(true);
    if (Object.keys(problems).length === 0) register.mutate();
  };
  const programs = (choices.data?.programs ?? []).filter(
    (program) => program.currency === null || program.currency === form.currency,
  );
  const language = i18n.language === 'en' ? 'en' : 'es';
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
        error={
          error('staff') ??
          (unknownStaff
            ? t('money.merchants.errors.staffUnknown', { names: unknownStaff })
            : undefined)
        }
      >
        {(control) => (
          <textarea
            {...control}
            autoCapitalize="none"
            spellCheck={false}
            value={form.staff}
            onChange={(e) => set('staff')(e.target.value)}
          />
        )}
      </Field>
      <fieldset className="stack">
        <legend>{t('money.merchants.subsidies')}</legend>
        <p className="hint">{t('money.merchants.subsidyHint')}</p>
        {choices.error ? <ProblemNotice error={choices.error} /> : null}
        {form.subsidies.map((row, index) => (
          <div key={row.key} className="stack" data-testid="subsidy-row">
            <Field
              label={t('money.merchants.subsidyProgram', { number: index + 1 })}
              error={
                shown.subsidies?.[row.key]?.programId
                  ? t(shown.subsidies[row.key]?.programId ?? '')
                  : undefined
              }
              required
            >
              {(control) => (
                <select
                  {...control}
                  value={row.programId}
                  onChange={(e) => setRow(row.key, { programId: e.target.value })}
                >
                  <option value="">{t('money.merchants.chooseProgram')}</option>
                  {programs.map((program) => (
                    <option key={program.programId} value={program.programId}>
                      {`${program.name[language]} (${program.code})`}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field
              label={t('money.merchants.share', { number: index + 1 })}
              error={
                shown.subsidies?.[row.key]?.sharePercent
                  ? t(shown.subsidies[row.key]?.sharePercent ?? '')
                  : undefined
              }
              required
            >
              {(control) => (
                <input
                  {...control}
                  inputMode="decimal"
                  value={row.sharePercent}
                  onChange={(e) => setRow(row.key, { sharePercent: e.target.value })}
                />
              )}
            </Field>
            <button
              type="button"
              className="button-secondary"
              onClick={() =>
                setForm((before) => ({
                  ...before,
                  subsidies: before.subsidies.filter((each) => each.key !== row.key),
                }))
              }
            >
              {t('money.merchants.removeProgram', { number: index + 1 })}
            </button>
          </div>
        ))}
        <button
          type="button"
          className="button-secondary"
          disabled={form.subsidies.length >= 20}
          onClick={() => {
            subsidyKeys += 1;
            const key = subsidyKeys;
            setForm((before) => ({
              ...before,
              subsidies: [...before.subsidies, { key, programId: '', sharePercent: '' }],
            }));
          }}
        >
          {t('money.merchants.addProgram')}
        </button>
      </fieldset>
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

function MerchantList({
  purpose,
  canReview,
  canApprove,
}: {
  purpose: string;
  canReview: boolean;
  canApprove: boolean;
}) {
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
            {canReview ? (
              <CounterAssistedList merchantId={merchant.merchantId} purpose={purpose} />
            ) : null}
            <MerchantApproval merchant={merchant} purpose={purpose} canApprove={canApprove} />
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
  const [checked, setChecked] = useState(false);
  const [ran, setRan] = useState<{ day: string; currency: Currency } | null>(null);
  const problems = {
    day: /^\d{4}-\d{2}-\d{2}$/.test(day) ? undefined : t('money.settlement.errors.day'),
  };
  const payingPath = `/api/payments/merchant-settlements/paying-accounts/${currency}`;
  const paying = usePayingAccount(payingPath, purpose).data?.current ?? null;
  const shown: Partial<typeof problems> = checked ? problems : {};
  const settle = useMutation({
    mutationFn: () =>
      apiSend<SettlementLinesAnswer>(
        'POST',
        `/api/payments/merchant-settlements?purpose=${purpose}`,
        {
          settlementDate: day,
          currency,
          // The stored account as shown: changed since, the server refuses the settlement.
          ...(paying === null ? {} : { debtor: debtorOf(paying) }),
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
        <PayingAccountPanel path={payingPath} purpose={purpose} />
        <button type="submit" disabled={settle.isPending || paying === null}>
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
