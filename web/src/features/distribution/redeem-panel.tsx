import { useMutation, useQueryClient } from '@tanstack/react-query';
import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  EntitlementAnswer,
  RedemptionAnswer,
} from '../../../../src/shared/api/distribution.js';
import { apiSend } from '../../api/client.js';
import { PrintButton } from '../../components/print-button.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { cardRefusalText, secondCheckRefusalText } from '../second-check/check-refusal-text.js';

/**
 * What the person may take at this point, each entitlement with its items and what remains; the
 * operator hands over all or part and gets the signed receipt. `redeemPath` is the card's or the
 * assisted redemption's route; `extraBody` carries the card's QR text when there is one. The
 * client id of one attempt is kept, so pressing again after a network failure is a retry the
 * server answers once.
 */
export function RedeemPanel(props: {
  entitlements: EntitlementAnswer[];
  redeemPath: string;
  extraBody: Record<string, unknown>;
  /** After the receipt: back to the scan, for the next person. */
  onFinished: () => void;
}) {
  const { t, i18n } = useTranslation();
  const language = i18n.language === 'en' ? 'en' : 'es';
  const [receipt, setReceipt] = useState<RedemptionAnswer | null>(null);
  if (props.entitlements.length === 0) return <p>{t('pos.nothingToCollect')}</p>;
  if (receipt) return <Receipt answer={receipt} onDone={props.onFinished} />;
  return (
    <ul className="pos-entitlements" data-testid="pos-entitlements">
      {props.entitlements.map((entitlement) => (
        <li key={entitlement.entitlementId}>
          <h3>
            {language === 'en' ? entitlement.programNameEn : entitlement.programNameEs}{' '}
            <small>
              {t('pos.referenceDate', { date: entitlement.referenceDate })} ·{' '}
              {t(`pos.state.${entitlement.state}`)}
            </small>
          </h3>
          <EntitlementForm
            entitlement={entitlement}
            redeemPath={props.redeemPath}
            extraBody={props.extraBody}
            onRedeemed={setReceipt}
          />
        </li>
      ))}
    </ul>
  );
}

function EntitlementForm(props: {
  entitlement: EntitlementAnswer;
  redeemPath: string;
  extraBody: Record<string, unknown>;
  onRedeemed: (answer: RedemptionAnswer) => void;
}) {
  const { t } = useTranslation();
  const { entitlement } = props;
  const [quantities, setQuantities] = useState<Record<string, number>>(() =>
    Object.fromEntries(entitlement.items.map((line) => [line.item, line.remaining])),
  );
  const [clientId, setClientId] = useState(() => crypto.randomUUID());
  const queries = useQueryClient();
  const redeem = useMutation({
    mutationFn: () =>
      apiSend<RedemptionAnswer>('POST', props.redeemPath, {
        ...props.extraBody,
        clientId,
        entitlementId: entitlement.entitlementId,
        lines: entitlement.items
          .map((line) => ({ item: line.item, quantity: quantities[line.item] ?? 0 }))
          .filter((line) => line.quantity > 0),
      }),
    onSuccess: (answer) => {
      setClientId(crypto.randomUUID());
      void queries.invalidateQueries({ queryKey: ['distribution-point'] });
      props.onRedeemed(answer.body);
    },
  });
  const redeemable = ['activated', 'partially_consumed'].includes(entitlement.state);
  const anything = Object.values(quantities).some((quantity) => quantity > 0);
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        redeem.mutate();
      }}
    >
      <table className="pos-items">
        <thead>
          <tr>
            <th scope="col">{t('pos.item')}</th>
            <th scope="col">{t('pos.remaining')}</th>
            <th scope="col">{t('pos.handOver')}</th>
          </tr>
        </thead>
        <tbody>
          {entitlement.items.map((line) => (
            <tr key={line.item}>
              <th scope="row">{line.item}</th>
              <td>
                {t('pos.remainingOf', {
                  remaining: line.remaining,
                  granted: line.granted,
                  unit: line.unit,
                })}
                {line.inDispute === undefined ? null : (
                  // Held by an offline conflict the supervisor has not decided: not a bare 0.
                  <small className="pos-in-dispute" data-testid="pos-in-dispute">
                    <br />
                    {t('pos.inDispute', { quantity: line.inDispute, unit: line.unit })}
                  </small>
                )}
              </td>
              <td>
                <input
                  type="number"
                  min={0}
                  max={line.remaining}
                  inputMode="numeric"
                  aria-label={t('pos.quantityOf', { item: line.item })}
                  value={quantities[line.item] ?? 0}
                  disabled={!redeemable}
                  onChange={(event) =>
                    setQuantities({
                      ...quantities,
                      [line.item]: Math.max(
                        0,
                        Math.min(line.remaining, Number(event.target.value)),
                      ),
                    })
                  }
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {redeem.error ? (
        // The card is checked again at the hand-over (it may have been revoked since the scan);
        // without the card, the second check must still be fresh.
        <ProblemNotice
          error={redeem.error}
          fieldText={(problem) => cardRefusalText(t, problem) ?? secondCheckRefusalText(t, problem)}
        />
      ) : null}
      {redeemable ? (
        <button type="submit" disabled={!anything || redeem.isPending}>
          {redeem.isPending ? t('common.wait') : t('pos.redeem')}
        </button>
      ) : null}
    </form>
  );
}

/** The signed receipt: printable, and as a QR the person keeps. */
function Receipt(props: { answer: RedemptionAnswer; onDone: () => void }) {
  const { t } = useTranslation();
  const { receipt, qrText } = props.answer;
  const [image, setImage] = useState<string | null>(null);
  useEffect(() => {
    void QRCode.toDataURL(qrText, { errorCorrectionLevel: 'M', margin: 2 }).then(setImage);
  }, [qrText]);
  return (
    <section className="print-area pos-receipt" data-testid="pos-receipt" aria-live="polite">
      <h3>{t('pos.receipt.title')}</h3>
      <p>
        {t('pos.receipt.where', { point: receipt.pointCode, program: receipt.programCode })}
        <br />
        {t('pos.receipt.when', { time: new Date(receipt.redeemedAt).toLocaleString() })}
        <br />
        {receipt.mode === 'assisted' ? t('pos.receipt.assisted') : t('pos.receipt.card')}
      </p>
      <ul>
        {receipt.lines.map((line) => (
          <li key={line.item}>
            {t('pos.receipt.line', {
              item: line.item,
              quantity: line.quantity,
              unit: line.unit,
              remaining: line.remainingAfter,
            })}
          </li>
        ))}
      </ul>
      <p className="pos-receipt-number">{t('pos.receipt.number', { id: receipt.receiptId })}</p>
      {image ? <img src={image} alt={t('pos.receipt.qr')} width={200} height={200} /> : null}
      <p className="no-print">
        <PrintButton />{' '}
        <button type="button" onClick={props.onDone}>
          {t('pos.receipt.done')}
        </button>
      </p>
    </section>
  );
}
