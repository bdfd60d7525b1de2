import { sql } from 'kysely';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuiltOperator } from '../factories.js';
import { type ConsoleRun, openConsoleRun } from './console-run.js';
import {
  type DistributionPointWorld,
  devicePassphrase,
  distributionPointWorld,
  readyOfflineDevice,
  unlockWith,
} from './distribution-point-kit.js';

/**
 * Pending offline receipts are seen and synced whatever the point of service shows (review of
 * session 19, possync), in Debian's Chromium against the real server. They used to be read, and
 * synced when the network returned, only by the offline panel, shown in offline mode at an open
 * point; the page opens in card mode. Here: receipts made offline, the page reloaded, the count
 * shown in card mode and synced when the network returns without entering offline mode; at a
 * point closed since, synced by "Sincronizar ahora"; and a removed operator's receipt synced by
 * the supervisor signed in on the device. The receipts are sealed with the device's data key
 * (lane unlock): locked, the page shows only how many are held, and a sync (by hand or on the
 * network's return) asks for the unlock and runs right after it.
 */
let run: ConsoleRun;
let world: DistributionPointWorld;

beforeAll(async () => {
  run = await openConsoleRun();
  world = await distributionPointWorld(run, {
    prefix: 'possync',
    operators: 1,
    pointCode: 'kiosco-sincroniza',
    pointName: 'Kiosco Catia',
    program: {
      code: 'food_possync',
      names: { es: 'Arroz por partes', en: 'Rice in parts' },
      basket: [{ item: 'rice', quantity: 5, unit: 'kg' }],
    },
    delivery: { item: 'rice', quantity: 50 },
  });
}, 120_000);

afterAll(async () => run?.close());

/** Offline mode, network off: the card checked against the snapshot, `kilos` of rice handed over. */
async function handOverOffline(device: Page, kilos: number, pendingAfter: number, locked = false) {
  // The page has its point (asked of the server) before the network goes.
  await device.getByLabel('Sin conexión (carnet)').waitFor();
  await device.context().setOffline(true);
  await device.getByLabel('Sin conexión (carnet)').check();
  if (locked) await unlockWith(device);
  await device.getByLabel('Texto del código QR del carnet').fill(world.holderQr);
  await device.getByRole('button', { name: 'Verificar el carnet sin conexión' }).click();
  await device.getByLabel(/^rice a entregar/).fill(String(kilos));
  await device.getByRole('button', { name: 'Entregar las cantidades indicadas' }).click();
  await device.getByText('Registrada en este dispositivo').waitFor();
  await device.getByTestId('pos-pending').getByText(String(pendingAfter)).waitFor();
}

/** The point's redemptions and kilos of rice on hand, as the server holds them. */
async function serverFigures(): Promise<number[]> {
  const result = await run.server.database.asAdmin((admin) =>
    sql<{ redemptions: unknown; on_hand: unknown }>`
      select (select count(*) from redemption where point_id = ${world.pointId}) as redemptions,
             (select quantity from stock_balance
               where point_id = ${world.pointId} and item = 'rice') as on_hand`.execute(admin),
  );
  const row = result.rows[0];
  return [row?.redemptions, row?.on_hand].map(Number);
}

const syncRoute = '**/offline-syncs?*';

/**
 * A sync asked for while the device is locked: nothing sent, the unlock form shown with the
 * page's pending count; the slot's passphrase typed, the sync runs and counts the receipt.
 */
async function unlockToSync(where: Locator, redemptionsBefore: number) {
  const asked = where.getByTestId('pos-sync-unlock');
  await asked.getByText('Para sincronizar, desbloquee el dispositivo').waitFor();
  expect((await serverFigures())[0]).toBe(redemptionsBefore);
  await asked.getByTestId('pos-passphrase').fill(devicePassphrase);
  await asked.getByRole('button', { name: 'Desbloquear' }).click();
  await where
    .getByTestId('pos-sync-result')
    .getByText('Sincronizado: 1 contadas, 0 en conflicto')
    .waitFor();
}

