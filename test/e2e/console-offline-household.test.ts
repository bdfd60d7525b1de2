import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCardPerson } from '../../src/modules/credentials/credentials-test-kit.js';
import { buildHousehold } from '../factories.js';
import { seriousAxeViolations } from './browser.js';
import { type ConsoleRun, openConsoleRun } from './console-run.js';
import {
  type DistributionPointWorld,
  distributionPointWorld,
  readyOfflineDevice,
} from './distribution-point-kit.js';

/**
 * Without the card and without the network (issue #15, points 4 and 5; safeguard 9), in Debian's
 * Chromium at 360 px against the real server: Pía never had a card; the world's card holder is of
 * her household. With the network off the operator types Pía's ID number, chooses the reason and
 * pastes the member's card: a wrong number finds nothing, hers finds her box; the hand-over is
 * recorded, then synced once as an assisted redemption.
 */
let run: ConsoleRun;
let world: DistributionPointWorld;
let pia: { id: string; uin: string };

beforeAll(async () => {
  run = await openConsoleRun();
  const context = { database: run.server.database, masterKey: run.server.keys.masterKey };
  world = await distributionPointWorld(run, {
    prefix: 'offhh',
    operators: 1,
    pointCode: 'kiosco-hogar',
    pointName: 'Kiosco Antímano',
    program: {
      code: 'food_household',
      names: { es: 'Caja del hogar', en: 'Household box' },
      basket: [{ item: 'food_box', quantity: 1, unit: 'box' }],
    },
    delivery: { item: 'food_box', quantity: 5 },
    beforeCycle: async (holder) => {
      pia = await createCardPerson(context.database.db, context.masterKey, { region: 'VE-A' });
      await buildHousehold(context, {
        members: [
          { person: pia, relationship: 'head' },
          { person: { id: holder.personId }, relationship: 'child' },
        ],
      });
    },
  });
}, 120_000);

afterAll(async () => run?.close());

describe('the point of service offline, without the card', () => {
  it("hands over with a household member's card and syncs it as assisted", async () => {
    const { pointId, officerCookie } = world;
    // Two entries: the holder's card, and Pía's under a tag only the bindings lead to.
    const device = await readyOfflineDevice(
      run,
      { pointId, officerCookie },
      world.operators[0] as DistributionPointWorld['operators'][number],
      undefined,
      2,
    );
    await device.context().setOffline(true);
    await device.getByLabel('Sin su carnet: el carnet de un miembro del hogar').check();
    const find = async (uin: string) => {
      await device.getByLabel('Número de identificación').fill(uin);
      await device.getByLabel('Por qué no trae el carnet').selectOption('never_had');
      await device
        .getByLabel('Texto del código QR del carnet del miembro del hogar')
        .fill(world.holderQr);
      await device
        .getByRole('button', { name: 'Verificar sin conexión el carnet del miembro del hogar' })
        .click();
    };
    const wrong = pia.uin.startsWith('1') ? `2${pia.uin.slice(1)}` : `1${pia.uin.slice(1)}`;
    await find(wrong);
    await device
      .getByTestId('pos-offline-needs-network')
      .getByText('No se encontró nada', { exact: false })
      .waitFor();
    await find(pia.uin);
    await device.getByTestId('pos-offline-answer').getByText('food_box: quedan 1 box').waitFor();
    expect(await seriousAxeViolations(device)).toEqual([]);
    await device.getByRole('button', { name: 'Entregar las cantidades indicadas' }).click();
    await device.getByText('Registrada en este dispositivo').waitFor();
    await device.getByTestId('pos-pending').getByText('1').waitFor();
    await device.getByTestId('pos-assisted-allowance').getByText('1 de 30').waitFor();

    // Back online, the device syncs by itself.
    await device.context().setOffline(false);
    await device
      .getByTestId('pos-sync-result')
      .getByText('Sincronizado: 1 contadas, 0 en conflicto')
      .waitFor();
    await device.getByTestId('pos-pending').getByText('0').waitFor();
    const rows = await run.server.database.asAdmin((admin) =>
      sql<{ mode: string; method: string }>`select r.mode, a.method from redemption r
        join assisted_redemption a on a.id = r.assisted_id where r.person_id = ${pia.id}`.execute(
        admin,
      ),
    );
    expect(rows.rows).toEqual([{ mode: 'assisted', method: 'household_card' }]);
    await device.getByLabel('Idioma').selectOption('en');
    await device.getByLabel("Text of the QR code of the household member's card").waitFor();
    await device.context().close();
  }, 90_000);
});
