import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoRecords } from '../../src/modules/registry/import/import-test-kit.js';
import type { PopulationRecord } from '../../src/modules/registry/import/population-record.js';
import { CSV_HEADER, toCsvLine } from '../../src/modules/registry/import/record-format.js';
import { overflowsHorizontally, screenshot, seriousAxeViolations } from './browser.js';
import { type ConsoleRun, openConsoleRun } from './console-run.js';

/**
 * A refused import says why, in the operator's language: a file without a column names the
 * column ("falta la columna …"), and refused rows are listed on the page and in the
 * downloaded file with Spanish reasons in the Spanish console, English ones in English.
 */

let run: ConsoleRun;
let page: Page;

beforeAll(async () => {
  run = await openConsoleRun();
  page = await run.signedIn('supervisor', 'phone');
}, 90_000);
afterAll(async () => run?.close());

/** One household in the demo supervisor's regions with its second member's sex spoiled. */
function fileWithBadSex(): { csv: string; badLine: number } {
  const households = new Map<string, PopulationRecord[]>();
  for (const record of demoRecords(60, 'console-import-reasons')) {
    if (!['VE-A', 'VE-M', 'VE-V'].includes(record.stateCode)) continue;
    households.set(record.householdId, [...(households.get(record.householdId) ?? []), record]);
  }
  const members = [...households.values()].find((household) => household.length >= 2);
  if (members === undefined) throw new Error('need a household of two');
  const rows = members.map((record, index) =>
    index === 1 ? { ...record, sex: 'X' as PopulationRecord['sex'] } : record,
  );
  return { csv: CSV_HEADER + rows.map(toCsvLine).join(''), badLine: 3 };
}

async function upload(name: string, csv: string): Promise<void> {
  await page.getByLabel('Archivo CSV').setInputFiles({
    name,
    mimeType: 'text/csv',
    buffer: Buffer.from(csv, 'utf8'),
  });
  await page.getByRole('button', { name: 'Importar' }).click();
}

describe('import refusals in the console', () => {
  it('names the missing column of a refused file, in Spanish', async () => {
    await page.goto(`${run.server.baseUrl}/imports`);
    const header = CSV_HEADER.replace('household_id,', '');
    await upload('sin-hogar.csv', `${header}R1,head\r\n`);
    const reasons = page.getByTestId('problem-reasons');
    await reasons.waitFor();
    expect(await reasons.textContent()).toContain('falta la columna "household_id"');
    expect(await page.getByRole('alert').textContent()).not.toContain('missing column');
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(await overflowsHorizontally(page)).toBe(false);
    await screenshot(page, 'import-file-refused-360');
  }, 30_000);

  it('lists refused rows with reasons in the console language, and downloads them so', async () => {
    const file = fileWithBadSex();
    await page.goto(`${run.server.baseUrl}/imports`);
    await upload('personas.csv', file.csv);
    await page.locator('[data-testid="import-job"][data-status="finished"]').waitFor();
    const table = page.getByTestId('refused-rows');
    expect(await table.textContent()).toContain('debe ser uno de: F, M');
    expect(await table.textContent()).not.toContain('must be');
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(await overflowsHorizontally(page)).toBe(false);
    await screenshot(page, 'import-refused-rows-360');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Descargar las filas rechazadas (CSV)' }).click(),
    ]);
    const spanish = readFileSync((await download.path()) ?? '', 'utf8');
    expect(spanish).toContain(`${file.badLine},`);
    expect(spanish).toContain('debe ser uno de: F, M');

    await page.getByLabel('Idioma').selectOption('en');
    await expect.poll(() => table.textContent()).toContain('must be one of F, M');
    const [english] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download the refused rows (CSV)' }).click(),
    ]);
    expect(readFileSync((await english.path()) ?? '', 'utf8')).toContain('must be one of F, M');
    await page.setViewportSize({ width: 1280, height: 900 });
    await screenshot(page, 'import-refused-rows-1280-en');
    await page.getByLabel('Language').selectOption('es');
    expect(run.pageErrors).toEqual([]);
  }, 40_000);
});
