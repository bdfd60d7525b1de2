import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Kysely, sql } from 'kysely';
import { build } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { encodeCard } from '../src/modules/credentials/card-payload.js';
import { makeHolder } from '../src/modules/credentials/card-test-kit.js';
import { createNodeSigner } from '../src/modules/credentials/node-primitives.js';
import {
  cardHashOf,
  entitlementIdOfEntry,
  type OfflineDevice,
  offlineDevice,
} from '../src/modules/distribution/offline/offline-test-kit.js';
import { publishedCycle, publishedProgram } from '../src/modules/programs/programs-test-kit.js';
import { initKeys, type KeyStore, loadKeyStore } from '../src/platform/crypto/key-store.js';
import type { Database } from '../src/platform/db/schema.js';
import type { Role } from '../src/shared/access/roles.js';
import { buildOperator, cheapHashOptions } from '../test/factories.js';
import { backendCpuSampler } from './lib/cpu-meter.js';
import { addPersons, loadAverage, throwawayDatabase } from './lib/program-population.js';

/**
 * Offline redemption (issue #15, point 5) on a throwaway PostgreSQL database, through `build()`
 * and `inject` (the routes, schemas, access guard and audit log as served):
 *
 * 1. The signed snapshot of a point whose program entitles `persons` card holders: its size in
 *    bytes (the JSON body) and the time to build and serve it, `runs` times. Target ≤ 5 MB, ≤ 5 s.
 *    Every person is in a household of four, all with cards: the snapshot's household bindings
 *    (hand-overs without the card offline) are three per person, reported apart.
 * 2. The sync of 10,000 receipts from one device (batches of 500, the sync's bound): total
 *    time (target ≤ 10 s), and the CPU time it took in this process and in the database's
 *    backends (`backendCpuSampler`), which the machine's other work moves much less than wall time.
 *    Each receipt carries its card's QR text, verified at sync as online: the cards of the first
 *    `cardsMax` persons are issued for real (signed by the issuer key), the others' credential
 *    rows are written by SQL. Receipts are format v5 by default: the card's id and QR text sealed
 *    to the snapshot's `proofKey` with the console's own sealing (src/shared/offline/
 *    sealed-card-proof.ts, WebCrypto, before the clock starts), opened by the server at sync.
 *    With `formats` = `v4,v5` a v4 sync (the card in clear) of 10,000 other entitlements runs
 *    first in the same process, as the baseline. Then the last batch sent again (a device's
 *    retry): 500 replays, each answered and audited.
 * 3. Two devices each redeeming the same 1,000 entitlements offline, synced one after the other:
 *    every overlap is a conflict (holding nothing: the first took the whole basket), none
 *    counted twice, the stock exact (receipts of the last format named).
 *
 * Persons and most cards are written with SQL (`generate_series`), not the API, all registered in
 * the point's state (a snapshot holds its area's persons); the cycle's rule (`age >= 0`)
 * entitles every one of them:
 * what is measured is the snapshot and the sync, not the set-up.
 *
 *   npm run bench -- distribution-offline [persons=50000] [runs=3] [formats=v5]
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const persons = Math.ceil(Number(args[0] ?? 50_000) / 4) * 4;
  const runs = Number(args[1] ?? 3);
  const formats = (args[2] ?? 'v5').split(',');
  if (formats.length === 0 || formats.some((format) => format !== 'v4' && format !== 'v5')) {
    throw new Error('formats: v5, v4 or v4,v5');
  }
  // 10,000 cards per format's sync, 1,000 for the overlap, and some spare.
  const cardsMax = formats.length * 10_000 + 2_000;
  if (persons < cardsMax - 1_000) throw new Error(`persons: at least ${cardsMax - 1_000}`);
  const loadAtStart = loadAverage();
  const database = await throwawayDatabase('offline');
  const keysDir = mkdtempSync(path.join(tmpdir(), 'amparo-bench-keys-'));
  try {
    initKeys(keysDir);
    const keys = loadKeyStore(keysDir);
    const app = await build(loadConfig({ LOG_LEVEL: 'silent', AMPARO_WEB_DIR: '/nonexistent' }), {
      database: { kind: 'postgres', db: database.app, close: async () => undefined },
      keys,
      rateLimitRequestsMax: 1_000_000_000,
      access: { passwordHashOptions: cheapHashOptions, signInRequestsPerMinuteMax: 1_000_000 },
    });
    await app.ready();
    const factory = {
      database: {
        db: database.app,
        asAdmin: <T>(work: (a: typeof database.admin) => Promise<T>) => work(database.admin),
      },
      masterKey: keys.masterKey,
    };
    const signIn = async (roles: Role[]) => {
      const username = `bench.${randomUUID().slice(0, 12)}`;
      const operator = await buildOperator(factory, { username, roles, regions: ['VE-A'] });
      const response = await app.inject({
        method: 'POST',
        url: '/api/auth/sign-in',
        payload: { username, password: operator.password, totp: operator.totp() },
      });
      const cookie = response.cookies.find((each) => each.name === 'amparo_session')?.value;
      if (cookie === undefined) throw new Error(`sign-in: ${response.body}`);
      return { id: operator.id, cookie: `amparo_session=${cookie}` };
    };
    const call = async (cookie: string, method: 'GET' | 'POST', url: string, payload?: object) => {
      const response = await app.inject({
        method,
        url: `${url}${url.includes('?') ? '&' : '?'}purpose=distribution`,
        headers: { cookie },
        ...(payload ? { payload } : {}),
      });
      if (response.statusCode >= 300)
        throw new Error(`${url}: ${response.statusCode} ${response.body}`);
      return response;
    };

    progress(`${persons} persons with cards and entitlements…`);
    const setupStarted = performance.now();
    await addPersons(database.admin, 0, persons);
    // A snapshot holds the persons of the point's area (its state here) and those it served
    // before: the population's persons, spread over 24 states, all live in the point's state,
    // so that the snapshot holds `persons` holders as it did when snapshots were national.
    await sql`update person set region_code = 'VE-A'`.execute(database.admin);
    const qrTextOf = await realCards(database.admin, keys, Math.min(persons, cardsMax));
    await sql`insert into credential (id, person_id, person_version, kid, issued_at, expires_at)
      select substring(decode(md5('c' || p.id::text), 'hex') from 1 for 16), p.id, 1,
             '0123456789abcdef', now() - interval '1 day', now() + interval '5 years'
        from person p
       where not exists (select 1 from credential c where c.person_id = p.id)`.execute(
      database.admin,
    );
    const { programId } = await publishedProgram(database.app, {
      code: 'offline_bench',
      content: {
        nameEs: 'Caja de comida',
        nameEn: 'Food box',
        descriptionEs: '',
        descriptionEn: '',
        kind: 'in_kind',
        unit: 'person',
        regions: [],
        cadence: 'monthly',
        benefit: {
          basket: [
            { item: 'food_box', quantity: 1, unit: 'box' },
            { item: 'rice', quantity: 5, unit: 'kg' },
          ],
        },
        budgetCap: 1_000_000_000n,
        eligibilityRule: 'age >= 0',
      },
    });
    await publishedCycle(database.app, programId, '2026-12-01');
    await sql`analyze`.execute(database.admin);
    const supervisor = await signIn(['distribution_supervisor']);
    const operator = await signIn(['distribution_operator']);
    const created = await call(supervisor.cookie, 'POST', '/api/distribution/points', {
      code: 'bench-offline',
      name: 'Almacén de prueba',
      kind: 'warehouse',
      regionCode: 'VE-A',
    });
    const pointId = created.json().pointId as string;
    await call(supervisor.cookie, 'POST', `/api/distribution/points/${pointId}/changes`, {
      addOperators: [operator.id],
      addPrograms: [programId],
    });
    for (const item of ['food_box', 'rice']) {
      await call(supervisor.cookie, 'POST', `/api/distribution/points/${pointId}/deliveries`, {
        clientId: randomUUID(),
        item,
        quantity: 500_000,
      });
    }
    const devices: { key: OfflineDevice; id: string }[] = [];
    for (const label of ['Tablet 1', 'Tablet 2', 'Tablet 3']) {
      const key = offlineDevice(operator.id);
      const registered = await call(
        supervisor.cookie,
        'POST',
        `/api/distribution/points/${pointId}/devices`,
        key.registration(pointId, label),
      );
      devices.push({ key, id: registered.json().id as string });
    }
    const setupSeconds = +((performance.now() - setupStarted) / 1000).toFixed(1);
    progress(`set up in ${setupSeconds} s`);

    // 1. The snapshot.
    const snapshotRuns: {
      ms: number;
      bytes: number;
      entries: number;
      householdBindings: number;
      householdBindingBytes: number;
    }[] = [];
    let snapshot: SnapshotBody | undefined;
    for (let index = 0; index < runs; index += 1) {
      const started = performance.now();
      const response = await call(
        operator.cookie,
        'GET',
        `/api/distribution/points/${pointId}/devices/${devices[0]?.id}/snapshot`,
      );
      const ms = +(performance.now() - started).toFixed(0);
      snapshot = response.json() as SnapshotBody;
      snapshotRuns.push({
        ms,
        bytes: response.rawPayload.length,
        entries: snapshot.payload.entries.length,
        // 8 bytes each, base64url: 4 characters per 3 bytes.
        householdBindings: Math.floor(
          ((snapshot.payload.assisted?.bindings.length ?? 0) * 3) / 4 / 8,
        ),
        householdBindingBytes: snapshot.payload.assisted?.bindings.length ?? 0,
      });
      progress(`snapshot: ${ms} ms, ${response.rawPayload.length} bytes`);
    }
    if (snapshot === undefined) throw new Error('no snapshot');
    const payload = snapshot.payload;
    // Which card holds which entitlement, from the snapshot as a device reads it: the cards
    // issued for real, whose QR text a device scans and its receipt carries.
    const credentialOf = new Map<string, string>();
    for (const credentialId of qrTextOf.keys()) {
      credentialOf.set(cardHashOf(payload, credentialId), credentialId);
    }
    const cards = payload.entries.flatMap(([hash, compact]) => {
      const credentialId = credentialOf.get(hash);
      if (credentialId === undefined) return [];
      const qrText = qrTextOf.get(credentialId) as string;
      return [{ credentialId, qrText, entitlementId: entitlementIdOfEntry(compact) }];
    });

    // 2. 10,000 receipts from one device, per format.
    const [one, two, three] = devices as [
      (typeof devices)[0],
      (typeof devices)[0],
      (typeof devices)[0],
    ];
    const lines = [
      { item: 'food_box', quantity: 1 },
      { item: 'rice', quantity: 5 },
    ];
    const format = formats[formats.length - 1] as Format;
    const receiptOf = (
      device: (typeof devices)[0],
      made: Format,
      props: { snapshotId: string; proofKey: string; deviceTime: number } & (typeof cards)[0],
    ) =>
      made === 'v4'
        ? Promise.resolve(device.key.receipt(pointId, device.id, { ...props, lines }))
        : device.key.sealedReceipt(pointId, device.id, { ...props, lines, sealTo: props.proofKey });
    const sync = async (device: { id: string }, batch: object[]) =>
      (
        await call(operator.cookie, 'POST', `/api/distribution/points/${pointId}/offline-syncs`, {
          deviceId: device.id,
          deviceNow: Date.now(),
          receipts: batch,
        })
      ).json().results as { outcome: string; replayed: boolean }[];
    const snapshotOf = async (device: (typeof devices)[0]) =>
      (
        await call(
          operator.cookie,
          'GET',
          `/api/distribution/points/${pointId}/devices/${device.id}/snapshot`,
        )
      ).json().payload as SnapshotBody['payload'];
    const syncs: Record<string, SyncFigures> = {};
    let receipts: object[] = [];
    for (const [index, made] of formats.entries()) {
      progress(`${made}: making 10,000 receipts…`);
      // Each format's receipts with a snapshot of their own: a device's allowance is per snapshot.
      const { snapshotId, proofKey } = index === 0 ? payload : await snapshotOf(one);
      receipts = await Promise.all(
        cards.slice(index * 10_000, (index + 1) * 10_000).map((card, at) =>
          receiptOf(one, made as Format, {
            snapshotId,
            proofKey,
            ...card,
            deviceTime: Date.now() - 60_000 + at,
          }),
        ),
      );
      syncs[made] = await timedSync(receipts, (batch) => sync(one, batch), database.appUrl);
      progress(`sync of ${receipts.length} ${made}: ${syncs[made]?.seconds} s`);
    }
    // A device's retry (its answer lost on the way): the last batch again, every receipt a
    // replay, answered its first result and audited as a denied count.
    const retryStarted = performance.now();
    const retried = await sync(one, receipts.slice(-500));
    const retrySeconds = +((performance.now() - retryStarted) / 1000).toFixed(2);

    // 3. Two devices, the same 1,000 entitlements.
    const overlap = cards.slice(formats.length * 10_000, formats.length * 10_000 + 1_000);
    const overlapReceipts = async (device: (typeof devices)[0], deviceTime: number) => {
      const { snapshotId, proofKey } = await snapshotOf(device);
      return Promise.all(
        overlap.map((card) =>
          receiptOf(device, format, { snapshotId, proofKey, ...card, deviceTime }),
        ),
      );
    };
    const fromTwo = await overlapReceipts(two, Date.now() - 50_000);
    const fromThree = await overlapReceipts(three, Date.now() - 40_000);
    const overlapOutcomes = new Map<string, number>();
    const overlapStarted = performance.now();
    for (const [device, batch] of [
      [two, fromTwo],
      [three, fromThree],
    ] as const) {
      for (let start = 0; start < batch.length; start += 500) {
        for (const result of await sync(device, batch.slice(start, start + 500))) {
          overlapOutcomes.set(result.outcome, (overlapOutcomes.get(result.outcome) ?? 0) + 1);
        }
      }
    }
    const overlapSeconds = +((performance.now() - overlapStarted) / 1000).toFixed(2);
    const ids = overlap.map((card) => card.entitlementId);
    const checks = await sql<{
      doubled: string;
      flagged: string;
      holding: string;
      conflicts: string;
      redemptions: string;
      stock_out: string;
      on_hand: string;
    }>`select
        (select count(*) from (select entitlement_id from redemption group by entitlement_id having count(*) > 1) d) as doubled,
        (select count(distinct entitlement_id) from offline_receipt where outcome = 'conflict' and entitlement_id = any(${ids}::uuid[])) as flagged,
        (select count(*) from offline_receipt where outcome = 'conflict' and jsonb_array_length(held) > 0) as holding,
        (select count(*) from offline_receipt where outcome = 'conflict') as conflicts,
        (select count(*) from redemption) as redemptions,
        (select coalesce(-sum(quantity_delta), 0) from stock_movement where kind = 'redemption' and item = 'food_box') as stock_out,
        (select quantity from stock_balance where item = 'food_box') as on_hand`.execute(
      database.admin,
    );
    const row = checks.rows[0];
    await app.close();
    return {
      command: `npm run bench -- distribution-offline ${persons} ${runs} ${formats.join(',')}`,
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: loadAverage(),
      persons,
      setupSeconds,
      snapshot: {
        runs: snapshotRuns,
        bytesMax: Math.max(...snapshotRuns.map((each) => each.bytes)),
        msMax: Math.max(...snapshotRuns.map((each) => each.ms)),
        targetBytes: 5 * 1024 * 1024,
        targetMs: 5_000,
      },
      // The 10,000-receipt sync of each format (target ≤ 10 s), and v5's time over v4's.
      sync: syncs,
      ...(syncs.v4 !== undefined && syncs.v5 !== undefined
        ? { v5OverV4: +(syncs.v5.seconds / syncs.v4.seconds).toFixed(2) }
        : {}),
      overlapFormat: format,
      retry: {
        receipts: retried.length,
        seconds: retrySeconds,
        replayed: retried.filter((result) => result.replayed).length,
      },
      overlap: {
        entitlements: overlap.length,
        seconds: overlapSeconds,
        outcomes: Object.fromEntries(overlapOutcomes),
        // Entitlements with a conflict for the supervisor to decide (since migration 0140 a
        // conflict holds what remained instead of flagging the entitlement's state).
        flaggedEntitlements: Number(row?.flagged),
        // Each conflict holds what remained of what it asks (migration 0140): nothing, here.
        conflictsHolding: Number(row?.holding),
        conflictReceipts: Number(row?.conflicts),
        entitlementsCountedTwice: Number(row?.doubled),
        redemptions: Number(row?.redemptions),
        foodBoxesOut: Number(row?.stock_out),
        foodBoxesOnHand: Number(row?.on_hand),
      },
    };
  } finally {
    rmSync(keysDir, { recursive: true, force: true });
    await database.close();
  }
}

type Format = 'v4' | 'v5';

interface SyncFigures {
  receipts: number;
  seconds: number;
  receiptsPerSecond: number;
  /**
   * CPU time of this process (the app and the bench's client) and of the database's backends
   * during the sync: comparable across runs where the load moves wall time.
   */
  processCpuSeconds: number;
  databaseCpuSeconds: number;
  outcomes: Record<string, number>;
  targetSeconds: number;
}

