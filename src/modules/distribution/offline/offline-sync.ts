import type { AuditEntryInput } from '../../../shared/audit/audit-entry.js';
import {
  type OfflineCardProof,
  offlineCardHolders,
  offlineCardProofs,
} from '../../credentials/index.js';
import { type EntitlementForRedemption, entitlementsForRedemption } from '../../programs/index.js';
import {
  type DistributionContext,
  type DistributionDependencies,
  nowOf,
} from '../distribution-context.js';
import type { DistributionErrorCode } from '../distribution-error.js';
import { distributionLimits } from '../limits.js';
import { guardPoint, type PointGrant, refusalEntry, refuseAudited } from '../point-gate.js';
import { inForceAt } from './late-receipt.js';
import { offlineApplier } from './offline-apply.js';
import type { Candidate } from './offline-batch.js';
import { type ActiveDevice, activeDeviceAt } from './offline-device.js';
import { offlineOperatorsOf } from './offline-operators.js';
import {
  devicePublicKey,
  type OfflineReceiptInput,
  type OfflineReceiptWire,
  offlineReceiptMessage,
  offlineSignatureCheck,
} from './offline-receipt.js';
import { openProofKeys } from './proof-key-versions.js';
import { openCardProof, sealedKidOf } from './sealed-card-proof.js';
import { inSnapshotScope } from './snapshot-scope.js';
import type { SyncGate, SyncResult } from './sync-result.js';

export interface SyncBody {
  deviceId: string;
  /** The device's clock when it sends, Unix milliseconds. */
  deviceNow: number;
  receipts: OfflineReceiptWire[];
}

/**
 * The receipts with their card proofs opened (format v5's `sealedProof`, sealed-card-proof.ts),
 * each with the key version its key id names among those still open (proof-key-versions.ts);
 * the refusal of those that do not open, by receipt id: a key id of no open version (retired,
 * never published) `AMP_OFFLINE_CARD_PROOF_KEY_UNKNOWN`; an open version's key that does not open
 * it (another receipt's, a byte altered) `AMP_OFFLINE_CARD_PROOF_SEALED_INVALID`. Refused after
 * their signature check.
 */
async function unsealed(
  deps: DistributionDependencies,
  receipts: readonly OfflineReceiptWire[],
  now: Date,
): Promise<{ receipts: OfflineReceiptInput[]; unopened: Map<string, UnopenedCode> }> {
  const unopened = new Map<string, UnopenedCode>();
  const clear = (receipt: OfflineReceiptWire) => ({
    ...receipt,
    credentialId: receipt.credentialId ?? '',
  });
  if (!receipts.some((receipt) => receipt.sealedProof !== undefined)) {
    return { receipts: receipts.map(clear), unopened };
  }
  const keys = await openProofKeys(deps, now);
  return {
    receipts: receipts.map((receipt) => {
      if (receipt.sealedProof === undefined) return clear(receipt);
      // Only what was sealed counts: a card sent beside it in clear is not signed in v5.
      const kid = sealedKidOf(receipt.sealedProof);
      const key = kid === undefined ? undefined : keys.get(kid.toString('hex'));
      const proof =
        key === undefined ? undefined : openCardProof(key, receipt.receiptId, receipt.sealedProof);
      if (proof === undefined) {
        // Too short to name a key: not a sealed proof at all.
        unopened.set(
          receipt.receiptId,
          kid !== undefined && key === undefined
            ? 'AMP_OFFLINE_CARD_PROOF_KEY_UNKNOWN'
            : 'AMP_OFFLINE_CARD_PROOF_SEALED_INVALID',
        );
        return { ...receipt, credentialId: '', qrText: undefined };
      }
      return { ...receipt, credentialId: proof.credentialId, qrText: proof.qrText };
    }),
    unopened,
  };
}

type UnopenedCode = 'AMP_OFFLINE_CARD_PROOF_KEY_UNKNOWN' | 'AMP_OFFLINE_CARD_PROOF_SEALED_INVALID';

