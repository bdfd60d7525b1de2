import { randomUUID } from 'node:crypto';
import { type RawBuilder, sql, type Transaction } from 'kysely';
import { type IdempotencyRow, runIdempotent } from '../../../platform/db/idempotency.js';
import type { Database } from '../../../platform/db/schema.js';
import type { OperatorActor } from '../../../shared/access/actor.js';
import type { Action } from '../../../shared/access/policy.js';
import { writeAuditEntry } from '../../../shared/audit/write-audit-entry.js';
import {
  auditInTransaction,
  countPersonReadsInTransaction,
  foldedAudit,
  PersonReadsOverrun,
  personReadsRefusal,
} from '../../access/index.js';
import { onlineCardCheck } from '../../credentials/index.js';
import { type EntitlementForRedemption, openEntitlementsOf } from '../../programs/index.js';
import {
  type DistributionContext,
  type DistributionDependencies,
  nowOf,
} from '../distribution-context.js';
import { DistributionError } from '../distribution-error.js';
import { holdsInForce } from '../holds/hold-reads.js';
import { guardPoint, type PointGrant, type PointRow, refuseAudited } from '../point-gate.js';
import { operatorIdOf } from '../points/point-service.js';
import { auditingRefusals } from '../refusals.js';
import { appendMovement, lockBalances } from '../stock/stock-ledger.js';
import { redeemableStates, type VoucherState } from '../tables.js';
import {
  answerAfter,
  type EntitlementAnswer,
  entitlementAnswer,
  type LockedForRedemption,
  lockForRedemption,
  preActivated,
  stateAfter,
} from './entitlement-state.js';
import { heldInDispute, withDisputed } from './in-dispute.js';
import type { SignedReceipt } from './receipt.js';
import {
  linesAfter,
  type RedemptionAnswer,
  type RedemptionLine,
  signedReceiptOf,
  takeLines,
} from './redemption-answer.js';
import type { RedemptionBatcher } from './redemption-batch.js';
import { redemptionNoticeStatement } from './redemption-notice.js';

/**
 * Redemption online with the card (issue #15, point 3): the card is verified by the
 * credentials module (revoked, expired or forged: refused with the reason); the point learns
 * the holder's open entitlements in the programs it serves — what may be taken and what
 * remains, not the person's file (safeguard 7); a redemption takes all or part, moves the
 * stock, and answers a signed receipt. Exactly once: idempotent on the device's client id, and
 * the entitlement's state row is locked, so the same entitlement redeemed at the same moment at
 * two points is counted once.
 *
 * @example
 *   const { entitlements } = await entitlementLookup(deps, context, pointId, { qrText });
 *   await cardRedeemer(deps, context, pointId, { clientId, qrText, entitlementId, lines });
 */
export type { RedemptionAnswer, RedemptionLine } from './redemption-answer.js';

const uuidShape = /^[0-9a-f-]{36}$/i;

export interface LookupAnswer {
  card: { expiresAt: string };
  entitlements: EntitlementAnswer[];
}

interface Holder {
  gate: PointGrant;
  personId: string;
  credentialId: string;
  expiresAt: string;
}

/** The card's verdict, the gate (with the holder as the audited resource), an open point. */
async function cardHolderAt(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  qrText: string,
  action: Action,
  countsAsPersonRead = true,
): Promise<Holder> {
  const check = await onlineCardCheck(deps, qrText, nowOf(deps));
  const personId = check.holder?.personId ?? null;
  const gate = await guardPoint(deps, context, action, pointId, {
    resource: { type: 'person', id: personId },
    countsAsPersonRead,
  });
  const resource = { type: 'person' as const, id: personId };
  if (check.holder === undefined) {
    return refuseAudited(
      deps,
      gate.write,
      resource,
      'AMP_CARD_REFUSED',
      `The card was refused: ${check.message}`,
      [{ field: '/qrText', reason: check.message, code: check.status }],
    );
  }
  await refuseClosed(deps, gate, resource);
  return { gate, ...check.holder };
}

export async function refuseClosed(
  deps: DistributionDependencies,
  gate: PointGrant,
  resource: { type: 'person'; id: string | null },
): Promise<void> {
  if (gate.point.status !== 'open') {
    await refuseAudited(
      deps,
      gate.write,
      resource,
      'AMP_POINT_CLOSED',
      `Point ${gate.point.code} is closed`,
    );
  }
}

/** What the holder of a valid card may take at this point (audited as a read of the person). */
export async function entitlementLookup(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  props: { qrText: string },
): Promise<LookupAnswer> {
  const holder = await cardHolderAt(deps, context, pointId, props.qrText, 'distribution.redeem');
  const answers = await personAnswers(deps, holder.gate, holder.personId);
  await holder.gate.grant.record([]);
  return { card: { expiresAt: holder.expiresAt }, entitlements: answers };
}