/** The point changed by the supervisor through the API (closed, an operator removed). */
async function changePoint(payload: object) {
  const response = await run.server.app.inject({
    method: 'POST',
    url: `/api/distribution/points/${world.pointId}/changes?purpose=distribution`,
    cookies: world.officerCookie,
    payload,
  });
  expect(response.statusCode, response.body).toBe(200);
}

describe('pending offline receipts on the point of service', () => {
  it('shows the count in card mode after a reload and syncs when the network returns, without offline mode', async () => {
    const operator = world.operators[0] as BuiltOperator;
    const device = await readyOfflineDevice(run, world, operator);
    await handOverOffline(device, 1, 1);
    // The server cannot be reached when the network returns (its sync fails), and the page is
    // reloaded: it opens in card mode, as always.
    await device.route(syncRoute, (route) => route.abort());
    await device.context().setOffline(false);
    await device.getByRole('alert').first().waitFor();
    await device.reload();
    await device.getByRole('radio', { name: 'Con su carnet', exact: true }).waitFor();
    expect(
      await device.getByRole('radio', { name: 'Con su carnet', exact: true }).isChecked(),
    ).toBe(true);
    // Reloaded, the device is locked: its receipts are sealed, only their count is shown.
    await device.getByTestId('pos-pending').getByText('1').waitFor();
    await device.getByTestId('pos-sync-locked').waitFor();
    expect(await serverFigures()).toEqual([0, 50]);

    // The network goes and returns; the page, still in card mode, asks for the unlock and syncs
    // right after it.
    await device.unroute(syncRoute);
    await device.context().setOffline(true);
    await device.context().setOffline(false);
    await unlockToSync(device.locator('body'), 0);
    await device.getByTestId('pos-pending').getByText('0').waitFor();
    expect(
      await device.getByRole('radio', { name: 'Con su carnet', exact: true }).isChecked(),
    ).toBe(true);
    expect(await serverFigures()).toEqual([1, 49]);

    // At a point closed since, the receipt is still shown and synced by hand.
    await handOverOffline(device, 2, 1);
    await device.getByRole('radio', { name: 'Con su carnet', exact: true }).check();
    await device.route(syncRoute, (route) => route.abort());
    await device.context().setOffline(false);
    await device.getByTestId('pos-sync-error').waitFor();
    await changePoint({ status: 'closed' });
    await device.reload();
    await device.getByTestId('pos-point-closed').waitFor();
    await device.getByTestId('pos-pending').getByText('1').waitFor();
    await device.unroute(syncRoute);
    await device.getByRole('button', { name: 'Sincronizar ahora' }).click();
    await unlockToSync(device.locator('body'), 1);
    expect(await serverFigures()).toEqual([2, 47]);

    // A receipt of an operator removed from the point (reopened): their sync is refused, and
    // the supervisor, signed in on the device, syncs it from the supervision screen.
    await changePoint({ status: 'open' });
    await device.reload();
    await handOverOffline(device, 1, 1, true);
    await device.route(syncRoute, (route) => route.abort());
    await device.context().setOffline(false);
    await device.getByTestId('pos-sync-error').waitFor();
    await changePoint({ removeOperators: [operator.id] });
    const context = device.context();
    await context.clearCookies();
    await context.addCookies([
      {
        name: 'amparo_session',
        value: world.officerCookie.amparo_session,
        url: run.server.baseUrl,
      },
    ]);
    await device.unroute(syncRoute);
    await device.goto(`${run.server.baseUrl}/distribution/supervision`);
    const held = device.getByTestId('supervised-sync');
    await held.getByTestId('pos-pending').getByText('1').waitFor();
    // The supervisor has no slot on the device: the operator who holds one unlocks it (their
    // passphrase is the device's, not their account's), and the supervisor's sync runs.
    await held.getByRole('button', { name: 'Sincronizar ahora' }).click();
    await unlockToSync(held, 2);
    expect(await serverFigures()).toEqual([3, 46]);
    expect(run.pageErrors).toEqual([]);
  }, 180_000);
});
