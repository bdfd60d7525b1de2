import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AssistedReasonValue } from '../../../../../src/shared/api/distribution.js';
import { Field } from '../../../components/field.js';
import { ProblemNotice } from '../../../components/problem-notice.js';
import { isUin, ReasonField, UinField } from '../../second-check/second-check-fields.js';
import { CameraScanner } from '../../verifier/camera-scanner.js';
import { useBusyAction } from './busy-action.js';
import { useCheckOrder } from './check-order.js';
import {
  type DeviceRecord,
  deviceOf,
  downloadSnapshot,
  forgetSnapshot,
  heldSnapshot,
  OfflineAllowanceReached,
  OfflineAssistedReached,
  OfflineSnapshotExpired,
  type OfflineUsage,
  recordOfflineReceipt,
  registeredDevice,
  remainingAfterUsage,
  setUpDevice,
  usageOf,
} from './offline-device.js';
import {
  type HeldSnapshot,
  type OfflineEntitlement,
  type OfflineLookup,
  offlineHouseholdLookup,
  offlineLookup,
} from './offline-snapshot.js';
import {
  AddSlotForm,
  DeviceSetUpForm,
  type SignedInOperator,
  UnlockForm,
  useIdleLock,
  useUnlocked,
} from './offline-unlock.js';
import {
  clearWrongTries,
  idleLockMinutesDefault,
  lockDevice,
  setIdleLockMinutes,
  type VaultRecord,
  vaultOf,
} from './offline-vault.js';
import type { PendingSync } from './pending-sync.js';

/**
 * The point of service with the network off (issue #15, points 5 and 6): this browser is a
 * device of the point (its key pair made here; a supervisor registers the public key shown), it
 * keeps the point's signed snapshot and checks a card against it — the signature with the
 * snapshot's trust list, the revocation list, then what the holder may take — and records a
 * hand-over as a receipt signed by the device, pending until the next sync. The pending count,
 * the sync and the last sync's answers are the page's (`usePendingSync`, `PendingSyncPanel`),
 * shown whatever mode it shows; this panel tells it when a receipt is recorded. Without the
 * person's card
 * (safeguard 9), the ID number, the reason and a household member's card find what the person
 * may take in the snapshot's household bindings; the receipt says so, and the server checks the
 * card and the household again at sync.
 */
export function OfflinePanel(props: {
  pointId: string;
  operator?: SignedInOperator | undefined;
  sync: PendingSync;
}) {
  const { pointId, operator, sync } = props;
  const { t } = useTranslation();
  const [device, setDevice] = useState<DeviceRecord | null | undefined>(undefined);
  const [vault, setVault] = useState<VaultRecord | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const unlocked = useUnlocked(pointId);
  const reload = useCallback(() => {
    void (async () => {
      // An operator signed in online: the wrong passphrases counted so far start again.
      if (operator !== undefined) await clearWrongTries(pointId);
      setVault(await vaultOf(pointId));
      setDevice((await deviceOf(pointId)) ?? null);
    })().catch(setError);
  }, [pointId, operator]);
  useEffect(reload, [reload]);
  useIdleLock(pointId, vault?.idleLockMinutes ?? idleLockMinutesDefault, unlocked !== undefined);
  if (device === undefined) return <p aria-live="polite">{t('common.loading')}</p>;
  const ownSlot = vault?.slots.some((slot) => slot.operatorId === operator?.operatorId) === true;
  return (
    <section className="pos-offline" aria-labelledby="pos-offline-title">
      <h2 id="pos-offline-title">{t('pos.offline.title')}</h2>
      {error ? <ProblemNotice error={error} /> : null}
      {device === null || vault === undefined ? (
        operator === undefined ? (
          <p role="status">{t('pos.unlock.notSetUp')}</p>
        ) : (
          <DeviceSetUpForm
            operator={operator}
            onSetUp={async (passphrase) => {
              await setUpDevice(pointId, operator, passphrase);
              reload();
            }}
          />
        )
      ) : unlocked === undefined ? (
        <>
          <UnlockForm pointId={pointId} vault={vault} onChanged={reload} />
          {operator !== undefined && !ownSlot ? (
            <AddSlotForm pointId={pointId} vault={vault} operator={operator} onChanged={reload} />
          ) : null}
        </>
      ) : (
        <>
          <LockBar
            pointId={pointId}
            vault={vault}
            username={unlocked.username}
            onChanged={reload}
          />
          <OfflineWork key={unlocked.operatorId} device={device} onDevice={setDevice} sync={sync} />
          {operator !== undefined && !ownSlot ? (
            <AddSlotForm pointId={pointId} vault={vault} operator={operator} onChanged={reload} />
          ) : null}
        </>
      )}
    </section>
  );
}

