import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.js';
import { e164, recipientDigest } from './outbox-enqueuer.js';
import { lockProviderIds } from './outbox-repository.js';

export interface DeliveryReceipt {
  provider: string;
  /** The provider's id of one part (SMPP message_id). */
  providerMessageId: string;
  status: 'delivered' | 'failed';
  at: Date;
}

/**
 * `recorded` changed what we know; `duplicate` was seen before (same provider, id and status);
 * `unknown` names no part we sent. Every one is answered 200 to the provider: a refusal would
 * only make it send the receipt again.
 */
export type ReceiptOutcome = 'recorded' | 'duplicate' | 'unknown';

/**
 * Records a delivery receipt, once per (provider, id, status), and moves the part and its
 * message forward only: a part reported failed stays failed whatever comes later (a failed
 * segment beats a later success), and a message is delivered when every part is, failed as
 * soon as one part is.
 *
 * @example
 *   await recordReceipt(db, { provider: 'smpp', providerMessageId: '4f2a', status: 'delivered', at });
 */
export async function recordReceipt(
  db: Kysely<Database>,
  receipt: DeliveryReceipt,
): Promise<ReceiptOutcome> {
  return db.transaction().execute(async (trx) => {
    // Waits for the parts being recorded with this id, if any (`recordAccepted`).
    await lockProviderIds(trx, receipt.provider, [receipt.providerMessageId]);
    const inserted = await trx
      .insertInto('notification_receipt')
      .values({
        id: randomUUID(),
        provider: receipt.provider,
        provider_message_id: receipt.providerMessageId,
        status: receipt.status,
        received_at: receipt.at,
      })
      .onConflict((oc) => oc.columns(['provider', 'provider_message_id', 'status']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return 'duplicate';
    const part = await trx
      .selectFrom('notification_part')
      .select(['message_id', 'status'])
      .where('provider', '=', receipt.provider)
      .where('provider_message_id', '=', receipt.providerMessageId)
      .executeTakeFirst();
    if (!part) return 'unknown';
    // Receipts for two parts of one message wait for each other: each would otherwise count
    // the other part as still undelivered and the message would stay `sent`.
    await trx
      .selectFrom('notification_outbox')
      .select('id')
      .where('id', '=', part.message_id)
      .forUpdate()
      .execute();
    await trx
      .updateTable('notification_part')
      .set({ status: receipt.status, updated_at: receipt.at })
      .where('provider', '=', receipt.provider)
      .where('provider_message_id', '=', receipt.providerMessageId)
      .where('status', '=', 'sent')
      .execute();
    if (receipt.status === 'failed') {
      await trx
        .updateTable('notification_part')
        .set({ status: 'failed', updated_at: receipt.at })
        .where('provider', '=', receipt.provider)
        .where('provider_message_id', '=', receipt.providerMessageId)
        .where('status', '=', 'delivered')
        .execute();
      await trx
        .updateTable('notification_outbox')
        .set({ status: 'failed', failed_at: receipt.at, failure_reason: 'part_undeliverable' })
        .where('id', '=', part.message_id)
        .where('status', 'in', ['sent', 'delivered'])
        .execute();
      return 'recorded';
    }
    const pending = await trx
      .selectFrom('notification_part')
      .select((eb) => eb.fn.countAll<bigint>().as('n'))
      .where('message_id', '=', part.message_id)
      .where('status', '!=', 'delivered')
      .executeTakeFirstOrThrow();
    if (Number(pending.n) === 0) {
      await trx
        .updateTable('notification_outbox')
        .set({ status: 'delivered', delivered_at: receipt.at })
        .where('id', '=', part.message_id)
        .where('status', '=', 'sent')
        .execute();
    }
    return 'recorded';
  });
}

export interface InboundText {
  /** The sender's number as the provider gives it (with or without the +). */
  from: string;
  text: string;
  at: Date;
}

/**
 * A text a person sent us. BAJA or STOP (any case, alone on the message) opts the phone out:
 * nothing more goes to it except the sign-in codes the person asks for, and what is queued for
 * it fails as opted out. Anything else is ignored (Amparo reads no replies).
 *
 * @example
 *   await recordInbound(db, masterKey, { from: '584121234567', text: 'baja', at });
 */
export async function recordInbound(
  db: Kysely<Database>,
  masterKey: Buffer,
  inbound: InboundText,
): Promise<'opted_out' | 'ignored'> {
  const keyword = inbound.text.trim().toUpperCase();
  if (keyword !== 'BAJA' && keyword !== 'STOP') return 'ignored';
  const from = inbound.from.startsWith('+') ? inbound.from : `+${inbound.from}`;
  if (!e164.test(from)) return 'ignored';
  const digest = recipientDigest(masterKey, from);
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('notification_opt_out')
      .values({ recipient_digest: digest, keyword, opted_out_at: inbound.at })
      .onConflict((oc) => oc.column('recipient_digest').doNothing())
      .execute();
    await trx
      .updateTable('notification_outbox')
      .set({ status: 'failed', failed_at: inbound.at, failure_reason: 'opted_out' })
      .where('status', '=', 'queued')
      .where('requested', '=', false)
      .where('recipient_digest', '=', digest)
      .execute();
  });
  return 'opted_out';
}
