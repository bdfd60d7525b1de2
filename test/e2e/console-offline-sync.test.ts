import { sql } from 'kysely';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { BuiltOperator } from '../factories.js';
import { sessionCookieOf } from './browser.js';
import {
  devicePassphrase,
  pointWorldOfFile,
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
const file = pointWorldOfFile({
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

/** Offline mode, network off: the card checked against the snapshot, `kilos` of rice handed over. */
async function handOverOffline(device: Page, kilos: number, pendingAfter: number, locked = false) {
  // The page has its point (asked of the server) before the network goes.
  await device.getByLabel('Sin conexión (carnet)').waitFor();
  await device.context().setOffline(true);
  await device.getByLabel('Sin conexión (carnet)').check();
  if (locked) await unlockWith(device);
  await device.getByLabel('Texto del código QR del carnet').fill(file.world.holderQr);
  await device.getByRole('button', { name: 'Verificar el carnet sin conexión' }).click();
  await device.getByLabel(/^rice a entregar/).fill(String(kilos));
  await device.getByRole('button', { name: 'Entregar las cantidades indicadas' }).click();
  await device.getByText('Registrada en este dispositivo').waitFor();
  await device.getByTestId('pos-pending').getByText(String(pendingAfter)).waitFor();
}

/** The point's redemptions and kilos of rice on hand, as the server holds them. */
async function serverFigures(): Promise<number[]> {
  const result = await file.run.server.database.asAdmin((admin) =>
    sql<{ redemptions: unknown; on_hand: unknown }>`
      select (select count(*) from redemption where point_id = ${file.world.pointId}) as redemptions,
             (select quantity from stock_balance
               where point_id = ${file.world.pointId} and item = 'rice') as on_hand`.execute(admin),
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
  const response = await file.run.server.app.inject({
    method: 'POST',
    url: `/api/distribution/points/${file.world.pointId}/changes?purpose=distribution`,
    cookies: file.world.officerCookie,
    payload,
  });
  expect(response.statusCode, response.body).toBe(200);
}

describe('pending offline receipts on the point of service', () => {
  it('syncs by itself when the page opens online (asking a locked device for the unlock first), shows the count in card mode, and syncs at a closed point by hand', async () => {
    const operator = file.world.operators[0] as BuiltOperator;
    const device = await readyOfflineDevice(file.run, file.world, operator);
    await handOverOffline(device, 1, 1);
    // The server cannot be reached when the network returns (its sync fails).
    await device.route(syncRoute, (route) => route.abort());
    await device.context().setOffline(false);
    await device.getByRole('alert').first().waitFor();
    await device.unroute(syncRoute);
    // The point of service opened again in the app (the device still unlocked), online: the
    // receipt is synced on load, without the button or the network's return (review of
    // session 20).
    await device.getByRole('link', { name: 'Existencias', exact: true }).first().click();
    await device.getByRole('heading', { name: 'Existencias de un punto de entrega' }).waitFor();
    await device.getByRole('link', { name: 'Entregar', exact: true }).first().click();
    await device
      .getByTestId('pos-sync-result')
      .getByText('Sincronizado: 1 contadas, 0 en conflicto')
      .waitFor();
    await device.getByTestId('pos-pending').getByText('0').waitFor();
    expect(await serverFigures()).toEqual([1, 49]);

    // Another, whose sync fails too; then the page is reloaded: it opens in card mode, as
    // always, and locked.
    await handOverOffline(device, 1, 1);
    await device.route(syncRoute, (route) => route.abort());
    await device.context().setOffline(false);
    await device.getByRole('alert').first().waitFor();
    await device.unroute(syncRoute);
    await device.reload();
    await device.getByRole('radio', { name: 'Con su carnet', exact: true }).waitFor();
    expect(
      await device.getByRole('radio', { name: 'Con su carnet', exact: true }).isChecked(),
    ).toBe(true);
    // Reloaded, the device is locked: its receipts are sealed, only their count is shown, and
    // the page, online, asks at once for the unlock to sync them, and syncs right after it.
    await device.getByTestId('pos-pending').getByText('1').waitFor();
    await device.getByTestId('pos-sync-locked').waitFor();
    await unlockToSync(device.locator('body'), 1);
    await device.getByTestId('pos-pending').getByText('0').waitFor();
    expect(
      await device.getByRole('radio', { name: 'Con su carnet', exact: true }).isChecked(),
    ).toBe(true);
    expect(await serverFigures()).toEqual([2, 48]);

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
    await unlockToSync(device.locator('body'), 2);
    expect(await serverFigures()).toEqual([3, 46]);

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
        value: file.world.officerCookie.amparo_session,
        url: file.run.server.baseUrl,
      },
    ]);
    await device.unroute(syncRoute);
    await device.goto(`${file.run.server.baseUrl}/distribution/supervision`);
    const held = device.getByTestId('supervised-sync');
    await held.getByTestId('pos-pending').getByText('1').waitFor();
    // The supervisor has no slot on the device: the operator who holds one unlocks it (their
    // passphrase is the device's, not their account's), and the supervisor's sync runs.
    await held.getByRole('button', { name: 'Sincronizar ahora' }).click();
    await unlockToSync(held, 3);
    expect(await serverFigures()).toEqual([4, 45]);

    // The supervisor revokes the device from the console (lost): shown revoked, its button
    // gone, and the server refuses it a new snapshot.
    const devices = device.getByTestId('supervision-devices');
    await devices.getByRole('button', { name: /^Revocar Teléfono .+ \(perdido\)$/ }).click();
    await devices.getByText(/revocado/).waitFor();
    expect(await devices.getByRole('button').count()).toBe(0);
    const deviceId = await file.run.server.database.asAdmin(async (admin) => {
      const row = await admin
        .selectFrom('distribution_device')
        .select(['id', 'revoked_at'])
        .where('point_id', '=', file.world.pointId)
        .executeTakeFirstOrThrow();
      expect(row.revoked_at).not.toBeNull();
      return row.id;
    });
    // Assigned to the point again, its operator is refused the revoked device's snapshot.
    await changePoint({ addOperators: [operator.id] });
    const snapshot = await file.run.server.app.inject({
      url: `/api/distribution/points/${file.world.pointId}/devices/${deviceId}/snapshot?purpose=distribution`,
      cookies: { amparo_session: await sessionCookieOf(file.run, operator) },
    });
    expect(snapshot.json().code, snapshot.body).toBe('AMP_DEVICE_REVOKED');
    expect(file.run.pageErrors).toEqual([]);
  }, 180_000);
});