/** Who unlocked the device, the lock button and the idle lock's minutes. */
function LockBar(props: {
  pointId: string;
  vault: VaultRecord;
  username: string;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  return (
    <div className="button-row" data-testid="pos-unlocked">
      <p role="status">{t('pos.unlock.unlockedBy', { user: props.username })}</p>
      <Field label={t('pos.unlock.idleMinutes')}>
        {(control) => (
          <input
            {...control}
            type="number"
            inputMode="numeric"
            min={1}
            max={60}
            data-testid="pos-idle-minutes"
            defaultValue={props.vault.idleLockMinutes}
            onBlur={(event) =>
              void setIdleLockMinutes(props.pointId, Number(event.target.value) || 1).then(
                props.onChanged,
              )
            }
          />
        )}
      </Field>
      <button type="button" data-testid="pos-lock" onClick={() => lockDevice(props.pointId)}>
        {t('pos.unlock.lock')}
      </button>
    </div>
  );
}

/** The offline panel's work, once an operator unlocked the device. */
function OfflineWork(props: {
  device: DeviceRecord;
  onDevice: (device: DeviceRecord) => void;
  sync: PendingSync;
}) {
  const { device, onDevice: setDevice, sync } = props;
  const { pointId } = device;
  const { t } = useTranslation();
  const [held, setHeld] = useState<HeldSnapshot | null>(null);
  const [usage, setUsage] = useState<OfflineUsage | null>(null);
  const { busy, error, setError, act } = useBusyAction();
  const [withoutCard, setWithoutCard] = useState(false);

  useEffect(() => {
    if (held === null) return;
    void usageOf(pointId, held.payload.snapshotId).then(setUsage, setError);
  }, [pointId, held, setError]);
  useEffect(() => {
    void (async () => {
      setHeld((await heldSnapshot(device).catch(() => undefined)) ?? null);
    })().catch(setError);
  }, [device, setError]);

  useEffect(() => {
    // Past its expiry the snapshot leaves the device (it stays shown, with the alert, until the
    // panel is left): a device never keeps one beyond its life.
    if (held && Date.now() / 1000 > held.payload.expiresAt) {
      void forgetSnapshot(pointId, held.payload.snapshotId).catch(setError);
    }
  });
  const nowSeconds = Date.now() / 1000;
  return (
    <>
      <dl>
        <dt>{t('pos.offline.deviceKey')}</dt>
        <dd>
          <code data-testid="pos-device-key">{device.publicKey}</code>
          <code hidden data-testid="pos-device-proof">
            {device.proof}
          </code>
        </dd>
        <dt>{t('pos.offline.registrationCode')}</dt>
        <dd>
          <code data-testid="pos-registration-code">{`${device.publicKey}.${device.proof}`}</code>
        </dd>
        <dt>{t('pos.offline.registered')}</dt>
        <dd data-testid="pos-device-id">{device.deviceId ?? t('pos.offline.notRegistered')}</dd>
        <dt>{t('pos.offline.snapshot')}</dt>
        <dd data-testid="pos-snapshot">
          {held
            ? t('pos.offline.snapshotHeld', {
                entries: held.payload.entries.length,
                expires: new Date(held.payload.expiresAt * 1000).toLocaleString(),
              })
            : t('pos.offline.noSnapshot')}
        </dd>
        {held && usage ? (
          <>
            <dt>{t('pos.offline.allowance')}</dt>
            <dd data-testid="pos-allowance">
              {t('pos.offline.allowanceUsed', {
                receipts: usage.receipts,
                receiptsMax: held.payload.receiptsMax,
                units: usage.units,
                unitsMax: held.payload.unitsMax ?? '∞',
              })}
            </dd>
            {held.payload.assisted ? (
              <>
                <dt>{t('pos.offline.assistedAllowance')}</dt>
                <dd data-testid="pos-assisted-allowance">
                  {t('pos.offline.assistedUsed', {
                    used: usage.assisted ?? 0,
                    max: held.payload.assisted.receiptsMax,
                  })}
                </dd>
              </>
            ) : null}
          </>
        ) : null}
      </dl>
      {held && nowSeconds > held.payload.expiresAt ? (
        <p role="alert" data-testid="pos-snapshot-expired">
          {t('pos.offline.snapshotExpired')}
        </p>
      ) : held && nowSeconds > held.payload.warnAfter ? (
        <p role="alert">{t('pos.offline.snapshotOld')}</p>
      ) : null}
      <div className="button-row">
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            act(async () => {
              const found = await registeredDevice(device);
              setDevice(found);
              if (found.deviceId !== null) setHeld(await downloadSnapshot(found));
            })
          }
        >
          {t('pos.offline.download')}
        </button>
      </div>
      {error ? <ProblemNotice error={error} /> : null}
      {held ? (
        <fieldset>
          <legend>{t('pos.offline.who')}</legend>
          {([false, true] as const).map((without) => (
            <label key={String(without)} className="choice">
              <input
                type="radio"
                name="pos-offline-who"
                checked={withoutCard === without}
                onChange={() => setWithoutCard(without)}
              />{' '}
              {t(without ? 'pos.offline.withoutCard' : 'pos.offline.withCard')}
            </label>
          ))}
        </fieldset>
      ) : null}
      {held ? (
        <OfflineCheck
          key={withoutCard ? 'household' : 'card'}
          household={withoutCard}
          held={held}
          usage={() => usageOf(pointId, held.payload.snapshotId)}
          onRecorded={async (receipt) => {
            await recordOfflineReceipt(device, held.payload, receipt);
            setUsage(await usageOf(pointId, held.payload.snapshotId));
            await sync.refresh();
          }}
        />
      ) : null}
    </>
  );
}

