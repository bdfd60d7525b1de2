import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LookupAnswer, PointDetail } from '../../../../src/shared/api/distribution.js';
import { apiGet, apiSend } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { useInstallableApp } from '../../components/installable-app.js';
import { PageHeading } from '../../components/page-heading.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useOperator } from '../../session/use-session.js';
import { cardRefusalText } from '../second-check/check-refusal-text.js';
import { CameraScanner } from '../verifier/camera-scanner.js';
import { AssistedPanel } from './assisted-panel.js';
import { OfflinePanel } from './offline/offline-panel.js';
import { useOnline } from './offline/offline-start.js';
import { PendingSyncPanel, usePendingSync } from './offline/pending-sync.js';
import { PointSelect, usePointChoice } from './point-choice.js';
import { RedeemPanel } from './redeem-panel.js';

const purpose = 'purpose=distribution';

/**
 * The point of service (issue #15, point 6, online part): the operator picks their point, scans
 * the card (camera, or the QR text from a reader) and sees what the person may take and what
 * remains — never the person's file — hands over all or part, and prints the signed receipt
 * with its QR. Without the card: the assisted flow. The point's stock on hand is below.
 */
export function DistributionPage() {
  const { t } = useTranslation();
  const { points, list: mine, pointId, choose } = usePointChoice((point) => point.assigned);
  const closed = mine.find((point) => point.id === pointId)?.status === 'closed';
  const [mode, setMode] = useState<'card' | 'assisted' | 'offline'>('card');
  const online = useOnline();
  const me = useOperator();
  // This browser's offline receipts at the point, read and synced whatever the page shows: in
  // every mode, and at a closed point (they were made while it was open; the server takes them).
  const sync = usePendingSync(pointId);
  useInstallableApp('pos', '/distribution');
  return (
    <section>
      <PageHeading>{t('pos.title')}</PageHeading>
      {points.isPending ? <p aria-live="polite">{t('common.loading')}</p> : null}
      {points.error ? <ProblemNotice error={points.error} /> : null}
      {points.data && mine.length === 0 ? <p>{t('pos.noPoint')}</p> : null}
      {mine.length > 1 ? <PointSelect list={mine} pointId={pointId} onChoose={choose} /> : null}
      {closed ? (
        // The server refuses every hand-over at a closed point; the screen says so first.
        <p className="notice" role="status" data-testid="pos-point-closed">
          {t('pos.pointClosed')}
        </p>
      ) : null}
      {pointId ? (
        <PendingSyncPanel
          pointId={pointId}
          sync={sync}
          always={mode === 'offline' && !closed}
          unlockBelow={mode === 'offline' && !closed}
        />
      ) : null}
      {pointId && !closed ? (
        <>
          <fieldset className="choice-row">
            <legend>{t('pos.mode.legend')}</legend>
            {(['card', 'assisted', 'offline'] as const).map((name) => (
              <label key={name}>
                <input
                  type="radio"
                  name="pos-mode"
                  checked={mode === name}
                  onChange={() => setMode(name)}
                />{' '}
                {t(`pos.mode.${name}`)}
              </label>
            ))}
          </fieldset>
          {mode === 'card' ? <CardFlow key={pointId} pointId={pointId} /> : null}
          {mode === 'assisted' && online ? <AssistedPanel key={pointId} pointId={pointId} /> : null}
          {mode === 'assisted' && !online ? (
            // Every second check is the server's: the code is texted by it, the photo on file
            // and a household member's card are checked by it. Said plainly, not a failure.
            <p className="notice" role="status" data-testid="pos-assisted-offline">
              {t('pos.assistedNeedsNetwork')}
            </p>
          ) : null}
          {mode === 'offline' ? (
            <OfflinePanel
              key={pointId}
              pointId={pointId}
              operator={
                me === null ? undefined : { operatorId: me.operatorId, username: me.username }
              }
              sync={sync}
            />
          ) : null}
          <StockOnHand pointId={pointId} />
        </>
      ) : null}
    </section>
  );
}

function CardFlow({ pointId }: { pointId: string }) {
  const { t } = useTranslation();
  const [qrText, setQrText] = useState('');
  const [round, setRound] = useState(0);
  const lookup = useMutation({
    mutationFn: (text: string) =>
      apiSend<LookupAnswer>(
        'POST',
        `/api/distribution/points/${pointId}/entitlement-lookups?${purpose}`,
        { qrText: text },
      ),
  });
  const scanned = (text: string) => {
    setQrText(text);
    lookup.mutate(text);
  };
  if (lookup.data) {
    return (
      <RedeemPanel
        key={round}
        entitlements={lookup.data.body.entitlements}
        redeemPath={`/api/distribution/points/${pointId}/redemptions?${purpose}`}
        extraBody={{ qrText }}
        onFinished={() => {
          setQrText('');
          setRound(round + 1);
          lookup.reset();
        }}
      />
    );
  }
  return (
    <div className="pos-scan">
      <CameraScanner onText={scanned} />
      <form
        onSubmit={(event) => {
          event.preventDefault();
          lookup.mutate(qrText.trim());
        }}
      >
        <Field label={t('pos.qrText')} hint={t('pos.qrTextHint')}>
          {(control) => (
            <textarea
              {...control}
              rows={3}
              value={qrText}
              onChange={(event) => setQrText(event.target.value)}
            />
          )}
        </Field>
        {lookup.error ? (
          <ProblemNotice
            error={lookup.error}
            fieldText={(problem) => cardRefusalText(t, problem)}
          />
        ) : null}
        <button type="submit" disabled={qrText.trim() === '' || lookup.isPending}>
          {lookup.isPending ? t('common.wait') : t('pos.lookup')}
        </button>
      </form>
    </div>
  );
}

function StockOnHand({ pointId }: { pointId: string }) {
  const { t } = useTranslation();
  const detail = useQuery({
    queryKey: ['distribution-point', pointId],
    queryFn: () => apiGet<PointDetail>(`/api/distribution/points/${pointId}?${purpose}`),
    refetchInterval: 30_000,
  });
  return (
    <section className="pos-stock" aria-labelledby="pos-stock-title">
      <h2 id="pos-stock-title">{t('pos.stock.title')}</h2>
      {detail.error ? <ProblemNotice error={detail.error} /> : null}
      {detail.data?.stock.length === 0 ? <p>{t('pos.stock.empty')}</p> : null}
      <ul data-testid="pos-stock">
        {detail.data?.stock.map((line) => (
          <li key={line.item}>
            {t('pos.stock.line', { item: line.item, quantity: line.quantity })}
          </li>
        ))}
      </ul>
      <button type="button" onClick={() => void detail.refetch()}>
        {t('pos.stock.refresh')}
      </button>
    </section>
  );
}
