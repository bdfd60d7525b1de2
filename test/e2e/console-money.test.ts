import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fundingAccountId,
  settlementAccountId,
} from '../../src/modules/payments/accounts/account-ids.js';
import { cashCycle } from '../../src/modules/payments/payments-test-kit.js';
import { buildOperator, buildPerson } from '../factories.js';
import { overflowsHorizontally, screenshot, seriousAxeViolations, viewports } from './browser.js';
import { type ConsoleRun, openConsoleRun } from './console-run.js';

/**
 * The finance officer's money page in Debian's Chromium against the real server (issue #16):
 * one officer funds a cash program and pays its approved cycle into wallets, following the
 * progress to the end; the trial balance balances; the same officer proposes an adjustment and
 * is not offered its decision; a second officer approves it and it is applied. Spanish at phone
 * width, English on a desktop, axe-clean.
 */
let run: ConsoleRun;
type Officer = { username: string; password: string; totp: () => string };
const officers: Officer[] = [];
let programId: string;
let cycleId: string;

beforeAll(async () => {
  run = await openConsoleRun();
  const context = { database: run.server.database, masterKey: run.server.keys.masterKey };
  for (const username of ['finanzas.una', 'finanzas.dos']) {
    officers.push(
      await buildOperator(context, { username, roles: ['finance_officer'], regions: ['VE-A'] }),
    );
  }
  for (let index = 0; index < 3; index += 1) await buildPerson(context, { region: 'VE-A' });
  ({ programId, cycleId } = await cashCycle(run.server.database.db, {
    code: 'bono_consola',
    amountMinor: 10_00n,
  }));
}, 180_000);

afterAll(async () => run?.close());

async function signedInAs(officer: Officer, viewport: keyof typeof viewports) {
  const page = await run.newPage(viewport);
  const signIn = await page.request.post(`${run.server.baseUrl}/api/auth/sign-in`, {
    data: { username: officer.username, password: officer.password, totp: officer.totp() },
  });
  expect(signIn.status()).toBe(200);
  await page.goto(`${run.server.baseUrl}/`);
  return page;
}

describe('money in the console', () => {
  it('funds and pays a cycle, and an adjustment needs a second finance officer', async () => {
    const [first, second] = officers as [Officer, Officer];
    const page = await signedInAs(first, 'phone');
    await page
      .getByRole('link', {
        name: 'Fondear beneficios en efectivo, pagar ciclos a monederos y aprobar ajustes',
      })
      .click();
    await page.getByRole('heading', { name: 'Dinero', level: 1 }).waitFor();

    const funding = page.getByRole('region', { name: 'Fondear un programa' });
    await funding.getByLabel('Identificador del programa').fill(programId);
    await funding.getByLabel('Monto').fill('1.000.000,00');
    await funding.getByRole('button', { name: 'Fondear' }).click();
    await funding.getByText('Fondeado. El programa tiene ahora 1000000.00 VES.').waitFor();

    const disbursement = page.getByRole('region', { name: 'Pagar un ciclo a los monederos' });
    await disbursement.getByLabel('Identificador del ciclo aprobado').fill(cycleId);
    await disbursement.getByRole('button', { name: 'Iniciar o continuar el pago' }).click();
    const progress = page.getByTestId('disbursement-progress');
    await progress.getByText(/^Terminado: (\d+) de \1 partes$/).waitFor({ timeout: 60_000 });
    const paid = await progress.locator('dd').nth(1).textContent();
    expect(paid).toMatch(/^[1-9]\d* \(\d+\.00 VES\)$/);

    const trial = page.getByTestId('trial-balance');
    await page.getByRole('button', { name: 'Actualizar' }).click();
    await trial.getByText(/^VES: cuadra: débitos/).waitFor();

    const propose = page.getByRole('form', { name: 'Proponer un ajuste' });
    await propose.getByLabel('Cuenta de origen').fill(settlementAccountId('VES'));
    await propose.getByLabel('Cuenta de destino').fill(fundingAccountId(programId, 'VES'));
    await propose.getByLabel('Monto').fill('12,50');
    await propose
      .getByLabel('Explicación (una referencia, sin datos personales)')
      .fill('Ticket 77');
    await propose.getByRole('button', { name: 'Proponer' }).click();
    await propose.getByText('Propuesto. Otra persona debe aprobarlo.').waitFor();
    const adjustments = page.getByTestId('adjustments');
    await adjustments.getByText('Usted lo propuso: lo decide otra persona.').waitFor();
    expect(await adjustments.getByRole('button', { name: 'Aprobar' }).count()).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(await overflowsHorizontally(page)).toBe(false);
    await screenshot(page, 'money-phone');

    const approver = await signedInAs(second, 'desktop');
    await approver.goto(`${run.server.baseUrl}/money`);
    await approver.getByRole('heading', { name: 'Dinero', level: 1 }).waitFor();
    await approver.getByLabel('Idioma').selectOption('en');
    await approver.getByRole('heading', { name: 'Money', level: 1 }).waitFor();
    const list = approver.getByTestId('adjustments');
    await list.getByText('12.50 VES').waitFor();
    await list.getByRole('button', { name: 'Approve' }).click();
    await list.getByText('Applied').waitFor();
    expect(await seriousAxeViolations(approver)).toEqual([]);
    expect(await overflowsHorizontally(approver)).toBe(false);
    await approver.setViewportSize(viewports.phone);
    expect(await overflowsHorizontally(approver)).toBe(false);
    await screenshot(approver, 'money-desktop');
    expect(run.pageErrors).toEqual([]);
  }, 180_000);
});