/** The receipts synced in batches of 500 (the sync's bound), timed, with the CPU they took. */
async function timedSync(
  receipts: object[],
  sync: (batch: object[]) => Promise<{ outcome: string }[]>,
  appUrl: string,
): Promise<SyncFigures> {
  const outcomes = new Map<string, number>();
  // The backends of this bench's database only (their process titles name it), and this
  // process (every thread: the app, libuv's pool, the inject client).
  const backends = backendCpuSampler(new RegExp(` ${new URL(appUrl).pathname.slice(1)} `));
  const processAtStart = process.cpuUsage();
  const started = performance.now();
  for (let start = 0; start < receipts.length; start += 500) {
    for (const result of await sync(receipts.slice(start, start + 500))) {
      outcomes.set(result.outcome, (outcomes.get(result.outcome) ?? 0) + 1);
    }
  }
  const seconds = +((performance.now() - started) / 1000).toFixed(2);
  const processUsed = process.cpuUsage(processAtStart);
  return {
    receipts: receipts.length,
    seconds,
    receiptsPerSecond: Math.round(receipts.length / seconds),
    processCpuSeconds: +((processUsed.user + processUsed.system) / 1e6).toFixed(2),
    databaseCpuSeconds: +(backends.stop() / 1000).toFixed(2),
    outcomes: Object.fromEntries(outcomes),
    targetSeconds: 10,
  };
}