/**
 * Applies a device's offline receipts (issue #15, point 5), each exactly once. The whole sync is
 * refused for a revoked or unknown device, or a device whose clock is more than
 * `offline.deviceClockSkewMaxMs` from the server's. Each receipt is then, in order:
 *
 * - a **replay** (its id was synced before): the first answer, unchanged, nothing counted again
 *   (a device's retry), audited as a denied count (`AMP_OFFLINE_RECEIPT_REPLAYED`); other content under the same id, or the id from another device:
 *   refused, `AMP_OFFLINE_RECEIPT_MISMATCH`, and audited;
 * - **refused**, nothing counted, audited: not signed by the device (`AMP_OFFLINE_SIGNATURE_INVALID`),
 *   without the card's QR text — an app from before card proofs (`AMP_OFFLINE_CARD_PROOF_MISSING`),
 *   with a sealed card proof (v5) of a key version not open (`AMP_OFFLINE_CARD_PROOF_KEY_UNKNOWN`)
 *   or that does not open (`AMP_OFFLINE_CARD_PROOF_SEALED_INVALID`),
 *   without the operator who made it — an app from before the local unlock
 *   (`AMP_OFFLINE_OPERATOR_MISSING`), made by an operator who was not an active distribution
 *   operator assigned to the point at its time (`AMP_OFFLINE_OPERATOR_NOT_ASSIGNED`),
 *   made after the device's clock says now (`AMP_DEVICE_CLOCK_OFF`), with a snapshot not issued
 *   to it or past its expiry (`AMP_SNAPSHOT_EXPIRED`), for an entitlement that snapshot did not
 *   hold (`AMP_OFFLINE_NOT_IN_SNAPSHOT`), with QR text that is not the issuer's signed card the
 *   receipt names (`AMP_OFFLINE_CARD_PROOF_INVALID`), with a card unknown, revoked or expired at
 *   that moment (`AMP_CARD_REFUSED`), for an entitlement not the card holder's, ended before
 *   the receipt was made (one made before counts as of then: `late-receipt.ts`), or of a
 *   program the point does not serve, or for more than remained when the snapshot was made
 *   (`AMP_QUANTITY_ABOVE_REMAINING`);
 * - **counted** or a **conflict**, by `offlineApplier` (one transaction for the batch), or
 *   refused there when beyond the device's allowance for its snapshot
 *   (`AMP_OFFLINE_ALLOWANCE_EXCEEDED`).
 *
 * @example
 *   const { results } = await offlineSyncer(deps, context, pointId, { deviceId, deviceNow, receipts });
 */
