import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  approvedCycle,
  publishedProgram,
  womenPension,
} from '../../src/modules/programs/programs-test-kit.js';
import { buildOperator, buildPerson } from '../factories.js';
import {
  citizenSignedInPage,
  overflowsHorizontally,
  screenshot,
  seriousAxeViolations,
  signedInPage,
  viewports,
} from './browser.js';
import { type ConsoleRun, openConsoleRun } from './console-run.js';

/**
 * "My benefits" and appeals in Debian's Chromium against the real server (issue #13, point 7):
 * the person reads that they are out of the pension and the condition they did not meet, in
 * Spanish and in English, files an appeal from the page; a program officer finds it in the
 * queue, takes it and upholds it; the person sees every step. An appeal filed by a clerk
 * that reveals a data error is listed overdue, sent to a registry correction, corrected by a
 * registry supervisor on the person's record and then upheld. Phone width and desktop,
 * axe-clean.
 */
let run: ConsoleRun;
let person: { id: string; uin: string };
let corrected: { id: string; uin: string };
type Operator = { username: string; password: string; totp: (stepOffset?: number) => string };
let officer: Operator;
let clerk: Operator;
let registrySupervisor: Operator;

beforeAll(async () => {
  run = await openConsoleRun();
  const context = { database: run.server.database, masterKey: run.server.keys.masterKey };
  const built = await buildPerson(context, {
    region: 'VE-A',
    phone: '+584121239876',
    attributes: {
      given_names: 'Ana',
      first_surname: 'Reclamo',
      sex: 'F',
      birth_date: '1990-03-04',
      state_code: 'VE-A',
    },
  });
  person = { id: built.id, uin: built.uin };
  officer = await buildOperator(context, {
    username: 'officer.appeals',
    roles: ['program_officer'],
    regions: ['VE-A'],
  });
  const berta = await buildPerson(context, {
    region: 'VE-A',
    phone: '+584121239877',
    attributes: {
      given_names: 'Berta',
      first_surname: 'Corregida',
      sex: 'F',
      birth_date: '1991-05-06',
      state_code: 'VE-A',
    },
  });
  corrected = { id: berta.id, uin: berta.uin };
  clerk = await buildOperator(context, {
    username: 'clerk.appeals',
    roles: ['enrolment_clerk'],
    regions: ['VE-A'],
  });
  registrySupervisor = await buildOperator(context, {
    username: 'registry.appeals',
    roles: ['registry_supervisor'],
    regions: ['VE-A'],
  });
  const db = run.server.database.db;
  const { programId } = await publishedProgram(db, {
    code: 'pension_e2e',
    content: womenPension,
  });
  await approvedCycle(db, programId);
}, 120_000);

afterAll(async () => run?.close());