export async function personAnswers(
  deps: DistributionDependencies,
  gate: PointGrant,
  personId: string,
): Promise<EntitlementAnswer[]> {
  const open = await openEntitlementsOf(deps.db, {
    personId,
    programIds: gate.servedProgramIds,
  });
  // Cash and vouchers are paid, not handed over: a point answers baskets only.
  const inKind = open.filter((entitlement) => entitlement.basket !== null);
  const held = await holdsInForce(
    deps.db,
    inKind.map((entitlement) => entitlement.entitlementId),
    nowOf(deps),
  );
  const answers = await Promise.all(
    inKind.map((entitlement) =>
      entitlementAnswer(deps.db, entitlement, held.has(entitlement.entitlementId)),
    ),
  );
  return withDisputed(answers, await heldInDispute(deps.db, answers));
}

/** Redeems all or part of one entitlement of the card's holder at this point. */
export async function cardRedeemer(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  props: { clientId: string; qrText: string; entitlementId: string; lines: RedemptionLine[] },
  batcher?: RedemptionBatcher,
): Promise<{ status: number; body: RedemptionAnswer }> {
  // The read is counted in the redemption's own transaction (one commit, not two); a card the
  // gate or the verifier refuses reveals no entitlement and is not counted.
  const holder = await cardHolderAt(
    deps,
    context,
    pointId,
    props.qrText,
    'distribution.redeem',
    false,
  );
  const [line, ...more] = props.lines;
  const reader = holder.gate.write.actor;
  // The plain case (one line, an operator) goes with the concurrent ones in one transaction;
  // what the batch leaves out is answered here, one at a time, as before.
  if (
    batcher !== undefined &&
    line !== undefined &&
    more.length === 0 &&
    reader.kind === 'operator' &&
    uuidShape.test(props.entitlementId)
  ) {
    const batched = await batcher.submit({
      gate: holder.gate,
      reader,
      personId: holder.personId,
      credentialId: holder.credentialId,
      requestId: context.requestId,
      clientId: props.clientId,
      request: { pointId, ...props },
      entitlementId: props.entitlementId,
      line,
    });
    if (batched !== undefined) return batched;
  }
  return redeemFor(deps, holder.gate, {
    countsPersonRead: true,
    personId: holder.personId,
    requestId: context.requestId,
    clientId: props.clientId,
    request: { pointId, ...props },
    entitlementId: props.entitlementId,
    lines: props.lines,
    mode: { kind: 'card', credentialId: holder.credentialId },
  });
}

export interface RedeemProps {
  personId: string;
  requestId: string;
  clientId: string;
  /** What the idempotency key's request digest covers. */
  request: unknown;
  entitlementId: string;
  lines: RedemptionLine[];
  mode: { kind: 'card'; credentialId: string } | { kind: 'assisted'; assistedId: string };
  /**
   * Count the answer against the operator's read quota in the redemption's transaction, as its
   * first statement (a card redemption, whose gate did not count it).
   */
  countsPersonRead?: boolean;
  /** Writes that belong in the redemption's transaction (the assisted record). */
  alsoInTransaction?: (trx: Transaction<Database>) => Promise<void>;
}

