import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../../platform/db/schema.js';
import { writeAuditEntry } from '../../../shared/audit/write-audit-entry.js';
import {
  activeCardIdsOf,
  canonicalJson,
  publishedRevocations,
  publishedTrustList,
  type SignedDocument,
} from '../../credentials/index.js';
import { type EntitlementForRedemption, openInKindEntitlementsOf } from '../../programs/index.js';
import {
  type AssistedIdentities,
  type DistributionContext,
  type DistributionDependencies,
  nowOf,
  settingsOf,
} from '../distribution-context.js';
import { holdsInForce } from '../holds/hold-reads.js';
import { distributionLimits } from '../limits.js';
import { guardPoint, refuseAudited } from '../point-gate.js';
import { operatorIdOf } from '../points/point-service.js';
import {
  type CarriedLine,
  carriedQuantity,
  stillCarried,
  withCarried,
} from '../redemption/carry-over.js';
import { preActivated } from '../redemption/entitlement-state.js';
import { redeemableStates } from '../tables.js';
import { householdBindings, type PendingBinding } from './household-bindings.js';
import { activeDeviceAt } from './offline-device.js';
import { currentProofKey } from './proof-key-versions.js';
import { entryTagOf, snapshotCardKeys } from './snapshot-card-key.js';
import { appendedLeafIndex, snapshotAuditFields } from './snapshot-history.js';
import { type EntryAdder, householdsToBind, type PersonsRead } from './snapshot-households.js';
import { signSnapshotBytes, snapshotKeyFrom } from './snapshot-key.js';
import { snapshotScope } from './snapshot-scope.js';

export const snapshotFormat = 'amparo.point-snapshot.v2';

/**
 * One entry: a card's tag in this snapshot (the first 16 bytes of its snapshot card key,
 * `snapshot-card-key.ts`: HMAC-SHA256 of the credential id under the snapshot's salt), the
 * entitlement id (its 16 bytes, base64url), the index of its program in `programs`, and what
 * remains as pairs of (index in `items`, quantity). No name, no person id, no ID number. The tag
 * is not a secret of the card: anyone who knows a card's credential id (an officer reading the
 * person's card list, any earlier scan) finds its entry. So an entry is no proof that the card was shown:
 * a receipt made offline carries the card's signed QR text, which the sync verifies
 * (offline-sync.ts), and the sync refuses an entitlement this snapshot did not hold
 * (`entitlement_scope`, snapshot-scope.ts).
 */
export type SnapshotEntry = [string, string, number, number[]];

export interface SnapshotPayload {
  format: typeof snapshotFormat;
  snapshotId: string;
  pointId: string;
  pointCode: string;
  deviceId: string;
  /** Unix seconds. */
  issuedAt: number;
  expiresAt: number;
  warnAfter: number;
  /** Receipts the device may make with this snapshot before it must sync. */
  receiptsMax: number;
  /** Units (all items, all receipts) it may hand over with this snapshot before it must sync. */
  unitsMax: number;
  /** Raw Ed25519 key (hex) that signs the trust and revocation lists inside. */
  trustAnchor: string;
  trustList: SignedDocument<unknown>;
  revocations: SignedDocument<unknown>;
  programs: { code: string; nameEs: string; nameEn: string }[];
  items: { item: string; unit: string }[];
  entries: SnapshotEntry[];
  /** This snapshot's random 16 bytes (base64url): the key of its card keys (format v2). */
  salt: string;
  /**
   * The server's card-proof key (P-256, uncompressed, base64url: sealed-card-proof.ts): a receipt
   * v5 seals the card's id and QR text to it, so the device keeps neither in clear.
   */
  proofKey: string;
  /** The version of that key (proof-key-versions.ts): raised by each rotation. */
  proofKeyVersion: number;
  /**
   * Hand-overs without the card, offline, with a household member's card (`household-bindings.ts`):
   * the bindings (one base64url string of 8-byte
   * records), the operator the snapshot was issued to (the receipts name them) and how many such
   * hand-overs the device may record with this snapshot. Absent when the registry's port is not
   * wired (no assisted hand-over offline then).
   */
  assisted?: SnapshotAssisted;
}

