import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Decode } from '../../src/modules/access/base32.js';
import { totpCode, totpStep } from '../../src/modules/access/totp.js';
import { overflowsHorizontally, screenshot, seriousAxeViolations, viewports } from './browser.js';
import { type ConsoleRun, openConsoleRun } from './console-run.js';

/**
 * Staff accounts in Debian's Chromium against the real server: the demo administrator asks
 * for a clerk's account and sees the first half of its enrolment code; she cannot approve her
 * own request nor enrol with her half alone; the second demo administrator approves and sees
 * the second half; the clerk sets her own password and authenticator at the first sign-in and
 * signs in. Then the account is disabled (its session ends at once) and its access reset,
 * which again needs both administrators. Last, the card-proof key screen: one administrator
 * rotates, the other's click from the same view is refused and the list shows the new version.
 */

let run: ConsoleRun;
let admin: Page;
let admin2: Page;
let halves: { first: string; second: string };
const password = 'el río guaire baja crecido';

beforeAll(async () => {
  run = await openConsoleRun();
}, 90_000);

afterAll(async () => run?.close());

async function shownHalf(page: Page): Promise<string> {
  const panel = page.getByTestId('code-half');
  const code = (await panel.getByTestId('code-half-value').textContent()) ?? '';
  expect(code).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
  expect(await seriousAxeViolations(page)).toEqual([]);
  await panel.getByRole('button', { name: 'Ya lo entregué' }).click();
  return code;
}

/** Fills the first sign-in; the authenticator code is that of the previous 30-second step. */
async function firstSignIn(page: Page, codes: { first: string; second: string }) {
  await page.goto(`${run.server.baseUrl}/sign-in`);
  await page.getByRole('link', { name: /Configure su ingreso/ }).click();
  await page.getByRole('heading', { level: 1, name: 'Primer ingreso' }).waitFor();
  await page.getByLabel('Usuario').fill('luisa.mora');
  await page.getByLabel('Código de activación, primera mitad').fill(codes.first);
  await page.getByLabel('Código de activación, segunda mitad').fill(codes.second);
  await page.getByLabel('Contraseña nueva').fill(password);
  const secret = (await page.getByTestId('totp-secret').textContent()) ?? '';
  // The previous step is accepted too (clock drift), and leaves the current one for sign-in.
  const code = totpCode(base32Decode(secret), totpStep(Date.now()) - 1);
  await page.getByLabel('Código de la aplicación autenticadora').fill(code);
  await page.getByRole('button', { name: 'Configurar mi ingreso' }).click();
  return secret;
}

