import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Transfer } from '../../../../src/shared/api/stock-transfers.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { QuantityField, ReasonAndNote, useStockWrite } from './stock-fields.js';
import { type AdjustmentReason, adjustmentReasons } from './stock-forms.js';

type ShortfallReason = AdjustmentReason;

const cancelReasons = ['sent_in_error', 'wrong_point', 'wrong_quantity', 'not_dispatched'] as const;
type CancelReason = (typeof cancelReasons)[number];

/**
 * Transfers sent to this point and not yet decided: each is accepted with the quantity that
 * arrived (less than was sent needs the shortfall's reason) or refused, which sends the goods
 * back to the sender. Only this point's operators and supervisors can do either.
 */
export function IncomingTransfers(props: { pointId: string; transfers: readonly Transfer[] }) {
  const { t } = useTranslation();
  const pending = props.transfers.filter(
    (transfer) => transfer.direction === 'incoming' && transfer.state === 'in_transit',
  );
  return (
    <section aria-labelledby="stock-incoming-title">
      <h2 id="stock-incoming-title">{t('stock.incoming.title')}</h2>
      {pending.length === 0 ? <p>{t('stock.incoming.none')}</p> : null}
      <ul className="supervision-cards" data-testid="stock-incoming">
        {pending.map((transfer) => (
          <li key={transfer.id}>
            <IncomingTransfer pointId={props.pointId} transfer={transfer} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function IncomingTransfer({ pointId, transfer }: { pointId: string; transfer: Transfer }) {
  const { t } = useTranslation();
  const format = useFormat();
  const [received, setReceived] = useState(String(transfer.quantitySent));
  const [reason, setReason] = useState<ShortfallReason | ''>('');
  const [note, setNote] = useState('');
  const path = `transfers/${transfer.id}`;
  const accept = useStockWrite<{
    quantityReceived: number;
    shortfallReason?: ShortfallReason;
    note?: string;
  }>(pointId, `${path}/acceptance`);
  const refuse = useStockWrite<{ note?: string }>(pointId, `${path}/refusal`);
  const quantity = /^\d+$/.test(received) ? Number(received) : Number.NaN;
  const short = Number.isInteger(quantity) && quantity < transfer.quantitySent;
  const withNote = note.trim() === '' ? {} : { note: note.trim() };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    accept.mutate({
      quantityReceived: quantity,
      ...(short && reason !== '' ? { shortfallReason: reason } : {}),
      ...withNote,
    });
  };
  const heading = t('stock.incoming.from', {
    quantity: transfer.quantitySent,
    item: transfer.item,
    point: transfer.fromPoint.name,
  });
  return (
    <form onSubmit={submit} aria-label={heading}>
      <h3>{heading}</h3>
      <p>{t('stock.sentAt', { time: format.dateTime(transfer.sentAt) })}</p>
      <QuantityField
        label={t('stock.incoming.received', { item: transfer.item })}
        value={received}
        onChange={setReceived}
        min={0}
      />
      <ReasonAndNote
        reason={
          short
            ? {
                label: t('stock.incoming.shortfallReason'),
                options: adjustmentReasons,
                labelOf: (each) => t(`stock.reasons.${each}`),
                value: reason,
                onChange: setReason,
              }
            : undefined
        }
        note={note}
        onNote={setNote}
      />
      {accept.error ? <ProblemNotice error={accept.error} /> : null}
      {refuse.error ? <ProblemNotice error={refuse.error} /> : null}
      <div className="button-row">
        <button type="submit" disabled={accept.isPending || (short && reason === '')}>
          {accept.isPending ? t('common.wait') : t('stock.incoming.accept')}
        </button>
        <button
          type="button"
          className="button-secondary"
          disabled={refuse.isPending}
          onClick={() => refuse.mutate(withNote)}
        >
          {t('stock.incoming.refuse')}
        </button>
      </div>
    </form>
  );
}

/**
 * Transfers this point sent, newest first: in transit, or what the receiver decided. While one is
 * in transit the supervisor may cancel it, with a reason: the goods come back here.
 */
export function OutgoingTransfers(props: {
  pointId: string;
  transfers: readonly Transfer[];
  mayCancel: boolean;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const sent = props.transfers.filter((transfer) => transfer.direction === 'outgoing');
  if (sent.length === 0) return null;
  return (
    <section aria-labelledby="stock-outgoing-title">
      <h2 id="stock-outgoing-title">{t('stock.outgoing.title')}</h2>
      <ul className="supervision-cards" data-testid="stock-outgoing">
        {sent.map((transfer) => (
          <li key={transfer.id}>
            <p>
              {t('stock.outgoing.to', {
                quantity: transfer.quantitySent,
                item: transfer.item,
                point: transfer.toPoint.name,
              })}
            </p>
            <p>{t('stock.sentAt', { time: format.dateTime(transfer.sentAt) })}</p>
            <p>
              <strong>{t(`stock.outgoing.state.${transfer.state}`)}</strong>
              {transfer.state === 'accepted'
                ? ` ${t('stock.outgoing.received', {
                    quantity: transfer.quantityReceived ?? 0,
                  })}`
                : null}
              {transfer.shortfallReason !== null
                ? ` ${t('stock.outgoing.shortfall', {
                    quantity: transfer.shortfall ?? 0,
                    reason: t(`stock.reasons.${transfer.shortfallReason}`),
                  })}`
                : null}
              {transfer.cancelReason !== null
                ? ` ${t(`stock.cancel.reasons.${transfer.cancelReason}`)}`
                : null}
            </p>
            {props.mayCancel && transfer.state === 'in_transit' ? (
              <CancelTransfer pointId={props.pointId} transfer={transfer} />
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The supervisor takes back a transfer still in transit: a reason, an optional note. */
function CancelTransfer({ pointId, transfer }: { pointId: string; transfer: Transfer }) {
  const { t } = useTranslation();
  const [reason, setReason] = useState<CancelReason | ''>('');
  const [note, setNote] = useState('');
  const cancel = useStockWrite<{ reason: CancelReason; note?: string }>(
    pointId,
    `transfers/${transfer.id}/cancellation`,
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (reason === '') return;
    cancel.mutate({ reason, ...(note.trim() === '' ? {} : { note: note.trim() }) });
  };
  return (
    <form onSubmit={submit} aria-label={t('stock.cancel.title')}>
      <ReasonAndNote
        reason={{
          label: t('stock.cancel.reason'),
          options: cancelReasons,
          labelOf: (each) => t(`stock.cancel.reasons.${each}`),
          value: reason,
          onChange: setReason,
        }}
        note={note}
        onNote={setNote}
      />
      {cancel.error ? <ProblemNotice error={cancel.error} /> : null}
      <button
        type="submit"
        className="button-secondary"
        disabled={cancel.isPending || reason === ''}
      >
        {cancel.isPending ? t('common.wait') : t('stock.cancel.submit')}
      </button>
    </form>
  );
}