async function pensionId(): Promise<string> {
  const row = await run.server.database.db
    .selectFrom('program')
    .select('id')
    .where('code', '=', 'pension_e2e')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function citizenPage(who: { id: string; uin: string } = person) {
  return citizenSignedInPage(run, who);
}

describe('my benefits and appeals in the console', () => {
  it('shows the person the failed condition and files an appeal from the page', async () => {
    const page = await citizenPage();
    const benefits = page.getByTestId('my-benefits');
    await benefits.getByText('Usted no está incluido').waitFor();
    await benefits.getByText('la edad es al menos 55').waitFor();
    expect(await benefits.textContent()).toContain('versión 1 de la regla');
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(await overflowsHorizontally(page)).toBe(false);
    await benefits.getByRole('button', { name: 'Reclamar' }).click();
    await page.getByLabel(/Por qué cree que es un error/).fill('Nací en 1960, no en 1990.');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Presentar el reclamo' }).click();
    const appeals = page.getByTestId('my-appeals');
    await appeals.getByText('presentado, en espera').waitFor();
    await benefits.getByText(/Ya reclamó en este ciclo/).waitFor();
    await screenshot(page, 'appeals-citizen-phone');
    await page.setViewportSize(viewports.desktop);
    expect(await overflowsHorizontally(page)).toBe(false);
    await page.getByLabel('Idioma').selectOption('en');
    await benefits.getByText('age is at least 55').waitFor();
    await page.context().close();
  }, 90_000);

  it('lets a program officer take and uphold it; the person sees each step', async () => {
    const page = await signedInPage(run, officer);
    await page.goto(`${run.server.baseUrl}/appeals`);
    const queue = page.getByTestId('appeal-queue');
    // The queue names the program in the reader's language, not by its code.
    await queue.getByText('Pensión de vejez').waitFor();
    expect(await queue.getByText('pension_e2e').count()).toBe(0);
    await queue.getByRole('button', { name: 'Abrir' }).click();
    const detail = page.getByTestId('appeal-detail');
    await detail.getByText('Nací en 1960, no en 1990.').waitFor();
    await detail.getByRole('button', { name: 'Tomar este reclamo' }).click();
    await detail.getByLabel(/Aceptar: otorgar el beneficio/).check();
    await detail
      .getByLabel(/Motivo que leerá la persona/)
      .fill('La partida de nacimiento dice 1960.');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await detail.getByRole('button', { name: 'Registrar la decisión' }).click();
    // Decided, it leaves the open queue and is found among the decided ones.
    await queue.getByText('Pensión de vejez').waitFor({ state: 'detached' });
    await page.getByLabel('Decididos').check();
    await queue.getByRole('button', { name: 'Abrir' }).click();
    await detail.getByText(/Motivo: La partida de nacimiento dice 1960/).waitFor();
    await screenshot(page, 'appeals-queue-desktop');
    await page.setViewportSize(viewports.phone);
    expect(await overflowsHorizontally(page)).toBe(false);
    const granted = await run.server.database.db
      .selectFrom('entitlement')
      .select('basis')
      .where('person_id', '=', person.id)
      .execute();
    expect(granted).toEqual([{ basis: 'appeal' }]);

    const citizen = await citizenPage();
    const appeals = citizen.getByTestId('my-appeals');
    await appeals.getByText('aceptado: se le otorgó el beneficio').waitFor();
    expect(await appeals.locator('.appeal-steps li').count()).toBe(3);
    await citizen.getByTestId('my-benefits').getByText('Usted está incluido').waitFor();
    expect(await seriousAxeViolations(citizen)).toEqual([]);
    expect(run.pageErrors).toEqual([]);
  }, 90_000);
  it('lists an overdue appeal, routes its data error to a registry correction, then upholds it', async () => {
    // A clerk files on the person's behalf (the page's own form is the citizen's, above).
    const desk = await signedInPage(run, clerk);
    const filed = await desk.request.post(
      `${run.server.baseUrl}/api/persons/${corrected.id}/appeals?purpose=appeal`,
      { data: { programId: await pensionId(), statement: 'Nació en 1961: la cédula lo dice.' } },
    );
    expect(filed.status()).toBe(201);
    const { appealId } = (await filed.json()) as { appealId: string };
    await desk.context().close();
    // Its service level to be taken has passed.
    await run.server.database.asAdmin((admin) =>
      sql`update appeal set assign_due_at = now() - interval '1 hour' where id = ${appealId}`.execute(
        admin,
      ),
    );

    const page = await signedInPage(run, officer, { viewport: 'phone' });
    await page.goto(`${run.server.baseUrl}/appeals`);
    const queue = page.getByTestId('appeal-queue');
    await page.getByLabel('Vencidos').check();
    const late = queue.locator('li[data-overdue="true"]');
    await late.getByText('vencido').waitFor();
    expect(await late.count()).toBe(1);
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(await overflowsHorizontally(page)).toBe(false);
    await screenshot(page, 'appeals-overdue-phone');
    await late.getByRole('button', { name: 'Abrir' }).click();
    const detail = page.getByTestId('appeal-detail');
    await detail.getByText('Nació en 1961: la cédula lo dice.').waitFor();
    await detail.getByRole('button', { name: 'Tomar este reclamo' }).click();
    // Taken, it is no longer overdue: the page follows it to the officer's own list.
    await expect.poll(() => page.getByLabel('Asignados a mí').isChecked()).toBe(true);
    await detail.getByLabel(/Un dato del registro está errado/).check();
    await detail.getByLabel('Qué dato está errado').selectOption('age');
    await detail
      .getByLabel(/Motivo que leerá la persona/)
      .fill('La fecha de nacimiento está errada.');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await detail.getByRole('button', { name: 'Registrar la decisión' }).click();
    await detail.getByText('En espera de que el registro corrija: age.').waitFor();
    // Waiting for the registry, it cannot be upheld yet: only upheld or rejected once corrected.
    expect(await detail.getByLabel(/Un dato del registro está errado/).count()).toBe(0);

    // A registry supervisor corrects the record under the purpose `appeal`.
    const registry = await signedInPage(run, registrySupervisor);
    await registry.goto(`${run.server.baseUrl}/persons/${corrected.id}?purpose=appeal`);
    await registry.getByLabel('Dato a corregir').selectOption('birth_date');
    await registry.getByLabel('Fecha de nacimiento', { exact: true }).fill('1961-05-06');
    await registry.getByLabel('Motivo de la corrección').selectOption('appeal_decision');
    await registry.getByRole('button', { name: 'Guardar la corrección' }).click();
    expect(await registry.getByTestId('correction-done').textContent()).toContain('versión 2');
    expect(await seriousAxeViolations(registry)).toEqual([]);
    await registry.context().close();

    // The officer upholds it: the rule now holds on the corrected record.
    await page.reload();
    await page.getByLabel('Asignados a mí').check();
    await queue.getByRole('button', { name: 'Abrir' }).click();
    await detail.getByText('se cumple', { exact: false }).first().waitFor();
    await detail.getByLabel(/Aceptar: otorgar el beneficio/).check();
    await detail.getByLabel(/Motivo que leerá la persona/).fill('Corregida en el registro.');
    await detail.getByRole('button', { name: 'Registrar la decisión' }).click();
    await queue.getByRole('button', { name: 'Abrir' }).waitFor({ state: 'detached' });
    const granted = await run.server.database.db
      .selectFrom('entitlement')
      .select('basis')
      .where('person_id', '=', corrected.id)
      .execute();
    expect(granted).toEqual([{ basis: 'appeal' }]);

    // The person sees each step, the registry correction included.
    const citizen = await citizenPage(corrected);
    const appeals = citizen.getByTestId('my-appeals');
    await appeals.getByText('aceptado: se le otorgó el beneficio').waitFor();
    await appeals.getByText(/se halló un dato errado en el registro/).waitFor();
    expect(await appeals.locator('.appeal-steps li').count()).toBe(4);
    expect(await seriousAxeViolations(citizen)).toEqual([]);
    expect(run.pageErrors).toEqual([]);
  }, 120_000);
});