describe('staff accounts in the console', () => {
  it('asks for an account that a second administrator approves; the person sets their own secrets', async () => {
    admin = await run.signedIn('admin');
    await admin.getByRole('link', { name: 'Cuentas del personal' }).click();
    await admin.getByRole('heading', { level: 1, name: 'Cuentas del personal' }).waitFor();
    await admin.getByRole('button', { name: 'Crear la cuenta' }).click();
    await admin.getByText('Elija al menos una.').first().waitFor();
    await admin.getByLabel('Usuario').fill('luisa.mora');
    await admin.getByLabel('Nombre que se muestra').fill('Luisa Mora');
    await admin.getByRole('checkbox', { name: 'personal de inscripción' }).check();
    await admin.getByRole('checkbox', { name: 'Distrito Capital' }).check();
    expect(await seriousAxeViolations(admin)).toEqual([]);
    await admin.getByRole('button', { name: 'Crear la cuenta' }).click();
    await screenshot(admin, 'operators-code-half');
    const first = await shownHalf(admin);
    const pending = admin.getByTestId('pending-luisa.mora');
    await pending.getByText(/Usted lo pidió/).waitFor();
    expect(await pending.getByRole('button', { name: 'Aprobar' }).count()).toBe(0);
    await admin.getByTestId('operator-luisa.mora').getByText('Todavía sin funciones').waitFor();

    // The creator's half alone opens nothing.
    const creator = await run.newPage();
    await firstSignIn(creator, { first, second: first });
    await creator
      .getByRole('alert')
      .getByText(/No funcionó/)
      .waitFor();

    admin2 = await run.signedIn('admin2');
    await admin2.getByRole('link', { name: 'Cuentas del personal' }).click();
    const waiting = admin2.getByTestId('pending-luisa.mora');
    await waiting.getByText(/Pedido por admin/).waitFor();
    expect(await seriousAxeViolations(admin2)).toEqual([]);
    await waiting.getByRole('button', { name: 'Aprobar' }).click();
    halves = { first, second: await shownHalf(admin2) };
    await admin2
      .getByTestId('operator-luisa.mora')
      .getByText(/personal de inscripción/)
      .waitFor();

    const clerk = await run.newPage('phone');
    const secret = await firstSignIn(clerk, halves);
    await clerk.getByRole('status').getByText(/Listo/).waitFor();
    expect(await seriousAxeViolations(clerk)).toEqual([]);
    expect(await overflowsHorizontally(clerk)).toBe(false);
    await run.signIn(clerk, 'luisa.mora', password, secret);
    expect(await clerk.getByTestId('who-am-i').textContent()).toContain('Luisa Mora');
    await clerk.getByRole('link', { name: 'Buscar personas' }).click();
    await clerk.getByRole('heading', { level: 1, name: 'Buscar personas' }).waitFor();
    // What the administrators saw is useless now.
    const replay = await run.newPage();
    await firstSignIn(replay, halves);
    await replay
      .getByRole('alert')
      .getByText(/No funcionó/)
      .waitFor();
    await admin.setViewportSize(viewports.phone);
    expect(await overflowsHorizontally(admin)).toBe(false);
    await admin.setViewportSize(viewports.desktop);
  }, 120_000);

  it('disables the account at once and resets its access with two administrators', async () => {
    await admin.reload();
    const row = admin.getByTestId('operator-luisa.mora');
    await row.getByRole('button', { name: 'Desactivar' }).click();
    await row.getByText(/Desactivada desde/).waitFor();
    const sessions = await run.server.database.db
      .selectFrom('auth_session as s')
      .innerJoin('operator as o', 'o.id', 's.operator_id')
      .select('s.revoked_at')
      .where('o.username', '=', 'luisa.mora')
      .execute();
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.every((session) => session.revoked_at !== null)).toBe(true);

    await row.getByRole('button', { name: 'Activar' }).click();
    await row.getByText(/Activa, creada/).waitFor();
    await row.getByRole('button', { name: 'Restablecer el acceso' }).click();
    await admin.getByRole('button', { name: 'Sí, restablecer' }).click();
    const first = await shownHalf(admin);
    expect(first).not.toBe(halves.first);
    await admin2.reload();
    await admin2.getByTestId('pending-luisa.mora').getByRole('button', { name: 'Aprobar' }).click();
    const second = await shownHalf(admin2);
    await screenshot(admin2, 'operators');
    await admin2
      .getByTestId('operator-luisa.mora')
      .getByText('La persona todavía no configuró su ingreso.')
      .waitFor();
    const own = admin.getByTestId('operator-admin');
    await own.getByText(/su propia cuenta/).waitFor();
    expect(await own.getByRole('button').count()).toBe(0);
    expect(second).not.toBe(halves.second);
    expect(run.pageErrors).toEqual([]);
  }, 60_000);

  it('shows the card-proof key to administrators and rotates it once when two click at once', async () => {
    // Both administrators open the screen from the menu while version 1 is in use.
    for (const page of [admin, admin2]) {
      await page.getByRole('link', { name: 'Clave sin conexión' }).click();
      await page
        .getByRole('heading', { level: 1, name: 'Clave de las pruebas de carnet sin conexión' })
        .waitFor();
      await page.getByTestId('proof-key-1').getByText('En uso', { exact: true }).waitFor();
    }
    await admin.getByRole('button', { name: 'Rotar la clave' }).click();
    await admin
      .getByRole('alertdialog')
      .getByText(/usarán la versión 2/)
      .waitFor();
    expect(await seriousAxeViolations(admin)).toEqual([]);
    await admin.getByRole('button', { name: 'Sí, rotar' }).click();
    await admin
      .getByRole('status')
      .getByText(/la versión 2 está en uso/)
      .waitFor();
    await admin.getByTestId('proof-key-2').getByText('En uso', { exact: true }).waitFor();
    await admin.getByTestId('proof-key-2').getByText('desde esta pantalla').waitFor();
    // No snapshot published version 1 here (no device downloaded one): it closed on rotation.
    await admin.getByTestId('proof-key-1').getByText('Cerrada').waitFor();
    expect(await seriousAxeViolations(admin)).toEqual([]);
    await admin.setViewportSize(viewports.phone);
    expect(await overflowsHorizontally(admin)).toBe(false);
    await screenshot(admin, 'card-proof-key');
    await admin.setViewportSize(viewports.desktop);
    // The second administrator still saw version 1: refused, and the list now shows version 2.
    await admin2.getByRole('button', { name: 'Rotar la clave' }).click();
    await admin2.getByRole('button', { name: 'Sí, rotar' }).click();
    await admin2
      .getByRole('alert')
      .getByText(/cambió mientras tanto/)
      .waitFor();
    await admin2.getByTestId('proof-key-2').getByText('En uso', { exact: true }).waitFor();
    const versions = await run.server.database.db
      .selectFrom('offline_proof_key')
      .select('version')
      .execute();
    expect(versions.map((row) => row.version).sort()).toEqual([1, 2]);
    expect(run.pageErrors).toEqual([]);
  }, 30_000);
});
