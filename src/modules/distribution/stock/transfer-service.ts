import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { runIdempotent } from '../../../platform/db/idempotency.js';
import type { Database } from '../../../platform/db/schema.js';
import { AmparoError } from '../../../platform/errors.js';
import { authorize } from '../../../shared/access/policy.js';
import type { Transfer, TransferAnswer } from '../../../shared/api/stock-transfers.js';
import { writeAuditEntry } from '../../../shared/audit/write-audit-entry.js';
import type { DistributionContext, DistributionDependencies } from '../distribution-context.js';
import { DistributionError } from '../distribution-error.js';
import { findPoint, guardPoint, type PointGrant, refusalEntry } from '../point-gate.js';
import { operatorIdOf } from '../points/point-service.js';
import { auditingRefusals } from '../refusals.js';
import type { AdjustmentReason, TransferCancelReason } from '../tables.js';
import { appendMovement } from './stock-ledger.js';
import { openPoint } from './stock-service.js';
import { transferById } from './transfer-reader.js';

/**
 * Transfers between points (issue #15, point 2; migration 0123). The sender's operators start one:
 * the goods leave the sender's stock at once (a transfer_out) and are in transit, seen by both
 * points. Only the receiving point decides, once: it accepts with the quantity that arrived (a
 * transfer_in of it; a shortfall recorded with its reason), or refuses (a transfer_return puts
 * the goods back at the sender). While it is in transit the sender's supervisor may cancel it
 * instead (a transfer_return too). Each is the transfer's one outcome row (migration 0124), so
 * two decisions racing end in one and a refusal (`AMP_TRANSFER_DECIDED`); each is idempotent on
 * the device's client id and audited on the point that decided.
 *
 * @example
 *   const sent = await transferStarter(deps, context, fromId, { clientId, toPointId, item: 'rice_kg', quantity: 20 });
 *   await transferAcceptor(deps, context, toId, sent.body.transfer.id, { clientId, quantityReceived: 18, shortfallReason: 'damage' });
 */
export async function transferStarter(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  props: { clientId: string; toPointId: string; item: string; quantity: number },
): Promise<{ status: number; body: TransferAnswer }> {
  const gate = await guardPoint(deps, context, 'distribution.stock_record', pointId);
  await openPoint(deps, gate);
  const resource = { type: 'distribution_point' as const, id: pointId };
  const destination = await findPoint(deps.db, props.toPointId);
  if (destination === undefined || destination.id === pointId) {
    throw new AmparoError('AMP_VALIDATION', {
      errors: [{ field: '/toPointId', reason: 'another existing point' }],
    });
  }
  return auditingRefusals(deps, gate.write, resource, () =>
    runIdempotent<TransferAnswer>(
      deps.db,
      { scope: 'distribution.transfer', clientId: props.clientId, request: { pointId, ...props } },
      async (trx) => {
        const transferId = randomUUID();
        await trx
          .insertInto('stock_transfer')
          .values({
            id: transferId,
            from_point_id: pointId,
            to_point_id: destination.id,
            item: props.item,
            quantity_sent: props.quantity,
            sent_by: operatorIdOf(gate.write.actor),
          })
          .execute();
        const out = await appendMovement(trx, {
          pointId,
          item: props.item,
          kind: 'transfer_out',
          quantityDelta: -props.quantity,
          transferId,
          recordedBy: operatorIdOf(gate.write.actor),
        });
        await deps.audit.appendInTransaction(trx, [
          writeAuditEntry(gate.write, resource, ['stock_transfer'], context.requestId),
        ]);
        return {
          status: 201,
          body: {
            transfer: await transferOf(trx, transferId, pointId),
            movementIds: [out.movementId],
            balanceAfter: out.balanceAfter,
          },
        };
      },
    ),
  );
}

async function transferOf(
  trx: Transaction<Database>,
  transferId: string,
  pointId: string,
): Promise<Transfer> {
  const transfer = await transferById(trx, transferId, pointId);
  if (transfer === undefined) throw new Error(`transfer ${transferId} vanished in its transaction`);
  return transfer;
}

/**
 * The transfer into this point (`incoming`) or sent by it (`outgoing`), or a 404 (audited) for
 * one unknown or not that way round.
 */
async function transferOrNotFound(
  deps: DistributionDependencies,
  gate: PointGrant,
  transferId: string,
  direction: Transfer['direction'],
): Promise<Transfer> {
  const transfer = await transferById(deps.db, transferId, gate.point.id);
  if (transfer === undefined || transfer.direction !== direction) {
    await deps.audit.append(
      refusalEntry(gate.write, { type: 'distribution_point', id: gate.point.id }, 'AMP_NOT_FOUND'),
    );
    throw new AmparoError('AMP_NOT_FOUND', {
      detail: `No such transfer ${direction === 'incoming' ? 'into' : 'from'} this point`,
    });
  }
  return transfer;
}

