import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendMovement } from '../../src/modules/distribution/stock/stock-ledger.js';
import { cashCycle } from '../../src/modules/payments/payments-test-kit.js';
import { refreshUnderLease } from '../../src/modules/statistics/index.js';
import {
  expectNoisyCount,
  redeemedAtPoint,
} from '../../src/modules/statistics/statistics-test-kit.js';
import type { StatisticsTable } from '../../src/shared/api/statistics.js';
import { aggregateReadModels } from '../../src/statistics-read-models.js';
import { buildOperator, buildPerson } from '../factories.js';
import {
  overflowsHorizontally,
  screenshot,
  seriousAxeViolations,
  signedInPage,
  viewports,
} from './browser.js';
import { type ConsoleRun, openConsoleRun } from './console-run.js';

/**
 * Statistics in the console, in Debian's Chromium against the real server (issue #17, point
 * 5): the open-data page read without signing in at phone width, and the analysts' dashboard
 * at desktop width, each with the map of the 25 states, the chart and the table, a withheld
 * cell marked as withheld (not 0), Spanish and English, axe-clean and without sideways
 * scrolling; the stock moved by point, with its item choice and withheld cells marked; and
 * the redemption rate with its withheld rates marked, its JSON download matching its CSV,
 * under the line that says when the tables were last refreshed.
 */
let run: ConsoleRun;
let analyst: { username: string; password: string; totp: () => string };
/** A second analyst, so that the rate test need not wait for the first one's next TOTP step. */
let rateAnalyst: typeof analyst;

beforeAll(async () => {
  run = await openConsoleRun();
  const context = { database: run.server.database, masterKey: run.server.keys.masterKey };
  // 23 women and 3 men in the Capital District, 14 women in Anzoátegui: the 3 men are withheld.
  const people = [
    { region: 'VE-A', count: 23, sex: 'F' },
    { region: 'VE-A', count: 3, sex: 'M' },
    { region: 'VE-B', count: 14, sex: 'F' },
    // Carabobo: 25 women for the redemption rate (another state whose rate can be published).
    { region: 'VE-G', count: 25, sex: 'F' },
  ];
  for (const group of people) {
    for (let i = 0; i < group.count; i++) {
      await buildPerson(context, {
        region: group.region,
        attributes: {
          given_names: `Persona ${i}`,
          first_surname: 'Estadística',
          sex: group.sex,
          birth_date: '1980-03-04',
          state_code: group.region,
        },
      });
    }
  }
  analyst = await buildOperator(context, {
    username: 'analyst.statistics',
    roles: ['statistics_analyst'],
    regions: ['VE-A'],
  });
  rateAnalyst = await buildOperator(context, {
    username: 'analyst.rates',
    roles: ['statistics_analyst'],
    regions: ['VE-A'],
  });
  await stockAtPoints();
  await redemptionsOfACycle();
  // Under the schedule's lease, as the server and `amparo statistics refresh` do: the
  // dashboard's refresh line then has a last refresh to show.
  const refreshed = await refreshUnderLease(
    { db: run.server.database.db, models: aggregateReadModels() },
    { holder: randomUUID() },
  );
  expect(refreshed.outcome).toBe('succeeded');
}, 180_000);

/**
 * A cash program (every adult) and its published cycle: the 26 adults of the Capital District,
 * the 14 of Anzoátegui and the 25 of Carabobo entitled; 20 redeem in the Capital District (one
 * without the card), 20 in Carabobo and 3 in Anzoátegui (few: withheld, and so is their rate,
 * with one more state's to protect it).
 */
async function redemptionsOfACycle(): Promise<void> {
  const { cycleId } = await cashCycle(run.server.database.db, {
    code: 'bono',
    amountMinor: 100_00n,
  });
  const database = run.server.database;
  await redeemedAtPoint(database, {
    cycleId,
    point: { code: 'rates-a', region: 'VE-A' },
    members: { state: 'VE-A' },
    count: 20,
    assisted: 1,
  });
  await redeemedAtPoint(database, {
    cycleId,
    point: { code: 'rates-g', region: 'VE-G' },
    members: { state: 'VE-G' },
    count: 20,
    assisted: 0,
  });
  await redeemedAtPoint(database, {
    cycleId,
    point: { code: 'rates-b', region: 'VE-B' },
    members: { state: 'VE-B' },
    count: 3,
    assisted: 0,
  });
}

