import { useEffect, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { Field } from '../../../components/field.js';
import { PageHeading } from '../../../components/page-heading.js';
import { type HeldDevice, heldDevices } from './offline-device.js';
import { OfflinePanel } from './offline-panel.js';
import { PendingSyncPanel, usePendingSync } from './pending-sync.js';

/**
 * The point of service opened with the network already off (issue #15, point 5): the service
 * worker served the app shell, but the session cannot be asked of the server, nor the operator's
 * points. What this browser holds is enough: each device it registered (its key in IndexedDB)
 * with a downloaded snapshot is offered, and the offline panel checks cards and records
 * hand-overs against it. When the network returns the same panel syncs (with the session
 * cookie the browser kept), and the operator may open the full point of service.
 */
export function OfflineStartPage({ onFullApp }: { onFullApp: () => void }) {
  const { t } = useTranslation();
  const online = useOnline();
  const [devices, setDevices] = useState<HeldDevice[] | null>(null);
  const [chosen, setChosen] = useState<string | null>(null);
  useEffect(() => {
    void heldDevices().then(setDevices, () => setDevices([]));
  }, []);
  const pointId = chosen ?? devices?.[0]?.pointId ?? null;
  return (
    <section>
      <PageHeading>{t('pos.title')}</PageHeading>
      <p role="status" data-testid="pos-cold-start">
        {online ? t('pos.offline.coldStartOnline') : t('pos.offline.coldStart')}
      </p>
      {online ? (
        <button type="button" onClick={onFullApp}>
          {t('pos.offline.openFull')}
        </button>
      ) : null}
      {devices === null ? <p aria-live="polite">{t('common.loading')}</p> : null}
      {devices?.length === 0 ? <p>{t('pos.offline.coldStartNone')}</p> : null}
      {devices && devices.length > 1 ? (
        <Field label={t('pos.point')}>
          {(control) => (
            <select
              {...control}
              value={pointId ?? ''}
              onChange={(event) => setChosen(event.target.value)}
            >
              {devices.map((device) => (
                <option key={device.pointId} value={device.pointId}>
                  {device.pointCode ?? device.pointId}
                </option>
              ))}
            </select>
          )}
        </Field>
      ) : null}
      {pointId ? <HeldPoint key={pointId} pointId={pointId} /> : null}
    </section>
  );
}

/** One point's device: its receipts' sync, then the offline panel. */
function HeldPoint({ pointId }: { pointId: string }) {
  const sync = usePendingSync(pointId);
  return (
    <>
      <PendingSyncPanel pointId={pointId} sync={sync} always unlockBelow />
      <OfflinePanel pointId={pointId} sync={sync} />
    </>
  );
}

function subscribe(changed: () => void): () => void {
  window.addEventListener('online', changed);
  window.addEventListener('offline', changed);
  return () => {
    window.removeEventListener('online', changed);
    window.removeEventListener('offline', changed);
  };
}

/** Whether the browser says it has a network, kept current by its online and offline events. */
export function useOnline(): boolean {
  return useSyncExternalStore(subscribe, () => navigator.onLine);
}
