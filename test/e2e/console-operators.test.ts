import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overflowsHorizontally, screenshot, seriousAxeViolations, viewports } from './browser.js';
import { type ConsoleRun, openConsoleRun } from './console-run.js';

/**
 * Staff accounts in Debian's Chromium against the real server: the demo administrator
 * creates a clerk's account, the clerk signs in with the password and authenticator key
 * shown once, the administrator disables the account (the clerk's session ends at once) and
 * resets its access (new details, shown once, that work).
 */

let run: ConsoleRun;
let admin: Page;
let first: { password: string; secret: string };

beforeAll(async () => {
  run = await openConsoleRun();
}, 90_000);

afterAll(async () => run?.close());

async function shownCredentials(page: Page) {
  const panel = page.getByTestId('credentials');
  await panel.getByRole('img', { name: /Código QR/ }).waitFor();
  return {
    password: (await panel.getByTestId('first-password').textContent()) ?? '',
    secret: (await panel.getByTestId('totp-secret').textContent()) ?? '',
  };
}

describe('staff accounts in the console', () => {
  it('creates an account whose details, shown once, sign in', async () => {
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
    first = await shownCredentials(admin);
    expect(first.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(await seriousAxeViolations(admin)).toEqual([]);
    await screenshot(admin, 'operators-credentials');
    await admin.getByRole('button', { name: 'Ya los entregué' }).click();
    await admin.getByTestId('operator-luisa.mora').waitFor();
    await expect(admin.getByTestId('credentials').count()).resolves.toBe(0);

    const clerk = await run.newPage('phone');
    await run.signIn(clerk, 'luisa.mora', first.password, first.secret);
    expect(await clerk.getByTestId('who-am-i').textContent()).toContain('Luisa Mora');
    // A handed-over password opens one page: choosing her own.
    await clerk.getByRole('heading', { level: 1, name: 'Mi contraseña' }).waitFor();
    await clerk
      .getByRole('alert')
      .getByText(/Elija ahora la suya/)
      .waitFor();
    expect(await seriousAxeViolations(clerk)).toEqual([]);
    await clerk.getByLabel('Contraseña actual').fill(first.password);
    await clerk.getByLabel('Contraseña nueva').fill('123456789012');
    await clerk.getByRole('button', { name: 'Cambiar la contraseña' }).click();
    await clerk.getByText('Es una secuencia (como 123456 o abcdef).').waitFor();
    await clerk.getByLabel('Contraseña nueva').fill('el río guaire baja crecido');
    await clerk.getByRole('button', { name: 'Cambiar la contraseña' }).click();
    await clerk
      .getByRole('status')
      .getByText(/su contraseña cambió/)
      .waitFor();
    await clerk.getByRole('link', { name: 'Buscar personas' }).click();
    await clerk.getByRole('heading', { level: 1, name: 'Buscar personas' }).waitFor();
    await admin.setViewportSize(viewports.phone);
    expect(await overflowsHorizontally(admin)).toBe(false);
    await admin.setViewportSize(viewports.desktop);
  });

  it('disables the account at once and resets its access', async () => {
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
    const reset = await shownCredentials(admin);
    expect(reset.password).not.toBe(first.password);
    await screenshot(admin, 'operators');
    const again = await run.newPage();
    await run.signIn(again, 'luisa.mora', reset.password, reset.secret);
    const own = admin.getByTestId('operator-admin');
    await own.getByText(/su propia cuenta/).waitFor();
    expect(await own.getByRole('button').count()).toBe(0);
    expect(run.pageErrors).toEqual([]);
  });
});
