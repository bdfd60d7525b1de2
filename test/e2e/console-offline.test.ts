import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limits } from '../../src/limits.js';
import { approvedCycle } from '../../src/modules/distribution/distribution-test-kit.js';
import { offlineDevice } from '../../src/modules/distribution/offline/offline-test-kit.js';
import type { BuiltOperator } from '../factories.js';
import { seriousAxeViolations } from './browser.js';
import { type ConsoleRun, openConsoleRun } from './console-run.js';
import {
  devicePassphrase,
  distributionPointWorld,
  readyOfflineDevice,
  unlockWith,
} from './distribution-point-kit.js';

/**
 * The point of service with the network off, in Debian's Chromium against the real server
 * (issue #15, points 5 and 6): two browser contexts are two devices of one point; each makes
 * its key pair, is registered by the supervisor, downloads the signed snapshot, then — offline —
 * checks the same card against the snapshot and hands over the same entitlement: the first in two
 * parts (part of the basket, then, checked again, what remains), the second once, then refused
 * a second hand-over by its offline allowance (one receipt per snapshot). Back online, the first
 * sync counts both parts and the second is kept as a conflict: two redemptions, one conflict,
 * the stock moved once per part. The browser's card check plus lookup is timed on every check.
 * Then, in the program's next cycle, a conflict is cleared on the supervisor's screen in favour of
 * the later receipt: the earlier hand-over is reversed, its goods back on the shelf, and the
 * reconciliation shows the reversal. First, a device whose clock has passed its snapshot's
 * warning age (`limits.distribution.offline.snapshotWarnAfterMs`) warns its operator (es, en),
 * and, with the network off, says that serving a person without a card needs the network.
 */
let run: ConsoleRun;
type Operator = BuiltOperator;
/**
 * One operator per device (the third for the old snapshot, the fourth for the older app's
 * receipt): a TOTP code is accepted once.
 */
let operators: Operator[];
let officerCookie: { amparo_session: string };
let holderQr: string;
let holderCredentialId: string;
let programId: string;
let pointId: string;
/** A card of VE-A issued after the cycle: absent from the point's snapshot. */
let absentQr: string;

beforeAll(async () => {
  run = await openConsoleRun();
  const world = await distributionPointWorld(run, {
    prefix: 'off',
    operators: 4,
    pointCode: 'kiosco-sin-red',
    pointName: 'Kiosco Petare',
    program: {
      code: 'food_offline',
      names: { es: 'Caja sin red', en: 'Offline box' },
      basket: [
        { item: 'food_box', quantity: 1, unit: 'box' },
        { item: 'rice', quantity: 5, unit: 'kg' },
      ],
    },
    delivery: { item: 'food_box', quantity: 10 },
  });
  ({ operators, officerCookie, holderQr, holderCredentialId, programId, pointId } = world);
  absentQr = await world.issueCard();
}, 120_000);

afterAll(async () => run?.close());

/** The supervisor's screen for the point, in its own browser context (its session reused). */
async function supervisorPage(): Promise<Page> {
  const page = await run.newPage('phone');
  await page
    .context()
    .addCookies([
      { name: 'amparo_session', value: officerCookie.amparo_session, url: run.server.baseUrl },
    ]);
  await page.goto(`${run.server.baseUrl}/distribution/supervision`);
  await page.getByRole('heading', { name: 'Dispositivos sin red' }).waitFor();
  return page;
}

/** A device of the point, registered through the API or on the supervisor's screen. */
function readyDevice(
  operator: Operator,
  register?: { onScreen: Page; receiptsMax: number; unitsMax: number },
) {
  return readyOfflineDevice(run, { pointId, officerCookie }, operator, register);
}

/** Checks the card offline; returns how long the browser took (check plus lookup, ms). */
async function checkCard(page: Page): Promise<number> {
  await page.getByLabel('Texto del código QR del carnet').fill(holderQr);
  await page.getByRole('button', { name: 'Verificar el carnet sin conexión' }).click();
  const answer = page.getByTestId('pos-offline-answer');
  await answer.getByText('food_box: quedan 1 box').waitFor();
  const ms = Number(await answer.getAttribute('data-ms'));
  await page.getByLabel('Texto del código QR del carnet').fill('');
  return ms;
}