export interface SnapshotAssisted {
  bindings: string;
  operatorId: string;
  receiptsMax: number;
}

export type SignedSnapshot = SignedDocument<SnapshotPayload>;

/**
 * The signed snapshot a registered device downloads for offline work at its point (issue #15,
 * point 5): the trust list and the full revocation list (each still signed by the trust-list
 * key), and for each card of each person holding an open in-kind entitlement in a program the
 * point serves, what remains redeemable. Signed (canonical JSON, Ed25519) with the snapshot key
 * derived from the master key; recorded (id, expiry, SHA-256), and audited as the operator's
 * write on the point. Built in pages of `offline.snapshotPageMax` entitlements; the household
 * bindings after the last page (`snapshot-households.ts`).
 *
 * @example
 *   const snapshot = await snapshotBuilder(deps, context, pointId, deviceId);
 */
export async function snapshotBuilder(
  deps: DistributionDependencies,
  context: DistributionContext,
  pointId: string,
  deviceId: string,
): Promise<SignedSnapshot> {
  const gate = await guardPoint(deps, context, 'distribution.redeem', pointId);
  const device = await activeDeviceAt(deps, gate, deviceId);
  const now = nowOf(deps);
  const limits = distributionLimits.offline;
  const operatorId = operatorIdOf(gate.write.actor) as string; // Safe: only operators redeem.
  const body = await snapshotEntries(
    deps.db,
    gate.servedProgramIds,
    now,
    {
      pointId: gate.point.id,
      regionCode: gate.point.regionCode,
      municipalityCode: gate.point.municipalityCode,
    },
    deps.identities,
  );
  if (body.entries.length > limits.snapshotEntriesMax) {
    await refuseAudited(
      deps,
      gate.write,
      { type: 'distribution_point', id: gate.point.id },
      'AMP_SNAPSHOT_TOO_LARGE',
      `${body.entries.length} entries; at most ${limits.snapshotEntriesMax}`,
    );
  }
  const listDeps = {
    db: deps.db,
    keys: deps.keys,
    issuerName: deps.issuerName ?? 'Amparo',
    now: () => now,
  };
  const seconds = Math.floor(now.getTime() / 1000);
  const settings = settingsOf(deps);
  const proofKey = await currentProofKey(deps);
  const payload: SnapshotPayload = {
    format: snapshotFormat,
    snapshotId: randomUUID(),
    pointId: gate.point.id,
    pointCode: gate.point.code,
    deviceId: device.id,
    issuedAt: seconds,
    expiresAt: seconds + Math.floor(settings.offlineSnapshotTtlMs / 1000),
    warnAfter: seconds + Math.floor(settings.offlineSnapshotWarnAfterMs / 1000),
    receiptsMax: device.receiptsMax,
    unitsMax: device.unitsMax,
    trustAnchor: deps.keys.trustListSigning.publicKey
      .export({ format: 'der', type: 'spki' })
      .subarray(-32)
      .toString('hex'),
    trustList: (await publishedTrustList(listDeps)) as SignedDocument<unknown>,
    revocations: (await publishedRevocations(listDeps)).document as SignedDocument<unknown>,
    programs: body.programs,
    items: body.items,
    entries: body.entries,
    salt: body.salt,
    proofKey: proofKey.publicKey.toString('base64url'),
    proofKeyVersion: proofKey.version,
    ...(body.bindings === undefined
      ? {}
      : {
          assisted: {
            bindings: body.bindings,
            operatorId,
            receiptsMax: settings.assistedPerOperatorPerDay,
          },
        }),
  };
  const bytes = Buffer.from(canonicalJson(payload), 'utf8');
  const key = snapshotKeyFrom(deps.keys.masterKey);
  const scope = snapshotScope(body.entitlementIds);
  await deps.db.transaction().execute(async (trx) => {
    // The entry names the snapshot and commits to its scope: each person it held sees this
    // entry in their access history (snapshot-history.ts), and a scope changed afterwards no
    // longer matches the digest in the log. The ID numbers and households read for the bindings
    // never leave in clear; named here too.
    const appended = await deps.audit.appendInTransaction(trx, [
      writeAuditEntry(
        gate.write,
        { type: 'distribution_point', id: gate.point.id },
        snapshotAuditFields(payload.snapshotId, scope, body.bindings !== undefined),
        context.requestId,
      ),
    ]);
    await trx
      .insertInto('distribution_snapshot')
      .values({
        id: payload.snapshotId,
        point_id: gate.point.id,
        device_id: device.id,
        // The exact time, not the payload's second: the allowance and the conflict rules ask
        // which redemptions and syncs came after the issue (docs/DISTRIBUTION.md).
        issued_at: now,
        expires_at: new Date(payload.expiresAt * 1000),
        entries: payload.entries.length,
        entitlement_scope: scope,
        payload_sha256: createHash('sha256').update(bytes).digest(),
        issued_by: operatorId,
        audit_leaf_index: appendedLeafIndex(appended),
        region_code: gate.point.regionCode,
        municipality_code: gate.point.municipalityCode,
        proof_key_version: proofKey.version,
      })
      .execute();
  });
  return {
    payload,
    signature: { alg: 'EdDSA', kid: key.kid, value: signSnapshotBytes(key, bytes) },
  };
}

