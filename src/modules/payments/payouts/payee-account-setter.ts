import { localDate } from '../../notifications/index.js';
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

/**
 * Sets a person's payee account under a passed second check (subject `payee_account`, the one
 * the payment PIN uses: `merchants/pin-second-check.ts`): the check must be this person's,
 * started by this staff member, open, and passed — the code texted to the phone on file typed
 * (`code`), or another account's approval after the photo on file was checked. An account set
 * without the texted code is held for `staffHoldMs` (no batch pays it until then). The account
 * is checked first (a malformed one spends no check); then, in one transaction, the check is
 * spent, the account appended to the person's history and the person texted "the account your
 * payments go to was changed … ending NNNN" (if they have a phone) — for a held change with the
 * code that stops it before the hold ends.
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
        const heldUntil =
          passed.method === 'two_person'
            ? new Date(props.now.getTime() + props.settings.staffHoldMs)
            : null;
        const written = await payeeAccountWriter(trx, deps.masterKey, {
          personId: props.personId,
          input,
          setMethod: passed.method === 'phone_code' ? 'staff_phone_code' : 'staff_two_person',
          setBy: props.operatorId,
          approvedBy: passed.approvedBy,
          checkId: props.checkId,
          setAt: props.now,
          heldUntil,
        });
        const number =
          input.account.kind === 'bank_account'
            ? input.account.accountNumber
            : input.account.phoneNumber;
        const ending = accountEnding(number);
        const date = localDate(props.now);
        // A held change carries the code with which the person stops it (`payee-account-stop.ts`).
        await deps.notifier?.notify(
          trx,
          props.personId,
          heldUntil === null
            ? { event: 'payee_account_changed', ending, date }
            : {
                event: 'payee_account_held',
                ending,
                date,
                until: localDate(heldUntil),
                code: await payeeStopCodeKeeper(trx, deps.masterKey, {
                  payeeAccountId: written.id,
                  personId: props.personId,
                  heldUntil,
                }),
              },
        );
        return { id: written.id, heldUntil };
      }),
  );
}
