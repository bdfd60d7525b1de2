import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SyncResultAnswer } from '../../../../../src/shared/api/distribution-offline.js';
import { ProblemNotice } from '../../../components/problem-notice.js';
import { useFormat } from '../../../i18n/format.js';
import { useBusyAction } from './busy-action.js';
import {
  acknowledgeRefused,
  deviceOf,
  heldReceiptCount,
  type PendingReceipt,
  pendingReceipts,
  refusedReceipts,
  type SyncRoute,
  syncPending,
} from './offline-device.js';
import { UnlockForm, useIdleLock } from './offline-unlock.js';
import {
  idleLockMinutesDefault,
  onLockChange,
  unlockedDevice,
  type VaultRecord,
  vaultOf,
} from './offline-vault.js';

/** This browser's offline receipts of a point, and their sync: what the page and panels share. */
export interface PendingSync {
  /** Receipts made offline and not yet answered by a sync (while locked: every held receipt). */
  pending: number;
  /**
   * The device is locked: the receipts are sealed with its data key, so only their count is
   * known, and a sync waits for an operator (or supervisor) with a slot to unlock.
   */
  locked: boolean;
  /** A sync was asked for while locked: it runs as soon as the device is unlocked. */
  waitingForUnlock: boolean;
  /** The device's vault, for the unlock form shown when a sync waits for it. */
  vault: VaultRecord | undefined;
  /** Receipts a sync refused, kept until someone acknowledges them. */
  refused: PendingReceipt[];
  /** The answers of the last sync started here. */
  synced: SyncResultAnswer[] | null;
  error: unknown;
  busy: boolean;
  /** Reads the counts again (after a hand-over was recorded). */
  refresh: () => Promise<void>;
  syncNow: () => void;
  acknowledge: (receiptId: string) => void;
}

/**
 * The pending receipts of this browser's device at a point, read whatever the point of service
 * shows (review of session 19: they used to be read, and synced when the network returned, only
 * by the offline panel, so after a reload, in card mode or at a closed point they waited unseen).
 * Synced on load when online, when the network returns and by hand; one sync at a time. The
 * supervisor's screen syncs through `supervised-offline-syncs` (a removed operator's device); the
 * server checks each receipt either way.
 *
 * @example
 *   const sync = usePendingSync(pointId);
 *   sync.pending; // 2
 *   sync.syncNow();
 */
export function usePendingSync(
  pointId: string | null,
  route: SyncRoute = 'offline-syncs',
): PendingSync {
  const [pending, setPending] = useState(0);
  const [refused, setRefused] = useState<PendingReceipt[]>([]);
  const [synced, setSynced] = useState<SyncResultAnswer[] | null>(null);
  const { busy, error, setError, act } = useBusyAction();
  const [locked, setLocked] = useState(true);
  const [vault, setVault] = useState<VaultRecord | undefined>(undefined);
  const [waitingForUnlock, setWaitingForUnlock] = useState(false);
  const refresh = useCallback(async () => {
    if (pointId === null) {
      setPending(0);
      setRefused([]);
      setLocked(true);
      return;
    }
    const isLocked = unlockedDevice(pointId) === undefined;
    setLocked(isLocked);
    setVault(await vaultOf(pointId));
    if (isLocked) {
      // Sealed: only how many are held is known, not which were refused nor what they say.
      setPending(await heldReceiptCount(pointId));
      setRefused([]);
      return;
    }
    setPending((await pendingReceipts(pointId)).length);
    setRefused(await refusedReceipts(pointId));
  }, [pointId]);
  useEffect(() => {
    // Another point chosen: its own counts, and no answers of the last point's sync.
    setSynced(null);
    setError(null);
    setWaitingForUnlock(false);
    void refresh().catch(setError);
  }, [refresh, setError]);
  /** One sync at a time, whether the button, the network's return or the unlock started it. */
  const syncing = useRef(false);
  const sync = useCallback(async () => {
    if (syncing.current || pointId === null) return;
    if (unlockedDevice(pointId) === undefined) {
      // The receipts cannot be read locked: the sync runs right after the unlock.
      if ((await heldReceiptCount(pointId)) > 0) setWaitingForUnlock(true);
      return;
    }
    syncing.current = true;
    try {
      setWaitingForUnlock(false);
      // Only a browser holding receipts has a device for the point: none is made here.
      if ((await pendingReceipts(pointId)).length === 0) return;
      const device = await deviceOf(pointId);
      if (device === undefined || device.deviceId === null) return;
      setSynced(await syncPending(device, route));
      await refresh();
    } finally {
      syncing.current = false;
    }
  }, [pointId, route, refresh]);
  // Unlocked from this panel in any mode, the device locks itself when idle as on the offline panel.
  useIdleLock(pointId ?? '', vault?.idleLockMinutes ?? idleLockMinutesDefault, !locked);
  // Synced when the network returns (issue #15, point 5), whatever the page shows; locked, it
  // waits for the unlock.
  useEffect(() => {
    const onOnline = () => act(sync);
    window.addEventListener('online', onOnline);
    return () => window.removeEventListener('online', onOnline);
  }, [act, sync]);
  // On load, and for another point chosen: online, the held receipts are synced at once (review
  // of session 20: they waited for the network's return or the button); locked, the page asks
  // for the unlock first and the sync runs right after it.
  useEffect(() => {
    if (navigator.onLine) act(sync);
  }, [act, sync]);
  // Unlocked or locked (here, on the offline panel or by the idle lock): counts read again, and
  // a sync asked for while locked runs now.
  const waiting = useRef(false);
  waiting.current = waitingForUnlock;
  useEffect(
    () =>
      onLockChange(() => {
        void refresh().catch(setError);
        if (pointId !== null && unlockedDevice(pointId) !== undefined && waiting.current) {
          act(sync);
        }
      }),
    [pointId, refresh, act, sync, setError],
  );
  return {
    pending,
    locked,
    waitingForUnlock,
    vault,
    refused,
    synced,
    error,
    busy,
    refresh,
    syncNow: () => act(sync),
    acknowledge: (receiptId) =>
      act(async () => {
        await acknowledgeRefused(receiptId);
        await refresh();
      }),
  };
}

