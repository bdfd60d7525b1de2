import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { runIdempotent } from '../../../platform/db/idempotency.js';
import type { Database } from '../../../platform/db/schema.js';
import type { Action } from '../../../shared/access/policy.js';
import { writeAuditEntry } from '../../../shared/audit/write-audit-entry.js';
import { onlineCardCheck } from '../../credentials/index.js';
import {
  type EntitlementForRedemption,
  entitlementForRedemption,
  openEntitlementsOf,
} from '../../programs/index.js';
import {
  type DistributionContext,
  type DistributionDependencies,
  nowOf,
} from '../distribution-context.js';
import { DistributionError } from '../distribution-error.js';
import { guardPoint, type PointGrant, type PointRow, refuseAudited } from '../point-gate.js';
import { operatorIdOf } from '../points/point-service.js';
import { auditingRefusals } from '../refusals.js';
import { appendMovement, lockBalances } from '../stock/stock-ledger.js';
import { redeemableStates } from '../tables.js';
import {
  type EntitlementAnswer,
  entitlementAnswer,
  type ItemBalance,
  lockEntitlementState,
  recordRemaining,
} from './entitlement-state.js';
import { type Receipt, receiptKeyFrom, type SignedReceipt, signReceipt } from './receipt.js';
import { queueRedemptionNotice } from './redemption-notice.js';

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
): Promise<Holder> {
  const check = await onlineCardCheck(deps, qrText, nowOf(deps));
  const personId = check.holder?.personId ?? null;
  const gate = await guardPoint(deps, context, action, pointId, {
    resource: { type: 'person', id: personId },
    countsAsPersonRead: true,
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

export async function programsServed(
  deps: DistributionDependencies,
  pointId: string,
): Promise<string[]> {
  const rows = await deps.db
    .selectFrom('distribution_point_program')
    .select('program_id')
    .where('point_id', '=', pointId)
    .where('active', '=', true)
    .execute();
  return rows.map((row) => row.program_id);
}

/** What the holder of a valid card may take at this point (audited as a read of the person). */
export async function entitlementLookup(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  props: { qrText: string },
): Promise<LookupAnswer> {
  const holder = await cardHolderAt(deps, context, pointId, props.qrText, 'distribution.redeem');
  const answers = await personAnswers(deps, pointId, holder.personId);
  await holder.gate.grant.record([]);
  return { card: { expiresAt: holder.expiresAt }, entitlements: answers };
}

export async function personAnswers(
  deps: DistributionDependencies,
  pointId: string,
  personId: string,
): Promise<EntitlementAnswer[]> {
  const open = await openEntitlementsOf(deps.db, {
    personId,
    programIds: await programsServed(deps, pointId),
  });
  // Cash and vouchers are paid, not handed over: a point answers baskets only.
  const inKind = open.filter((entitlement) => entitlement.basket !== null);
  return Promise.all(inKind.map((entitlement) => entitlementAnswer(deps.db, entitlement)));
}

export interface RedemptionLine {
  item: string;
  quantity: number;
}

export interface RedemptionAnswer extends SignedReceipt {
  redemptionId: string;
  entitlement: EntitlementAnswer;
}

/** Redeems all or part of one entitlement of the card's holder at this point. */
export async function cardRedeemer(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  props: { clientId: string; qrText: string; entitlementId: string; lines: RedemptionLine[] },
): Promise<{ status: number; body: RedemptionAnswer }> {
  const holder = await cardHolderAt(deps, context, pointId, props.qrText, 'distribution.redeem');
  return redeemFor(deps, holder.gate, {
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
  const served = await programsServed(deps, gate.point.id);
  const redemptionId = randomUUID();
  return auditingRefusals(deps, gate.write, resource, () =>
    runIdempotent<RedemptionAnswer>(
      deps.db,
      { scope: 'distribution.redeem', clientId: props.clientId, request: props.request },
      async (trx) => {
        const entitlement = await redeemableEntitlement(trx, props, served);
        const locked = await lockEntitlementState(trx, entitlement);
        if (!redeemableStates.includes(locked.state)) {
          throw new DistributionError(
            'AMP_ENTITLEMENT_NOT_REDEEMABLE',
            `The entitlement is ${locked.state}`,
            [{ field: '/entitlementId', reason: locked.state, code: locked.state }],
          );
        }
        const after = takeLines(locked.items, props.lines);
        await props.alsoInTransaction?.(trx);
        const state = await recordRemaining(trx, entitlement.entitlementId, after);
        const receipt = await writeRedemption(trx, deps, gate.point, {
          redemptionId,
          entitlement,
          props,
          after,
          operatorId: operatorIdOf(gate.write.actor),
        });
        await queueRedemptionNotice(trx, deps, {
          personId: entitlement.personId,
          point: gate.point,
          receiptId: redemptionId,
          redeemedAt: new Date(receipt.receipt.redeemedAt),
        });
        const answer = await entitlementAnswer(trx, entitlement);
        return {
          status: 201,
          body: { redemptionId, entitlement: { ...answer, state }, ...receipt },
        };
      },
      {
        // Last, the writes that wait for locks other redemptions need: the point's stock
        // balance row, then the audit appender's lock (every request's), so each is held for
        // little more than the commit (bench/distribution-redeem.ts).
        lastInTransaction: async (trx) => {
          await moveStock(
            trx,
            gate.point,
            redemptionId,
            props.lines,
            operatorIdOf(gate.write.actor),
          );
          await deps.audit.appendInTransaction(trx, [
            writeAuditEntry(gate.write, resource, [], props.requestId),
          ]);
        },
      },
    ),
  );
}

async function redeemableEntitlement(
  trx: Transaction<Database>,
  props: RedeemProps,
  served: readonly string[],
): Promise<EntitlementForRedemption> {
  const entitlement = /^[0-9a-f-]{36}$/i.test(props.entitlementId)
    ? await entitlementForRedemption(trx, props.entitlementId)
    : undefined;
  if (entitlement === undefined || entitlement.personId !== props.personId) {
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
  if (entitlement.basket === null) {
    throw new DistributionError(
      'AMP_ENTITLEMENT_NOT_REDEEMABLE',
      'A cash or voucher benefit is paid, not handed over at a point',
      [{ field: '/entitlementId', reason: 'not an in-kind benefit', code: 'not_in_kind' }],
    );
  }
  return entitlement;
}

/** What remains after taking the lines; refuses an item not in the basket or too much of one. */
function takeLines(items: readonly ItemBalance[], lines: readonly RedemptionLine[]): ItemBalance[] {
  const after = items.map((line) => ({ ...line }));
  const seen = new Set<string>();
  lines.forEach((line, index) => {
    const balance = after.find((each) => each.item === line.item);
    if (balance === undefined || seen.has(line.item) || line.quantity > balance.remaining) {
      const reason =
        balance === undefined
          ? 'not in the basket'
          : seen.has(line.item)
            ? 'named twice'
            : `only ${balance.remaining} ${balance.unit} remain`;
      throw new DistributionError('AMP_QUANTITY_ABOVE_REMAINING', `${line.item}: ${reason}`, [
        {
          field: `/lines/${index}/quantity`,
          reason,
          code: 'above_remaining',
          params: { item: line.item, remaining: balance?.remaining ?? 0 },
        },
      ]);
    }
    seen.add(line.item);
    balance.remaining -= line.quantity;
  });
  return after;
}

async function writeRedemption(
  trx: Transaction<Database>,
  deps: DistributionDependencies,
  point: PointRow,
  input: {
    redemptionId: string;
    entitlement: EntitlementForRedemption;
    props: RedeemProps;
    after: ItemBalance[];
    operatorId: string | null;
  },
): Promise<SignedReceipt> {
  const { entitlement, props } = input;
  const redeemedAt = nowOf(deps);
  const lines = props.lines.map((line) => {
    const balance = input.after.find((each) => each.item === line.item) as ItemBalance;
    return {
      item: line.item,
      unit: balance.unit,
      quantity: line.quantity,
      remainingAfter: balance.remaining,
    };
  });
  const receipt: Receipt = {
    v: 1,
    receiptId: input.redemptionId,
    pointCode: point.code,
    programCode: entitlement.programCode,
    entitlementId: entitlement.entitlementId,
    mode: props.mode.kind,
    redeemedAt: redeemedAt.toISOString(),
    lines,
  };
  const signed = signReceipt(receiptKeyFrom(deps.keys.masterKey), receipt);
  await trx
    .insertInto('redemption')
    .values({
      id: input.redemptionId,
      entitlement_id: entitlement.entitlementId,
      person_id: entitlement.personId,
      program_id: entitlement.programId,
      cycle_id: entitlement.cycleId,
      point_id: point.id,
      operator_id: input.operatorId,
      mode: props.mode.kind,
      credential_id:
        props.mode.kind === 'card' ? Buffer.from(props.mode.credentialId, 'hex') : null,
      assisted_id: props.mode.kind === 'assisted' ? props.mode.assistedId : null,
      redeemed_at: redeemedAt,
      receipt_signature: signed.signature,
    })
    .execute();
  await trx
    .insertInto('redemption_line')
    .values(
      lines.map((line) => ({
        redemption_id: input.redemptionId,
        item: line.item,
        unit: line.unit,
        quantity: line.quantity,
        remaining_after: line.remainingAfter,
      })),
    )
    .execute();
  return signed;
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