/** The one redemption write, for the card and for assisted redemption alike. */
export async function redeemFor(
  deps: DistributionDependencies,
  gate: PointGrant,
  props: RedeemProps,
): Promise<{ status: number; body: RedemptionAnswer }> {
  const resource = { type: 'person' as const, id: props.personId };
  const served = gate.servedProgramIds;
  const redemptionId = randomUUID();
  let settleAudit: () => Promise<void> = async () => undefined;
  const actor = gate.write.actor;
  const reader = props.countsPersonRead === true && actor.kind === 'operator' ? actor : undefined;
  const answer = await refusingOverQuota(deps, reader, () =>
    auditingRefusals(deps, gate.write, resource, () =>
      runIdempotent<RedemptionAnswer>(
        deps.db,
        { scope: 'distribution.redeem', clientId: props.clientId, request: props.request },
        async (trx, answer) => {
          if (reader !== undefined) await countPersonReadsInTransaction(trx, reader, 1);
          const {
            entitlement,
            state: before,
            items,
          } = await redeemableEntitlement(trx, props, served, nowOf(deps));
          if (!redeemableStates.includes(before) || items === undefined) {
            throw new DistributionError(
              'AMP_ENTITLEMENT_NOT_REDEEMABLE',
              `The entitlement is ${before}`,
              [{ field: '/entitlementId', reason: before, code: before }],
            );
          }
          const after = takeLines(items, props.lines);
          await props.alsoInTransaction?.(trx);
          const state = stateAfter(after);
          const redeemedAt = nowOf(deps);
          // The text kept for the outbox worker and the audit entry staged are written by the
          // redemption's one write statement (data-modifying CTEs: two round trips fewer). The
          // entry is staged without the audit appender's global lock and moved into the log with
          // other requests' entries after the commit (group commit): concurrent redemptions do
          // not commit one at a time.
          const notice = redemptionNoticeStatement(deps, {
            personId: entitlement.personId,
            point: gate.point,
            receiptId: redemptionId,
            redeemedAt,
          });
          const folded = foldedAudit(deps.audit, [
            writeAuditEntry(gate.write, resource, [], props.requestId),
          ]);
          if (folded !== undefined) settleAudit = folded.settle;
          const receipt = signedReceiptOf(deps, gate.point, {
            redemptionId,
            entitlement,
            mode: props.mode.kind,
            lines: linesAfter(props.lines, after),
            redeemedAt,
          });
          const result = {
            status: 201,
            body: { redemptionId, entitlement: answerAfter(entitlement, state, after), ...receipt },
          };
          await writeRedemption(trx, gate.point, {
            redemptionId,
            entitlement,
            props,
            state,
            receipt,
            answerRow: answer.row(result),
            operatorId: operatorIdOf(gate.write.actor),
            alsoWritten: [notice, folded?.statement].filter((each) => each !== undefined),
          });
          if (folded === undefined) {
            settleAudit = await auditInTransaction(deps.audit, trx, [
              writeAuditEntry(gate.write, resource, [], props.requestId),
            ]);
          }
          return result;
        },
        { workStoresAnswer: true },
      ),
    ),
  );
  // An acknowledged redemption has its entry in the log (or, if this process dies first,
  // staged with it and moved by the sweep). A replayed answer staged nothing.
  await settleAudit();
  return answer;
}

/**
 * A redemption past the operator's read quota: its transaction rolled back (the count with it),
 * then the alert and the 429; its denied entry is written by the request's error handler
 * (`auditUnfinishedGrants`), as for every refusal after the gate.
 */
async function refusingOverQuota<T>(
  deps: DistributionDependencies,
  reader: OperatorActor | undefined,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (reader !== undefined && error instanceof PersonReadsOverrun) {
      // The request's error handler audits the unfinished grant as denied with this code.
      throw await personReadsRefusal(deps.db, reader, error);
    }
    throw error;
  }
}

/**
 * The entitlement, locked with its remaining quantities (`lockForRedemption`), or the refusal:
 * not this person's, a program the point does not serve, not handed over yet (its cycle is not
 * published), held by a supervisor, its program suspended, or not in kind.
 */
async function redeemableEntitlement(
  trx: Transaction<Database>,
  props: RedeemProps,
  served: readonly string[],
  now: Date,
): Promise<LockedForRedemption> {
  const found = uuidShape.test(props.entitlementId)
    ? await lockForRedemption(trx, {
        entitlementId: props.entitlementId,
        personId: props.personId,
        servedProgramIds: served,
        now,
      })
    : undefined;
  const entitlement = found?.entitlement;
  if (found === undefined || entitlement?.personId !== props.personId) {
    throw new DistributionError(
      'AMP_ENTITLEMENT_NOT_REDEEMABLE',
      'This person holds no such entitlement',
      [{ field: '/entitlementId', reason: 'not an entitlement of this person', code: 'unknown' }],
    );
  }
  if (!served.includes(entitlement.programId)) {
    throw new DistributionError(
      'AMP_PROGRAM_NOT_SERVED',
      `This point does not serve ${entitlement.programCode}`,
    );
  }
  if (preActivated(entitlement)) {
    throw new DistributionError(
      'AMP_ENTITLEMENT_PRE_ACTIVATED',
      `The cycle of ${entitlement.programCode} is not published yet: nothing of it is handed over before`,
    );
  }
  if (found.heldSince !== null && entitlement.status === 'open') {
    throw new DistributionError(
      'AMP_ENTITLEMENT_BLOCKED',
      'A supervisor holds this entitlement for review: nothing of it is handed over until the hold ends',
    );
  }
  if (entitlement.programStatus === 'suspended') {
    throw new DistributionError(
      'AMP_PROGRAM_SUSPENDED',
      `${entitlement.programCode} is suspended: nothing of it is handed over until it resumes`,
    );
  }
  if (entitlement.basket === null) {
    throw new DistributionError(
      'AMP_ENTITLEMENT_NOT_REDEEMABLE',
      'A cash or voucher benefit is paid, not handed over at a point',
      [{ field: '/entitlementId', reason: 'not an in-kind benefit', code: 'not_in_kind' }],
    );
  }
  return found;
}