/**
 * Stock delivered this month, 10 units a movement: 12 deliveries of rice at caracas-uno and 3
 * at caracas-dos (Capital District: the 3 are withheld, and what would give them away), 11 of
 * rice and 12 of boxes at barcelona (Anzoátegui). Points written as the database owner; the
 * movements through the stock ledger.
 */
async function stockAtPoints(): Promise<void> {
  const points = [
    { code: 'caracas-uno', region: 'VE-A', moves: { rice_kg: 12 } },
    { code: 'caracas-dos', region: 'VE-A', moves: { rice_kg: 3 } },
    { code: 'barcelona', region: 'VE-B', moves: { rice_kg: 11, food_box: 12 } },
  ].map((point) => ({ ...point, id: randomUUID() }));
  await run.server.database.asAdmin(async (admin) => {
    for (const point of points) {
      await sql`insert into distribution_point (id, code, name, kind, region_code)
        values (${point.id}, ${point.code}, ${`Punto ${point.code}`}, 'kiosk', ${point.region})`.execute(
        admin,
      );
    }
  });
  await run.server.database.db.transaction().execute(async (trx) => {
    for (const point of points) {
      for (const [item, count] of Object.entries(point.moves)) {
        for (let i = 0; i < count; i++) {
          await appendMovement(trx, {
            pointId: point.id,
            item,
            kind: 'delivery',
            quantityDelta: 10,
            recordedBy: null,
          });
        }
      }
    }
  });
}

afterAll(async () => run?.close());

async function clean(page: Awaited<ReturnType<ConsoleRun['newPage']>>): Promise<void> {
  expect(await seriousAxeViolations(page)).toEqual([]);
  expect(await overflowsHorizontally(page)).toBe(false);
}

/** Clean at this width and at phone width, no page error so far; then the page is closed. */
async function cleanAtPhoneWidthAndClose(
  page: Awaited<ReturnType<ConsoleRun['newPage']>>,
): Promise<void> {
  await clean(page);
  await page.setViewportSize(viewports.phone);
  await clean(page);
  expect(run.pageErrors).toEqual([]);
  await page.context().close();
}

