import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePng, findQrText } from '../../src/modules/credentials/card-image.js';
import { createCardPerson } from '../../src/modules/credentials/credentials-test-kit.js';
import {
  citizenSession,
  fundWallet,
} from '../../src/modules/payments/merchants/merchant-test-kit.js';
import { buildOperator, buildPerson } from '../factories.js';
import {
  overflowsHorizontally,
  seriousAxeViolations,
  sessionCookieOf,
  signedInPage,
} from './browser.js';
import { type ConsoleRun, openConsoleRun } from './console-run.js';

/**
 * The payment app and the merchant screen in Debian's Chromium against the real server (issue
 * #16, point 6): the merchant's staff asks for a payment and the screen shows its QR; the QR is
 * read back from the rendered image, the person pastes it in the payment app on a 360 px phone,
 * sees whom and how much, types the PIN they chose and pays; both sides see the same receipt.
 * A second try with the same request is refused and nothing more is paid. A person without a
 * phone then pays at the counter with their card and the PIN a clerk set for them.
 */
let run: ConsoleRun;
let staff: { id: string; username: string; password: string; totp: () => string };
let person: { personId: string; uin: string };
/** A person without a phone, with a card and a PIN a clerk set at the counter. */
let cardHolderQr: string;

beforeAll(async () => {
  run = await openConsoleRun();
  const context = { database: run.server.database, masterKey: run.server.keys.masterKey };
  const finance = await buildOperator(context, {
    username: 'pay.finance',
    roles: ['finance_officer'],
  });
  staff = await buildOperator(context, { username: 'pay.cashier', roles: ['merchant'] });
  const built = await buildPerson(context, { region: 'VE-A', phone: '+584125550931' });
  person = { personId: built.id, uin: built.uin };
  await fundWallet(run.server, person.personId, 10_000n);
  const clerk = await buildOperator(context, {
    username: 'pay.clerk',
    roles: ['enrolment_clerk', 'registry_supervisor'],
    regions: ['VE-A'],
  });
  const clerkCookie = { amparo_session: await sessionCookieOf(run, clerk) };
  const holder = await createCardPerson(run.server.database.db, run.server.keys.masterKey, {
    region: 'VE-A',
  });
  const issued = await run.server.app.inject({
    method: 'POST',
    url: `/api/persons/${holder.id}/credentials?purpose=enrolment`,
    cookies: clerkCookie,
    payload: { clientId: randomUUID() },
  });
  expect(issued.statusCode, issued.body).toBe(201);
  cardHolderQr = issued.json().qrText;
  await fundWallet(run.server, holder.id, 5_000n);
  const pin = await run.server.app.inject({
    method: 'PUT',
    url: `/api/payments/persons/${holder.id}/pin?purpose=self`,
    cookies: clerkCookie,
    payload: { pin: '2580' },
  });
  expect(pin.statusCode, pin.body).toBe(200);
  const registered = await run.server.app.inject({
    method: 'POST',
    url: '/api/payments/merchants?purpose=distribution',
    cookies: { amparo_session: await sessionCookieOf(run, finance) },
    payload: {
      merchantId: randomUUID(),
      name: 'Bodega La Esquina',
      stateCode: 'VE-A',
      currency: 'VES',
      settlement: { bankCode: '0134', accountNumber: '01340000000000000042', holder: 'person' },
      staffOperatorIds: [staff.id],
      subsidies: [],
    },
  });
  expect(registered.statusCode, registered.body).toBe(201);
}, 120_000);

afterAll(async () => run?.close());

function merchantScreen(): Promise<Page> {
  return signedInPage(run, staff, { viewport: 'phone', path: '/merchant' });
}

async function paymentApp(): Promise<Page> {
  const page = await run.newPage('phone');
  const session = await citizenSession(run.server, person);
  await page
    .context()
    .addCookies([
      { name: 'amparo_session', value: session.amparo_session, url: run.server.baseUrl },
    ]);
  await page.goto(`${run.server.baseUrl}/pay`);
  return page;
}

