import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountCreator, accountFlags, transferCreator } from '../../src/modules/ledger/index.js';
import { receivedCode } from '../../src/modules/notifications/received-text-test-kit.js';
import {
  fundingAccountId,
  settlementAccountId,
} from '../../src/modules/payments/accounts/account-ids.js';
import { cashCycle } from '../../src/modules/payments/payments-test-kit.js';
import { buildOperator, buildPerson } from '../factories.js';
import {
  overflowsHorizontally,
  screenshot,
  seriousAxeViolations,
  sessionCookieOf,
  signedInPage,
  viewports,
} from './browser.js';
import { type ConsoleRun, openConsoleRun } from './console-run.js';

/**
 * The finance officer's money page in Debian's Chromium against the real server (issue #16):
 * one officer funds a cash program and pays its published cycle into wallets, following the
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
  // A third officer for the merchant test: signing one in twice within a TOTP step is refused.
  for (const username of ['finanzas.una', 'finanzas.dos', 'finanzas.tres']) {
    officers.push(
      await buildOperator(context, { username, roles: ['finance_officer'], regions: ['VE-A'] }),
    );
  }
  for (let index = 0; index < 3; index += 1) await buildPerson(context, { region: 'VE-A' });
  ({ programId, cycleId } = await cashCycle(run.server.database.db, {
    code: 'bono_consola',
    amountMinor: 10_00n,
  }));
  // For the merchant form: a second program to subsidise with, and a cashier named by username.
  await cashCycle(run.server.database.db, { code: 'bono_dos', amountMinor: 5_00n });
  await buildOperator(context, {
    username: 'caja.consola',
    roles: ['merchant'],
    regions: ['VE-A'],
  });
}, 180_000);

afterAll(async () => run?.close());

/**
 * A two-person payee account check `starterId` started for the person, as their screen leaves
 * it (photo compared), and approved by `approverId` when one is given. Answers its id.
 */
async function twoPersonPayeeCheck(
  personId: string,
  starterId: string,
  approverId: string | null,
): Promise<string> {
  const id = randomUUID();
  const now = new Date();
  await run.server.database.db
    .insertInto('payment_pin_check')
    .values({
      id,
      person_id: personId,
      operator_id: starterId,
      method: 'two_person',
      subject: 'payee_account',
      code_hash: null,
      photo_checked: true,
      approved_by: approverId,
      approved_at: approverId === null ? null : now,
      created_at: now,
      expires_at: new Date(now.getTime() + 15 * 60_000),
    })
    .execute();
  return id;
}

/** Why the person's held payee account change was stopped (null: it was not). */
async function stopReasonOf(personId: string): Promise<string | null> {
  const row = await run.server.database.db
    .selectFrom('payee_account_stop')
    .select('stopped_reason')
    .where('person_id', '=', personId)
    .executeTakeFirstOrThrow();
  return row.stopped_reason;
}

/**
 * The starter sets the person's payee account under the approved check: held a day, the person
 * texted a stop code. Answers the code, read from the text as the phone shows it.
 */
async function heldPayeeChange(
  starter: Officer,
  personId: string,
  checkId: string,
  accountNumber: string,
): Promise<string> {
  const set = await run.server.app.inject({
    method: 'PUT',
    url: `/api/payments/persons/${personId}/payee-account?purpose=self`,
    cookies: { amparo_session: await sessionCookieOf(run, starter) },
    payload: {
      checkId,
      holderName: 'Rosa Mérida',
      account: { kind: 'bank_account', accountNumber },
      bank: { bankCode: '0134' },
    },
  });
  expect(set.statusCode, set.body).toBe(200);
  // The stop code as the phone shows it in the held-change text (the outbox keeps it sealed).
  return receivedCode(
    { db: run.server.database.db, masterKey: run.server.keys.masterKey },
    { personId, templateId: 'payments.payee_changed_held' },
  );
}