/**
 * The one decision on a transfer (its `stock_transfer_outcome` row, migrations 0123/0124): the
 * receiving point's acceptance or refusal, or the sender's cancellation.
 */
type Decision =
  | {
      outcome: 'accepted' | 'refused';
      quantityReceived: number;
      shortfallReason: AdjustmentReason | null;
      note: string | null;
    }
  | { outcome: 'cancelled'; reason: TransferCancelReason; note: string | null };

/**
 * Writes the decision's outcome row, or refuses with `AMP_TRANSFER_DECIDED` when the transfer
 * already has one. The outcome's primary key is the transfer: of two decisions racing, the second
 * insert waits for the first's transaction, then finds its row and writes nothing (`on conflict
 * do nothing`), so an acceptance, a refusal and a cancellation exclude one another without a lock.
 */
async function decisionWriter(
  trx: Transaction<Database>,
  transfer: Transfer,
  decision: Decision,
  decidedBy: string | null,
): Promise<void> {
  const cancelled = decision.outcome === 'cancelled';
  const written = await trx
    .insertInto('stock_transfer_outcome')
    .values({
      transfer_id: transfer.id,
      outcome: decision.outcome,
      quantity_received: cancelled ? 0 : decision.quantityReceived,
      shortfall:
        decision.outcome === 'accepted' ? transfer.quantitySent - decision.quantityReceived : 0,
      shortfall_reason: cancelled ? null : decision.shortfallReason,
      cancel_reason: cancelled ? decision.reason : null,
      note: decision.note,
      decided_by: decidedBy,
    })
    .onConflict((conflict) => conflict.column('transfer_id').doNothing())
    .returning('transfer_id')
    .executeTakeFirst();
  if (written === undefined) {
    throw new DistributionError(
      'AMP_TRANSFER_DECIDED',
      `Transfer ${transfer.id} was already accepted, refused or cancelled`,
    );
  }
}

/**
 * Records a decision on a transfer, once, idempotent on the client id: the decision's row first
 * (decisionWriter: a second decision, even a simultaneous one, is refused), then the stock
 * movement `move` writes, then the audit entry on the point in the address, all in one
 * transaction.
 */
async function decisionRecorder(
  deps: DistributionDependencies,
  gate: PointGrant,
  transfer: Transfer,
  key: { scope: string; clientId: string; request: object },
  decision: Decision,
  move: (
    trx: Transaction<Database>,
    decidedBy: string | null,
  ) => Promise<{ movementId: string; balanceAfter: number } | undefined>,
): Promise<{ status: number; body: TransferAnswer }> {
  const pointId = gate.point.id;
  const resource = { type: 'distribution_point' as const, id: pointId };
  return runIdempotent<TransferAnswer>(deps.db, key, async (trx) => {
    const decidedBy = operatorIdOf(gate.write.actor);
    await decisionWriter(trx, transfer, decision, decidedBy);
    const moved = await move(trx, decidedBy);
    await deps.audit.appendInTransaction(trx, [
      writeAuditEntry(gate.write, resource, ['stock_transfer_outcome'], gate.write.requestId),
    ]);
    return {
      status: 201,
      body: {
        transfer: await transferOf(trx, transfer.id, pointId),
        movementIds: moved === undefined ? [] : [moved.movementId],
        balanceAfter: moved?.balanceAfter ?? (await balanceOf(trx, pointId, transfer.item)),
      },
    };
  });
}

/**
 * Whoever sent a transfer does not confirm its arrival (the review of session 17). An operator
 * assigned to both points could otherwise send goods and accept them short with a "loss": a
 * write-off without the supervisor's `distribution.stock_adjust`. A full acceptance by the sender
 * is refused too: the transfer's point is that a second person counts what arrived, and an
 * auditor reads a receipt signed by its sender as no receipt at all. Another operator of the
 * receiving point accepts, or a supervisor (who holds `distribution.stock_adjust` and could
 * adjust the stock anyway). The sender may still refuse: the goods only go back to the sender.
 */
function refuseSelfAcceptance(gate: PointGrant, transfer: Transfer): void {
  const acceptor = operatorIdOf(gate.write.actor);
  if (acceptor === null || acceptor !== transfer.sentBy) return;
  const scope = { regionCode: gate.point.regionCode, personId: null };
  if (
    authorize(gate.write.actor, 'distribution.stock_adjust', scope, gate.write.grant.purpose)
      .allowed
  )
    return;
  throw new DistributionError(
    'AMP_TRANSFER_SELF_ACCEPTANCE',
    'You sent this transfer: another operator of the receiving point or a supervisor accepts it',
  );
}