describe('the payment app and the merchant screen', () => {
  it('pays a merchant from the QR it shows to both receipts, refuses the same request again, and takes a card and PIN at the counter', async () => {
    const merchant = await merchantScreen();
    await merchant.getByLabel('Monto (Bs.)').fill('20,50');
    await merchant.getByLabel('Su referencia').fill('T-77');
    await merchant.getByRole('button', { name: 'Mostrar el código QR' }).click();
    const qr = merchant.getByTestId('merchant-request-qr');
    await qr.waitFor();
    expect(await seriousAxeViolations(merchant)).toEqual([]);
    expect(await overflowsHorizontally(merchant)).toBe(false);
    const token = findQrText(decodePng(await qr.screenshot()));
    expect(token).toMatch(/^AMPPAY1\./);

    const app = await paymentApp();
    await app.getByTestId('pay-balance').getByText('100,00').waitFor();
    // Installable on its own: its manifest (start and scope /pay) replaces the console's.
    expect(await app.locator('link[rel="manifest"]').getAttribute('href')).toBe('/pay.webmanifest');
    const manifest = await app.request.get(`${run.server.baseUrl}/pay.webmanifest`);
    expect((await manifest.json()).scope).toBe('/pay');
    await app.getByLabel('Clave nueva').fill('4821');
    await app.getByRole('button', { name: 'Guardar la clave' }).click();
    await app.getByLabel('Texto de la solicitud de pago').fill(token ?? '');
    await app.getByTestId('pay-preview').getByText('Bodega La Esquina, referencia T-77').waitFor();
    await app.getByLabel('Su clave').fill('4821');
    await app.getByRole('button', { name: 'Pagar', exact: true }).click();
    const receipt = app.getByTestId('pay-receipt');
    await receipt.getByText('Recibo: Bodega La Esquina').waitFor();
    await app.getByTestId('pay-balance').getByText('79,50').waitFor();
    expect(await seriousAxeViolations(app)).toEqual([]);
    expect(await overflowsHorizontally(app)).toBe(false);
    const number = await receipt.getAttribute('data-request');

    await merchant.getByRole('button', { name: 'Actualizar' }).click();
    const theirs = merchant.getByTestId('merchant-receipt');
    await theirs.getByText('T-77').waitFor();
    expect(await theirs.getAttribute('data-request')).toBe(number);
    expect(await theirs.textContent()).toContain('20,50');
    // A partial refund from the merchant's screen: both sides' receipts list it.
    await merchant.getByLabel('Monto a devolver (Bs.)').fill('5');
    await merchant.getByRole('button', { name: 'Devolver', exact: true }).click();
    await merchant.getByText(/^Devuelto .*5,00\.$/).waitFor();
    await theirs.getByTestId('receipt-refunded').getByText('5,00').waitFor();
    expect(await seriousAxeViolations(merchant)).toEqual([]);
    expect(await overflowsHorizontally(merchant)).toBe(false);

    await app.getByRole('button', { name: 'Pagar otra cosa' }).click();
    await app.getByLabel('Texto de la solicitud de pago').fill(token ?? '');
    await app.getByLabel('Su clave').fill('4821');
    await app.getByRole('button', { name: 'Pagar', exact: true }).click();
    await app.getByText('Esta solicitud de pago ya se pagó. No se pagó nada más.').waitFor();
    // Read again: the refund of 5,00 (an unsubsidised price: all of it to the wallet) is there.
    await app.reload();
    await app.getByTestId('pay-balance').getByText('84,50').waitFor();

    // A payer without a phone, at the counter: their card and the PIN a clerk set.
    await merchant.getByLabel('Su referencia').fill('T-78');
    await merchant.getByRole('button', { name: 'Mostrar el código QR' }).click();
    await merchant.getByText('Quien paga no tiene teléfono').click();
    await merchant.getByLabel('Texto del código QR del carnet').fill(cardHolderQr);
    await merchant.getByLabel('La clave de quien paga').fill('2580');
    await merchant.getByRole('button', { name: 'Cobrar', exact: true }).click();
    const counter = merchant.getByTestId('counter-receipt');
    await counter.getByText('carnet y clave en el mostrador').waitFor();
    expect(await seriousAxeViolations(merchant)).toEqual([]);
    expect(run.pageErrors).toEqual([]);
  });
});
