import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  PointDetail,
  PointSummary,
  StockCountAnswer,
} from '../../../../src/shared/api/distribution.js';
import { Field } from '../../components/field.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import {
  Done,
  ItemField,
  QuantityField,
  ReasonAndNote,
  useDoneText,
  useStockWrite,
} from './stock-fields.js';

export const adjustmentReasons = ['loss', 'damage', 'count_correction'] as const;
export type AdjustmentReason = (typeof adjustmentReasons)[number];

const whole = (text: string) => (/^-?\d+$/.test(text.trim()) ? Number(text) : Number.NaN);

/** Goods that arrived at the point from outside (a supplier, a warehouse run by others). */
export function DeliveryForm({ pointId }: { pointId: string }) {
  const { t } = useTranslation();
  const [item, setItem] = useState('');
  const [quantity, setQuantity] = useState('');
  const [note, setNote] = useState('');
  const [done, setDone] = useDoneText();
  const write = useStockWrite<{ item: string; quantity: number; note?: string }>(
    pointId,
    'deliveries',
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    const sent = { item, quantity: whole(quantity) };
    write.mutate(note.trim() === '' ? sent : { ...sent, note: note.trim() }, {
      onSuccess: () => {
        setDone(t('stock.delivery.done', { item: sent.item, quantity: sent.quantity }));
        setQuantity('');
        setNote('');
      },
    });
  };
  return (
    <section aria-labelledby="stock-delivery-title">
      <h2 id="stock-delivery-title">{t('stock.delivery.title')}</h2>
      <form onSubmit={submit} data-testid="stock-delivery">
        <ItemField value={item} onChange={setItem} />
        <QuantityField label={t('stock.quantity')} value={quantity} onChange={setQuantity} />
        <ReasonAndNote note={note} onNote={setNote} />
        {write.error ? <ProblemNotice error={write.error} /> : null}
        <button type="submit" disabled={write.isPending}>
          {write.isPending ? t('common.wait') : t('stock.delivery.submit')}
        </button>
      </form>
      <Done text={done} />
    </section>
  );
}

/** Sends goods to another point: they leave here now and are in transit until it accepts. */
export function TransferForm(props: { pointId: string; others: readonly PointSummary[] }) {
  const { t } = useTranslation();
  const [toPointId, setToPointId] = useState('');
  const [item, setItem] = useState('');
  const [quantity, setQuantity] = useState('');
  const [done, setDone] = useDoneText();
  const write = useStockWrite<{ toPointId: string; item: string; quantity: number }>(
    props.pointId,
    'transfers',
  );
  if (props.others.length === 0) return null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    const body = { toPointId, item, quantity: whole(quantity) };
    const to = props.others.find((point) => point.id === toPointId);
    write.mutate(body, {
      onSuccess: () => {
        setDone(t('stock.transfer.done', { item, quantity: body.quantity, point: to?.name }));
        setQuantity('');
      },
    });
  };
  return (
    <section aria-labelledby="stock-transfer-title">
      <h2 id="stock-transfer-title">{t('stock.transfer.title')}</h2>
      <p>{t('stock.transfer.lead')}</p>
      <form onSubmit={submit} data-testid="stock-transfer">
        <Field label={t('stock.transfer.to')} required>
          {(control) => (
            <select
              {...control}
              value={toPointId}
              onChange={(event) => setToPointId(event.target.value)}
            >
              <option value="">{t('stock.transfer.choose')}</option>
              {props.others.map((point) => (
                <option key={point.id} value={point.id}>
                  {point.name} ({point.code})
                </option>
              ))}
            </select>
          )}
        </Field>
        <ItemField value={item} onChange={setItem} />
        <QuantityField label={t('stock.quantity')} value={quantity} onChange={setQuantity} />
        {write.error ? <ProblemNotice error={write.error} /> : null}
        <button type="submit" disabled={write.isPending || toPointId === ''}>
          {write.isPending ? t('common.wait') : t('stock.transfer.submit')}
        </button>
      </form>
      <Done text={done} />
    </section>
  );
}

/**
 * A supervisor's correction with its reason. Taking the stock below zero needs the explicit
 * override, offered only when the correction would do so, and recorded with the movement.
 */