function OfflineCheck(props: {
  /** Without the person's card: the ID number, the reason and a household member's card. */
  household: boolean;
  held: HeldSnapshot;
  usage: () => Promise<OfflineUsage>;
  onRecorded: (receipt: {
    entitlementId: string;
    credentialId: string;
    /** The card's QR text as verified: the receipt's proof that the card was shown. */
    qrText: string;
    lines: { item: string; quantity: number }[];
    assisted?: { reason: AssistedReasonValue; operatorId: string };
  }) => Promise<void>;
}) {
  const { t, i18n } = useTranslation();
  const [qrText, setQrText] = useState('');
  const [uin, setUin] = useState('');
  const [reason, setReason] = useState<AssistedReasonValue>('lost');
  const { household } = props;
  const operatorId = props.held.payload.assisted?.operatorId;
  const [answer, setAnswer] = useState<(OfflineLookup & { ms: number }) | null>(null);
  const [done, setDone] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  /** Quantities to hand over, by entitlement and item; what remains until changed. */
  const [chosen, setChosen] = useState<Record<string, number>>({});
  const { latest, recording, recordingNow, record } = useCheckOrder();
  const check = async (text: string) => {
    // The last answer leaves the screen as the check starts: quantities are typed, and a
    // hand-over is made, only on this check's answer, never on an older one this answer would
    // then replace (nor would an older check's answer land over this one's).
    const ticket = ++latest.current;
    setAnswer(null);
    setChosen({});
    setDone(false);
    setRefusal(null);
    // A hand-over still being recorded is counted before what remains is read.
    await recording.current;
    const started = performance.now();
    const found = household
      ? await offlineHouseholdLookup(props.held, text.trim(), uin.trim(), Date.now() / 1000)
      : await offlineLookup(props.held, text.trim(), Date.now() / 1000);
    // What this device already handed over with this snapshot is not offered again.
    const after = remainingAfterUsage(found, await props.usage());
    if (ticket === latest.current) setAnswer({ ...after, ms: performance.now() - started });
  };
  const handOver = (entitlement: OfflineEntitlement) => {
    const lines = entitlement.items
      .map((item) => ({
        item: item.item,
        quantity: Math.min(
          item.remaining,
          chosen[`${entitlement.entitlementId}|${item.item}`] ?? item.remaining,
        ),
      }))
      .filter((line) => line.quantity > 0);
    // Only a card that verified offers a hand-over: its id and text are then set.
    if (lines.length === 0 || answer?.credentialId === undefined || answer.qrText === undefined) {
      return;
    }
    const { credentialId, qrText: shown } = answer;
    const ticket = latest.current;
    record(() =>
      props.onRecorded({
        entitlementId: entitlement.entitlementId,
        credentialId,
        qrText: shown,
        lines,
        ...(household && operatorId !== undefined ? { assisted: { reason, operatorId } } : {}),
      }),
    )?.then(
      () => {
        // Recorded: said on this answer, unless a check started since shows its own. A refusal
        // is always shown: nothing was recorded.
        if (ticket !== latest.current) return;
        setDone(true);
        setQrText('');
        setUin('');
      },
      (error: unknown) => {
        if (error instanceof OfflineAssistedReached) {
          setRefusal(t('pos.offline.assistedReached', { max: error.max }));
          return;
        }
        if (error instanceof OfflineSnapshotExpired) {
          setRefusal(t('pos.offline.snapshotExpired'));
          return;
        }
        if (!(error instanceof OfflineAllowanceReached)) {
          setRefusal(error instanceof Error ? error.message : String(error));
          return;
        }
        setRefusal(
          t('pos.offline.allowanceReached', {
            receiptsMax: error.receiptsMax,
            unitsMax: error.unitsMax ?? '∞',
          }),
        );
      },
    );
  };
  if (household && operatorId === undefined) {
    return <p role="status">{t('pos.offline.assistedUnavailable')}</p>;
  }
  const ready = qrText.trim() !== '' && (!household || isUin(uin));
  return (
    <div className="pos-scan">
      {household ? (
        <>
          <UinField words="pos.assisted" value={uin} onChange={setUin} />
          <ReasonField words="pos.assisted" value={reason} onChange={setReason} />
        </>
      ) : null}
      <CameraScanner onText={(text) => (household ? setQrText(text) : void check(text))} />
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void check(qrText);
        }}
      >
        <Field label={t(household ? 'pos.offline.memberQrText' : 'pos.offline.qrText')}>
          {(control) => (
            <textarea
              {...control}
              rows={3}
              value={qrText}
              onChange={(event) => setQrText(event.target.value)}
            />
          )}
        </Field>
        <button type="submit" disabled={!ready}>
          {t(household ? 'pos.offline.checkMember' : 'pos.offline.check')}
        </button>
      </form>
      {refusal ? (
        <p role="alert" data-testid="pos-offline-refusal">
          {refusal}
        </p>
      ) : null}
      {answer ? (
        <div data-testid="pos-offline-answer" data-ms={answer.ms.toFixed(1)}>
          {answer.verdict.status !== 'valid' ? (
            <p role="alert">{t('pos.offline.cardRefused', { reason: answer.verdict.message })}</p>
          ) : answer.entitlements.length === 0 ? (
            // A card absent from the snapshot may be entitled: only the server can tell.
            <p role="status" data-testid="pos-offline-needs-network">
              {t(household ? 'pos.offline.notBound' : 'pos.offline.notInSnapshot')}
            </p>
          ) : done ? (
            <p role="status">{t('pos.offline.recorded')}</p>
          ) : (
            <ul className="pos-entitlements">
              {answer.entitlements.map((entitlement) => (
                <li key={entitlement.entitlementId}>
                  <h3>
                    {i18n.language === 'en' ? entitlement.programNameEn : entitlement.programNameEs}
                  </h3>
                  <ul>
                    {entitlement.items.map((item) => {
                      const key = `${entitlement.entitlementId}|${item.item}`;
                      return (
                        <li key={item.item}>
                          <p>
                            {t('pos.offline.remaining', {
                              item: item.item,
                              quantity: item.remaining,
                              unit: item.unit,
                            })}
                          </p>
                          {item.remaining > 0 ? (
                            <Field
                              label={t('pos.offline.quantity', {
                                item: item.item,
                                unit: item.unit,
                              })}
                            >
                              {(control) => (
                                <input
                                  {...control}
                                  type="number"
                                  inputMode="numeric"
                                  min={0}
                                  max={item.remaining}
                                  value={chosen[key] ?? item.remaining}
                                  onChange={(event) =>
                                    setChosen({
                                      ...chosen,
                                      [key]: Math.max(
                                        0,
                                        Math.min(item.remaining, Number(event.target.value) || 0),
                                      ),
                                    })
                                  }
                                />
                              )}
                            </Field>
                          ) : null}
                        </li>
                      );
                    })}
                  </ul>
                  <button
                    type="button"
                    disabled={
                      recordingNow || entitlement.items.every((item) => item.remaining === 0)
                    }
                    onClick={() => handOver(entitlement)}
                  >
                    {t('pos.offline.handOver')}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
      ) : null}
    </div>
  );
}