export async function offlineSyncer(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  body: SyncBody,
  action: SyncAction = 'distribution.redeem',
): Promise<{ results: SyncResult[] }> {
  const gate = await guardPoint(deps, context, action, pointId);
  const device = await activeDeviceAt(deps, gate, body.deviceId);
  const now = nowOf(deps);
  const skewMax = distributionLimits.offline.deviceClockSkewMaxMs;
  if (Math.abs(body.deviceNow - now.getTime()) > skewMax) {
    await refuseAudited(
      deps,
      gate.write,
      { type: 'distribution_point', id: gate.point.id },
      'AMP_DEVICE_CLOCK_OFF',
      `The device's clock is ${Math.round((body.deviceNow - now.getTime()) / 1000)} s from the server's`,
    );
  }
  const { receipts, unopened } = await unsealed(deps, body.receipts, now);
  const results = await replays(deps, device, receipts);
  // The first of each receipt id not synced before (a set: a search per receipt was quadratic).
  const seen = new Set<string>();
  const fresh = receipts.filter((receipt) => {
    if (seen.has(receipt.receiptId)) return false;
    seen.add(receipt.receiptId);
    return !results.has(receipt.receiptId);
  });
  const refusals: AuditEntryInput[] = [];
  // A receipt id synced before with other content (another device, other lines): a replay
  // refused, counted nowhere, audited like any other refusal. The same receipt sent again (a
  // device's retry, or someone replaying its bytes) gets its first answer and is audited too, as
  // a denied count with `AMP_OFFLINE_RECEIPT_REPLAYED`: nothing was counted again.
  for (const result of results.values()) {
    const code = result.replayed ? replayedCode : result.code;
    if ((result.outcome === 'refused' || result.replayed) && code !== null) {
      refusals.push(
        refusalEntry(gate.write, { type: 'distribution_point', id: gate.point.id }, code),
      );
    }
  }
  const assistedGate = await assistedGateOf(deps, context, gate, fresh);
  const writeOf = (receipt: OfflineReceiptInput) =>
    receipt.assisted !== undefined && assistedGate !== null ? assistedGate.write : gate.write;
  const candidates = await checked(
    deps,
    { ...gate, assisted: assistedGate },
    device,
    { deviceNow: body.deviceNow, unopened },
    fresh,
    (receipt, code, personId) => {
      results.set(receipt.receiptId, refused(receipt.receiptId, code));
      const resource = personId
        ? { type: 'person' as const, id: personId }
        : { type: 'distribution_point' as const, id: gate.point.id };
      refusals.push(refusalEntry(writeOf(receipt), resource, code));
    },
  );
  const applied = await offlineApplier(
    deps,
    { ...gate, assisted: assistedGate },
    device,
    candidates,
    now,
  );
  for (const [receiptId, result] of applied.results) {
    results.set(receiptId, result);
    if (result.outcome === 'refused' && result.code !== null) {
      const candidate = candidates.find((each) => each.receipt.receiptId === receiptId);
      refusals.push(
        refusalEntry(
          candidate === undefined ? gate.write : writeOf(candidate.receipt),
          { type: 'person', id: candidate?.entitlement.personId ?? null },
          result.code,
        ),
      );
    }
  }
  // Submitted together, in order: the audit log's group commit writes them in one transaction
  // (one after the other, each waited for, a retried batch of 500 replays took 500 commits).
  await Promise.all(refusals.map((entry) => deps.audit.append(entry)));
  return {
    results: receipts.map(
      (receipt) => results.get(receipt.receiptId) ?? refused(receipt.receiptId, 'AMP_VALIDATION'),
    ),
  };
}

/**
 * Who syncs: an operator of the point (`distribution.redeem`, assigned to it), or the supervisor
 * (`distribution.offline_sync`) for a registered device whose operator can no longer sync — removed
 * from the point, say. Either way each receipt is signed by the device and checked as usual. A
 * closed point refuses no sync: the goods left when the receipts were made, and counting them is
 * what its stock and reconciliation need.
 */
export type SyncAction = 'distribution.redeem' | 'distribution.offline_sync';

/** The audit reason of a receipt synced again unchanged: answered, not counted again. */
export const replayedCode = 'AMP_OFFLINE_RECEIPT_REPLAYED';

/**
 * The gate of the hand-overs without the card in a sync: the syncing operator must hold
 * `distribution.assisted_redeem` at the point, as online. Null when the batch has none, or when
 * the operator does not hold it (the guard audited that; those receipts are then refused).
 */
async function assistedGateOf(
  deps: DistributionDependencies,
  context: DistributionContext,
  gate: PointGrant,
  fresh: readonly OfflineReceiptInput[],
): Promise<PointGrant | null> {
  if (!fresh.some((receipt) => receipt.assisted !== undefined)) return null;
  // The supervisor's sync carries the device operator's hand-overs without the card too: the
  // receipt names that operator (checked against the snapshot's), the daily bound is theirs,
  // and the household card is checked again; the supervisor cannot make such a hand-over.
  if (gate.write.action === 'distribution.offline_sync') return gate;
  try {
    return await guardPoint(deps, context, 'distribution.assisted_redeem', gate.point.id);
  } catch (error) {
    if (error instanceof Error && 'code' in error) return null;
    throw error;
  }
}

