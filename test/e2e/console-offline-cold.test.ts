import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuiltOperator } from '../factories.js';
import { overflowsHorizontally, seriousAxeViolations } from './browser.js';
import { type ConsoleRun, openConsoleRun } from './console-run.js';
import {
  type DistributionPointWorld,
  distributionPointWorld,
  readyOfflineDevice,
  unlockWith,
} from './distribution-point-kit.js';

/**
 * The point of service started with the network already off (issue #15, points 5 and 6), in
 * Debian's Chromium against the real server: the device was online once — the operator signed
 * in, its key was registered, it downloaded the snapshot — and the page was closed. Then, with
 * the browser offline, the app is opened anew: the service worker serves the app shell, the
 * device is locked until the operator's passphrase unwraps its keys, the snapshot comes from
 * IndexedDB, the card is checked and a hand-over recorded;
 * back online, the sync counts it, and the server holds exactly one redemption and one stock
 * movement for it.
 */
let run: ConsoleRun;
let world: DistributionPointWorld;

beforeAll(async () => {
  run = await openConsoleRun();
  world = await distributionPointWorld(run, {
    prefix: 'cold',
    operators: 1,
    pointCode: 'kiosco-en-frio',
    pointName: 'Kiosco La Vega',
    program: {
      code: 'food_cold',
      names: { es: 'Caja en frío', en: 'Cold-start box' },
      basket: [
        { item: 'food_box', quantity: 1, unit: 'box' },
        { item: 'rice', quantity: 5, unit: 'kg' },
      ],
    },
    delivery: { item: 'food_box', quantity: 10 },
  });
}, 120_000);

afterAll(async () => run?.close());

async function serverFigures() {
  const result = await run.server.database.asAdmin((admin) =>
    sql<{ redemptions: unknown; receipts: unknown; on_hand: unknown; moves: unknown }>`
      select (select count(*) from redemption where point_id = ${world.pointId}) as redemptions,
             (select count(*) from offline_receipt where point_id = ${world.pointId}) as receipts,
             (select quantity from stock_balance
               where point_id = ${world.pointId} and item = 'food_box') as on_hand,
             (select count(*) from stock_movement
               where point_id = ${world.pointId} and item = 'food_box'
                 and kind = 'redemption') as moves`.execute(admin),
  );
  const row = result.rows[0];
  return [row?.redemptions, row?.receipts, row?.on_hand, row?.moves].map(Number);
}

describe('the point of service started offline', () => {
  it('opens with the network off from the service worker and IndexedDB, redeems, and syncs once', async () => {
    const operator = world.operators[0] as BuiltOperator;
    const online = await readyOfflineDevice(run, world, operator);
    // The service worker that keeps the app shell is installed and active for /distribution.
    expect(
      await online.evaluate('navigator.serviceWorker.ready.then((r) => new URL(r.scope).pathname)'),
    ).toBe('/distribution');
    const context = online.context();
    await online.close();

    await context.setOffline(true);
    const device = await context.newPage();
    device.setDefaultTimeout(15_000);
    await device.goto(`${run.server.baseUrl}/distribution`);
    expect(await device.evaluate('navigator.onLine')).toBe(false);
    expect(await device.evaluate('navigator.serviceWorker.controller !== null')).toBe(true);
    await device.getByRole('heading', { name: 'Punto de entrega' }).waitFor();
    await device.getByTestId('pos-cold-start').waitFor();
    // Opened anew, the device is locked: nothing of the snapshot or the card check until the
    // operator's passphrase unwraps its keys.
    await device.getByTestId('pos-unlock').waitFor();
    expect(await device.getByLabel('Texto del código QR del carnet').count()).toBe(0);
    await unlockWith(device);
    await device.getByTestId('pos-snapshot').getByText('1 carnets').waitFor();
    await device
      .getByTestId('pos-device-id')
      .getByText(/^[0-9a-f-]{36}$/)
      .waitFor();

    await device.getByLabel('Texto del código QR del carnet').fill(world.holderQr);
    await device.getByRole('button', { name: 'Verificar el carnet sin conexión' }).click();
    const answer = device.getByTestId('pos-offline-answer');
    await answer.getByText('food_box: quedan 1 box').waitFor();
    await answer.getByText('rice: quedan 5 kg').waitFor();
    await device.getByRole('button', { name: 'Entregar las cantidades indicadas' }).click();
    await device.getByText('Registrada en este dispositivo').waitFor();
    await device.getByTestId('pos-pending').getByText('1').waitFor();
    expect(await seriousAxeViolations(device)).toEqual([]);
    expect(await overflowsHorizontally(device)).toBe(false);
    // Nothing reached the server while offline.
    expect(await serverFigures()).toEqual([0, 0, 10, 0]);

    // Back online, the device syncs by itself.
    const sent = device.waitForRequest(
      (request) => request.method() === 'POST' && request.url().includes('/offline-syncs'),
    );
    await context.setOffline(false);
    await device
      .getByTestId('pos-sync-result')
      .getByText('Sincronizado: 1 contadas, 0 en conflicto')
      .waitFor();
    // The receipt as the device kept it (receipt v5): the card only sealed to the server, neither
    // its id nor its QR text; the server opened it and counted it.
    const body = (await sent).postData() ?? '';
    const [receipt] = JSON.parse(body).receipts;
    expect(receipt.sealedProof).toMatch(/^[A-Za-z0-9_-]{100,}$/);
    expect(receipt.credentialId).toBeUndefined();
    expect(receipt.qrText).toBeUndefined();
    expect(body).not.toContain(world.holderCredentialId);
    expect(body).not.toContain(world.holderQr.slice(0, 24));
    await device.getByTestId('pos-pending').getByText('0').waitFor();
    // One redemption, one receipt, one box out by one stock movement.
    expect(await serverFigures()).toEqual([1, 1, 9, 1]);
    // Back online, the operator opens the full point of service with the session kept.
    await device.getByRole('button', { name: 'Abrir el punto de entrega completo' }).click();
    await device.getByTestId('pos-stock').getByText('food_box: 9').waitFor();
    expect(run.pageErrors).toEqual([]);
  }, 120_000);
});
