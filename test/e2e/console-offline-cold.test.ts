import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { BuiltOperator } from '../factories.js';
import { overflowsHorizontally, seriousAxeViolations } from './browser.js';
import {
  boxAndRice,
  pointWorldOfFile,
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
const file = pointWorldOfFile({
  prefix: 'cold',
  operators: 1,
  pointCode: 'kiosco-en-frio',
  pointName: 'Kiosco La Vega',
  ...boxAndRice('food_cold', { es: 'Caja en frío', en: 'Cold-start box' }),
});

async function serverFigures() {
  const result = await file.run.server.database.asAdmin((admin) =>
    sql<{ redemptions: unknown; receipts: unknown; on_hand: unknown; moves: unknown }>`
      select (select count(*) from redemption where point_id = ${file.world.pointId}) as redemptions,
             (select count(*) from offline_receipt where point_id = ${file.world.pointId}) as receipts,
             (select quantity from stock_balance
               where point_id = ${file.world.pointId} and item = 'food_box') as on_hand,
             (select count(*) from stock_movement
               where point_id = ${file.world.pointId} and item = 'food_box'
                 and kind = 'redemption') as moves`.execute(admin),
  );
  const row = result.rows[0];
  return [row?.redemptions, row?.receipts, row?.on_hand, row?.moves].map(Number);
}

describe('the point of service started offline', () => {
  it('opens with the network off from the service worker and IndexedDB, redeems, and syncs once', async () => {
    const operator = file.world.operators[0] as BuiltOperator;
    const online = await readyOfflineDevice(file.run, file.world, operator);
    // The service worker that keeps the app shell is installed and active for /distribution.
    expect(
      await online.evaluate('navigator.serviceWorker.ready.then((r) => new URL(r.scope).pathname)'),
    ).toBe('/distribution');
    const context = online.context();
    await online.close();

    await context.setOffline(true);
    const device = await context.newPage();
    device.setDefaultTimeout(15_000);
    await device.goto(`${file.run.server.baseUrl}/distribution`);
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

    await device.getByLabel('Texto del código QR del carnet').fill(file.world.holderQr);
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
    expect(body).not.toContain(file.world.holderCredentialId);
    expect(body).not.toContain(file.world.holderQr.slice(0, 24));
    await device.getByTestId('pos-pending').getByText('0').waitFor();
    // One redemption, one receipt, one box out by one stock movement.
    expect(await serverFigures()).toEqual([1, 1, 9, 1]);
    // Back online, the operator opens the full point of service with the session kept.
    await device.getByRole('button', { name: 'Abrir el punto de entrega completo' }).click();
    await device.getByTestId('pos-stock').getByText('food_box: 9').waitFor();
    expect(file.run.pageErrors).toEqual([]);
  }, 120_000);

  it("installs as an app: Chromium finds no installability error, and the manifest, in the console's language, has PNG and maskable icons", async () => {
    // A browser context of the tests is incognito, where Chromium installs nothing: a profile
    // on disk instead, signed in with the supervisor's session.
    const profile = mkdtempSync(path.join(tmpdir(), 'amparo-install-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    try {
      const { baseUrl } = file.run.server;
      const officer = file.world.officerCookie.amparo_session;
      await context.addCookies([{ name: 'amparo_session', value: officer, url: baseUrl }]);
      const page = await context.newPage();
      await page.goto(`${baseUrl}/distribution`);
      await page.getByRole('heading', { name: 'Punto de entrega' }).waitFor();
      await page.evaluate('navigator.serviceWorker.ready');
      const cdp = await context.newCDPSession(page);
      expect(await cdp.send('Page.getInstallabilityErrors')).toEqual({ installabilityErrors: [] });
      const manifestLink = page.locator('link[rel="manifest"]');
      expect(await manifestLink.getAttribute('href')).toBe('/pos.webmanifest');
      const es = await (await page.request.get(`${baseUrl}/pos.webmanifest`)).json();
      expect(es).toMatchObject({ lang: 'es', scope: '/distribution', short_name: 'Entregar' });
      const icons: { src: string; sizes: string; type: string; purpose: string }[] = es.icons;
      expect(icons.map(({ sizes, type, purpose }) => `${sizes} ${type} ${purpose}`)).toEqual(
        expect.arrayContaining([
          '192x192 image/png any',
          '512x512 image/png any',
          '512x512 image/png maskable',
        ]),
      );
      // Each PNG is served, and is the size the manifest says (its IHDR width and height).
      for (const icon of icons.filter((each) => each.type === 'image/png')) {
        const png = await (await page.request.get(`${baseUrl}${icon.src}`)).body();
        expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
        expect(`${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`).toBe(icon.sizes);
      }
      // In English, the page links the English manifest: the app installs as "Hand over".
      await page.getByLabel('Idioma').selectOption('en');
      await page.getByRole('heading', { name: 'Distribution point' }).waitFor();
      expect(await manifestLink.getAttribute('href')).toBe('/pos.en.webmanifest');
      const en = await (await page.request.get(`${baseUrl}/pos.en.webmanifest`)).json();
      expect(en).toMatchObject({ lang: 'en', scope: '/distribution', short_name: 'Hand over' });
      expect(en.icons).toEqual(icons);
      expect(await cdp.send('Page.getInstallabilityErrors')).toEqual({ installabilityErrors: [] });
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  }, 60_000);
});