function refused(receiptId: string, code: string): SyncResult {
  return { receiptId, outcome: 'refused', code, redemptionId: null, replayed: false };
}

/** Receipts synced before: their first answer, or a mismatch for other content under the id. */
async function replays(
  deps: DistributionDependencies,
  device: ActiveDevice,
  receipts: readonly OfflineReceiptInput[],
): Promise<Map<string, SyncResult>> {
  const results = new Map<string, SyncResult>();
  if (receipts.length === 0) return results;
  const known = await deps.db
    .selectFrom('offline_receipt')
    .select(['id', 'device_id', 'signature', 'outcome', 'redemption_id'])
    .where(
      'id',
      'in',
      receipts.map((receipt) => receipt.receiptId),
    )
    .execute();
  const byId = new Map(known.map((row) => [row.id, row]));
  for (const receipt of receipts) {
    const row = byId.get(receipt.receiptId);
    if (row === undefined) continue;
    const same = row.device_id === device.id && row.signature === receipt.signature;
    results.set(
      receipt.receiptId,
      same
        ? {
            receiptId: receipt.receiptId,
            outcome: row.outcome,
            code: null,
            redemptionId: row.redemption_id,
            replayed: true,
          }
        : refused(receipt.receiptId, 'AMP_OFFLINE_RECEIPT_MISMATCH'),
    );
  }
  return results;
}

type Refuse = (
  receipt: OfflineReceiptInput,
  code: DistributionErrorCode | 'AMP_FORBIDDEN',
  personId: string | null,
) => void;

