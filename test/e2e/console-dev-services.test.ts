import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCardPerson } from '../../src/modules/credentials/credentials-test-kit.js';
import { trustAnchorOf } from '../../src/modules/credentials/trust-anchor.js';
import { developmentSmsSink } from '../../src/modules/notifications/index.js';
import { generateUin } from '../../src/modules/registry/uin/index.js';
import { overflowsHorizontally, screenshot, seriousAxeViolations } from './browser.js';
import { type ConsoleRun, openConsoleRun } from './console-run.js';

/**
 * What a newcomer meets in development (issue 10, points 6, 7, 9), in the browser: the verifier
 * offers a set-up link carrying the trust anchor, and the link fills the anchor in; a clerk's
 * card downloads are worded as downloads in the person's history, not as issues; the slip
 * page warns that an SMS code replaces the slip, and it does: the code from development's SMS
 * file signs the person in while the slip no longer does.
 */
let run: ConsoleRun;
let scratch: string;

beforeAll(async () => {
  run = await openConsoleRun();
  scratch = mkdtempSync(path.join(tmpdir(), 'amparo-dev-services-'));
}, 120_000);
afterAll(async () => {
  await run?.close();
  rmSync(scratch, { recursive: true, force: true });
});

async function expectAccessible(page: Page): Promise<void> {
  expect(await seriousAxeViolations(page)).toEqual([]);
}

describe('verifier set-up link', () => {
  it('shows the trust anchor with a link and QR code that fill the anchor in', async () => {
    const anchor = trustAnchorOf(run.server.keys).anchor;
    const page = await run.newPage('phone');
    await page.goto(`${run.server.baseUrl}/verify`);
    const setup = page.getByTestId('verifier-setup');
    await setup.waitFor();
    expect(await page.getByTestId('published-anchor').textContent()).toBe(anchor);
    const href = await page.getByTestId('verifier-setup-link').getAttribute('href');
    expect(href).toBe(`${run.server.baseUrl}/verify?anchor=${anchor}`);
    // A string expression: this file is type-checked without the DOM library.
    await expect
      .poll(() =>
        page.evaluate('document.querySelector("[data-testid=verifier-setup] img")?.naturalWidth'),
      )
      .toBeGreaterThan(0);
    await expectAccessible(page);
    expect(await overflowsHorizontally(page)).toBe(false);
    await setup.scrollIntoViewIfNeeded();
    await screenshot(page, 'dev-verifier-setup-360');

    // The link on a device that holds nothing yet: the anchor is filled in, the list loads.
    const fresh = await run.newPage('desktop');
    await fresh.goto(href ?? '');
    const field = fresh.getByLabel(/^Clave ancla de confianza/);
    await expect.poll(() => field.inputValue()).toBe(anchor);
    await fresh.getByTestId('anchor-from-link').waitFor();
    await fresh.getByRole('button', { name: 'Cargar la lista' }).click();
    await fresh.getByTestId('trust-list-status').waitFor();
    await expectAccessible(fresh);
    await screenshot(fresh, 'dev-verifier-from-link');
    expect(run.pageErrors).toEqual([]);
  }, 90_000);
});

describe('card downloads, slips and SMS codes', () => {
  it('words downloads apart from the issue, and lets an SMS code replace the slip', async () => {
    const uin = generateUin();
    const person = await createCardPerson(run.server.database.db, run.server.keys.masterKey, {
      phone: '+584121239876',
    });
    await run.server.database.asAdmin((admin) =>
      admin.updateTable('person').set({ uin }).where('id', '=', person.id).execute(),
    );
    const clerk = await run.signedIn('clerk');
    await clerk.goto(`${run.server.baseUrl}/persons/${person.id}?purpose=enrolment`);
    await clerk.getByRole('button', { name: 'Emitir carnet' }).click();
    for (const testId of ['card-png', 'card-pdf']) {
      const href = (await clerk.getByTestId(testId).getAttribute('href')) ?? '';
      expect((await clerk.request.get(`${run.server.baseUrl}${href}`)).status()).toBe(200);
    }
    await clerk.getByRole('button', { name: 'Generar código' }).click();
    const slipCode = (await clerk.getByTestId('slip-code').textContent()) ?? '';
    expect(slipCode).toMatch(/^\d{6}$/);
    expect(await clerk.getByTestId('slip-replaced').textContent()).toContain(
      'deja de valer si la persona pide después un código por SMS',
    );
    await expectAccessible(clerk);
    await clerk.getByTestId('slip-code').scrollIntoViewIfNeeded();
    await screenshot(clerk, 'dev-slip-notice');

    const citizen = await run.newPage('phone');
    await citizen.goto(`${run.server.baseUrl}/citizen`);
    await citizen.getByLabel(/^Número de identificación/).fill(uin);
    await citizen.getByRole('button', { name: 'Enviarme un código por SMS' }).click();
    await expect
      .poll(() => citizen.getByRole('status').first().textContent())
      .toContain('también el impreso en una oficina');
    const file = path.join(scratch, 'sms-outbox.log');
    await developmentSmsSink({
      db: run.server.database.db,
      masterKey: run.server.keys.masterKey,
      file,
    }).drain();
    const smsCode = /to \+584121239876 .*código de acceso es (\d{6})/.exec(
      readFileSync(file, 'utf8'),
    )?.[1];
    expect(smsCode).toMatch(/^\d{6}$/);

    const code = citizen.getByLabel(/^Código de un solo uso/);
    await code.fill(slipCode);
    await citizen.getByRole('button', { name: 'Entrar' }).click();
    await citizen.getByText('No se pudo entrar').waitFor();
    await code.fill(smsCode ?? '');
    await citizen.getByRole('button', { name: 'Entrar' }).click();
    const history = citizen.getByTestId('access-history');
    await history.waitFor();
    await expect
      .poll(async () => (await history.textContent()) ?? '')
      .toContain('emitió su carnet');
    // One line per access inside the day's groups (a group's summary names each action once).
    const lines = await history.locator('.history-line').allTextContents();
    expect(lines.filter((line) => /Emitió su carnet/.test(line))).toHaveLength(1);
    expect(lines.filter((line) => /Descargó su carnet para imprimirlo/.test(line))).toHaveLength(2);
    await expectAccessible(citizen);
    expect(await overflowsHorizontally(citizen)).toBe(false);
    await screenshot(citizen, 'dev-citizen-history');
    expect(run.pageErrors).toEqual([]);
  }, 90_000);
});