/** Checks the card again (its QR text typed in) and waits for its answer. */
function page(device: Page) {
  return {
    async check() {
      await device.getByLabel('Texto del código QR del carnet').fill(holderQr);
      await device.getByRole('button', { name: 'Verificar el carnet sin conexión' }).click();
      // This check's answer: the last one (or the last hand-over's "recorded") left the screen as
      // the check started.
      await device.getByTestId('pos-offline-answer').waitFor();
    },
  };
}

/**
 * Holds the device's next WebCrypto signature — the HMAC that finds a card in the snapshot, which
 * every card check computes — until `release` is called: a check then runs until the test lets
 * it answer. `reached` says whether a check got there.
 */
async function holdNextCardCheck(device: Page) {
  // Strings: this file is typed without the DOM library.
  await device.evaluate(`(() => {
    const subtle = crypto.subtle;
    const sign = subtle.sign.bind(subtle);
    const held = new Promise((resolve) => { globalThis.amparoReleaseCheck = resolve; });
    globalThis.amparoCheckHeld = false;
    subtle.sign = (...args) => {
      delete subtle.sign;
      globalThis.amparoCheckHeld = true;
      return held.then(() => sign(...args));
    };
  })()`);
  return {
    reached: () => device.evaluate('globalThis.amparoCheckHeld'),
    release: () => device.evaluate('globalThis.amparoReleaseCheck()'),
  };
}

