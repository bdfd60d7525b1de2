import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuiltOperator } from '../factories.js';
import { seriousAxeViolations } from './browser.js';
import { type ConsoleRun, openConsoleRun } from './console-run.js';
import { distributionPointWorld, readyOfflineDevice } from './distribution-point-kit.js';

/**
 * The point of service with the network off, in Debian's Chromium against the real server
 * (issue #15, points 5 and 6): two browser contexts are two devices of one point; each makes
 * its key pair, is registered by the supervisor, downloads the signed snapshot, then — offline —
 * checks the same card against the snapshot and hands over the same entitlement: the first in two
 * parts (part of the basket, then, checked again, what remains), the second once, then refused
 * a second hand-over by its offline allowance (one receipt per snapshot). Back online, the first
 * sync counts both parts and the second is kept as a conflict: two redemptions, one conflict,
 * the stock moved once per part. The browser's card check plus lookup is timed on every check.
 */
let run: ConsoleRun;
type Operator = BuiltOperator;
/** One operator per device: a TOTP code is accepted once. */
let operators: Operator[];
let officerCookie: { amparo_session: string };
let holderQr: string;
let pointId: string;

beforeAll(async () => {
  run = await openConsoleRun();
  ({ operators, officerCookie, holderQr, pointId } = await distributionPointWorld(run, {
    prefix: 'off',
    operators: 2,
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
  }));
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
function readyDevice(operator: Operator, register?: { onScreen: Page; receiptsMax: number }) {
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

/** Checks the card shown in the QR field again (its text typed in), without waiting. */
function page(device: Page) {
  return {
    async check() {
      await device.getByLabel('Texto del código QR del carnet').fill(holderQr);
      await device.getByRole('button', { name: 'Verificar el carnet sin conexión' }).click();
      await device.getByTestId('pos-offline-answer').waitFor();
      // The answer of this check, not the last hand-over's "recorded" line still on screen.
      await device.getByText('Registrada en este dispositivo').waitFor({ state: 'hidden' });
    },
  };
}

describe('the point of service offline', () => {
  it('redeems with the network off on two devices: two parts counted, one conflict, the allowance kept', async () => {
    const [one, two] = operators as [Operator, Operator];
    const supervisor = await supervisorPage();
    const [first, second] = [
      await readyDevice(one),
      // The second device is registered on the supervisor's screen, with an allowance of one.
      await readyDevice(two, { onScreen: supervisor, receiptsMax: 1 }),
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
    await page(second).check();
    await handOver(second, { rice: 1 });
    await second.getByTestId('pos-pending').getByText('1').waitFor();
    await page(second).check();
    await handOver(second, {});
    await second.getByRole('alert').getByText('Se agotó el margen sin red').waitFor();
    await second.getByTestId('pos-pending').getByText('1').waitFor();
    expect(await seriousAxeViolations(first)).toEqual([]);

    for (const [page, expected] of [
      [first, 'Sincronizado: 2 contadas, 0 en conflicto'],
      [second, 'Sincronizado: 0 contadas, 1 en conflicto'],
    ] as const) {
      await page.context().setOffline(false);
      await page.getByRole('button', { name: 'Sincronizar ahora' }).click();
      await page.getByTestId('pos-sync-result').getByText(expected).waitFor();
      await page.getByTestId('pos-pending').getByText('0').waitFor();
    }
    const counts = await run.server.database.asAdmin((admin) =>
      sql<{ redemptions: unknown; conflicts: unknown; flagged: unknown; on_hand: unknown }>`
        select (select count(*) from redemption where point_id = ${pointId}) as redemptions,
               (select count(*) from offline_receipt where point_id = ${pointId} and outcome = 'conflict') as conflicts,
               (select count(*) from entitlement_redemption_state s
                  join offline_receipt o on o.entitlement_id = s.entitlement_id
                 where o.point_id = ${pointId} and s.state = 'conflict_flagged') as flagged,
               (select quantity from stock_balance where point_id = ${pointId} and item = 'food_box') as on_hand`.execute(
        admin,
      ),
    );
    const row = counts.rows[0];
    expect([row?.redemptions, row?.conflicts, row?.on_hand].map(Number)).toEqual([2, 1, 9]);
    expect(Number(row?.flagged)).toBeGreaterThan(0);

    // The supervisor clears the conflict: the first receipt stands; the second device's goods
    // did leave, so they are written off. The entitlement is no longer flagged.
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
    const after = await run.server.database.asAdmin((admin) =>
      sql<{ flagged: unknown; on_hand: unknown }>`
        select (select count(*) from entitlement_redemption_state s
                  join offline_receipt o on o.entitlement_id = s.entitlement_id
                 where o.point_id = ${pointId} and s.state = 'conflict_flagged') as flagged,
               (select quantity from stock_balance where point_id = ${pointId} and item = 'food_box') as on_hand`.execute(
        admin,
      ),
    );
    // The second device's box (with its rice) left the point too: 10 delivered − 1 − 1.
    expect([after.rows[0]?.flagged, after.rows[0]?.on_hand].map(Number)).toEqual([0, 8]);
    // Two devices, two sessions and a supervisor's screen: more than the default 30 s when the
    // machine is shared.
  }, 120_000);
});