/**
 * The pending count, "sync now", the last sync's answers and the refused receipts, on the point
 * of service in every mode, open point or closed (the offline panel's snapshot and checks are
 * only for offline mode at an open point). Hidden while there is nothing to show, unless
 * `always` (the offline panel's place, which shows the count even at 0).
 */
export function PendingSyncPanel(props: {
  pointId: string | null;
  sync: PendingSync;
  always?: boolean;
  /** The offline panel below shows its own unlock form: none is shown here. */
  unlockBelow?: boolean;
}) {
  const { pointId, sync, always, unlockBelow } = props;
  const { t } = useTranslation();
  const shown = always || sync.pending > 0 || sync.refused.length > 0 || sync.synced !== null;
  if (!shown) return null;
  return (
    <section className="pos-pending-sync" aria-label={t('pos.offline.pending')}>
      <p>
        {t('pos.offline.pending')}: <strong data-testid="pos-pending">{sync.pending}</strong>{' '}
        <button type="button" disabled={sync.busy || sync.pending === 0} onClick={sync.syncNow}>
          {t('pos.offline.sync')}
        </button>
      </p>
      {sync.locked && sync.pending > 0 ? (
        <p role="status" data-testid="pos-sync-locked">
          {t('pos.offline.lockedHeld')}
        </p>
      ) : null}
      {sync.waitingForUnlock && sync.locked && pointId !== null && sync.vault !== undefined ? (
        <div data-testid="pos-sync-unlock">
          <p role="alert">{t('pos.offline.unlockToSync')}</p>
          {unlockBelow ? null : (
            <UnlockForm
              pointId={pointId}
              vault={sync.vault}
              onChanged={() => void sync.refresh()}
            />
          )}
        </div>
      ) : null}
      {sync.error ? (
        <div data-testid="pos-sync-error">
          <ProblemNotice error={sync.error} />
        </div>
      ) : null}
      {sync.synced ? <SyncSummary results={sync.synced} /> : null}
      {sync.refused.length > 0 ? (
        <RefusedReceipts
          receipts={sync.refused}
          busy={sync.busy}
          onAcknowledge={sync.acknowledge}
        />
      ) : null}
    </section>
  );
}

/** What the last sync did: how many receipts were counted, kept as conflicts, refused. */
function SyncSummary({ results }: { results: SyncResultAnswer[] }) {
  const { t } = useTranslation();
  const count = (outcome: SyncResultAnswer['outcome']) =>
    results.filter((each) => each.outcome === outcome).length;
  return (
    <div role="status" data-testid="pos-sync-result">
      <p>
        {t('pos.offline.synced', {
          counted: count('counted'),
          conflict: count('conflict'),
          refused: count('refused'),
        })}
      </p>
    </div>
  );
}

/**
 * The hand-overs a sync refused, kept on this device (review finding F9: it used to forget every
 * answered receipt, refusals included): when, what, and why in the reader's language, each until
 * the operator or the supervisor acknowledges it. Nothing of them counted; the server audited
 * each refusal.
 */
function RefusedReceipts(props: {
  receipts: PendingReceipt[];
  busy: boolean;
  onAcknowledge: (receiptId: string) => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <section aria-labelledby="pos-refused-title" data-testid="pos-sync-refused">
      <h3 id="pos-refused-title">
        {t('pos.offline.refusedTitle', { count: props.receipts.length })}
      </h3>
      <p>{t('pos.offline.refusedHint')}</p>
      <ul className="card-list">
        {props.receipts.map((receipt) => (
          <li key={receipt.receiptId}>
            <p>
              {t('pos.offline.refusedReceipt', {
                time: format.dateTime(receipt.deviceTime),
                lines: receipt.lines.map((line) => `${line.quantity} ${line.item}`).join(', '),
                receipt: receipt.receiptId.slice(0, 8),
              })}
            </p>
            <p role="alert">
              {t(`problem.${receipt.refused?.code}`, { defaultValue: receipt.refused?.code ?? '' })}
            </p>
            <button
              type="button"
              disabled={props.busy}
              onClick={() => props.onAcknowledge(receipt.receiptId)}
            >
              {t('pos.offline.acknowledge', { receipt: receipt.receiptId.slice(0, 8) })}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

/**
 * On the supervisor's screen, signed in on a device of the point: the receipts this browser holds
 * that its operator can no longer sync (removed from the point, `AMP_POINT_NOT_ASSIGNED`), synced
 * by the supervisor (`distribution.offline_sync`). The device signed them; the server checks each
 * as the operator's sync does. Nothing is shown on a browser that holds none.
 */
export function SupervisedSync({ pointId }: { pointId: string }) {
  const { t } = useTranslation();
  const sync = usePendingSync(pointId, 'supervised-offline-syncs');
  if (sync.pending === 0 && sync.refused.length === 0 && sync.synced === null) return null;
  return (
    <section aria-labelledby="supervised-sync-title" data-testid="supervised-sync">
      <h3 id="supervised-sync-title">{t('supervision.devices.heldTitle')}</h3>
      <p>{t('supervision.devices.heldHint')}</p>
      <PendingSyncPanel pointId={pointId} sync={sync} always />
    </section>
  );
}
