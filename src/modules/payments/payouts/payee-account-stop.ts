import type { Kysely, Transaction } from 'kysely';
import { limits } from '../../../limits.js';
import type { Database } from '../../../platform/db/schema.js';
import type { Actor } from '../../../shared/access/actor.js';
import { auditActorOf } from '../../../shared/audit/audit-actor.js';
import type { AuditEntryInput } from '../../../shared/audit/audit-entry.js';
import { newOneTimeCode, oneTimeCodeHash, oneTimeCodeMatches } from '../../credentials/index.js';
import { assistedIdentities } from '../../registry/index.js';
import { PaymentsError } from '../payments-error.js';
import type { PayoutDependencies } from './payout-gate.js';

/**
 * The person stops a held payee account change (payouts/README.md, "The person stops a held
 * change"). A change set without the texted code is held for a day, and the text that tells the
 * person of it carries a six-digit stop code. With their ID number and that code, and no session,
 * the person stops the change: it never becomes the account in use (the one before it stays).
 * The code is kept only as an HMAC bound to the change (like every one-time code here), is good
 * for one stop until the hold ends, and a wrong one is counted: at
 * `limits.payouts.payeeStopCodeAttemptsMax` the change is stopped anyway, as a precaution — so
 * whoever set it cannot spend the person's tries to keep it.
 */

const stopCodeLabel = 'amparo payee account stop code';

/**
 * Keeps the stop code of a held change in the transaction that writes it, and answers the code
 * for the text to the person (the only place it is ever in clear).
 *
 * @example
 *   const code = await payeeStopCodeKeeper(trx, masterKey, { payeeAccountId, personId, heldUntil });
 */
export async function payeeStopCodeKeeper(
  trx: Kysely<Database>,
  masterKey: Buffer,
  props: { payeeAccountId: string; personId: string; heldUntil: Date },
): Promise<string> {
  const code = newOneTimeCode();
  await trx
    .insertInto('payee_account_stop')
    .values({
      payee_account_id: props.payeeAccountId,
      person_id: props.personId,
      code_hash: oneTimeCodeHash(masterKey, stopCodeLabel, props.payeeAccountId, code),
      expires_at: props.heldUntil,
    })
    .execute();
  return code;
}

/** The one answer to every stop that does not happen: it says nothing of whose change is held. */
function refused(): PaymentsError {
  return new PaymentsError(
    'AMP_PAYEE_STOP_REFUSED',
    'No held change of this ID number takes this code (wrong, used, or its hold is over)',
  );
}

/**
 * Stops the held change whose code the person typed, or counts a wrong code against each of the
 * person's changes still held (stopping those at the bound). The stop and its audit entry (on
 * the person, as the person's own act, or the staff account's when staff typed it) commit
 * together; a refusal is audited too when the ID number names a person.
 *
 * @example
 *   await payeeChangeStopper(deps, { uin: '4839201756', code: '042917', now, requestId, actor });
 */
export async function payeeChangeStopper(
  deps: PayoutDependencies,
  props: { uin: string; code: string; now: Date; requestId: string; actor: Actor | null },
): Promise<{ stopped: true }> {
  const person = await assistedIdentities(deps.masterKey).activePersonByUin(deps.db, props.uin);
  if (person === undefined) throw refused();
  // Staff typing the code for a person who calls act under their own account: the entry names
  // them (no role gated the act). Anyone else is the person the ID number names.
  const actor =
    props.actor?.kind === 'operator'
      ? auditActorOf(props.actor, null, null)
      : ({ kind: 'citizen', id: person.personId, role: null, region: null } as const);
  const entry = (outcome: 'allowed' | 'denied'): AuditEntryInput => ({
    actor,
    action: 'payee.stop',
    resource: { type: 'person', id: person.personId },
    purpose: 'self',
    fields: outcome === 'allowed' ? ['payee_account'] : [],
    outcome,
    reasonCode: outcome === 'allowed' ? null : 'AMP_PAYEE_STOP_REFUSED',
    requestId: props.requestId,
  });
  const stopped = await deps.db.transaction().execute(async (trx) => {
    const open = await trx
      .selectFrom('payee_account_stop')
      .selectAll()
      .where('person_id', '=', person.personId)
      .where('stopped_at', 'is', null)
      .where('expires_at', '>', props.now)
      .forUpdate()
      .execute();
    const matched = open.find((row) =>
      oneTimeCodeMatches(
        deps.masterKey,
        stopCodeLabel,
        row.payee_account_id,
        props.code,
        row.code_hash,
      ),
    );
    if (matched !== undefined) {
      await stop(trx, [matched.payee_account_id], 'person_code', props.now);
      await deps.audit.appendInTransaction(trx, [entry('allowed')]);
      return true;
    }
    await countWrongCode(trx, open, props.now);
    return false;
  });
  if (!stopped) {
    await deps.audit.append(entry('denied'));
    throw refused();
  }
  return { stopped: true };
}

/** A wrong code counts against each change still held; one at the bound is stopped. */
async function countWrongCode(
  trx: Transaction<Database>,
  open: readonly { payee_account_id: string; code_attempts: number }[],
  now: Date,
): Promise<void> {
  if (open.length === 0) return;
  const ids = open.map((row) => row.payee_account_id);
  await trx
    .updateTable('payee_account_stop')
    .set((eb) => ({ code_attempts: eb('code_attempts', '+', 1) }))
    .where('payee_account_id', 'in', ids)
    .execute();
  const atBound = open
    .filter((row) => row.code_attempts + 1 >= limits.payouts.payeeStopCodeAttemptsMax)
    .map((row) => row.payee_account_id);
  await stop(trx, atBound, 'stop_code_attempts', now);
}

async function stop(
  trx: Transaction<Database>,
  payeeAccountIds: readonly string[],
  reason: 'person_code' | 'stop_code_attempts',
  now: Date,
): Promise<void> {
  if (payeeAccountIds.length === 0) return;
  await trx
    .updateTable('payee_account_stop')
    .set({ stopped_at: now, stopped_reason: reason })
    .where('payee_account_id', 'in', [...payeeAccountIds])
    .where('stopped_at', 'is', null)
    .execute();
}
