import { useMutation, useQuery } from '@tanstack/react-query';
import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  MerchantAnswer,
  PaymentRequestAnswer,
  ReceiptAnswer,
  ReceiptsAnswer,
  SettlementLinesAnswer,
} from '../../../../src/shared/api/merchants.js';
import { apiGet, apiSend } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { CameraScanner } from '../verifier/camera-scanner.js';
import { CounterAssistedPayment } from './counter-assisted.js';
import { minorFromText, moneyText } from './money.js';
import { PinField } from './pin-field.js';
import { ReceiptCard } from './receipt-card.js';

const purpose = 'purpose=distribution';

/**
 * The merchant screen (issue #16, point 6): for the merchant's staff, ask for a payment (the
 * signed request as a QR the payer scans), see the payments that came in — each with its
 * receipt, never the payer's name — and the daily settlement statements.
 */
export function MerchantPage() {
  const { t } = useTranslation();
  const mine = useQuery({
    queryKey: ['my-merchants'],
    queryFn: () => apiGet<{ merchants: MerchantAnswer[] }>('/api/payments/merchants/mine'),
  });
  const [chosen, setChosen] = useState<string | null>(null);
  const merchants = mine.data?.merchants ?? [];
  const merchant = merchants.find((each) => each.merchantId === chosen) ?? merchants[0];
  return (
    <section>
      <PageHeading>{t('merchantApp.title')}</PageHeading>
      {mine.isPending ? <p aria-live="polite">{t('common.loading')}</p> : null}
      {mine.error ? <ProblemNotice error={mine.error} /> : null}
      {mine.data && merchants.length === 0 ? <p>{t('merchantApp.none')}</p> : null}
      {merchants.length > 1 ? (
        <Field label={t('merchantApp.choose')}>
          {(control) => (
            <select
              {...control}
              value={merchant?.merchantId}
              onChange={(event) => setChosen(event.target.value)}
            >
              {merchants.map((each) => (
                <option key={each.merchantId} value={each.merchantId}>
                  {each.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      ) : null}
      {merchant ? (
        <>
          <p className="lead">{merchant.name}</p>
          <RequestPanel key={merchant.merchantId} merchant={merchant} />
          <IncomingPayments merchantId={merchant.merchantId} />
          <Settlements merchantId={merchant.merchantId} />
        </>
      ) : null}
    </section>
  );
}

function RequestPanel({ merchant }: { merchant: MerchantAnswer }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const [amount, setAmount] = useState('');
  const [reference, setReference] = useState('');
  const [image, setImage] = useState<string | null>(null);
  const minor = minorFromText(amount);
  const make = useMutation({
    mutationFn: () =>
      apiSend<PaymentRequestAnswer>(
        'POST',
        `/api/payments/merchants/${merchant.merchantId}/requests?${purpose}`,
        { amountMinor: minor, reference: reference.trim() },
      ),
  });
  const token = make.data?.body.token;
  useEffect(() => {
    if (token === undefined) return;
    // Low error correction keeps the code small enough for whole pixels per module on a phone.
    void QRCode.toDataURL(token, { errorCorrectionLevel: 'L', margin: 4, width: 288 }).then(
      setImage,
    );
  }, [token]);
  return (
    <section aria-labelledby="request-heading">
      <h2 id="request-heading">{t('merchantApp.requestTitle')}</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setImage(null);
          make.mutate();
        }}
      >
        <AmountField
          label={t('merchantApp.amount')}
          hint={t('merchantApp.amountHint')}
          value={amount}
          onChange={setAmount}
          required
        />
        <Field label={t('merchantApp.reference')} hint={t('merchantApp.referenceHint')} required>
          {(control) => (
            <input
              {...control}
              maxLength={35}
              value={reference}
              onChange={(event) => setReference(event.target.value)}
            />
          )}
        </Field>
        {make.error ? <ProblemNotice error={make.error} /> : null}
        <button type="submit" disabled={minor === undefined || reference.trim() === ''}>
          {t('merchantApp.makeRequest')}
        </button>
      </form>
      {make.data && image ? (
        <figure className="payment-qr-figure">
          <img
            src={image}
            className="payment-qr"
            data-testid="merchant-request-qr"
            alt={t('merchantApp.qrAlt', {
              amount: moneyText(make.data.body.amountMinor, make.data.body.currency, i18n.language),
              reference: make.data.body.reference,
            })}
          />
          <figcaption>
            {t('merchantApp.qrCaption', {
              amount: moneyText(make.data.body.amountMinor, make.data.body.currency, i18n.language),
              time: format.dateTime(make.data.body.expiresAt),
            })}
          </figcaption>
        </figure>
      ) : null}
      {make.data ? (
        <CounterPayment
          key={make.data.body.requestId}
          merchantId={merchant.merchantId}
          token={make.data.body.token}
        />
      ) : null}
      {make.data ? (
        <CounterAssistedPayment
          key={`assisted-${make.data.body.requestId}`}
          merchantId={merchant.merchantId}
          token={make.data.body.token}
        />
      ) : null}
    </section>
  );
}

/**
 * For a payer without a phone: the staff scans the payer's card (or pastes its QR text from a
 * reader) and the payer types their PIN on this device. The server verifies the card and pays
 * the request shown above.
 */
function CounterPayment(props: { merchantId: string; token: string }) {
  const { t } = useTranslation();
  const [card, setCard] = useState('');
  const [pin, setPin] = useState('');
  const pay = useMutation({
    mutationFn: () =>
      apiSend<ReceiptAnswer>(
        'POST',
        `/api/payments/merchants/${props.merchantId}/counter-payments?${purpose}`,
        { token: props.token, cardQr: card.trim(), pin },
      ),
    onSettled: () => setPin(''),
  });
  if (pay.data) return <ReceiptCard receipt={pay.data.body} testId="counter-receipt" />;
  return (
    <details>
      <summary>{t('merchantApp.counter.title')}</summary>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          pay.mutate();
        }}
      >
        <p className="hint">{t('merchantApp.counter.explain')}</p>
        <CameraScanner onText={setCard} />
        <Field label={t('merchantApp.counter.card')}>
          {(control) => (
            <textarea
              {...control}
              rows={2}
              value={card}
              onChange={(event) => setCard(event.target.value)}
            />
          )}
        </Field>
        <PinField label={t('merchantApp.counter.pin')} value={pin} onChange={setPin} />
        {pay.error ? <ProblemNotice error={pay.error} /> : null}
        <button type="submit" disabled={card.trim() === '' || pay.isPending}>
          {t('merchantApp.counter.pay')}
        </button>
      </form>
    </details>
  );
}

function IncomingPayments({ merchantId }: { merchantId: string }) {
  const { t } = useTranslation();
  const payments = useQuery({
    queryKey: ['merchant-payments', merchantId],
    queryFn: () =>
      apiGet<ReceiptsAnswer>(`/api/payments/merchants/${merchantId}/payments?${purpose}`),
    refetchInterval: 5_000,
  });
  return (
    <section aria-labelledby="incoming-heading">
      <h2 id="incoming-heading">{t('merchantApp.incoming')}</h2>
      <button type="button" className="button-secondary" onClick={() => void payments.refetch()}>
        {t('merchantApp.refresh')}
      </button>
      {payments.error ? <ProblemNotice error={payments.error} /> : null}
      {payments.data?.payments.length === 0 ? <p>{t('merchantApp.incomingNone')}</p> : null}
      {payments.data?.payments.map((receipt) => (
        <div key={receipt.requestId}>
          <ReceiptCard receipt={receipt} testId="merchant-receipt" />
          {BigInt(receipt.refundedMinor) < BigInt(receipt.amountMinor) ? (
            <RefundForm
              merchantId={merchantId}
              receipt={receipt}
              onDone={() => void payments.refetch()}
            />
          ) : null}
        </div>
      ))}
    </section>
  );
}

/** An amount typed in bolívares (decimal keypad on a phone). */
function AmountField(props: {
  label: string;
  hint: string;
  value: string;
  onChange: (value: string) => void;
  required?: boolean;
}) {
  return (
    <Field label={props.label} hint={props.hint} required={props.required === true}>
      {(control) => (
        <input
          {...control}
          inputMode="decimal"
          value={props.value}
          onChange={(event) => props.onChange(event.target.value)}
        />
      )}
    </Field>
  );
}

/**
 * Refunds part of a payment, or all that is left of it (an empty amount). Each click is a new
 * refund with its own id; the server refuses more than is left and splits each refund between
 * the payer's wallet and the program.
 */
function RefundForm(props: { merchantId: string; receipt: ReceiptAnswer; onDone: () => void }) {
  const { t, i18n } = useTranslation();
  const { receipt } = props;
  const [amount, setAmount] = useState('');
  const minor = amount.trim() === '' ? undefined : minorFromText(amount);
  const left = (BigInt(receipt.amountMinor) - BigInt(receipt.refundedMinor)).toString();
  const refund = useMutation({
    mutationFn: () =>
      apiSend<ReceiptAnswer>(
        'POST',
        `/api/payments/merchants/${props.merchantId}/payments/${receipt.requestId}/refund?${purpose}`,
        {
          refundId: crypto.randomUUID(),
          currency: receipt.currency,
          ...(minor === undefined ? {} : { amountMinor: minor }),
        },
      ),
    onSuccess: () => {
      setAmount('');
      props.onDone();
    },
  });
  const done = refund.data?.body.refunds.at(-1);
  return (
    <form
      className="stack"
      data-testid="refund-form"
      onSubmit={(event) => {
        event.preventDefault();
        refund.mutate();
      }}
    >
      <AmountField
        label={t('merchantApp.refund.amount')}
        hint={t('merchantApp.refund.hint', {
          left: moneyText(left, receipt.currency, i18n.language),
        })}
        value={amount}
        onChange={setAmount}
      />
      {refund.error ? <ProblemNotice error={refund.error} /> : null}
      {done ? (
        <p role="status">
          {t('merchantApp.refund.done', {
            amount: moneyText(done.amountMinor, receipt.currency, i18n.language),
          })}
        </p>
      ) : null}
      <button
        type="submit"
        className="button-secondary"
        disabled={refund.isPending || (amount.trim() !== '' && minor === undefined)}
      >
        {t('merchantApp.refund.submit')}
      </button>
    </form>
  );
}

function Settlements({ merchantId }: { merchantId: string }) {
  const { t, i18n } = useTranslation();
  const format = useFormat();
  const lines = useQuery({
    queryKey: ['merchant-settlements', merchantId],
    queryFn: () =>
      apiGet<SettlementLinesAnswer>(`/api/payments/merchants/${merchantId}/settlements?${purpose}`),
  });
  return (
    <section aria-labelledby="settlements-heading">
      <h2 id="settlements-heading">{t('merchantApp.settlements')}</h2>
      <p className="hint">{t('merchantApp.settlementsExplain')}</p>
      {lines.error ? <ProblemNotice error={lines.error} /> : null}
      {lines.data?.settlements.length === 0 ? <p>{t('merchantApp.settlementsNone')}</p> : null}
      <ul className="card-list">
        {lines.data?.settlements.map((line) => (
          <li key={line.settlementDate + line.currency}>
            {t('merchantApp.settlementLine', {
              date: format.date(line.settlementDate),
              amount: moneyText(line.amountMinor, line.currency, i18n.language),
              count: line.payments,
            })}
          </li>
        ))}
      </ul>
    </section>
  );
}
