import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCardPerson } from '../../src/modules/credentials/credentials-test-kit.js';
import {
  currentTotp,
  launchChromium,
  overflowsHorizontally,
  screenshot,
  seriousAxeViolations,
  viewports,
} from './browser.js';
import { buildConsole, type ConsoleServer, startConsoleServer } from './console-server.js';

/**
 * Lawful erasure in Debian's Chromium against the real server: the first demo administrator
 * files a request from the ID number on an order, cannot approve it, and the second
 * administrator approves it after a confirmation; the record is then erased in the database.
 */

let server: ConsoleServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
let person: { id: string; uin: string };

beforeAll(async () => {
  const [webDir, launched] = await Promise.all([buildConsole(), launchChromium()]);
  browser = launched;
  server = await startConsoleServer(webDir);
  person = await createCardPerson(server.database.db, server.keys.masterKey);
}, 90_000);

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.close();
});

async function signedInAdministrator(username: 'admin' | 'admin2'): Promise<Page> {
  const operator = server.operators.get(username);
  if (!operator) throw new Error(`no demo ${username}`);
  // bypassCSP lets the test inject axe-core; the console itself runs under the server's CSP.
  const context = await browser.newContext({ viewport: viewports.desktop, bypassCSP: true });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.setDefaultTimeout(10_000);
  await page.goto(`${server.baseUrl}/sign-in`);
  await page.getByLabel('Usuario').fill(username);
  await page.getByLabel('Contraseña').fill(operator.password);
  await page
    .getByLabel('Código de la aplicación autenticadora')
    .fill(currentTotp(operator.totpSecretBase32));
  await page.getByRole('button', { name: 'Entrar' }).click();
  await page.getByTestId('who-am-i').waitFor();
  return page;
}

describe('erasure in the console', () => {
  it('files a request from the order; the requester cannot approve it', async () => {
    const first = await signedInAdministrator('admin');
    await first.getByRole('link', { name: 'Borrados' }).click();
    await first.getByRole('heading', { level: 1, name: 'Borrado por mandato legal' }).waitFor();
    const uin = first.getByLabel('Número de identificación (de la orden)');
    const typo = `${person.uin.slice(0, 9)}${(Number(person.uin[9]) + 1) % 10}`;
    await uin.fill(typo);
    await first.getByLabel('Número de expediente u orden').fill('TSJ-2026-00123');
    await first.getByRole('button', { name: 'Pedir el borrado' }).click();
    await first.getByText('is not a valid ID number (check digit)').waitFor();
    await uin.fill(person.uin);
    await first.getByRole('button', { name: 'Pedir el borrado' }).click();
    await first.getByRole('status').getByText(person.uin).waitFor();
    const item = first.getByTestId(`erasure-${person.uin}`);
    await item.getByText(/Usted hizo este pedido/).waitFor();
    expect(await item.getByRole('button', { name: 'Aprobar y borrar' }).count()).toBe(0);
    expect(await seriousAxeViolations(first)).toEqual([]);
    await first.setViewportSize(viewports.phone);
    expect(await overflowsHorizontally(first)).toBe(false);
    await screenshot(first, 'erasure');
  });

  it('is approved by a second administrator after a confirmation, and erases', async () => {
    const second = await signedInAdministrator('admin2');
    await second.goto(`${server.baseUrl}/erasure`);
    const item = second.getByTestId(`erasure-${person.uin}`);
    await item.getByRole('button', { name: 'Aprobar y borrar' }).click();
    await second
      .getByRole('alertdialog')
      .getByText(/no se puede deshacer/i)
      .waitFor();
    expect(await seriousAxeViolations(second)).toEqual([]);
    await second.getByRole('button', { name: 'Sí, borrar' }).click();
    await second.getByText('No hay pedidos en espera.').waitFor();
    const stored = await server.database.db
      .selectFrom('person')
      .innerJoin('person_key', 'person_key.person_id', 'person.id')
      .select(['person.status', 'person_key.wrapped_key'])
      .where('person.id', '=', person.id)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ status: 'erased', wrapped_key: null });
    expect(pageErrors).toEqual([]);
  });
});