describe('the point of service offline', () => {
  it('warns the operator when the snapshot on the device is older than the configured age', async () => {
    const device = await readyDevice(operators[2] as Operator);
    const warning = {
      es: 'La instantánea es antigua: descargue una nueva cuando vuelva la red.',
      en: 'The snapshot is old: download a new one when the network returns.',
    };
    expect(await device.getByText(warning.es).count()).toBe(0);
    // The device's clock passes the snapshot's warning age (still before it expires): reopened,
    // the app reads the snapshot it kept in IndexedDB and warns. First in the file: the holder
    // still has an entitlement the snapshot holds.
    const { snapshotWarnAfterMs, snapshotTtlMs } = limits.distribution.offline;
    expect(snapshotWarnAfterMs + 60_000).toBeLessThan(snapshotTtlMs);
    await device.clock.setFixedTime(Date.now() + snapshotWarnAfterMs + 60_000);
    await device.reload();
    await device.getByLabel('Sin conexión (carnet)').check();
    // Reopened, the device is locked: its keys left memory with the page.
    await unlockWith(device);
    await device.getByRole('alert').getByText(warning.es).waitFor();
    await device.getByTestId('pos-snapshot').getByText('1 carnets').waitFor();
    expect(await seriousAxeViolations(device)).toEqual([]);
    // A valid card the snapshot does not hold (not of this point's area, never served here, or
    // entitled to nothing): offline only the server can tell, so the device says it needs the
    // network — not that the person has nothing to collect.
    await device.getByLabel('Texto del código QR del carnet').fill(absentQr);
    await device.getByRole('button', { name: 'Verificar el carnet sin conexión' }).click();
    await device
      .getByTestId('pos-offline-needs-network')
      .getByText('necesita conexión a la red', { exact: false })
      .waitFor();
    expect(await device.getByText('no tiene nada que retirar', { exact: false }).count()).toBe(0);
    await device.getByLabel('Texto del código QR del carnet').fill('');
    await device.getByLabel('Idioma').selectOption('en');
    await device.getByRole('alert').getByText(warning.en).waitFor();
    await device
      .getByTestId('pos-offline-needs-network')
      .getByText('needs the network', { exact: false })
      .waitFor();
    // Without the card, every second check (code, photo, household card) is the server's: with
    // the network off the app says so plainly instead of failing, in both languages.
    await device.context().setOffline(true);
    await device.getByLabel('Without a card').check();
    const needsNetwork = device.getByTestId('pos-assisted-offline');
    await needsNetwork.getByText('needs the network', { exact: false }).waitFor();
    await device.getByLabel('Language').selectOption('es');
    await needsNetwork.getByText('necesita conexión a la red', { exact: false }).waitFor();
    expect(await device.getByLabel('Número de identificación').count()).toBe(0);
    expect(await seriousAxeViolations(device)).toEqual([]);
    // Past the snapshot's expiry the device hands nothing over with it (the server would count
    // such a receipt nowhere): the operator is told, and nothing waits to sync.
    // Not reloaded: the browser would drop the session's cookie, long expired by then.
    await device.clock.setFixedTime(Date.now() + snapshotTtlMs + 60_000);
    await device.getByLabel('Sin conexión (carnet)').check();
    await device.getByTestId('pos-snapshot-expired').getByText('La instantánea venció').waitFor();
    await page(device).check();
    await device.getByRole('button', { name: 'Entregar las cantidades indicadas' }).click();
    await device.getByTestId('pos-offline-refusal').getByText('La instantánea venció').waitFor();
    await device.getByTestId('pos-pending').getByText('0').waitFor();
    // And the expired snapshot has left the device's storage, with what was counted against it.
    expect(await keptSnapshotKeys(device)).toEqual([]);
    await device.context().close();
  }, 60_000);

  it('redeems with the network off on two devices: two parts counted, one conflict, the allowance kept', async () => {
    const [one, two] = operators as [Operator, Operator];
    const supervisor = await supervisorPage();
    const [first, second] = [
      await readyDevice(one),
      // The second device is registered on the supervisor's screen, with an allowance of one
      // receipt and 40 units.
      await readyDevice(two, { onScreen: supervisor, receiptsMax: 1, unitsMax: 40 }),
    ];
    for (const page of [first, second]) await page.context().setOffline(true);

    // Timed, not asserted: a test on a shared CI machine must not fail on its neighbours' load
    // (figures in BENCHMARKS.md). The first check loads the codec and is left out.
    await checkCard(first);
    const timings: number[] = [];
    for (let round = 0; round < 20; round += 1) timings.push(await checkCard(first));
    timings.sort((a, b) => a - b);
    console.info(
      `offline check + lookup in the browser (20 checks): p50 ${timings[10]} ms, p99 ${timings[19]} ms`,
    );

    const handOver = async (page: Page, quantities: Record<string, number>) => {
      for (const [item, quantity] of Object.entries(quantities)) {
        await page.getByLabel(new RegExp(`^${item} a entregar`)).fill(String(quantity));
      }
      await page.getByRole('button', { name: 'Entregar las cantidades indicadas' }).click();
    };
    // The first device: part of the basket, then, checked again, what remains of it.
    await page(first).check();
    await handOver(first, { food_box: 1, rice: 2 });
    await first.getByText('Registrada en este dispositivo').waitFor();
    await first.getByTestId('pos-pending').getByText('1').waitFor();
    await page(first).check();
    await first.getByTestId('pos-offline-answer').getByText('rice: quedan 3 kg').waitFor();
    await handOver(first, {});
    await first.getByTestId('pos-pending').getByText('2').waitFor();
    // The second device: one hand-over, then its allowance (one receipt) refuses another.
    await checkCard(second);
    // A check still running (session 21's flake): the last answer leaves the screen as it starts.
    // It used to stay, the quantity was typed into it, and this check's answer, landing after,
    // reset it to all that remained: the whole basket was recorded, the next check showed nothing
    // left and the button disabled.
    const held = await holdNextCardCheck(second);
    await second.getByLabel('Texto del código QR del carnet').fill(holderQr);
    await second.getByRole('button', { name: 'Verificar el carnet sin conexión' }).click();
    await expect.poll(held.reached).toBe(true);
    expect(await second.getByTestId('pos-offline-answer').count()).toBe(0);
    await held.release();
    await handOver(second, { rice: 1 });
    await second.getByTestId('pos-pending').getByText('1').waitFor();
    await page(second).check();
    await second.getByTestId('pos-offline-answer').getByText('rice: quedan 4 kg').waitFor();
    await handOver(second, {});
    await second.getByRole('alert').getByText('Se agotó el margen sin red').waitFor();
    await second.getByTestId('pos-pending').getByText('1').waitFor();
    expect(await seriousAxeViolations(first)).toEqual([]);

    for (const [page, expected] of [
      [first, 'Sincronizado: 2 contadas, 0 en conflicto'],
      [second, 'Sincronizado: 0 contadas, 1 en conflicto'],
    ] as const) {
      // Back online, each device syncs by itself (no button pressed).
      await page.context().setOffline(false);
      await page.getByTestId('pos-sync-result').getByText(expected).waitFor();
      await page.getByTestId('pos-pending').getByText('0').waitFor();
    }
    const counts = await run.server.database.asAdmin((admin) =>
      sql<{ redemptions: unknown; conflicts: unknown; open: unknown; on_hand: unknown }>`
        select (select count(*) from redemption where point_id = ${pointId}) as redemptions,
               (select count(*) from offline_receipt where point_id = ${pointId} and outcome = 'conflict') as conflicts,
               (select count(*) from offline_receipt o
                 where o.point_id = ${pointId} and o.outcome = 'conflict'
                   and not exists (select 1 from offline_conflict_resolution c
                                    where c.receipt_id = o.id)) as open,
               (select quantity from stock_balance where point_id = ${pointId} and item = 'food_box') as on_hand`.execute(
        admin,
      ),
    );
    const row = counts.rows[0];
    expect([row?.redemptions, row?.conflicts, row?.on_hand].map(Number)).toEqual([2, 1, 9]);
    expect(Number(row?.open)).toBe(1);

    // The supervisor clears the conflict: the first receipt stands; the second device's goods
    // did leave, so they are written off. No conflict is left open.
    await supervisor.reload();
    const conflicts = supervisor.getByTestId('supervision-conflicts');
    await conflicts.getByText('Teléfono B').waitFor();
    expect(await seriousAxeViolations(supervisor)).toEqual([]);
    await conflicts
      .getByRole('button', { name: 'Vale el primer recibo: resolver el conflicto' })
      .click();
    await conflicts
      .getByText('Resuelto: vale el primer recibo; estos bienes se dieron de baja.')
      .waitFor();
    // The conflict names its entitlement: the holds panel takes it, with where it came from.
    await conflicts.getByRole('button', { name: 'Retener esta entrega para revisión' }).click();
    await supervisor
      .getByTestId('hold-target')
      .getByText('la del conflicto del dispositivo Teléfono B', { exact: false })
      .waitFor();
    await supervisor.getByRole('button', { name: 'Elegir otra entrega' }).click();
    const after = await run.server.database.asAdmin((admin) =>
      sql<{ open: unknown; on_hand: unknown }>`
        select (select count(*) from offline_receipt o
                 where o.point_id = ${pointId} and o.outcome = 'conflict'
                   and not exists (select 1 from offline_conflict_resolution c
                                    where c.receipt_id = o.id)) as open,
               (select quantity from stock_balance where point_id = ${pointId} and item = 'food_box') as on_hand`.execute(
        admin,
      ),
    );
    // The second device's box (with its rice) left the point too: 10 delivered − 1 − 1.
    expect([after.rows[0]?.open, after.rows[0]?.on_hand].map(Number)).toEqual([0, 8]);

    await laterReceiptStands(supervisor, first, one.id);
    // Two devices, two sessions and a supervisor's screen: more than the default 30 s when the
    // machine is shared.
  }, 150_000);

  it('keeps the receipts the sync refused on the device, with their reasons, until someone has seen them', async () => {
    const device = await readyDevice(operators[3] as Operator);
    // A part of the basket handed over while the device's clock ran ten minutes behind (before
    // its snapshot was issued) …
    await device.clock.setFixedTime(Date.now() - 10 * 60_000);
    await device.getByLabel('Texto del código QR del carnet').fill(absentQr);
    await device.getByRole('button', { name: 'Verificar el carnet sin conexión' }).click();
    await device.getByLabel(/^food_box a entregar/).fill('0');
    await device.getByLabel(/^rice a entregar/).fill('1');
    await device.getByRole('button', { name: 'Entregar las cantidades indicadas' }).click();
    await device.getByText('Registrada en este dispositivo').waitFor();
    await device.getByTestId('pos-pending').getByText('1').waitFor();
    // … and the rest while it ran ten minutes ahead, synced once the clock is right.
    await device.clock.setFixedTime(Date.now() + 10 * 60_000);
    await device.getByLabel('Texto del código QR del carnet').fill(absentQr);
    await device.getByRole('button', { name: 'Verificar el carnet sin conexión' }).click();
    await device.getByRole('button', { name: 'Entregar las cantidades indicadas' }).click();
    await device.getByText('Registrada en este dispositivo').waitFor();
    await device.getByTestId('pos-pending').getByText('2').waitFor();
    await device.clock.setFixedTime(Date.now());
    await device.getByRole('button', { name: 'Sincronizar ahora' }).click();
    await device
      .getByTestId('pos-sync-result')
      .getByText('Sincronizado: 0 contadas, 0 en conflicto (para revisión), 2 rechazadas.')
      .waitFor();
    // Refused, they no longer wait to sync, and stay, with their reasons, across a reload; the
    // one that carried its card's QR text keeps it no longer.
    await device.getByTestId('pos-pending').getByText('0').waitFor();
    expect(await keptOnDevice(device)).toBe(2);
    await device.reload();
    await device.getByLabel('Sin conexión (carnet)').check();
    await unlockWith(device);
    const refused = device.getByTestId('pos-sync-refused');
    await refused.getByText('2 entregas rechazadas al sincronizar').waitFor();
    await refused.getByText('con una instantánea vencida', { exact: false }).waitFor();
    await refused.getByText('La hora de este equipo está muy lejos', { exact: false }).waitFor();
    const earlierId = await refused
      .getByText(/\(recibo [0-9a-f]{8}\)/)
      .first()
      .textContent();
    const olderId = /recibo ([0-9a-f]{8})/.exec(earlierId ?? '')?.[1] ?? '';
    expect(await seriousAxeViolations(device)).toEqual([]);
    await device.getByLabel('Idioma').selectOption('en');
    await refused.getByText('2 hand-overs refused by the sync').waitFor();
    await refused.getByText('made with an expired snapshot', { exact: false }).waitFor();
    // The server counted neither and audited each refusal with its code.
    const audited = await run.server.database.asAdmin((admin) =>
      sql<{ code: string }>`select distinct entry::json->>'reasonCode' as code from audit_entry
        where entry::json->>'reasonCode' in ('AMP_SNAPSHOT_EXPIRED', 'AMP_DEVICE_CLOCK_OFF')
        order by 1`.execute(admin),
    );
    expect(audited.rows.map((row) => row.code)).toEqual([
      'AMP_DEVICE_CLOCK_OFF',
      'AMP_SNAPSHOT_EXPIRED',
    ]);
    await refused
      .getByRole('button', { name: `Seen: remove receipt ${olderId} from this device` })
      .click();
    await refused.getByText('1 hand-over refused by the sync').waitFor();
    await refused.getByRole('button', { name: /^Seen: remove receipt / }).click();
    await refused.waitFor({ state: 'detached' });
    await device.reload();
    // The language chosen is kept across the reload.
    await device.getByLabel('Offline (card)').check();
    await device.getByTestId('pos-passphrase').fill(devicePassphrase);
    await device.getByRole('button', { name: 'Unlock' }).click();
    await device.getByTestId('pos-unlocked').waitFor();
    await device.getByTestId('pos-pending').getByText('0').waitFor();
    expect(await device.getByTestId('pos-sync-refused').count()).toBe(0);
    expect(await keptOnDevice(device)).toBe(0);
    await device.context().close();
  }, 90_000);
});