export async function transferAcceptor(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  transferId: string,
  props: {
    clientId: string;
    quantityReceived: number;
    shortfallReason?: AdjustmentReason | undefined;
    note?: string | undefined;
  },
): Promise<{ status: number; body: TransferAnswer }> {
  const gate = await guardPoint(deps, context, 'distribution.transfer_accept', pointId);
  await openPoint(deps, gate);
  const resource = { type: 'distribution_point' as const, id: pointId };
  const transfer = await transferOrNotFound(deps, gate, transferId, 'incoming');
  return auditingRefusals(deps, gate.write, resource, async () => {
    refuseSelfAcceptance(gate, transfer);
    const short = props.quantityReceived < transfer.quantitySent;
    if (props.quantityReceived > transfer.quantitySent) {
      throw new DistributionError(
        'AMP_TRANSFER_OVER_RECEIVED',
        `${transfer.quantitySent} sent; ${props.quantityReceived} cannot have arrived`,
        [{ field: '/quantityReceived', reason: `at most ${transfer.quantitySent}` }],
      );
    }
    if (short && props.shortfallReason === undefined) {
      throw new DistributionError(
        'AMP_TRANSFER_SHORTFALL_REASON_REQUIRED',
        `${transfer.quantitySent - props.quantityReceived} of ${transfer.quantitySent} did not arrive: say why`,
        [{ field: '/shortfallReason', reason: 'required with a shortfall' }],
      );
    }
    return decisionRecorder(
      deps,
      gate,
      transfer,
      {
        scope: 'distribution.transfer_accept',
        clientId: props.clientId,
        request: { pointId, transferId, ...props },
      },
      {
        outcome: 'accepted',
        quantityReceived: props.quantityReceived,
        shortfallReason: short ? (props.shortfallReason ?? null) : null,
        note: props.note ?? null,
      },
      async (trx, decidedBy) =>
        // Nothing arrived (all short, with its reason): no movement, the balance unchanged.
        props.quantityReceived === 0
          ? undefined
          : appendMovement(trx, {
              pointId,
              item: transfer.item,
              kind: 'transfer_in',
              quantityDelta: props.quantityReceived,
              transferId,
              recordedBy: decidedBy,
            }),
    );
  });
}

/** The goods of a transfer back at the sender's stock: a refusal's or a cancellation's movement. */
function returnToSender(transfer: Transfer) {
  return (trx: Transaction<Database>, decidedBy: string | null) =>
    appendMovement(trx, {
      pointId: transfer.fromPoint.id,
      item: transfer.item,
      kind: 'transfer_return',
      quantityDelta: transfer.quantitySent,
      transferId: transfer.id,
      recordedBy: decidedBy,
    });
}

/** The receiving point refuses: the goods go back to the sender's stock (a movement in). */
export async function transferRefuser(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  transferId: string,
  props: { clientId: string; note?: string | undefined },
): Promise<{ status: number; body: TransferAnswer }> {
  // A closed point may still refuse: the goods only go back.
  const gate = await guardPoint(deps, context, 'distribution.transfer_refuse', pointId);
  const resource = { type: 'distribution_point' as const, id: pointId };
  const transfer = await transferOrNotFound(deps, gate, transferId, 'incoming');
  return auditingRefusals(deps, gate.write, resource, () =>
    decisionRecorder(
      deps,
      gate,
      transfer,
      {
        scope: 'distribution.transfer_refuse',
        clientId: props.clientId,
        request: { pointId, transferId, ...props },
      },
      { outcome: 'refused', quantityReceived: 0, shortfallReason: null, note: props.note ?? null },
      returnToSender(transfer),
    ),
  );
}

/**
 * The sending point's supervisor cancels a transfer still in transit, with its reason: the goods
 * go back to the sender's stock (a transfer_return), and the receiver can no longer decide. A
 * closed point may still cancel: the goods only come back.
 */
export async function transferCanceller(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  transferId: string,
  props: { clientId: string; reason: TransferCancelReason; note?: string | undefined },
): Promise<{ status: number; body: TransferAnswer }> {
  const gate = await guardPoint(deps, context, 'distribution.transfer_cancel', pointId);
  const resource = { type: 'distribution_point' as const, id: pointId };
  const transfer = await transferOrNotFound(deps, gate, transferId, 'outgoing');
  return auditingRefusals(deps, gate.write, resource, () =>
    decisionRecorder(
      deps,
      gate,
      transfer,
      {
        scope: 'distribution.transfer_cancel',
        clientId: props.clientId,
        request: { pointId, transferId, ...props },
      },
      { outcome: 'cancelled', reason: props.reason, note: props.note ?? null },
      returnToSender(transfer),
    ),
  );
}

async function balanceOf(trx: Transaction<Database>, pointId: string, item: string) {
  const row = await trx
    .selectFrom('stock_balance')
    .select('quantity')
    .where('point_id', '=', pointId)
    .where('item', '=', item)
    .executeTakeFirst();
  return row?.quantity ?? 0;
}
