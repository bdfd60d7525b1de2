import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  PinStateAnswer,
  ReceiptAnswer,
  ReceiptsAnswer,
  WalletAnswer,
} from '../../../../src/shared/api/merchants.js';
import { apiGet, apiSend } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { useInstallableApp } from '../../components/installable-app.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { CameraScanner } from '../verifier/camera-scanner.js';
import { moneyText } from './money.js';
import { readPaymentRequest } from './payment-request-text.js';
import { PinField } from './pin-field.js';
import { ReceiptCard } from './receipt-card.js';

/**
 * The payment app (issue #16, point 6), the person's own: their balance and history, paying a
 * merchant's request by scanning its QR (or pasting its text) and typing their PIN, and the
 * receipts. Installable on its own (manifest `/pay.webmanifest`, `/pay.en.webmanifest` in English; the console's service worker
 * for `/pay`), so it opens like an app; paying needs the network, since the server checks the
 * request, the PIN and the money.
 */
export function PayPage() {
  const { t } = useTranslation();
  useInstallableApp('pay', '/pay');
  const pin = useQuery({
    queryKey: ['my-pin'],
    queryFn: () => apiGet<PinStateAnswer>('/api/payments/me/pin'),
  });
  return (
    <section>
      <PageHeading>{t('payApp.title')}</PageHeading>
      <Balance />
      {pin.error ? <ProblemNotice error={pin.error} /> : null}
      {pin.data && !pin.data.set ? <PinSetter /> : null}
      {pin.data?.heldUntil ? <PinHeld state={pin.data} /> : null}
      {pin.data?.set ? <PayFlow /> : null}
      <MyPayments />
    </section>
  );
}

function Balance() {
  const { t, i18n } = useTranslation();
  const wallet = useQuery({
    queryKey: ['my-wallet'],
    queryFn: () => apiGet<WalletAnswer>('/api/payments/me/wallet'),
  });
  if (wallet.isPending) return <p aria-live="polite">{t('common.loading')}</p>;
  if (wallet.error) return <ProblemNotice error={wallet.error} />;
  const ves = wallet.data.wallets.find((each) => each.currency === 'VES');
  return (
    <section aria-labelledby="balance-heading">
      <h2 id="balance-heading">{t('payApp.balance')}</h2>
      <p className="balance" data-testid="pay-balance">
        {moneyText(ves?.balanceMinor ?? '0', 'VES', i18n.language)}
      </p>
      {wallet.data.frozen ? <p className="notice notice-warning">{t('payApp.frozen')}</p> : null}
    </section>
  );
}

function PinSetter() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [pin, setPin] = useState('');
  const save = useMutation({
    mutationFn: () => apiSend<PinStateAnswer>('PUT', '/api/payments/me/pin', { pin }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['my-pin'] }),
  });
  return (
    <form
      aria-labelledby="pin-heading"
      onSubmit={(event) => {
        event.preventDefault();
        save.mutate();
      }}
    >
      <h2 id="pin-heading">{t('payApp.pin.setTitle')}</h2>
      <PinField
        label={t('payApp.pin.new')}
        hint={t('payApp.pin.hint')}
        value={pin}
        onChange={setPin}
        autoComplete="new-password"
      />
      {save.error ? <ProblemNotice error={save.error} /> : null}
      <button type="submit">{t('payApp.pin.save')}</button>
    </form>
  );
}

/**
 * A held PIN (docs/PAYMENTS-PIN.md): a first PIN, one set soon after the phone on file changed,
 * or one an office set without the texted code pays nothing for a day. The person learns from
 * when it works, and why it waits.
 */
function PinHeld({ state }: { state: PinStateAnswer }) {
  const { t } = useTranslation();
  const format = useFormat();
  if (state.heldUntil === null) return null;
  return (
    <div className="notice notice-warning" role="status" data-testid="pay-pin-held">
      <p>{t('payApp.pin.heldUntil', { time: format.dateTime(state.heldUntil) })}</p>
      {state.heldReason ? <p>{t(`payApp.pin.heldReason.${state.heldReason}`)}</p> : null}
    </div>
  );
}

function PayFlow() {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const [text, setText] = useState('');
  const [pin, setPin] = useState('');
  const preview = readPaymentRequest(text);
  const pay = useMutation({
    mutationFn: () =>
      apiSend<ReceiptAnswer>('POST', '/api/payments/me/payments', { token: text.trim(), pin }),
    onSuccess: () => {
      setPin('');
      void client.invalidateQueries({ queryKey: ['my-wallet'] });
      void client.invalidateQueries({ queryKey: ['my-payments'] });
      void client.invalidateQueries({ queryKey: ['my-pin'] });
    },
    onError: () => void client.invalidateQueries({ queryKey: ['my-pin'] }),
  });
  if (pay.data) {
    return (
      <section aria-labelledby="paid-heading">
        <h2 id="paid-heading">{t('payApp.paid')}</h2>
        <ReceiptCard receipt={pay.data.body} testId="pay-receipt" />
        <button
          type="button"
          onClick={() => {
            setText('');
            pay.reset();
          }}
        >
          {t('payApp.again')}
        </button>
      </section>
    );
  }
  return (
    <form
      aria-labelledby="pay-heading"
      onSubmit={(event) => {
        event.preventDefault();
        pay.mutate();
      }}
    >
      <h2 id="pay-heading">{t('payApp.payTitle')}</h2>
      <p className="hint">{t('payApp.payExplain')}</p>
      <CameraScanner onText={setText} />
      <Field label={t('payApp.requestText')} hint={t('payApp.requestTextHint')}>
        {(control) => (
          <textarea
            {...control}
            rows={3}
            value={text}
            onChange={(event) => setText(event.target.value)}
          />
        )}
      </Field>
      {preview ? (
        <div className="notice" data-testid="pay-preview">
          <p>
            {t('payApp.preview', {
              merchant: preview.merchantName,
              amount: moneyText(preview.amountMinor, preview.currency, i18n.language),
              reference: preview.reference,
            })}
          </p>
          {preview.subsidised ? <p>{t('payApp.previewSubsidised')}</p> : null}
          <p className="hint">
            {t('payApp.previewUntil', { time: format.dateTime(preview.expiresAt) })}
          </p>
        </div>
      ) : text.trim() !== '' ? (
        <p className="notice notice-warning">{t('payApp.notARequest')}</p>
      ) : null}
      <PinField label={t('payApp.pin.yours')} value={pin} onChange={setPin} />
      {pay.error ? <ProblemNotice error={pay.error} /> : null}
      <button type="submit" disabled={preview === undefined || pay.isPending}>
        {t('payApp.pay')}
      </button>
    </form>
  );
}

function MyPayments() {
  const { t } = useTranslation();
  const payments = useQuery({
    queryKey: ['my-payments'],
    queryFn: () => apiGet<ReceiptsAnswer>('/api/payments/me/payments'),
  });
  return (
    <section aria-labelledby="my-payments-heading">
      <h2 id="my-payments-heading">{t('payApp.history')}</h2>
      {payments.error ? <ProblemNotice error={payments.error} /> : null}
      {payments.data?.payments.length === 0 ? <p>{t('payApp.historyNone')}</p> : null}
      {payments.data?.payments.map((receipt) => (
        <ReceiptCard key={receipt.requestId} receipt={receipt} />
      ))}
    </section>
  );
}