/**
 * Writes the redemption in one statement (one round trip where nine were): what remains of the
 * items taken and the state that implies, the redemption and its lines, the first answer under
 * the idempotency key, and, for one line, the stock movement with the point's balance row
 * (locked here, late, and held only through the audit append and the commit). When that
 * balance row is missing or too low, or for several lines, the stock moves on the general path
 * (`moveStock`), which refuses with the figures.
 */
async function writeRedemption(
  trx: Transaction<Database>,
  point: PointRow,
  input: {
    redemptionId: string;
    entitlement: EntitlementForRedemption;
    props: RedeemProps;
    state: VoucherState;
    receipt: SignedReceipt;
    answerRow: IdempotencyRow;
    operatorId: string | null;
    /** Other modules' inserts that belong to the redemption (its text, its audit entry). */
    alsoWritten: readonly RawBuilder<unknown>[];
  },
): Promise<void> {
  const { entitlement, props, receipt } = input;
  const lines = receipt.receipt.lines;
  const redeemedAt = new Date(receipt.receipt.redeemedAt);
  const credentialId =
    props.mode.kind === 'card' ? Buffer.from(props.mode.credentialId, 'hex') : null;
  const assistedId = props.mode.kind === 'assisted' ? props.mode.assistedId : null;
  const remaining = sql.join(
    lines.map((line) => sql`(${line.item}::text, ${line.remainingAfter}::int)`),
  );
  const lineRows = sql.join(
    lines.map(
      (line) =>
        sql`(${input.redemptionId}::uuid, ${line.item}::text, ${line.unit}::text, ${line.quantity}::int, ${line.remainingAfter}::int)`,
    ),
  );
  const single = lines.length === 1 ? lines[0] : undefined;
  const movementId = randomUUID();
  const row = input.answerRow;
  const also = input.alsoWritten.map(
    (statement, index) => sql`${sql.raw(`also_${index}`)} as (${statement}), `,
  );
  const result = await sql<{ moved: number }>`
    with ${sql.join(also, sql``)} balances as (
      update entitlement_item_balance b set quantity_remaining = v.remaining
      from (values ${remaining}) as v (item, remaining)
      where b.entitlement_id = ${entitlement.entitlementId} and b.item = v.item
      returning 1
    ), state as (
      update entitlement_redemption_state set state = ${input.state}, updated_at = ${redeemedAt}
      where entitlement_id = ${entitlement.entitlementId}
      returning 1
    ), written as (
      insert into redemption (id, entitlement_id, person_id, program_id, cycle_id, point_id,
        operator_id, mode, credential_id, assisted_id, redeemed_at, receipt_signature)
      values (${input.redemptionId}, ${entitlement.entitlementId}, ${entitlement.personId},
        ${entitlement.programId}, ${entitlement.cycleId}, ${point.id}, ${input.operatorId},
        ${props.mode.kind}, ${credentialId}, ${assistedId}, ${redeemedAt}, ${receipt.signature})
      returning id
    ), written_lines as (
      insert into redemption_line (redemption_id, item, unit, quantity, remaining_after)
      select * from (values ${lineRows}) as l where exists (select 1 from written)
      returning 1
    ), answered as (
      insert into idempotency_record (scope, key, request_sha256, response_status, response_body)
      values (${row.scope}, ${row.key}, ${row.request_sha256}, ${row.response_status},
        ${row.response_body}::jsonb)
      returning 1
    ), moved as (
      update stock_balance set quantity = quantity - ${single?.quantity ?? 0}::int,
        last_movement_id = ${movementId}
      where ${single !== undefined} and point_id = ${point.id} and item = ${single?.item ?? ''}
        and quantity - ${single?.quantity ?? 0}::int >= 0
      returning quantity
    ), movement as (
      insert into stock_movement (id, point_id, item, kind, quantity_delta, balance_after,
        redemption_id, recorded_by)
      select ${movementId}, ${point.id}, ${single?.item ?? ''}, 'redemption',
        -${single?.quantity ?? 0}::int, moved.quantity, ${input.redemptionId}, ${input.operatorId}
      from moved
      returning 1
    )
    select (select count(*) from movement)::int as moved
  `.execute(trx);
  if (result.rows[0]?.moved !== 1) {
    await moveStock(trx, point, input.redemptionId, props.lines, input.operatorId);
  }
}

async function moveStock(
  trx: Transaction<Database>,
  point: PointRow,
  redemptionId: string,
  lines: readonly RedemptionLine[],
  recordedBy: string | null,
): Promise<void> {
  await lockBalances(
    trx,
    lines.map((line) => ({ pointId: point.id, item: line.item })),
  );
  for (const line of lines) {
    await appendMovement(trx, {
      pointId: point.id,
      item: line.item,
      kind: 'redemption',
      quantityDelta: -line.quantity,
      redemptionId,
      recordedBy,
    });
  }
}
