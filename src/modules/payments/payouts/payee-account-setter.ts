import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { localDate, localDateTime } from '../../notifications/index.js';
import { latestPhoneChangeWithin, type PhoneChange } from '../../registry/index.js';
import type { PinGuardSettings } from '../merchants/pin-guard-settings.js';
import { pinCheckSpender, useCheck } from '../merchants/pin-second-check.js';
import {
  accountEnding,
  checkedPayeeInput,
  type PayeeAccountInput,
  payeeAccountWriter,
} from './payee-account.js';
import { payeeStopCodeKeeper } from './payee-account-stop.js';
import type { PayoutDependencies } from './payout-gate.js';
import type { PayeeHoldReason } from './payout-tables.js';

/**
 * Whether a payee account about to be set is held, and why (payouts/README.md, "A payee account
 * after a change of phone"): set without the texted code (`staff_two_person`), or set within the
 * phone-change window after a change of the phone on file (`phone_changed`: whoever changed the
 * phone may be the one who read the texted code). Either way for `holdMs`.
 *
 * @example
 *   payeeHoldOf({ method: 'phone_code', phoneChange: { changedAt, changedBy }, now, holdMs });
 *   // { heldUntil: now + holdMs, holdReason: 'phone_changed' }
 */
export function payeeHoldOf(props: {
  method: 'phone_code' | 'two_person';
  phoneChange: PhoneChange | undefined;
  now: Date;
  holdMs: number;
}): { heldUntil: Date | null; holdReason: PayeeHoldReason | null } {
  const holdReason: PayeeHoldReason | null =
    props.method === 'two_person'
      ? 'staff_two_person'
      : props.phoneChange !== undefined
        ? 'phone_changed'
        : null;
  const heldUntil = holdReason === null ? null : new Date(props.now.getTime() + props.holdMs);
  return { heldUntil, holdReason };
}

/**
 * Sets a person's payee account under a passed second check (subject `payee_account`, the one
 * the payment PIN uses: `merchants/pin-second-check.ts`): the check must be this person's,
 * started by this staff member, open, and passed — the code texted to the phone on file typed
 * (`code`), or another account's approval after the photo on file was checked. The change is held
 * for `staffHoldMs` (no batch pays it until then) when set without the texted code, or within
 * `phoneChangeWindowMs` after a change of the phone on file (`payeeHoldOf`). The account is checked
 * first (a malformed one spends no check); then, in one transaction, the check is spent, the
 * account appended to the person's history with the change of phone it followed, and the person
 * texted "the account your payments go to was changed … ending NNNN" (if they have a phone) — for
 * a held change with the code that stops it before the hold ends, and after a change of phone to
 * the phones it replaced too (`payeeSetNotices`).
 *
 * @example
 *   await payeeAccountSetter(deps, { personId, operatorId, checkId, code: '042917', now,
 *     settings, input: { holderName: 'Ana Pérez', account: { kind: 'bank_account',
 *     accountNumber: '01340000000000000077' }, bank: { bankCode: '0134' } } });
 */
export async function payeeAccountSetter(
  deps: PayoutDependencies,
  props: {
    personId: string;
    operatorId: string;
    checkId: string;
    code: string | undefined;
    input: PayeeAccountInput;
    now: Date;
    settings: PinGuardSettings;
  },
): Promise<{ id: string; heldUntil: Date | null }> {
  const input = checkedPayeeInput(props.input);
  const { staffHoldMs, phoneChangeWindowMs } = props.settings;
  return pinCheckSpender(
    deps.db,
    {
      checkId: props.checkId,
      personId: props.personId,
      operatorId: props.operatorId,
      code: props.code,
      masterKey: deps.masterKey,
      now: props.now,
      settings: props.settings,
      subject: 'payee_account',
    },
    (passed) =>
      deps.db.transaction().execute(async (trx) => {
        await useCheck(trx, props.checkId, props.now, 'payee_account');
        const phoneChange =
          phoneChangeWindowMs > 0
            ? await latestPhoneChangeWithin(
                trx,
                deps.masterKey,
                props.personId,
                phoneChangeWindowMs,
              )
            : undefined;
        const hold = payeeHoldOf({
          method: passed.method,
          phoneChange,
          now: props.now,
          holdMs: staffHoldMs,
        });
        const written = await payeeAccountWriter(trx, deps.masterKey, {
          personId: props.personId,
          input,
          setMethod: passed.method === 'phone_code' ? 'staff_phone_code' : 'staff_two_person',
          setBy: props.operatorId,
          approvedBy: passed.approvedBy,
          checkId: props.checkId,
          setAt: props.now,
          ...hold,
          phoneChange,
        });
        const number =
          input.account.kind === 'bank_account'
            ? input.account.accountNumber
            : input.account.phoneNumber;
        await payeeSetNotices(deps, trx, {
          personId: props.personId,
          payeeAccountId: written.id,
          ending: accountEnding(number),
          now: props.now,
          heldUntil: hold.heldUntil,
          phoneChange,
          phoneChangeWindowMs,
        });
        return { id: written.id, heldUntil: hold.heldUntil };
      }),
  );
}

/**
 * The texts of a payee account set, in its transaction: "changed … ending NNNN" to the phone on
 * file; for a held change the code that stops it (`payee-account-stop.ts`); and when the phone on
 * file changed within the window, "the phone on your record was changed and the account your
 * payments go to too … stop it with the code" to the phones it replaced, so the person whose phone
 * was swapped learns of it and can stop the change before it pays.
 */
async function payeeSetNotices(
  deps: PayoutDependencies,
  trx: Kysely<Database>,
  props: {
    personId: string;
    payeeAccountId: string;
    ending: string;
    now: Date;
    heldUntil: Date | null;
    phoneChange: PhoneChange | undefined;
    phoneChangeWindowMs: number;
  },
): Promise<void> {
  const { personId, ending, heldUntil } = props;
  const date = localDate(props.now);
  if (heldUntil === null) {
    await deps.notifier?.notify(trx, personId, { event: 'payee_account_changed', ending, date });
    return;
  }
  const code = await payeeStopCodeKeeper(trx, deps.masterKey, {
    payeeAccountId: props.payeeAccountId,
    personId,
    heldUntil,
  });
  const until = localDate(heldUntil);
  await deps.notifier?.notify(trx, personId, {
    event: 'payee_account_held',
    ending,
    date,
    until,
    code,
  });
  if (props.phoneChange === undefined) return;
  await deps.notifier?.notifyFormerPhones?.(trx, personId, props.phoneChangeWindowMs, {
    event: 'payee_account_after_phone_change',
    ending,
    date,
    until: localDateTime(heldUntil),
    code,
  });
}
