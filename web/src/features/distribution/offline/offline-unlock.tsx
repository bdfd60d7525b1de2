import type { TFunction } from 'i18next';
import { type FormEvent, useEffect, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { Field } from '../../../components/field.js';
import {
  addSlot,
  DeviceLockedOut,
  lockDevice,
  onLockChange,
  PassphraseTooShort,
  passphraseLengthMin,
  type UnlockedDevice,
  unlockDevice,
  unlockedDevice,
  type VaultRecord,
  WrongPassphrase,
  wrongTriesMax,
} from './offline-vault.js';

/** The operator signed in online, as the device names them in its slots and receipts. */
export interface SignedInOperator {
  operatorId: string;
  username: string;
}

/** The point's unlocked keys, kept current as the device is unlocked and locked. */
export function useUnlocked(pointId: string): UnlockedDevice | undefined {
  return useSyncExternalStore(onLockChange, () => unlockedDevice(pointId));
}

/**
 * Locks the point's device after `minutes` without a touch, a key or a scroll (and when the page
 * is hidden that long): the keys leave memory and the unlock screen shows.
 */
export function useIdleLock(pointId: string, minutes: number, active: boolean): void {
  useEffect(() => {
    if (!active) return;
    let timer = 0;
    const restart = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => lockDevice(pointId), minutes * 60_000);
    };
    const events = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;
    for (const name of events) window.addEventListener(name, restart, { passive: true });
    restart();
    return () => {
      window.clearTimeout(timer);
      for (const name of events) window.removeEventListener(name, restart);
    };
  }, [pointId, minutes, active]);
}

/** Why a passphrase form failed, in the reader's language. */
function failureText(t: TFunction, error: unknown): string {
  if (error instanceof WrongPassphrase) {
    return t('pos.unlock.wrong', { count: error.triesLeft });
  }
  if (error instanceof DeviceLockedOut) return t('pos.unlock.lockedOut');
  if (error instanceof PassphraseTooShort) {
    return t('pos.unlock.tooShort', { min: passphraseLengthMin });
  }
  return error instanceof Error ? error.message : String(error);
}

function PassphraseField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  testId: string;
  autoComplete: 'current-password' | 'new-password';
}) {
  return (
    <Field label={props.label}>
      {(control) => (
        <input
          {...control}
          type="password"
          autoComplete={props.autoComplete}
          data-testid={props.testId}
          value={props.value}
          onChange={(event) => props.onChange(event.target.value)}
        />
      )}
    </Field>
  );
}

/** A new passphrase, typed twice: when the device is set up and when an operator is added. */
interface NewPassphrase {
  passphrase: string;
  again: string;
}

const noNewPassphrase: NewPassphrase = { passphrase: '', again: '' };

function newPassphraseReady(value: NewPassphrase): boolean {
  return value.passphrase !== '' && value.passphrase === value.again;
}

/** The new passphrase's two fields; the second's test id is the first's with `-again`. */
function NewPassphraseFields(props: {
  value: NewPassphrase;
  onChange: (value: NewPassphrase) => void;
  testId: string;
}) {
  const { t } = useTranslation();
  const { value, onChange } = props;
  return (
    <>
      <PassphraseField
        label={t('pos.unlock.newPassphrase')}
        value={value.passphrase}
        onChange={(passphrase) => onChange({ ...value, passphrase })}
        testId={props.testId}
        autoComplete="new-password"
      />
      <PassphraseField
        label={t('pos.unlock.again')}
        value={value.again}
        onChange={(again) => onChange({ ...value, again })}
        testId={`${props.testId}-again`}
        autoComplete="new-password"
      />
    </>
  );
}

/** A form's busy state and its failure, shown under it. */
function useFormRun(): {
  busy: boolean;
  failure: string | null;
  run: (event: FormEvent, work: () => Promise<void>) => void;
} {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const run = (event: FormEvent, work: () => Promise<void>) => {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    work()
      .catch((error: unknown) => setFailure(failureText(t, error)))
      .finally(() => setBusy(false));
  };
  return { busy, failure, run };
}

/**
 * The first operator makes this browser a device of the point (online, signed in): a passphrase
 * of at least `passphraseLengthMin` characters, twice.
 */