describe('money in the console', () => {
  it('funds and pays a cycle, and an adjustment needs a second finance officer', async () => {
    const [first, second] = officers as [Officer, Officer];
    const page = await signedInPage(run, first, { viewport: 'phone', path: '/' });
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
    await disbursement.getByLabel('Identificador del ciclo publicado').fill(cycleId);
    await disbursement.getByRole('button', { name: 'Iniciar o continuar el pago' }).click();
    const progress = page.getByTestId('disbursement-progress');
    await progress.getByText(/^Terminado: (\d+) de \1 partes$/).waitFor({ timeout: 60_000 });
    const paid = await progress.locator('dd').nth(1).textContent();
    expect(paid).toMatch(/^[1-9]\d* \(\d+\.00 VES\)$/);

    const trial = page.getByTestId('trial-balance');
    await page.getByRole('button', { name: 'Actualizar' }).click();
    await trial.getByText(/^VES: cuadra: débitos/).waitFor();
    // Sent payouts of persons who died, were merged or erased: none here, and said so.
    await page
      .getByRole('region', { name: 'Pagos enviados de personas fallecidas, fusionadas o borradas' })
      .getByText('Ninguno.')
      .waitFor();

    const propose = page.getByRole('form', { name: 'Proponer un ajuste' });
    // Both accounts chosen by name from the ledger's own accounts (the option's value is the id).
    await propose.getByLabel('Cuenta de origen').selectOption(settlementAccountId('VES'));
    await propose.getByLabel('Cuenta de destino').selectOption(fundingAccountId(programId, 'VES'));
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

    const approver = await signedInPage(run, second, { path: '/' });
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

  it('registers a merchant through the form, lists it, settles its day and links the pain.001 file', async () => {
    const [, , third] = officers as [Officer, Officer, Officer];
    const page = await signedInPage(run, third, { viewport: 'phone', path: '/' });
    await page.goto(`${run.server.baseUrl}/money`);
    await page.getByRole('heading', { name: 'Dinero', level: 1 }).waitFor();

    const form = page.getByRole('form', { name: 'Registrar un comercio' });
    await form.getByRole('button', { name: 'Registrar' }).click();
    await form.getByText('Escriba el nombre, hasta 70 caracteres.').waitFor();
    await form.getByText('Escriba los 20 dígitos del número de cuenta.').waitFor();
    await form.getByLabel('Nombre del comercio').fill('Bodega Consola');
    await form.getByLabel('Estado').selectOption('VE-A');
    await form.getByLabel('Código del banco').fill('0134');
    await form.getByLabel('Número de la cuenta de liquidación').fill('01340000000000000042');
    // Two programs, each paying its share; the staff named by username. An unknown username
    // is refused by the server and said under the field.
    await form.getByLabel('Personal (nombres de usuario)').fill('nadie.aqui');
    await form.getByRole('button', { name: 'Añadir un programa' }).click();
    await form.getByRole('button', { name: 'Añadir un programa' }).click();
    await form.getByLabel(/^Programa 1/).selectOption({ label: 'Bono (bono_consola)' });
    await form.getByLabel('Parte que paga el programa 1 (%)').fill('50');
    await form.getByLabel(/^Programa 2/).selectOption({ label: 'Bono (bono_dos)' });
    await form.getByLabel('Parte que paga el programa 2 (%)').fill('12,5');
    await form.getByRole('button', { name: 'Registrar' }).click();
    await form
      .getByText('Ningún operador con el rol comercio tiene estos nombres de usuario: nadie.aqui.')
      .waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(await overflowsHorizontally(page)).toBe(false);
    await form.getByLabel('Personal (nombres de usuario)').fill('caja.consola');
    await form.getByRole('button', { name: 'Registrar' }).click();
    await form.getByText('Registrado: Bodega Consola.').waitFor();
    const registered = await run.server.database.db
      .selectFrom('merchant as m')
      .innerJoin('merchant_subsidy as s', 's.merchant_id', 'm.id')
      .select(['s.program_id', 's.share_basis_points'])
      .where('m.name', '=', 'Bodega Consola')
      .orderBy('s.share_basis_points', 'desc')
      .execute();
    expect(registered.map((row) => row.share_basis_points)).toEqual([5_000, 1_250]);
    expect(registered[0]?.program_id).toBe(programId);
    const staffed = await run.server.database.db
      .selectFrom('merchant_staff as s')
      .innerJoin('merchant as m', 'm.id', 's.merchant_id')
      .innerJoin('operator as o', 'o.id', 's.operator_id')
      .select('o.username')
      .where('m.name', '=', 'Bodega Consola')
      .execute();
    expect(staffed).toEqual([{ username: 'caja.consola' }]);

    const listed = page.getByTestId('merchants').getByRole('listitem').filter({
      hasText: 'Bodega Consola',
    });
    await listed.waitFor();
    const accountId = (await listed.locator('.id-text').textContent()) ?? '';
    expect(accountId).toMatch(/^[0-9a-f-]{36}$/);
    await listed.getByText('Distrito Capital').waitFor();
    // Two-person rule: the registrar alone cannot approve it; it waits for a second officer.
    const awaiting = listed.getByTestId('merchant-awaiting-approval');
    await awaiting.getByRole('button', { name: 'Aprobar Bodega Consola' }).click();
    await awaiting
      .getByText('Debe aprobarlo un segundo oficial de finanzas, no quien lo hizo.')
      .waitFor();

    // The day's takings: 25.00 VES credited to the merchant's account through the ledger's face.
    const db = run.server.database.db;
    await accountCreator(db, [
      {
        id: settlementAccountId('VES'),
        currency: 'VES',
        kind: 'settlement',
        flags: accountFlags.none,
      },
    ]);
    const [credited] = await transferCreator(db, [
      {
        id: randomUUID(),
        debitAccountId: settlementAccountId('VES'),
        creditAccountId: accountId,
        amountMinor: 25_00n,
        flags: 0,
        currency: 'VES',
        reason: 'adjustment',
      },
    ]);
    expect(credited?.result).toBe('ok');

    const settlement = page.getByRole('region', { name: 'Liquidación a comercios' });
    // The agency's paying account is stored once (payment.paying_account_set, audited), not
    // typed for each day: none yet, so the day cannot be settled until it is set here.
    await settlement.getByText(/^No hay cuenta pagadora guardada/).waitFor();
    expect(await settlement.getByRole('button', { name: 'Liquidar el día' }).isDisabled()).toBe(
      true,
    );
    await settlement.getByLabel('Titular de la cuenta pagadora').fill('Tesoro Amparo');
    await settlement.getByLabel(/^Número de la cuenta pagadora/).fill('01020000000000000001');
    await settlement.getByRole('button', { name: 'Guardar la cuenta pagadora' }).click();
    await settlement
      .getByTestId('paying-account-current')
      .getByText(/^Tesoro Amparo: cuenta 01020000000000000001, banco 0102\./)
      .waitFor();
    await settlement.getByRole('button', { name: 'Liquidar el día' }).click();
    await settlement.getByText('Elija el día.').waitFor();
    const day = new Date().toISOString().slice(0, 10);
    await settlement.getByLabel('Día a liquidar').fill(day);
    await settlement.getByRole('button', { name: 'Liquidar el día' }).click();
    const result = page.getByTestId('settlement-result');
    await result.getByText('Liquidado. Comercios pagados: 1.').waitFor();
    await result.getByText(/^Bodega Consola: 25\.00 VES \(\d+ pagos\)$/).waitFor();
    const link = result.getByRole('link', { name: 'Descargar el archivo pain.001' });
    const href = (await link.getAttribute('href')) ?? '';
    expect(href).toBe(
      `/api/payments/merchant-settlements/${day}/VES/pain.001.xml?purpose=distribution`,
    );
    const file = await page.request.get(`${run.server.baseUrl}${href}`);
    expect(file.status()).toBe(200);
    const xml = await file.text();
    expect(xml).toContain('pain.001.001.09');
    expect(xml).toContain('01340000000000000042');
    // The stored paying account is the file's debtor.
    expect(xml).toContain('<Dbtr><Nm>Tesoro Amparo</Nm></Dbtr>');
    expect(xml).toContain('<DbtrAcct><Id><Othr><Id>01020000000000000001</Id>');

    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(await overflowsHorizontally(page)).toBe(false);
    await screenshot(page, 'money-merchants-phone');
    expect(run.pageErrors).toEqual([]);
  }, 180_000);
  it('a second finance officer approves the merchant another registered, in English', async () => {
    const [first] = officers as [Officer, Officer, Officer];
    const page = await signedInPage(run, first, { path: '/' });
    await page.goto(`${run.server.baseUrl}/money`);
    await page.getByRole('heading', { name: 'Dinero', level: 1 }).waitFor();
    await page.getByLabel('Idioma').selectOption('en');
    await page.getByRole('heading', { name: 'Money', level: 1 }).waitFor();
    const listed = page.getByTestId('merchants').getByRole('listitem').filter({
      hasText: 'Bodega Consola',
    });
    await listed.getByText('Awaiting approval by a second finance officer').waitFor();
    await listed.getByRole('button', { name: 'Approve Bodega Consola' }).click();
    await listed.getByTestId('merchant-awaiting-approval').waitFor({ state: 'detached' });
    const row = await run.server.database.db
      .selectFrom('merchant')
      .select(['approved_at'])
      .where('name', '=', 'Bodega Consola')
      .executeTakeFirstOrThrow();
    expect(row.approved_at).not.toBeNull();
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(run.pageErrors).toEqual([]);
  }, 180_000);

  it("a second account approves another's payee account check on /pin-approvals; the person stops the held change", async () => {
    const context = { database: run.server.database, masterKey: run.server.keys.masterKey };
    const photo =
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    const person = await buildPerson(context, {
      region: 'VE-A',
      phone: '+584125550971',
      sealed: { photo },
    });
    const starter = await buildOperator(context, { username: 'cobro.inicia' });
    const approver = await buildOperator(context, {
      username: 'cobro.aprueba',
      roles: ['registry_supervisor'],
      regions: ['VE-A'],
    });
    // The starter's side is the payee account page (console-payments drives it); here, its check.
    const checkId = await twoPersonPayeeCheck(person.id, starter.id, null);
    const page = await signedInPage(run, approver, { viewport: 'phone', path: '/' });
    await page.getByRole('link', { name: 'Aprobar verificaciones' }).first().click();
    const waiting = page.getByTestId('payee-approvals').getByRole('listitem');
    await waiting.getByText(/^Verificación de cuenta de cobro iniciada el/).waitFor();
    expect(await page.getByTestId('pin-approvals').count()).toBe(0);
    await waiting.getByRole('button', { name: 'Mostrar la foto registrada' }).click();
    await waiting.getByTestId('check-photo').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(await overflowsHorizontally(page)).toBe(false);
    await waiting.getByLabel('La persona que tengo delante es la de la foto').check();
    await waiting.getByRole('button', { name: 'Aprobar' }).click();
    await waiting.getByText('Aprobada: el colega puede fijar la cuenta de cobro').waitFor();
    const check = await run.server.database.db
      .selectFrom('payment_pin_check')
      .select('approved_by')
      .where('id', '=', checkId)
      .executeTakeFirstOrThrow();
    expect(check.approved_by).toBe(approver.id);

    // The starter sets the account (held a day); the person, texted a stop code, stops it on the
    // public page, signed in nowhere: one refusal for a wrong code, then stopped.
    const code = await heldPayeeChange(starter, person.id, checkId, '01340000000000004321');
    const visitor = await run.newPage('phone');
    await visitor.goto(`${run.server.baseUrl}/`);
    await visitor.getByRole('link', { name: 'Detener un cambio de mi cuenta de cobro' }).click();
    await visitor.getByLabel('Número de identidad').fill(person.uin);
    await visitor
      .getByLabel('Código del mensaje de texto')
      .fill(code === '000000' ? '111111' : '000000');
    await visitor.getByRole('button', { name: 'Detener el cambio' }).click();
    await visitor
      .getByRole('alert')
      .getByText(/^Ningún cambio retenido/)
      .waitFor();
    expect(await seriousAxeViolations(visitor)).toEqual([]);
    await visitor.getByLabel('Código del mensaje de texto').fill(code);
    await visitor.getByRole('button', { name: 'Detener el cambio' }).click();
    await visitor
      .getByRole('status')
      .getByText(/^Detenido\./)
      .waitFor();
    expect(await overflowsHorizontally(visitor)).toBe(false);
    expect(await stopReasonOf(person.id)).toBe('person_code');

    // The staff path: a person who calls the office reads out their code, and a clerk signed in
    // types it on the same page, reached from the person's payee account page. The page says
    // whose account the stop is recorded under, and the audit entry names the clerk.
    const caller = await buildPerson(context, { region: 'VE-A', phone: '+584125550972' });
    const office = await buildOperator(context, { username: 'cobro.oficina' });
    const callerCheckId = await twoPersonPayeeCheck(caller.id, starter.id, approver.id);
    const callerCode = await heldPayeeChange(
      starter,
      caller.id,
      callerCheckId,
      '01340000000000008765',
    );
    const desk = await signedInPage(run, office, {
      viewport: 'phone',
      path: `/persons/${caller.id}/payee-account`,
    });
    await desk
      .getByRole('link', {
        name: 'Detener un cambio retenido con el código que recibió la persona',
      })
      .click();
    expect(await desk.getByTestId('payee-stop-staff').textContent()).toBe(
      'Ha entrado como cobro.oficina: escriba el número de identidad y el código que la persona le lee. La detención queda registrada a nombre de su cuenta.',
    );
    await desk.getByLabel('Número de identidad').fill(caller.uin);
    await desk.getByLabel('Código del mensaje de texto').fill(callerCode);
    await desk.getByRole('button', { name: 'Detener el cambio' }).click();
    await desk
      .getByRole('status')
      .getByText(/^Detenido\./)
      .waitFor();
    expect(await seriousAxeViolations(desk)).toEqual([]);
    expect(await overflowsHorizontally(desk)).toBe(false);
    expect(await stopReasonOf(caller.id)).toBe('person_code');
    const stopEntries = (
      await run.server.database.db
        .selectFrom('audit_entry')
        .select('entry')
        .where('person_id', '=', caller.id)
        .execute()
    )
      .map((row) => JSON.parse(row.entry) as { action: string; outcome: string; actor: object })
      .filter((entry) => entry.action === 'payee.stop');
    expect(stopEntries).toEqual([
      expect.objectContaining({
        outcome: 'allowed',
        actor: expect.objectContaining({ kind: 'operator', id: office.id }),
      }),
    ]);
    expect(run.pageErrors).toEqual([]);
  }, 120_000);
});
