import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCardPerson } from '../../src/modules/credentials/credentials-test-kit.js';
import { screenshot, seriousAxeViolations } from './browser.js';
import { type ConsoleRun, openConsoleRun } from './console-run.js';

/**
 * What a newcomer reads, in Debian's Chromium against the real server: public pages that log
 * no failed request, a home page that offers each role only its own tasks (no raw i18n key),
 * ID numbers checked as they are typed in the reader's language, and audit actions in words.
 */
let run: ConsoleRun;
let person: { id: string; uin: string };

beforeAll(async () => {
  run = await openConsoleRun();
  person = await createCardPerson(run.server.database.db, run.server.keys.masterKey);
}, 90_000);

afterAll(async () => run?.close());

/** Console errors (a failed request logs one) of a page, collected from now on. */
function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return errors;
}

/** Text that looks like an i18n key left untranslated ("home.search"). */
async function rawKeys(page: Page): Promise<string[]> {
  const text = await page.locator('body').innerText();
  return text.match(/\b[a-z]+\.[a-z][a-zA-Z_]*\b/g) ?? [];
}

const typo = (uin: string) => `${uin.slice(0, 9)}${(Number(uin[9]) + 1) % 10}`;

describe('the console as a newcomer reads it', () => {
  it('opens public pages without a console error (no 401 from the session probe)', async () => {
    const page = await run.newPage('phone');
    const errors = consoleErrors(page);
    for (const path of ['/', '/citizen', '/verify', '/sign-in']) {
      await page.goto(`${run.server.baseUrl}${path}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.waitForLoadState('networkidle');
      expect(await rawKeys(page), path).toEqual([]);
    }
    expect(errors).toEqual([]);
  }, 60_000);

  it('offers an administrator their own tasks on the home page, and no person search', async () => {
    const page = await run.signedIn('admin');
    await page.goto(`${run.server.baseUrl}/`);
    const main = page.locator('main');
    await main.getByRole('link', { name: 'Pedir o aprobar un borrado ordenado por ley' }).waitFor();
    expect(await main.locator('a[href="/persons"]').count()).toBe(0);
    expect(await page.locator('a[href="/persons"]').count()).toBe(0);
    expect(await rawKeys(page)).toEqual([]);
    expect(await page.getByTestId('who-am-i').textContent()).toContain('Carmen Rojas');
    await screenshot(page, 'home-administrator');
  }, 60_000);

  it('checks the check digit on the citizen sign-in page as it is typed, in Spanish and English', async () => {
    const page = await run.newPage('phone');
    await page.goto(`${run.server.baseUrl}/citizen`);
    const uin = page.getByLabel('Número de identificación');
    await uin.fill(person.uin.slice(0, 5));
    expect(await uin.getAttribute('aria-invalid')).toBeNull();
    await uin.fill(typo(person.uin));
    await page.getByText(/la última es de control y no coincide/).waitFor();
    expect(await uin.getAttribute('aria-invalid')).toBe('true');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'citizen-sign-in-typo');
    await page.getByLabel('Idioma').selectOption('en');
    await page.getByText(/the last one is a check digit and does not match/).waitFor();
    await page.getByLabel('ID number').fill(person.uin);
    await expect.poll(() => page.getByLabel('ID number').getAttribute('aria-invalid')).toBeNull();
    // Too short is said once the person tries to go on, not at every keystroke.
    await page.getByLabel('ID number').fill(person.uin.slice(0, 6));
    await page.getByRole('button', { name: 'Send me a code by SMS' }).click();
    await page.getByText('Digits missing: an ID number has ten.').waitFor();
  }, 60_000);

  it('checks the check digit in the person search as it is typed', async () => {
    const page = await run.signedIn('clerk');
    await page.goto(`${run.server.baseUrl}/persons`);
    await page.getByLabel('Buscar por').selectOption('uin');
    const text = page.getByLabel('Texto a buscar');
    await text.fill(typo(person.uin));
    await page.getByText(/la última es de control y no coincide/).waitFor();
    await page.getByRole('button', { name: 'Buscar' }).click();
    // Refused in the browser: no request, so no results heading and no English from the server.
    expect(await page.getByRole('heading', { name: /resultado/ }).count()).toBe(0);
    expect(await page.getByText(/check digit/).count()).toBe(0);
    await text.fill(person.uin);
    await page.getByRole('button', { name: 'Buscar' }).click();
    await page.getByRole('heading', { name: '1 resultado' }).waitFor();
  }, 60_000);

  it('names audit actions, actors and resources in words', async () => {
    const page = await run.signedIn('auditor');
    await page.goto(`${run.server.baseUrl}/audit`);
    const entries = page.getByTestId('audit-entries');
    await entries.waitFor();
    await expect.poll(() => entries.textContent()).toContain('Entrar como personal');
    const text = (await entries.textContent()) ?? '';
    expect(text).not.toMatch(/operator\.sign_in|audit\.read|person\.read/);
    expect(text).toContain('cuenta del personal');
    await page.getByLabel('Acción').selectOption({ label: 'Ver un registro' });
    expect(await page.getByLabel('Acción').inputValue()).toBe('person.read');
  }, 60_000);

  it('replaces the browser’s "Choose File" with a picker in the console’s language', async () => {
    const page = await run.newPage('phone');
    await page.goto(`${run.server.baseUrl}/verify`);
    const input = page.getByLabel('Foto o imagen del carnet');
    // The browser's own control is hidden from sight (its words follow the browser, not us).
    expect((await input.boundingBox())?.width ?? 0).toBeLessThanOrEqual(1);
    // The card photo's picker (the trust list has one too); `has` looks inside the picker,
    // where the input's visible label is not, so it is found by what it accepts.
    const picker = page.locator('.file-picker', { has: page.locator('input[accept="image/*"]') });
    expect(await picker.locator('.file-picker-button').textContent()).toBe('Elegir archivo…');
    expect(await picker.getByTestId('file-picker-name').textContent()).toBe(
      'Ningún archivo elegido',
    );
    await input.setInputFiles({
      name: 'tarjeta.png',
      mimeType: 'image/png',
      buffer: Buffer.alloc(8),
    });
    await expect
      .poll(() => picker.getByTestId('file-picker-name').textContent())
      .toBe('tarjeta.png');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByLabel('Idioma').selectOption('en');
    await expect
      .poll(() => picker.locator('.file-picker-button').textContent())
      .toBe('Choose a file…');
    await screenshot(page, 'verifier-file-picker');
  }, 60_000);
});