/**
 * The receipts the device keeps, as IndexedDB holds them: sealed (store, key, IV, ciphertext),
 * so only their number can be read from outside the app; none holds a card's QR text in clear.
 */
async function keptOnDevice(device: Page): Promise<number> {
  const script = `new Promise((resolve, reject) => {
    const open = indexedDB.open('amparo-pos');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const request = open.result.transaction('pending').objectStore('pending').getAll();
      request.onerror = () => reject(request.error);
      request.onsuccess = () => {
        open.result.close();
        resolve(request.result.map((each) => Object.keys(each).sort().join(',')));
      };
    };
  })`;
  // Safe: the page script above resolves to this shape.
  const kept = (await device.evaluate(script)) as string[];
  for (const keys of kept) expect(keys).toBe('data,iv,key,pointId');
  return kept.length;
}

/**
 * The supervisor clears a conflict for the later receipt (issue #15, point 5; migration 0074) on
 * screen. The program's next cycle entitles the holder again; two devices of the point (keys made
 * here as a device makes them, receipts signed alike; the operator's session is the first
 * device's) hand it over offline: the first part of it counted, the second the whole basket, kept
 * as a conflict. The supervisor chooses the later receipt, the earlier goods not having left:
 * the earlier redemption is reversed, its box returns to stock, and the reconciliation says so.
 */
