import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { deviceAllowanceLimits } from '../../../../../src/shared/api/device-allowance-limits.js';
import type { Device } from '../../../../../src/shared/api/distribution.js';
import type { OfflineConflictAnswer } from '../../../../../src/shared/api/distribution-offline.js';
import { apiGet, apiSend } from '../../../api/client.js';
import { Field } from '../../../components/field.js';
import { ProblemNotice } from '../../../components/problem-notice.js';
import { useFormat } from '../../../i18n/format.js';
import type { HoldTarget } from '../holds-panel.js';
import { SupervisedSync } from './pending-sync.js';

const purpose = 'purpose=distribution';

/**
 * The supervisor's offline screens for a point (issue #15, point 5): the point's devices —
 * register the key a device made (its registration code: public key and proof, as the device's
 * offline panel shows it), with an optional allowance; list; revoke — and the offline conflicts,
 * each cleared once: the receipt counted first stands, and this one's goods, if they left the
 * point, are written off as a loss. No person is named.
 */
export function DevicesPanel({ pointId }: { pointId: string }) {
  const { t } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const key = ['distribution-devices', pointId];
  const devices = useQuery({
    queryKey: key,
    queryFn: () =>
      apiGet<{ devices: Device[] }>(`/api/distribution/points/${pointId}/devices?${purpose}`),
  });
  const [label, setLabel] = useState('');
  const [code, setCode] = useState('');
  const [receiptsMax, setReceiptsMax] = useState('');
  const [unitsMax, setUnitsMax] = useState('');
  const register = useMutation({
    mutationFn: () => {
      const [publicKey, proof] = code.trim().split('.');
      return apiSend('POST', `/api/distribution/points/${pointId}/devices?${purpose}`, {
        label: label.trim(),
        publicKey,
        proof,
        ...(receiptsMax.trim() === '' ? {} : { receiptsMax: Number(receiptsMax) }),
        ...(unitsMax.trim() === '' ? {} : { unitsMax: Number(unitsMax) }),
      });
    },
    onSuccess: () => {
      setLabel('');
      setCode('');
      setReceiptsMax('');
      setUnitsMax('');
      void client.invalidateQueries({ queryKey: key });
    },
  });
  const revoke = useMutation({
    mutationFn: (deviceId: string) =>
      apiSend('POST', `/api/distribution/points/${pointId}/devices/${deviceId}/revoke?${purpose}`, {
        reason: 'lost',
      }),
    onSuccess: () => void client.invalidateQueries({ queryKey: key }),
  });
  return (
    <section aria-labelledby="devices-title">
      <h2 id="devices-title">{t('supervision.devices.title')}</h2>
      {devices.error ? <ProblemNotice error={devices.error} /> : null}
      <ul className="card-list" data-testid="supervision-devices">
        {(devices.data?.devices ?? []).map((device) => (
          <li key={device.id}>
            <strong>{device.label}</strong>{' '}
            {device.revokedAt
              ? t('supervision.devices.revoked', { time: format.dateTime(device.revokedAt) })
              : t('supervision.devices.active', {
                  receiptsMax: device.receiptsMax,
                  unitsMax: device.unitsMax,
                })}
            {device.revokedAt ? null : (
              <button
                type="button"
                disabled={revoke.isPending}
                onClick={() => revoke.mutate(device.id)}
              >
                {t('supervision.devices.revoke', { label: device.label })}
              </button>
            )}
          </li>
        ))}
      </ul>
      {revoke.error ? <ProblemNotice error={revoke.error} /> : null}
      <SupervisedSync pointId={pointId} />
      <form
        onSubmit={(event) => {
          event.preventDefault();
          register.mutate();
        }}
      >
        <Field label={t('supervision.devices.label')}>
          {(control) => (
            <input
              {...control}
              maxLength={80}
              value={label}
              onChange={(event) => setLabel(event.target.value)}
            />
          )}
        </Field>
        <Field label={t('supervision.devices.code')} hint={t('supervision.devices.codeHint')}>
          {(control) => (
            <textarea
              {...control}
              rows={3}
              value={code}
              onChange={(event) => setCode(event.target.value)}
            />
          )}
        </Field>
        <AllowanceField
          label={t('supervision.devices.receiptsMax')}
          max={deviceAllowanceLimits.receiptsPerSnapshotMax}
          value={receiptsMax}
          onChange={setReceiptsMax}
        />
        <AllowanceField
          label={t('deviceUnits.label')}
          hint={t('deviceUnits.hint', {
            max: format.number(deviceAllowanceLimits.unitsPerSnapshotMax),
          })}
          max={deviceAllowanceLimits.unitsPerSnapshotMax}
          value={unitsMax}
          onChange={setUnitsMax}
        />
        {register.error ? <ProblemNotice error={register.error} /> : null}
        <button
          type="submit"
          disabled={register.isPending || label.trim() === '' || !code.includes('.')}
        >
          {t('supervision.devices.register')}
        </button>
      </form>
    </section>
  );
}