interface SnapshotBody {
  programs: SnapshotPayload['programs'];
  items: SnapshotPayload['items'];
  entries: SnapshotEntry[];
  /** The entitlements entered (each once, whatever its number of entries): the scope. */
  entitlementIds: string[];
  /** The snapshot's random salt (base64url): the key of its card keys. */
  salt: string;
  /** With the registry's port: the household bindings (base64url). */
  bindings?: string;
}

/**
 * Whose entitlements a point's snapshot holds (issue #15): the persons registered in the point's
 * area — its municipality when the point names one, else its state — and the persons the point
 * served within `offline.servedWindowMs` (any redemption there, with the card or without).
 * Anyone else is absent: the
 * device answers "needs the network" for their card, so a stolen device tells nothing of people
 * who never came near the point, and a snapshot stays the size of an area, not of the nation.
 */
export interface SnapshotScope {
  pointId: string;
  regionCode: string;
  municipalityCode: string | null;
}

/**
 * The entries of the open in-kind entitlements of the programs within the scope, page by page;
 * with the registry's port (`identities`), also the household bindings of each person entered.
 */
export async function snapshotEntries(
  db: Kysely<Database>,
  programIds: readonly string[],
  now: Date,
  scope: SnapshotScope,
  identities?: Pick<AssistedIdentities, 'householdsOf'>,
): Promise<SnapshotBody> {
  const salt = randomBytes(16);
  const keyOf = snapshotCardKeys(salt);
  const body: SnapshotBody = {
    programs: [],
    items: [],
    entries: [],
    entitlementIds: [],
    salt: salt.toString('base64url'),
  };
  const add = entryAdder(body);
  const seen = new Set<string>();
  const pageMax = distributionLimits.offline.snapshotPageMax;
  const area = { regionCode: scope.regionCode, municipalityCode: scope.municipalityCode };
  const served = await personsServedAt(db, scope.pointId, now);
  const chunks = [{ area }, ...chunked(served, pageMax).map((personIds) => ({ personIds }))];
  const read: PersonsRead = { cardKeys: new Map(), targets: new Map(), cardless: [] };
  /** The entry tags of each person's active cards, computed once per person. */
  const hashes = new Map<string, string[]>();
  for (const chunk of chunks) {
    let afterId: string | null = null;
    for (;;) {
      const found: EntitlementForRedemption[] = await openInKindEntitlementsOf(db, {
        programIds,
        afterId,
        limit: pageMax,
        ...chunk,
      });
      if (found.length === 0) break;
      afterId = found[found.length - 1]?.entitlementId ?? null;
      // A person of the area served here before comes in both passes: one entry each.
      const page = found.filter((e) => !seen.has(e.entitlementId));
      for (const e of page) seen.add(e.entitlementId);
      if (page.length === 0) continue;
      const remaining = await remainingOfPage(db, page, now);
      const unread = [...new Set(page.map((e) => e.personId))].filter(
        (id) => !read.cardKeys.has(id),
      );
      const cards = await activeCardIdsOf(db, unread, now);
      for (const personId of unread) {
        const keys = (cards.get(personId) ?? []).map(keyOf);
        read.cardKeys.set(personId, keys);
        if (keys.length > 0) hashes.set(personId, keys.map(entryTagOf));
      }
      for (const entitlement of page) {
        const { personId } = entitlement;
        const lines = remaining.get(entitlement.entitlementId);
        const own = hashes.get(personId);
        if (own === undefined) {
          if (identities !== undefined) read.cardless.push({ entitlement, lines });
        } else if (add(entitlement, lines, own) && own[0] !== undefined) {
          read.targets.set(personId, own[0]);
        }
      }
    }
  }
  // After every page: one read of the households of all persons entered (and of those without
  // a card), and of the cards of the housemates not read above.
  const households =
    identities === undefined
      ? undefined
      : await householdsToBind(db, identities, now, read, add, keyOf);
  body.entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1));
  if (households !== undefined) {
    const firstIndex = new Map<string, number>();
    body.entries.forEach((entry, index) => {
      if (!firstIndex.has(entry[0])) firstIndex.set(entry[0], index);
    });
    const pending: PendingBinding[] = [];
    for (const household of households) {
      const entryIndex = firstIndex.get(household.target);
      if (entryIndex !== undefined) pending.push({ ...household, entryIndex });
    }
    body.bindings = householdBindings(salt, pending);
  }
  return body;
}

