import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  type EntitlementHold,
  type EntitlementHoldReason,
  entitlementHoldReasons,
} from '../../../../src/shared/api/entitlement-holds.js';
import { apiGet, apiSend } from '../../api/client.js';
import { Field } from '../../components/field.js';
import { NoteForm } from '../../components/note-form.js';
import { ProblemNotice } from '../../components/problem-notice.js';
import { useFormat } from '../../i18n/format.js';
import { CameraScanner } from '../verifier/camera-scanner.js';
import {
  entitlementIdOf,
  type ReceiptContent,
  ReceiptTextError,
  readReceiptText,
} from './receipt-text.js';

const purpose = 'purpose=distribution';
const listKey = ['distribution-entitlement-holds'];

/**
 * The entitlement a hold is about to be placed on, and how the supervisor found it: the
 * person's signed receipt, an offline conflict of the point, or the id typed as it is.
 */
export type HoldTarget = { entitlementId: string } & (
  | { from: 'receipt'; receipt: ReceiptContent }
  | { from: 'conflict'; deviceLabel: string; deviceTime: string }
  | { from: 'id' }
);

/**
 * The supervisor's holds on entitlements (docs/DISTRIBUTION.md, "Holds"; action
 * `distribution.entitlement_hold`): the holds of their states, those in force first, each lifted
 * with an optional note; and a new hold placed on the entitlement a receipt, a conflict or its id
 * names, with a reason from the closed list and a note. No person is named: the supervisor learns
 * the entitlement, never the person's file (safeguard 7).
 */
export function HoldsPanel(props: {
  target: HoldTarget | null;
  onTarget: (target: HoldTarget | null) => void;
}) {
  const { t } = useTranslation();
  const listing = useQuery({
    queryKey: listKey,
    queryFn: () =>
      apiGet<{ holds: EntitlementHold[] }>(`/api/distribution/entitlement-holds?${purpose}`),
  });
  // In force first (what still stops a hand-over), each group newest first as the server sends.
  const holds = [...(listing.data?.holds ?? [])].sort(
    (a, b) => Number(b.status === 'in_force') - Number(a.status === 'in_force'),
  );
  return (
    <section aria-labelledby="holds-title">
      <h2 id="holds-title">{t('supervision.holds.title')}</h2>
      <p>{t('supervision.holds.hint')}</p>
      <PlaceHold target={props.target} onTarget={props.onTarget} />
      <h3>{t('supervision.holds.listTitle')}</h3>
      {listing.error ? <ProblemNotice error={listing.error} /> : null}
      {listing.data?.holds.length === 0 ? <p>{t('supervision.holds.none')}</p> : null}
      <ul className="supervision-cards" data-testid="entitlement-holds">
        {holds.map((hold) => (
          <HoldItem key={hold.holdId} hold={hold} />
        ))}
      </ul>
    </section>
  );
}

function HoldItem({ hold }: { hold: EntitlementHold }) {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <li data-status={hold.status}>
      <p>
        <strong>{t(`supervision.holds.status.${hold.status}`)}</strong>
        {' · '}
        {hold.programCode}
      </p>
      <dl className="supervision-figures">
        <dt>{t('supervision.holds.reason')}</dt>
        <dd className="supervision-value">{t(`holdReason.${hold.reason}`)}</dd>
        <dt>{t('supervision.holds.placedAt')}</dt>
        <dd className="supervision-value">{format.dateTime(hold.placedAt)}</dd>
        {hold.liftedAt === null ? (
          <>
            <dt>{t('supervision.holds.lapsesAt')}</dt>
            <dd className="supervision-value">{format.dateTime(hold.lapsesAt)}</dd>
          </>
        ) : (
          <>
            <dt>{t('supervision.holds.liftedAt')}</dt>
            <dd className="supervision-value">{format.dateTime(hold.liftedAt)}</dd>
          </>
        )}
        <dt>{t('supervision.holds.placedBy')}</dt>
        <dd className="supervision-value">
          <code>{hold.placedBy.slice(0, 8)}</code>
        </dd>
        <dt>{t('supervision.holds.entitlement')}</dt>
        <dd className="supervision-value">
          <code>{hold.entitlementId.slice(0, 8)}</code>
        </dd>
      </dl>
      <p className="hold-note">{t('supervision.holds.noteLine', { note: hold.note })}</p>
      {hold.liftNote ? (
        <p className="hold-note">{t('supervision.holds.liftNoteLine', { note: hold.liftNote })}</p>
      ) : null}
      {hold.status === 'in_force' ? <LiftHold hold={hold} /> : null}
    </li>
  );
}

function LiftHold({ hold }: { hold: EntitlementHold }) {
  const { t } = useTranslation();
  return (
    <NoteForm
      label={t('supervision.holds.liftNote')}
      submit={t('supervision.holds.lift')}
      send={(note) =>
        apiSend(
          'POST',
          `/api/distribution/entitlement-holds/${hold.holdId}/lift?${purpose}`,
          note === undefined ? {} : { note },
        )
      }
      refresh={[listKey]}
    />
  );
}

/** Finds the entitlement (a receipt, or its id), then places the hold with a reason and a note. */
function PlaceHold(props: {
  target: HoldTarget | null;
  onTarget: (target: HoldTarget | null) => void;
}) {
  const { t } = useTranslation();
  const [placed, setPlaced] = useState<string | null>(null);
  if (props.target === null) {
    return (
      <>
        {placed ? (
          <p className="notice notice-ok" role="status">
            {t('supervision.holds.placed', { date: placed })}
          </p>
        ) : null}
        <FindEntitlement
          onFound={(target) => {
            setPlaced(null);
            props.onTarget(target);
          }}
        />
      </>
    );
  }
  return (
    <HoldForm
      target={props.target}
      onCancel={() => props.onTarget(null)}
      onPlaced={(lapsesAt) => {
        setPlaced(lapsesAt);
        props.onTarget(null);
      }}
    />
  );
}