/** The receipts that pass every check made before the transaction; the others are refused. */
async function checked(
  deps: DistributionDependencies,
  gate: SyncGate,
  device: ActiveDevice,
  body: { deviceNow: number; unopened: ReadonlyMap<string, UnopenedCode> },
  fresh: readonly OfflineReceiptInput[],
  refuse: Refuse,
): Promise<Candidate[]> {
  if (fresh.length === 0) return [];
  // Every receipt's device signature and every card's issuer signature (format v3), checked on
  // the thread pool while the batch's facts are read.
  const key = devicePublicKey(device.publicKey);
  const checking = Promise.all(
    fresh.map((receipt) =>
      offlineSignatureCheck(
        key,
        offlineReceiptMessage(gate.point.id, device.id, receipt),
        receipt.signature,
      ),
    ),
  );
  const proving = cardProofsOf(deps, fresh);
  const reading = batchFacts(deps, device, fresh);
  // Whether each receipt's operator was assigned to the point then (format v4), read meanwhile.
  const operatorsRead = offlineOperatorsOf(deps, gate.point.id, fresh);
  const [{ snapshotOf, holders, entitlements }, signed, proofs, servedAt] = await Promise.all([
    reading,
    checking,
    proving,
    operatorsRead,
  ]);
  const served = gate.servedProgramIds;
  const skewMax = distributionLimits.offline.deviceClockSkewMaxMs;
  const candidates: Candidate[] = [];
  for (const [index, receipt] of fresh.entries()) {
    if (signed[index] !== true) {
      refuse(receipt, 'AMP_OFFLINE_SIGNATURE_INVALID', null);
      continue;
    }
    const unopenedCode = body.unopened.get(receipt.receiptId);
    if (unopenedCode !== undefined) {
      // Signed by the device, but its sealed card proof does not open: nothing shows the card.
      refuse(receipt, unopenedCode, null);
      continue;
    }
    const proof = proofs.get(receipt.receiptId);
    if (proof === undefined) {
      // Signed by the device, in a format from before card proofs: nothing shows the card was there.
      refuse(receipt, 'AMP_OFFLINE_CARD_PROOF_MISSING', null);
      continue;
    }
    if (receipt.servedBy === undefined) {
      // Signed by the device, in a format from before the local unlock: no operator answers for it.
      refuse(receipt, 'AMP_OFFLINE_OPERATOR_MISSING', null);
      continue;
    }
    if (receipt.deviceTime > body.deviceNow + 1000) {
      refuse(receipt, 'AMP_DEVICE_CLOCK_OFF', null);
      continue;
    }
    const at = new Date(receipt.deviceTime);
    const snapshot = snapshotOf.get(receipt.snapshotId);
    if (
      snapshot === undefined ||
      at > snapshot.expires_at ||
      at.getTime() < snapshot.issued_at.getTime() - skewMax
    ) {
      refuse(receipt, 'AMP_SNAPSHOT_EXPIRED', null);
      continue;
    }
    const holder = holders.get(receipt.credentialId)?.(at);
    const entitlement = entitlements.get(receipt.entitlementId);
    if (!servedAt(receipt.servedBy, at)) {
      refuse(receipt, 'AMP_OFFLINE_OPERATOR_NOT_ASSIGNED', holder?.personId ?? null);
      continue;
    }
    const shown = cardShownProblem(snapshot.entitlement_scope, receipt, proof);
    if (shown !== null) {
      refuse(receipt, shown, holder?.personId ?? null);
      continue;
    }
    if (receipt.assisted !== undefined) {
      const household = await householdProblem(deps, gate, receipt, snapshot.issued_by, {
        holder,
        personId: entitlement?.personId ?? null,
        at,
      });
      if (household !== null) {
        refuse(receipt, household, entitlement?.personId ?? null);
        continue;
      }
    } else if (holder === undefined || holder.problem !== null) {
      refuse(receipt, 'AMP_CARD_REFUSED', holder?.personId ?? null);
      continue;
    }
    // With the card, the entitlement must be its holder's; without it, the person's own.
    const personId =
      receipt.assisted === undefined ? (holder?.personId as string) : (entitlement?.personId ?? '');
    const problem = entitlementProblem(entitlement, personId, served, receipt.deviceTime);
    if (problem !== null || entitlement === undefined) {
      refuse(receipt, problem ?? 'AMP_ENTITLEMENT_NOT_REDEEMABLE', personId || null);
      continue;
    }
    candidates.push({
      receipt,
      entitlement,
      snapshotIssuedAt: snapshot.issued_at,
      snapshotExpiresAt: snapshot.expires_at,
    });
  }
  return candidates;
}

/**
 * The snapshots (issued to this device), card holders and entitlements a batch names: three
 * reads, sent at once (each on a connection of its own where the pool has them).
 */
async function batchFacts(
  deps: DistributionDependencies,
  device: ActiveDevice,
  fresh: readonly OfflineReceiptInput[],
) {
  const [snapshots, holders, entitlements] = await Promise.all([
    deps.db
      .selectFrom('distribution_snapshot')
      .select(['id', 'issued_at', 'expires_at', 'issued_by', 'entitlement_scope'])
      .where('id', 'in', [...new Set(fresh.map((receipt) => receipt.snapshotId))])
      .where('device_id', '=', device.id)
      .execute(),
    offlineCardHolders(
      deps.db,
      fresh.map((receipt) => receipt.credentialId).filter((id) => id !== ''),
    ),
    entitlementsForRedemption(
      deps.db,
      fresh.map((receipt) => receipt.entitlementId),
    ),
  ]);
  return { snapshotOf: new Map(snapshots.map((row) => [row.id, row])), holders, entitlements };
}

/**
 * The cards' proofs of the receipts that carry one (format v3), by receipt id: each QR text
 * verified as online, at its receipt's moment (credentials' `offlineCardProofs`: one signature
 * verification each, no database read).
 */
