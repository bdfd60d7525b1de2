import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCookieFrom } from '../../src/modules/access/access-test-kit.js';
import { createCardPerson } from '../../src/modules/credentials/credentials-test-kit.js';
import { currentTotp, launchChromium } from './browser.js';
import { buildConsole, type ConsoleServer, startConsoleServer } from './console-server.js';

/**
 * The verifier as an installed offline app: opened once online (service worker installed,
 * lists downloaded), it reloads and verifies a card's PNG with the network off; after the card
 * is revoked and the lists refreshed online, the same card reads `revoked`, and the list ages
 * are shown.
 */
let server: ConsoleServer;
let browser: Browser;
let context: BrowserContext;
const pageErrors: string[] = [];

beforeAll(async () => {
  const [webDir, launched] = await Promise.all([buildConsole(), launchChromium()]);
  browser = launched;
  server = await startConsoleServer(webDir);
  context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  context.setDefaultTimeout(8_000);
  context.on('weberror', (error) => pageErrors.push(error.error().message));
}, 90_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

/** The demo supervisor signed in through the API: it may issue and revoke cards. */
async function supervisorCookie(): Promise<string> {
  const operator = server.operators.get('supervisor');
  if (!operator) throw new Error('no demo supervisor');
  const response = await server.app.inject({
    method: 'POST',
    url: '/api/auth/sign-in',
    payload: {
      username: 'supervisor',
      password: operator.password,
      totp: currentTotp(operator.totpSecretBase32),
    },
  });
  expect(response.statusCode).toBe(200);
  return sessionCookieFrom(response) ?? '';
}

function trustAnchorHex(): string {
  const der = server.keys.trustListSigning.publicKey.export({ format: 'der', type: 'spki' });
  return Buffer.from(der).subarray(-32).toString('hex');
}

async function verifyPng(page: Page, png: Buffer): Promise<string | null> {
  await page.getByLabel('Foto o imagen del carnet').setInputFiles({
    name: 'card.png',
    mimeType: 'image/png',
    buffer: png,
  });
  const text = page.getByLabel('Texto del código QR');
  await expect.poll(() => text.inputValue(), { timeout: 10_000 }).not.toBe('');
  await page.getByRole('button', { name: 'Verificar', exact: true }).click();
  const verdict = page.getByTestId('verdict');
  await verdict.waitFor();
  return verdict.getAttribute('data-status');
}

describe('offline verifier', () => {
  it('works with the network off and reads revocations once refreshed', async () => {
    const cookie = await supervisorCookie();
    const person = await createCardPerson(server.database.db, server.keys.masterKey);
    const issued = await server.app.inject({
      method: 'POST',
      url: `/api/persons/${person.id}/credentials?purpose=enrolment`,
      cookies: { amparo_session: cookie },
      payload: { clientId: randomUUID() },
    });
    expect(issued.statusCode).toBe(201);
    const { credentialId } = issued.json();
    const png = await server.app.inject({
      url: `/api/credentials/${credentialId}/card.png?purpose=enrolment`,
      cookies: { amparo_session: cookie },
    });
    expect(png.headers['content-type']).toBe('image/png');

    const page = await context.newPage();
    await page.goto(`${server.baseUrl}/verify`);
    await page.getByLabel(/^Clave ancla de confianza/).fill(trustAnchorHex());
    await page.getByRole('button', { name: 'Cargar la lista' }).click();
    await page.getByTestId('trust-list-status').waitFor();
    const revocationAge = page.getByTestId('revocation-list-age');
    await expect.poll(() => revocationAge.textContent()).toMatch(/^actualizada .*versión 0$/);
    expect(await page.getByTestId('trust-list-age').textContent()).toMatch(/^actualizada /);
    const manifest = await page.locator('link[rel="manifest"]').getAttribute('href');
    expect((await page.request.get(`${server.baseUrl}${manifest}`)).ok()).toBe(true);
    // Strings, not functions: the test's TypeScript has no DOM types; they run in the page.
    expect(await page.evaluate('navigator.serviceWorker.ready.then((r) => r.scope)')).toBe(
      `${server.baseUrl}/verify`,
    );

    await context.setOffline(true);
    await page.reload();
    await page.getByTestId('trust-list-status').waitFor();
    expect(await page.evaluate('navigator.serviceWorker.controller !== null')).toBe(true);
    expect(await verifyPng(page, png.rawPayload)).toBe('valid');

    await context.setOffline(false);
    const revoked = await server.app.inject({
      method: 'POST',
      url: `/api/credentials/${credentialId}/revoke?purpose=enrolment`,
      cookies: { amparo_session: cookie },
      payload: { reason: 'lost' },
    });
    expect(revoked.statusCode).toBe(200);
    await page.getByRole('button', { name: 'Actualizar las listas' }).click();
    await expect.poll(() => revocationAge.textContent()).toMatch(/versión 1$/);
    expect(await page.getByRole('button', { name: 'Verificar', exact: true }).isEnabled()).toBe(
      true,
    );
    await page.getByRole('button', { name: 'Verificar', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('verdict').getAttribute('data-status'))
      .toBe('revoked');

    // Offline again: the stored lists (base + delta, re-verified) still say revoked.
    await context.setOffline(true);
    await page.reload();
    await page.getByTestId('trust-list-status').waitFor();
    await expect.poll(() => revocationAge.textContent()).toMatch(/versión 1$/);
    expect(await verifyPng(page, png.rawPayload)).toBe('revoked');
    expect(pageErrors).toEqual([]);
  }, 30_000);
});
