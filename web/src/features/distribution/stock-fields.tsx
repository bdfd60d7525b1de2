import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiSend } from '../../api/client.js';
import { Field } from '../../components/field.js';

/**
 * What the stock screens (`stock-page.tsx`) share: the purpose they act under, a write with its
 * client id that refreshes what it changed, the item and quantity fields and the answer line.
 */
export const stockPurpose = 'purpose=distribution';

/** The queries a stock write changes, refreshed after it. */
export function useStockRefresh(pointId: string): () => void {
  const client = useQueryClient();
  return () => {
    for (const key of ['distribution-point', 'stock-transfers', 'stock-movements']) {
      void client.invalidateQueries({ queryKey: [key, pointId] });
    }
  };
}

/** A client id per attempt: a retry of the same attempt is answered once by the server. */
export function useStockWrite<Body extends object>(pointId: string, path: string) {
  const refresh = useStockRefresh(pointId);
  return useMutation({
    mutationFn: (body: Body) =>
      apiSend('POST', `/api/distribution/points/${pointId}/${path}?${stockPurpose}`, {
        clientId: crypto.randomUUID(),
        ...body,
      }),
    onSuccess: refresh,
  });
}

/** The item field every stock form shares: the names program baskets use. */
export function ItemField(props: { value: string; onChange: (value: string) => void }) {
  const { t } = useTranslation();
  return (
    <Field label={t('stock.item')} hint={t('stock.itemHint')} required>
      {(control) => (
        <input
          {...control}
          value={props.value}
          pattern="[a-z][a-z0-9_]{0,39}"
          autoComplete="off"
          onChange={(event) => props.onChange(event.target.value.trim())}
        />
      )}
    </Field>
  );
}

/** A whole-number field; `min` 1 unless said. */
export function QuantityField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  min?: number;
  hint?: string;
}) {
  return (
    <Field label={props.label} hint={props.hint} required>
      {(control) => (
        <input
          {...control}
          type="number"
          inputMode="numeric"
          step={1}
          min={props.min ?? 1}
          value={props.value}
          onChange={(event) => props.onChange(event.target.value)}
        />
      )}
    </Field>
  );
}

/** The answer line after a stock write, for a screen reader too. */
export function Done({ text }: { text: string | null }) {
  return text === null ? null : (
    <p className="notice notice-ok" role="status">
      {text}
    </p>
  );
}

export function useDoneText(): [string | null, (text: string | null) => void] {
  return useState<string | null>(null);
}

/** A reason chosen from a closed list: its label, the options and how each is named. */
export interface ReasonChoice<Reason extends string> {
  label: string;
  options: readonly Reason[];
  labelOf: (reason: Reason) => string;
  value: Reason | '';
  onChange: (value: Reason | '') => void;
}

/**
 * The reason select (when `reason` is given) and the optional note every stock form ends with:
 * an adjustment, an acceptance short of what was sent, a cancellation, a delivery (note only).
 */
export function ReasonAndNote<Reason extends string>(props: {
  reason?: ReasonChoice<Reason> | undefined;
  note: string;
  onNote: (value: string) => void;
}) {
  const { t } = useTranslation();
  const { reason } = props;
  return (
    <>
      {reason === undefined ? null : (
        <Field label={reason.label} required>
          {(control) => (
            <select
              {...control}
              value={reason.value}
              // Safe: the value is '' or one of the options rendered below.
              onChange={(event) => reason.onChange(event.target.value as Reason | '')}
            >
              <option value="">{t('stock.adjustment.chooseReason')}</option>
              {reason.options.map((each) => (
                <option key={each} value={each}>
                  {reason.labelOf(each)}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <Field label={t('stock.note')}>
        {(control) => (
          <input
            {...control}
            maxLength={500}
            value={props.note}
            onChange={(event) => props.onNote(event.target.value)}
          />
        )}
      </Field>
    </>
  );
}