/** Adds an entitlement's entries (one per card tag given) to the body. */
function entryAdder(body: SnapshotBody): EntryAdder {
  const programIndex = new Map<string, number>();
  const itemIndex = new Map<string, number>();
  const indexOf = (map: Map<string, number>, key: string, add: () => void): number => {
    let index = map.get(key);
    if (index === undefined) {
      index = map.size;
      map.set(key, index);
      add();
    }
    return index;
  };
  return (entitlement, lines, hashes) => {
    // Nothing of a suspended program is handed over, offline either.
    if (lines === undefined || hashes === undefined || entitlement.suspendedAt !== null) {
      return false;
    }
    const program = indexOf(programIndex, entitlement.programId, () =>
      body.programs.push({
        code: entitlement.programCode,
        nameEs: entitlement.programNameEs,
        nameEn: entitlement.programNameEn,
      }),
    );
    const pairs = lines.flatMap((line) => [
      indexOf(itemIndex, `${line.item}|${line.unit}`, () =>
        body.items.push({ item: line.item, unit: line.unit }),
      ),
      line.quantity,
    ]);
    const id = Buffer.from(entitlement.entitlementId.replaceAll('-', ''), 'hex').toString(
      'base64url',
    );
    for (const hash of hashes) body.entries.push([hash, id, program, pairs]);
    body.entitlementIds.push(entitlement.entitlementId);
    return true;
  };
}

/**
 * The persons redeemed for at the point (with the card, without it, or synced offline) within
 * `offline.servedWindowMs` before `now`: a range of the (point_id, redeemed_at) index, so a
 * build reads a bounded window, not every redemption the point ever made.
 */
async function personsServedAt(
  db: Kysely<Database>,
  pointId: string,
  now: Date,
): Promise<string[]> {
  const since = new Date(now.getTime() - distributionLimits.offline.servedWindowMs);
  const rows = await db
    .selectFrom('redemption')
    .select('person_id')
    .distinct()
    .where('point_id', '=', pointId)
    .where('redeemed_at', '>=', since)
    .orderBy('person_id')
    .execute();
  return rows.map((row) => row.person_id);
}