function FindEntitlement({ onFound }: { onFound: (target: HoldTarget) => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [typedId, setTypedId] = useState('');
  const read = useMutation({
    mutationFn: async (value: string) => {
      const key = await apiGet<{ publicKey: string }>('/api/distribution/receipt-key');
      return readReceiptText(value, key.publicKey);
    },
    onSuccess: (receipt) =>
      onFound({ entitlementId: receipt.entitlementId, from: 'receipt', receipt }),
  });
  const idTyped = entitlementIdOf(typedId);
  return (
    <div className="pos-scan" data-testid="hold-find">
      <CameraScanner onText={(scanned) => read.mutate(scanned)} />
      <form
        onSubmit={(event) => {
          event.preventDefault();
          read.mutate(text.trim());
        }}
      >
        <Field label={t('supervision.holds.receiptText')} hint={t('supervision.holds.receiptHint')}>
          {(control) => (
            <textarea
              {...control}
              rows={3}
              value={text}
              onChange={(event) => setText(event.target.value)}
            />
          )}
        </Field>
        {read.error instanceof ReceiptTextError ? (
          <p className="notice notice-error" role="alert">
            {t(`supervision.holds.receiptRefused.${read.error.reason}`)}
          </p>
        ) : read.error ? (
          <ProblemNotice error={read.error} />
        ) : null}
        <button type="submit" disabled={text.trim() === '' || read.isPending}>
          {read.isPending ? t('common.wait') : t('supervision.holds.readReceipt')}
        </button>
      </form>
      <details>
        <summary>{t('supervision.holds.byId')}</summary>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            if (idTyped !== null) onFound({ entitlementId: idTyped, from: 'id' });
          }}
        >
          <Field
            label={t('supervision.holds.entitlementId')}
            hint={t('supervision.holds.entitlementIdHint')}
            error={
              typedId.trim() !== '' && idTyped === null
                ? t('supervision.holds.entitlementIdInvalid')
                : undefined
            }
          >
            {(control) => (
              <input
                {...control}
                autoComplete="off"
                spellCheck={false}
                value={typedId}
                onChange={(event) => setTypedId(event.target.value)}
              />
            )}
          </Field>
          <button type="submit" disabled={idTyped === null}>
            {t('supervision.holds.useId')}
          </button>
        </form>
      </details>
    </div>
  );
}

function HoldForm(props: {
  target: HoldTarget;
  onCancel: () => void;
  onPlaced: (lapsesAt: string) => void;
}) {
  const { t } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const [reason, setReason] = useState<EntitlementHoldReason | ''>('');
  const [note, setNote] = useState('');
  const place = useMutation({
    mutationFn: () =>
      apiSend<{ holdId: string; lapsesAt: string }>(
        'POST',
        `/api/distribution/entitlement-holds?${purpose}`,
        { entitlementId: props.target.entitlementId, reason, note: note.trim() },
      ),
    onSuccess: (answer) => {
      void client.invalidateQueries({ queryKey: listKey });
      props.onPlaced(format.dateTime(answer.body.lapsesAt));
    },
  });
  return (
    <form
      data-testid="hold-form"
      onSubmit={(event) => {
        event.preventDefault();
        place.mutate();
      }}
    >
      <p data-testid="hold-target">{targetText(t, format, props.target)}</p>
      <Field label={t('supervision.holds.reason')} required>
        {(control) => (
          <select
            {...control}
            value={reason}
            onChange={(event) => setReason(event.target.value as EntitlementHoldReason)}
          >
            <option value="">{t('supervision.holds.chooseReason')}</option>
            {entitlementHoldReasons.map((each) => (
              <option key={each} value={each}>
                {t(`holdReason.${each}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={t('supervision.holds.note')} hint={t('supervision.holds.noteHint')} required>
        {(control) => (
          <textarea
            {...control}
            rows={2}
            maxLength={500}
            value={note}
            onChange={(event) => setNote(event.target.value)}
          />
        )}
      </Field>
      {place.error ? <ProblemNotice error={place.error} /> : null}
      <p className="button-row">
        <button type="submit" disabled={place.isPending || reason === '' || note.trim() === ''}>
          {place.isPending ? t('common.wait') : t('supervision.holds.place')}
        </button>
        <button type="button" className="button-secondary" onClick={props.onCancel}>
          {t('supervision.holds.cancel')}
        </button>
      </p>
    </form>
  );
}

function targetText(
  t: ReturnType<typeof useTranslation>['t'],
  format: ReturnType<typeof useFormat>,
  target: HoldTarget,
): string {
  const entitlement = target.entitlementId.slice(0, 8);
  if (target.from === 'receipt') {
    return t('supervision.holds.targetReceipt', {
      program: target.receipt.programCode,
      point: target.receipt.pointCode,
      time: format.dateTime(target.receipt.redeemedAt),
      receipt: target.receipt.receiptId.slice(0, 8),
      entitlement,
    });
  }
  if (target.from === 'conflict') {
    return t('supervision.holds.targetConflict', {
      device: target.deviceLabel,
      time: format.dateTime(target.deviceTime),
      entitlement,
    });
  }
  return t('supervision.holds.targetId', { entitlement });
}