export function DeviceSetUpForm(props: {
  operator: SignedInOperator;
  onSetUp: (passphrase: string) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [chosen, setChosen] = useState(noNewPassphrase);
  const { busy, failure, run } = useFormRun();
  return (
    <form
      data-testid="pos-setup"
      onSubmit={(event) => run(event, () => props.onSetUp(chosen.passphrase))}
    >
      <p>
        {t('pos.unlock.setUpHint', { min: passphraseLengthMin, user: props.operator.username })}
      </p>
      <NewPassphraseFields value={chosen} onChange={setChosen} testId="pos-new-passphrase" />
      {failure ? <p role="alert">{failure}</p> : null}
      <button type="submit" disabled={busy || !newPassphraseReady(chosen)}>
        {t('pos.unlock.setUp')}
      </button>
    </form>
  );
}

/** The unlock screen: whose slot, their passphrase; refused after too many wrong tries. */
export function UnlockForm(props: { pointId: string; vault: VaultRecord; onChanged: () => void }) {
  const { t } = useTranslation();
  const [operatorId, setOperatorId] = useState(props.vault.slots[0]?.operatorId ?? '');
  const [passphrase, setPassphrase] = useState('');
  const { busy, failure, run } = useFormRun();
  const lockedOut = props.vault.wrongTries >= wrongTriesMax;
  return (
    <form
      data-testid="pos-unlock"
      onSubmit={(event) =>
        run(event, async () => {
          try {
            await unlockDevice(props.pointId, operatorId, passphrase);
          } finally {
            setPassphrase('');
            props.onChanged();
          }
        })
      }
    >
      <h3>{t('pos.unlock.title')}</h3>
      <p role="status" data-testid="pos-locked">
        {lockedOut ? t('pos.unlock.lockedOut') : t('pos.unlock.hint')}
      </p>
      <SlotChoice vault={props.vault} value={operatorId} onChange={setOperatorId} />
      <PassphraseField
        label={t('pos.unlock.passphrase')}
        value={passphrase}
        onChange={setPassphrase}
        testId="pos-passphrase"
        autoComplete="current-password"
      />
      {failure ? (
        <p role="alert" data-testid="pos-unlock-failure">
          {failure}
        </p>
      ) : null}
      <button type="submit" disabled={busy || lockedOut || passphrase === ''}>
        {busy ? t('common.wait') : t('pos.unlock.unlock')}
      </button>
    </form>
  );
}

function SlotChoice(props: {
  vault: VaultRecord;
  value: string;
  onChange: (operatorId: string) => void;
}) {
  const { t } = useTranslation();
  return (
    <Field label={t('pos.unlock.who')}>
      {(control) => (
        <select
          {...control}
          value={props.value}
          onChange={(event) => props.onChange(event.target.value)}
        >
          {props.vault.slots.map((slot) => (
            <option key={slot.operatorId} value={slot.operatorId}>
              {slot.username}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/**
 * Another operator sets their passphrase on this device (online, signed in as themself): one
 * already set up here unlocks the keys with theirs, and they are wrapped again under the new one.
 */
export function AddSlotForm(props: {
  pointId: string;
  vault: VaultRecord;
  operator: SignedInOperator;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const [existingId, setExistingId] = useState(props.vault.slots[0]?.operatorId ?? '');
  const [existing, setExisting] = useState('');
  const [chosen, setChosen] = useState(noNewPassphrase);
  const { busy, failure, run } = useFormRun();
  return (
    <form
      data-testid="pos-add-slot"
      onSubmit={(event) =>
        run(event, async () => {
          try {
            await addSlot(
              props.pointId,
              { operatorId: existingId, passphrase: existing },
              props.operator,
              chosen.passphrase,
            );
          } finally {
            setExisting('');
            props.onChanged();
          }
        })
      }
    >
      <h3>{t('pos.unlock.addTitle', { user: props.operator.username })}</h3>
      <p>{t('pos.unlock.addHint', { min: passphraseLengthMin })}</p>
      <SlotChoice vault={props.vault} value={existingId} onChange={setExistingId} />
      <PassphraseField
        label={t('pos.unlock.theirPassphrase')}
        value={existing}
        onChange={setExisting}
        testId="pos-existing-passphrase"
        autoComplete="current-password"
      />
      <NewPassphraseFields value={chosen} onChange={setChosen} testId="pos-add-passphrase" />
      {failure ? <p role="alert">{failure}</p> : null}
      <button type="submit" disabled={busy || existing === '' || !newPassphraseReady(chosen)}>
        {t('pos.unlock.add')}
      </button>
    </form>
  );
}