describe('statistics in the console', () => {
  it('shows open data without signing in: a map of 25 states, a chart and withheld cells marked', async () => {
    const page = await run.newPage('phone');
    await page.goto(`${run.server.baseUrl}/open-data`);
    await page.getByRole('heading', { name: 'Datos abiertos', level: 1 }).waitFor();
    const answer = page.getByTestId('statistics-answer');
    await answer.getByTestId('state-map').waitFor();
    expect(await answer.locator('[data-testid="state-map"] path[data-code]').count()).toBe(25);
    // The two states with people are shaded by their published totals: 26 and 14 with the
    // keyed noise, clamped to 10 and rounded to 5.
    const shown = async (code: string, name: RegExp) => {
      const title = (await answer.locator(`path[data-code="${code}"] title`).textContent()) ?? '';
      expect(title).toMatch(name);
      return Number(title.split(': ')[1]);
    };
    expectNoisyCount(await shown('VE-A', /^Distrito Capital: \d+$/), 26);
    expectNoisyCount(await shown('VE-B', /^Anzoátegui: \d+$/), 14);
    await answer.getByTestId('table-chart').getByText('45-49').waitFor();
    const table = answer.getByTestId('statistics-table');
    // The Capital District's 3 men are withheld, and so is what would give them away.
    await answer.getByLabel('Filas de').selectOption('VE-A');
    const firstWithheld = table.locator('[data-withheld="true"]').first();
    expect(await firstWithheld.textContent()).toBe('oculta');
    const csv = answer.getByRole('link', { name: 'Descargar CSV' });
    expect(await csv.getAttribute('href')).toMatch(
      /^\/api\/open-data\/statistics\/people_by_age_sex_region\/csv\?by=.*&lang=es$/,
    );
    await screenshot(page, 'statistics-open-data-phone');
    await clean(page);
    await page.setViewportSize(viewports.desktop);
    await page.getByLabel('Idioma').selectOption('en');
    await page.getByRole('heading', { name: 'Open data', level: 1 }).waitFor();
    expect(await table.locator('[data-withheld="true"]').first().textContent()).toBe('withheld');
    await clean(page);
    await page.context().close();
  }, 60_000);

  it('gives a statistics analyst the dashboard, every table, with the same map and marks', async () => {
    const page = await signedInPage(run, analyst, { path: '/' });
    await page.getByRole('navigation').getByRole('link', { name: 'Estadísticas' }).click();
    await page.getByRole('heading', { name: 'Estadísticas', level: 1 }).waitFor();
    const answer = page.getByTestId('statistics-answer');
    await answer.getByTestId('state-map').waitFor();
    expect(await answer.locator('[data-testid="state-map"] path[data-code]').count()).toBe(25);
    const options = await page.getByLabel('Tabla').locator('option').allTextContents();
    expect(options).toContain('Apelaciones presentadas y aceptadas');
    await answer.getByLabel('Filas de').selectOption('VE-A');
    expect(
      await answer.getByTestId('statistics-table').locator('[data-withheld="true"]').count(),
    ).toBeGreaterThan(0);
    // People down to the parish: a published breakdown of the same cube.
    const breakdowns = await page.getByLabel('Desglose').locator('option').allTextContents();
    expect(breakdowns).toContain('Parroquia');
    // Coverage by municipality, program, cycle and measure, its measures in words.
    await page
      .getByLabel('Tabla')
      .selectOption({ label: 'Cobertura por programa, ciclo y territorio' });
    await page
      .getByLabel('Desglose')
      .selectOption({ label: 'Municipio × Programa y ciclo × Medida' });
    const coverage = page.getByTestId('statistics-answer');
    await coverage.getByRole('columnheader', { name: 'Medida' }).waitFor();
    await coverage.getByRole('cell', { name: 'Canjeado sin carnet' }).first().waitFor();
    await coverage.getByRole('cell', { name: 'Inscritas', exact: true }).first().waitFor();
    expect(await coverage.getByRole('link', { name: 'Descargar CSV' }).getAttribute('href')).toBe(
      '/api/statistics/tables/coverage_by_program_cycle_area/csv?by=region.municipality,program.cycle,measure&lang=es&purpose=eligibility_review',
    );
    await clean(page);
    await screenshot(page, 'statistics-dashboard-desktop');
    await cleanAtPhoneWidthAndClose(page);
  }, 60_000);

  it('shows the stock moved by point: an item at a time on the map, a point with 3 movements withheld', async () => {
    const page = await run.newPage('desktop');
    await page.goto(`${run.server.baseUrl}/open-data`);
    await page.getByRole('heading', { name: 'Datos abiertos', level: 1 }).waitFor();
    await page
      .getByLabel('Tabla')
      .selectOption({ label: 'Existencias movidas por punto de entrega' });
    const answer = page.getByTestId('statistics-answer');
    await answer
      .getByRole('heading', { name: 'Existencias movidas por punto de entrega' })
      .waitFor();
    await answer.getByTestId('state-map').waitFor();
    expect(await answer.locator('[data-testid="state-map"] path[data-code]').count()).toBe(25);
    // Two items: the map shows one at a time, and says which.
    const item = answer.getByLabel('Artículo', { exact: true });
    expect(await item.locator('option').allTextContents()).toEqual(['food_box', 'rice_kg']);
    await item.selectOption('rice_kg');
    await answer.getByRole('img', { name: /rice_kg/ }).waitFor();
    // caracas-dos: 3 deliveries of rice, withheld this month and over all months, marked as
    // withheld and never as 0 (its rows are read page by page).
    await answer.getByLabel('Filas de').selectOption('VE-A');
    const table = answer.getByTestId('statistics-table');
    const quiet: string[] = [];
    for (let page50 = 1; ; page50++) {
      const rows = table
        .getByRole('row')
        .filter({ hasText: 'caracas-dos' })
        .filter({ hasText: 'rice_kg' })
        .filter({ hasText: 'Entregado al punto' });
      for (const row of await rows.all())
        quiet.push((await row.locator('td').last().textContent()) ?? '');
      const next = answer.getByRole('button', { name: 'Filas siguientes' });
      if ((await next.count()) === 0 || (await next.isDisabled())) break;
      await next.click();
      await answer.getByText(new RegExp(`^Filas ${page50 * 50 + 1}–`)).waitFor();
    }
    expect(quiet).toEqual(['oculta', 'oculta']);
    await cleanAtPhoneWidthAndClose(page);
  }, 60_000);

  it('shows the redemption rate with withheld rates marked, its JSON as its CSV, and the last refresh', async () => {
    const page = await signedInPage(run, rateAnalyst, { path: '/statistics' });
    await page.getByRole('heading', { name: 'Estadísticas', level: 1 }).waitFor();
    // The refresh of beforeAll, under the schedule's lease: its time and outcome.
    const refreshLine = page.getByTestId('statistics-refresh');
    await refreshLine.waitFor();
    expect(await refreshLine.textContent()).toMatch(
      /^Última actualización: .*\d.*, correcta\. Este servidor no las actualiza por sí solo/,
    );
    await page
      .getByLabel('Tabla')
      .selectOption({ label: 'Tasa de canje por programa, ciclo y estado' });
    const answer = page.getByTestId('statistics-answer');
    await answer
      .getByRole('heading', { name: 'Tasa de canje por programa, ciclo y estado' })
      .waitFor();
    await answer.getByRole('columnheader', { name: 'Porcentaje' }).waitFor();
    const table = answer.getByTestId('statistics-table');
    // Anzoátegui's 3 redemptions are withheld, and so is its rate: marked, never 0 %.
    await answer.getByLabel('Filas de').selectOption('VE-B');
    const anzoategui = table.getByRole('row').filter({ hasText: 'Anzoátegui' });
    expect(await anzoategui.locator('td').last().textContent()).toBe('oculta');
    await answer.getByLabel('Filas de').selectOption('');
    const marked = await table.locator('[data-withheld="true"]').count();

    // The JSON download (the link's own file) holds the cells the page shows, as the CSV does.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      answer.getByRole('link', { name: 'Descargar JSON' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('redemption_rate_by_program_cycle_state.json');
    const json = JSON.parse(readFileSync(await download.path(), 'utf8')) as StatisticsTable;
    expect(json.code).toBe('redemption_rate_by_program_cycle_state');
    expect(json.cells.length).toBeLessThanOrEqual(50); // one page: every withheld cell marked
    expect(json.cells.filter((cell) => cell.value === null).length).toBe(marked);
    expect(json.cells.some((cell) => cell.value !== null)).toBe(true);
    const csvHref = await answer.getByRole('link', { name: 'Descargar CSV' }).getAttribute('href');
    const csv = await (await page.request.get(`${run.server.baseUrl}${csvHref}`)).text();
    const csvLines = csv.trim().split(/\r?\n/);
    expect(csvLines[0]).toBe('territorio,programa_ciclo,porcentaje,estado');
    expect(csvLines.slice(1)).toEqual(
      json.cells.map((cell) =>
        [...cell.key, cell.value ?? '', cell.value === null ? 'oculta' : 'publicada'].join(','),
      ),
    );

    await page.getByLabel('Idioma').selectOption('en');
    await page.getByRole('heading', { name: 'Statistics', level: 1 }).waitFor();
    expect(await refreshLine.textContent()).toMatch(
      /^Last refresh: .*\d.*, succeeded\. This server does not refresh them/,
    );
    await answer.getByRole('columnheader', { name: 'Percentage' }).waitFor();
    expect(await table.locator('[data-withheld="true"]').first().textContent()).toBe('withheld');
    await cleanAtPhoneWidthAndClose(page);
  }, 90_000);
});