/** One bound of a device's offline allowance: empty is the default, which is also the most. */
function AllowanceField(props: {
  label: string;
  hint?: string;
  max: number;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <Field label={props.label} hint={props.hint}>
      {(control) => (
        <input
          {...control}
          type="number"
          inputMode="numeric"
          min={1}
          max={props.max}
          value={props.value}
          onChange={(event) => props.onChange(event.target.value)}
        />
      )}
    </Field>
  );
}

export function ConflictsPanel({
  pointId,
  onHold,
}: {
  pointId: string;
  /** Takes the conflict's entitlement to the holds panel, to be held for review. */
  onHold?: (target: HoldTarget) => void;
}) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const key = ['distribution-conflicts', pointId];
  const conflicts = useQuery({
    queryKey: key,
    queryFn: () =>
      apiGet<{ conflicts: OfflineConflictAnswer[] }>(
        `/api/distribution/points/${pointId}/offline-conflicts?${purpose}`,
      ),
  });
  return (
    <section aria-labelledby="conflicts-title">
      <h2 id="conflicts-title">{t('supervision.conflicts.title')}</h2>
      {conflicts.error ? <ProblemNotice error={conflicts.error} /> : null}
      {conflicts.data?.conflicts.length === 0 ? <p>{t('supervision.conflicts.none')}</p> : null}
      <ul className="card-list" data-testid="supervision-conflicts">
        {(conflicts.data?.conflicts ?? []).map((conflict) => (
          <ConflictItem
            key={conflict.receiptId}
            pointId={pointId}
            conflict={conflict}
            onCleared={() => void client.invalidateQueries({ queryKey: key })}
            onHold={onHold}
          />
        ))}
      </ul>
    </section>
  );
}

function ConflictItem(props: {
  pointId: string;
  conflict: OfflineConflictAnswer;
  onCleared: () => void;
  onHold: ((target: HoldTarget) => void) | undefined;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const { conflict } = props;
  const [goodsLeft, setGoodsLeft] = useState(true);
  const [decision, setDecision] = useState<'counted_stands' | 'later_stands'>('counted_stands');
  const clear = useMutation({
    mutationFn: () =>
      apiSend(
        'POST',
        `/api/distribution/points/${props.pointId}/offline-conflicts/${conflict.receiptId}/resolution?${purpose}`,
        { decision, goodsLeft },
      ),
    onSuccess: props.onCleared,
  });
  const lines = conflict.lines.map((line) => `${line.quantity} ${line.item}`).join(', ');
  return (
    <li>
      <p>
        {t('supervision.conflicts.receipt', {
          device: conflict.deviceLabel,
          time: format.dateTime(conflict.deviceTime),
          lines,
          counted: conflict.countedRedemptions,
        })}
      </p>
      {conflict.resolution === null ? (
        <p data-testid="conflict-held">
          {conflict.held === null
            ? t('supervision.conflicts.heldWhole')
            : conflict.held.length === 0
              ? t('supervision.conflicts.heldNothing')
              : t('supervision.conflicts.held', {
                  lines: conflict.held.map((line) => `${line.quantity} ${line.item}`).join(', '),
                })}
        </p>
      ) : null}
      {conflict.carryOverHeld.length > 0 ? (
        <p>
          {t('supervision.conflicts.carryOverHeld', {
            lines: conflict.carryOverHeld
              .map((line) => `${line.quantityMax} ${line.unit} ${line.item}`)
              .join(', '),
          })}
        </p>
      ) : null}
      {props.onHold ? (
        <p>
          <button
            type="button"
            className="button-secondary"
            onClick={() =>
              props.onHold?.({
                entitlementId: conflict.entitlementId,
                from: 'conflict',
                deviceLabel: conflict.deviceLabel,
                deviceTime: conflict.deviceTime,
              })
            }
          >
            {t('supervision.holds.holdConflict')}
          </button>
        </p>
      ) : null}
      {conflict.resolution ? (
        <p role="status">
          {conflict.resolution.decision === 'later_stands'
            ? t('supervision.conflicts.clearedLater')
            : conflict.resolution.goodsLeft
              ? t('supervision.conflicts.clearedWrittenOff')
              : t('supervision.conflicts.cleared')}
        </p>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            clear.mutate();
          }}
        >
          <fieldset className="choice-row">
            <legend>{t('supervision.conflicts.stands')}</legend>
            {(['counted_stands', 'later_stands'] as const).map((each) => (
              <label key={each}>
                <input
                  type="radio"
                  name={`stands-${conflict.receiptId}`}
                  checked={decision === each}
                  onChange={() => setDecision(each)}
                />{' '}
                {t(`supervision.conflicts.decision.${each}`)}
              </label>
            ))}
          </fieldset>
          <label>
            <input
              type="checkbox"
              checked={goodsLeft}
              onChange={(event) => setGoodsLeft(event.target.checked)}
            />{' '}
            {decision === 'later_stands'
              ? t('supervision.conflicts.earlierGoodsLeft')
              : t('supervision.conflicts.goodsLeft')}
          </label>
          {clear.error ? <ProblemNotice error={clear.error} /> : null}
          <button type="submit" disabled={clear.isPending}>
            {decision === 'later_stands'
              ? t('supervision.conflicts.clearLater')
              : t('supervision.conflicts.clear')}
          </button>
        </form>
      )}
    </li>
  );
}