async function laterReceiptStands(
  supervisor: Page,
  device: Page,
  operatorId: string,
): Promise<void> {
  const session = (await device.context().cookies()).find((c) => c.name === 'amparo_session');
  const call = (url: string, payload?: object, cookies = officerCookie) =>
    run.server.app.inject({
      method: payload === undefined ? 'GET' : 'POST',
      url: `/api/distribution/points/${pointId}/${url}?purpose=distribution`,
      cookies,
      ...(payload === undefined ? {} : { payload }),
    });
  const operatorCookie = { amparo_session: session?.value ?? '' };
  const { cycleId } = await approvedCycle(run.server, programId, '2027-01-01');
  const entitlement = await run.server.database.asAdmin((admin) =>
    // The holder's (the one the point served), not the absent card's person's: the cycle
    // entitles both, and a row without an order comes back in either order.
    sql<{ id: string }>`select id from entitlement
      where cycle_id = ${cycleId}
        and person_id in (select person_id from redemption where point_id = ${pointId})`.execute(
      admin,
    ),
  );
  expect(entitlement.rows).toHaveLength(1);
  const entitlementId = entitlement.rows[0]?.id ?? '';
  const handOvers: { receiptId: string; outcome: string; redemptionId: string | null }[] = [];
  const made = [
    { label: 'Tableta C', lines: { food_box: 1, rice: 2 }, key: offlineDevice(operatorId) },
    { label: 'Tableta D', lines: { food_box: 1, rice: 5 }, key: offlineDevice(operatorId) },
  ];
  const snapshots: { deviceId: string; snapshotId: string }[] = [];
  for (const each of made) {
    const registered = await call('devices', each.key.registration(pointId, each.label));
    expect(registered.statusCode, registered.body).toBe(201);
    const deviceId: string = registered.json().id;
    const snapshot = await call(`devices/${deviceId}/snapshot`, undefined, operatorCookie);
    expect(snapshot.statusCode, snapshot.body).toBe(200);
    snapshots.push({ deviceId, snapshotId: snapshot.json().payload.snapshotId });
  }
  for (const [index, each] of made.entries()) {
    const { deviceId, snapshotId } = snapshots[index] ?? { deviceId: '', snapshotId: '' };
    const receipt = each.key.receipt(pointId, deviceId, {
      snapshotId,
      entitlementId,
      credentialId: holderCredentialId,
      qrText: holderQr,
      lines: Object.entries(each.lines).map(([item, quantity]) => ({ item, quantity })),
      deviceTime: Date.now() - 60_000 + index * 10_000,
    });
    const synced = await call(
      'offline-syncs',
      { deviceId, deviceNow: Date.now(), receipts: [receipt] },
      operatorCookie,
    );
    expect(synced.statusCode, synced.body).toBe(200);
    handOvers.push(synced.json().results[0]);
  }
  expect(
    handOvers.map((each) => each.outcome),
    JSON.stringify(handOvers),
  ).toEqual(['counted', 'conflict']);
  const onHand = async () =>
    Number(
      (
        await run.server.database.asAdmin((admin) =>
          sql<{ quantity: unknown }>`select quantity from stock_balance
            where point_id = ${pointId} and item = 'food_box'`.execute(admin),
        )
      ).rows[0]?.quantity,
    );
  const before = await onHand();

  // Online at the point, the card shows the 3 kg held as in dispute, not a bare 0 remaining,
  // and nothing of the other device's receipt; in English too.
  await device.getByRole('radio', { name: 'Con su carnet', exact: true }).check();
  await device.getByLabel('Texto del código QR del carnet').fill(holderQr);
  await device.getByRole('button', { name: 'Ver lo que puede retirar' }).click();
  const disputed = device.getByTestId('pos-in-dispute');
  await disputed
    .getByText(
      '3 kg en disputa: en revisión por el supervisor (una entrega sin conexión en conflicto)',
    )
    .waitFor();
  expect(await device.getByTestId('pos-entitlements').textContent()).not.toContain('Tableta D');
  expect(await seriousAxeViolations(device)).toEqual([]);
  await device.getByLabel('Idioma').selectOption('en');
  await disputed
    .getByText('3 kg in dispute: under review by the supervisor (a conflicting offline hand-over)')
    .waitFor();
  await device.getByLabel('Language').selectOption('es');

  await supervisor.reload();
  const conflict = supervisor
    .getByTestId('supervision-conflicts')
    .getByRole('listitem')
    .filter({ hasText: 'Tableta D' });
  // It holds the 3 kg that remained when it was synced; the rest of the entitlement is not held.
  await conflict
    .getByText(
      'Retenido hasta resolverlo: 3 rice. El resto del beneficio se puede seguir entregando.',
    )
    .waitFor();
  await conflict.getByLabel('Este, el posterior: las entregas anteriores se anulan').check();
  await conflict
    .getByRole('checkbox', { name: 'Los bienes de las entregas anteriores sí salieron del punto' })
    .uncheck();
  await conflict
    .getByRole('button', { name: 'Vale el recibo posterior: resolver el conflicto' })
    .click();
  await conflict
    .getByText('Resuelto: vale el recibo posterior; las entregas anteriores se anularon.')
    .waitFor();
  const reversed = await run.server.database.asAdmin((admin) =>
    sql<{ redemption_id: string; goods_returned: boolean }>`
      select redemption_id, goods_returned from redemption_reversal
       where receipt_id = ${handOvers[1]?.receiptId ?? ''}`.execute(admin),
  );
  expect(reversed.rows).toEqual([
    { redemption_id: handOvers[0]?.redemptionId, goods_returned: true },
  ]);
  // The later receipt's box left; the earlier one's came back.
  expect(await onHand()).toBe(before);

  // The reconciliation of the new cycle (the newest, shown first) shows the reversed hand-over.
  await supervisor.reload();
  const figures = supervisor.getByTestId('reconciliation');
  const figure = (name: string) =>
    figures
      .locator('div')
      .filter({ has: supervisor.getByText(name, { exact: true }) })
      .locator('dd')
      .first();
  await figure('Entregas anuladas (conflictos)').waitFor();
  expect(await figure('Entregas anuladas (conflictos)').textContent()).toBe('1');
  expect(await figure('Entregas').textContent()).toBe('1');
  expect(await figure('Devuelto al inventario (incluido en ajustes)').textContent()).toBe('1');
  expect(await seriousAxeViolations(supervisor)).toEqual([]);
}

/** The keys of the point-of-service app's snapshot store in IndexedDB (snapshots and usage). */
function keptSnapshotKeys(device: Page): Promise<unknown> {
  // Run in the page, where IndexedDB is (a string: this file is typed without the DOM library).
  return device.evaluate(`new Promise((resolve, reject) => {
    const opened = indexedDB.open('amparo-pos');
    opened.onerror = () => reject(opened.error);
    opened.onsuccess = () => {
      const keys = opened.result.transaction('snapshot').objectStore('snapshot').getAllKeys();
      keys.onsuccess = () => resolve([...keys.result]);
      keys.onerror = () => reject(keys.error);
    };
  })`);
}