async function cardProofsOf(
  deps: DistributionDependencies,
  fresh: readonly OfflineReceiptInput[],
): Promise<Map<string, OfflineCardProof>> {
  const proven = fresh.filter((receipt) => receipt.qrText !== undefined);
  const proofs = await offlineCardProofs(
    deps.keys,
    proven.map((receipt) => ({
      qrText: receipt.qrText as string,
      at: new Date(receipt.deviceTime),
    })),
  );
  return new Map(
    proven.map((receipt, index) => [receipt.receiptId, proofs[index] as OfflineCardProof]),
  );
}

/**
 * Why a receipt does not show that its card was at the counter, or null: its entitlement was
 * not in the snapshot it names (a snapshot from before scopes were kept proves nothing either),
 * its QR text is not a card the issuer signed or not the card the receipt names
 * (`AMP_OFFLINE_CARD_PROOF_INVALID`), or the card was outside its validity at the receipt's
 * moment (`AMP_CARD_REFUSED`, as for a card revoked then).
 */
function cardShownProblem(
  scope: Buffer | null,
  receipt: OfflineReceiptInput,
  proof: OfflineCardProof,
): DistributionErrorCode | null {
  if (scope === null || !inSnapshotScope(scope, receipt.entitlementId)) {
    return 'AMP_OFFLINE_NOT_IN_SNAPSHOT';
  }
  if (proof.problem === 'outside-validity') return 'AMP_CARD_REFUSED';
  if (proof.problem !== null || proof.credentialId !== receipt.credentialId) {
    return 'AMP_OFFLINE_CARD_PROOF_INVALID';
  }
  return null;
}

/**
 * Why a hand-over without the card made offline is refused, or null: the syncing operator may not
 * hand over without the card here; the receipt names another operator than the one the snapshot
 * was issued to; the member's card was unknown, revoked or expired at the receipt's time
 * (`AMP_CARD_REFUSED`); or it was the person's own card, or its holder was not in the person's
 * household at that time (the registry's answer; `AMP_OFFLINE_HOUSEHOLD_REFUSED`).
 */
async function householdProblem(
  deps: DistributionDependencies,
  gate: SyncGate,
  receipt: OfflineReceiptInput,
  issuedBy: string,
  props: {
    holder: { personId: string; problem: string | null } | undefined;
    personId: string | null;
    at: Date;
  },
): Promise<DistributionErrorCode | 'AMP_FORBIDDEN' | null> {
  const { holder, personId, at } = props;
  if (gate.assisted === null) return 'AMP_FORBIDDEN';
  if (receipt.assisted?.operatorId !== issuedBy) return 'AMP_OFFLINE_OPERATOR_MISMATCH';
  if (holder === undefined || holder.problem !== null) return 'AMP_CARD_REFUSED';
  if (personId === null) return 'AMP_ENTITLEMENT_NOT_REDEEMABLE';
  if (deps.identities === undefined || holder.personId === personId) {
    return 'AMP_OFFLINE_HOUSEHOLD_REFUSED';
  }
  const same = await deps.identities.sameHouseholdAt(deps.db, personId, holder.personId, at);
  return same ? null : 'AMP_OFFLINE_HOUSEHOLD_REFUSED';
}

/**
 * Why the receipt's entitlement cannot take it, or null. An entitlement programs ended (its cycle
 * closed; a death, merge or erasure) still takes a receipt its device made **before** the end
 * (`endedAt`), as a suspension does: the goods left while it was in force (`late-receipt.ts`).
 */
function entitlementProblem(
  entitlement: EntitlementForRedemption | undefined,
  personId: string,
  served: readonly string[],
  deviceTime: number,
): DistributionErrorCode | null {
  if (entitlement === undefined || entitlement.personId !== personId) {
    return 'AMP_ENTITLEMENT_NOT_REDEEMABLE';
  }
  if (!served.includes(entitlement.programId)) return 'AMP_PROGRAM_NOT_SERVED';
  if (entitlement.basket === null || !inForceAt(entitlement, deviceTime)) {
    return 'AMP_ENTITLEMENT_NOT_REDEEMABLE';
  }
  return null;
}