/**
 * Issues real cards (Claim 169, signed by the key store's current issuer key, as the
 * credentials module signs them) to the first `count` persons by id and records them; the
 * QR text of each, by credential id (hex). The holder's fields are made up: the sync checks the
 * signature and which card it is, not the name on it.
 */
async function realCards(
  admin: Kysely<Database>,
  keys: KeyStore,
  count: number,
): Promise<Map<string, string>> {
  const key = keys.issuerKeys.find((each) => each.kid === keys.currentIssuerKid);
  if (key === undefined) throw new Error('no current issuer key');
  const signer = createNodeSigner(key.privateKey);
  const issuedAt = Math.floor(Date.now() / 1000) - 86_400;
  const persons = await admin
    .selectFrom('person')
    .select('id')
    .orderBy('id')
    .limit(count)
    .execute();
  const qrTextOf = new Map<string, string>();
  for (let start = 0; start < persons.length; start += 1000) {
    const rows = [];
    for (const { id } of persons.slice(start, start + 1000)) {
      const card = await encodeCard({
        holder: makeHolder(),
        signer,
        issuedAt,
        profile: { validitySeconds: 5 * 365 * 86_400 },
      });
      const credentialId = Buffer.from(card.credentialId);
      qrTextOf.set(credentialId.toString('hex'), card.text);
      rows.push({
        id: credentialId,
        person_id: id,
        person_version: 1,
        kid: key.kid,
        issued_at: new Date(issuedAt * 1000),
        expires_at: new Date(card.expiresAt * 1000),
      });
    }
    await admin.insertInto('credential').values(rows).execute();
    progress(`${qrTextOf.size} real cards…`);
  }
  return qrTextOf;
}

interface SnapshotBody {
  payload: {
    snapshotId: string;
    entries: [string, string, number, number[]][];
    /** The snapshot's random salt (base64url): its card tags are keyed by it. */
    salt: string;
    /** The server's key a receipt v5 seals its card proof to (base64url). */
    proofKey: string;
    /** The household bindings (hand-overs without the card offline), when wired. */
    assisted?: { bindings: string };
  };
}

function progress(message: string): void {
  if (process.stderr.isTTY) process.stderr.write(`${message}\n`);
}