function chunked<T>(list: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let index = 0; index < list.length; index += size) {
    chunks.push(list.slice(index, index + size));
  }
  return chunks;
}

/**
 * What remains of each entitlement of a page that is still redeemable: the recorded balance of
 * one a point already touched, or what the basket grants plus what waits from the program's
 * closed cycle. Consumed, expired, cancelled or flagged ones are left out (undefined).
 */
async function remainingOfPage(
  db: Kysely<Database>,
  all: readonly EntitlementForRedemption[],
  now: Date,
): Promise<Map<string, CarriedLine[]>> {
  // Nothing of a cycle not published yet, nor of an entitlement a supervisor holds, is handed
  // over, offline either: the snapshot leaves them out, so a device refuses them.
  const held = await holdsInForce(
    db,
    all.map((e) => e.entitlementId),
    now,
  );
  const page = all.filter((e) => !preActivated(e) && !held.has(e.entitlementId));
  if (page.length === 0) return new Map();
  const ids = page.map((e) => e.entitlementId);
  const states = await db
    .selectFrom('entitlement_redemption_state')
    .select(['entitlement_id', 'state'])
    .where('entitlement_id', 'in', ids)
    .execute();
  const stateOf = new Map(states.map((row) => [row.entitlement_id, row.state]));
  const balances = await db
    .selectFrom('entitlement_item_balance')
    .select(['entitlement_id', 'item', 'unit', 'quantity_remaining'])
    .where('entitlement_id', 'in', ids)
    .orderBy('entitlement_id')
    .orderBy('item')
    .execute();
  const untouched = page.filter((e) => !stateOf.has(e.entitlementId));
  const carried = await waitingCarryOvers(db, untouched);
  const result = new Map<string, CarriedLine[]>();
  for (const row of balances) {
    const state = stateOf.get(row.entitlement_id);
    if (state === undefined || !redeemableStates.includes(state)) continue;
    const lines = result.get(row.entitlement_id) ?? [];
    if (row.quantity_remaining > 0) {
      lines.push({ item: row.item, unit: row.unit, quantity: row.quantity_remaining });
    }
    result.set(row.entitlement_id, lines);
  }
  for (const entitlement of untouched) {
    const key = `${entitlement.personId}|${entitlement.programId}|${entitlement.cycleId}`;
    result.set(entitlement.entitlementId, withCarried(entitlement.basket ?? [], carried.get(key)));
  }
  for (const [id, lines] of result) if (lines.length === 0) result.delete(id);
  return result;
}

/** Carry-overs waiting for untouched entitlements, by person, program and receiving cycle. */
export async function waitingCarryOvers(
  db: Kysely<Database>,
  untouched: readonly EntitlementForRedemption[],
): Promise<Map<string, CarriedLine[]>> {
  const byKey = new Map<string, CarriedLine[]>();
  if (untouched.length === 0) return byKey;
  const rows = await db
    .selectFrom('entitlement_carry_over')
    .select(['person_id', 'program_id', 'from_cycle_id', 'item', 'unit', carriedQuantity])
    .where('person_id', 'in', [...new Set(untouched.map((e) => e.personId))])
    .where('program_id', 'in', [...new Set(untouched.map((e) => e.programId))])
    .where('applied_at', 'is', null)
    .where('lapsed_at', 'is', null)
    .where(stillCarried)
    .execute();
  if (rows.length === 0) return byKey;
  for (const entitlement of untouched) {
    const lines = rows
      .filter(
        (row) =>
          row.person_id === entitlement.personId &&
          row.program_id === entitlement.programId &&
          row.from_cycle_id !== entitlement.cycleId,
      )
      .map((row) => ({ item: row.item, unit: row.unit, quantity: row.quantity }));
    if (lines.length > 0) {
      byKey.set(`${entitlement.personId}|${entitlement.programId}|${entitlement.cycleId}`, lines);
    }
  }
  return byKey;
}