export function AdjustmentForm(props: { pointId: string; stock: PointDetail['stock'] }) {
  const { t } = useTranslation();
  const [item, setItem] = useState('');
  const [delta, setDelta] = useState('');
  const [reason, setReason] = useState<AdjustmentReason | ''>('');
  const [note, setNote] = useState('');
  const [override, setOverride] = useState(false);
  const [done, setDone] = useDoneText();
  const write = useStockWrite<{
    item: string;
    quantityDelta: number;
    reason: AdjustmentReason;
    note?: string;
    overrideNegative?: boolean;
  }>(props.pointId, 'adjustments');
  const onHand = props.stock.find((line) => line.item === item)?.quantity ?? 0;
  const quantityDelta = whole(delta);
  const belowZero = Number.isInteger(quantityDelta) && onHand + quantityDelta < 0;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (reason === '') return;
    setDone(null);
    write.mutate(
      {
        item,
        quantityDelta,
        reason,
        ...(note.trim() === '' ? {} : { note: note.trim() }),
        ...(belowZero && override ? { overrideNegative: true } : {}),
      },
      {
        onSuccess: () => {
          setDone(t('stock.adjustment.done', { item, delta: quantityDelta }));
          setDelta('');
          setNote('');
          setOverride(false);
        },
      },
    );
  };
  return (
    <section aria-labelledby="stock-adjustment-title">
      <h2 id="stock-adjustment-title">{t('stock.adjustment.title')}</h2>
      <form onSubmit={submit} data-testid="stock-adjustment">
        <ItemField value={item} onChange={setItem} />
        <QuantityField
          label={t('stock.adjustment.delta')}
          hint={t('stock.adjustment.deltaHint')}
          value={delta}
          onChange={setDelta}
          min={-1_000_000}
        />
        <ReasonAndNote
          reason={{
            label: t('stock.adjustment.reason'),
            options: adjustmentReasons,
            labelOf: (each) => t(`stock.reasons.${each}`),
            value: reason,
            onChange: setReason,
          }}
          note={note}
          onNote={setNote}
        />
        {belowZero ? (
          <div className="notice notice-warning">
            <p>{t('stock.adjustment.belowZero', { item, onHand })}</p>
            <label>
              <input
                type="checkbox"
                checked={override}
                onChange={(event) => setOverride(event.target.checked)}
              />{' '}
              {t('stock.adjustment.override')}
            </label>
          </div>
        ) : null}
        {write.error ? <ProblemNotice error={write.error} /> : null}
        <button
          type="submit"
          disabled={write.isPending || reason === '' || (belowZero && !override)}
        >
          {write.isPending ? t('common.wait') : t('stock.adjustment.submit')}
        </button>
      </form>
      <Done text={done} />
    </section>
  );
}

/**
 * A physical count of one item: what was found on the shelf. The answer sets it beside what the
 * ledger said was on hand; the count moves no stock (a supervisor corrects a difference with an
 * adjustment of reason "count correction"), and the reconciliation of the cycle shows it.
 */
export function CountForm({ pointId }: { pointId: string }) {
  const { t } = useTranslation();
  const [item, setItem] = useState('');
  const [counted, setCounted] = useState('');
  const [done, setDone] = useDoneText();
  const write = useStockWrite<{ item: string; countedQuantity: number }>(pointId, 'stock-counts');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    write.mutate(
      { item, countedQuantity: whole(counted) },
      {
        onSuccess: (answer) => {
          // Safe: the route answers a StockCountAnswer (its response schema).
          const result = answer.body as StockCountAnswer;
          setDone(
            t(result.discrepancy === 0 ? 'stock.count.doneEqual' : 'stock.count.done', {
              item: result.item,
              counted: result.counted,
              expected: result.expected,
              discrepancy: result.discrepancy,
            }),
          );
          setCounted('');
        },
      },
    );
  };
  return (
    <section aria-labelledby="stock-count-title">
      <h2 id="stock-count-title">{t('stock.count.title')}</h2>
      <p>{t('stock.count.lead')}</p>
      <form onSubmit={submit} data-testid="stock-count">
        <ItemField value={item} onChange={setItem} />
        <QuantityField
          label={t('stock.count.counted')}
          value={counted}
          onChange={setCounted}
          min={0}
        />
        {write.error ? <ProblemNotice error={write.error} /> : null}
        <button type="submit" disabled={write.isPending}>
          {write.isPending ? t('common.wait') : t('stock.count.submit')}
        </button>
      </form>
      <Done text={done} />
    </section>
  );
}
