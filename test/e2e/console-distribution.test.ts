import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCard } from '../../src/modules/credentials/card-payload.js';
import { cardQr } from '../../src/modules/credentials/card-qr.js';
import { makeHolder } from '../../src/modules/credentials/card-test-kit.js';
import { createNodeSigner } from '../../src/modules/credentials/node-primitives.js';
import { receivedCode } from '../../src/modules/notifications/received-text-test-kit.js';
import { type BuiltOperator, buildHousehold, buildOperator, buildPerson } from '../factories.js';
import {
  citizenSignedInPage,
  fakeCameraArgs,
  launchChromium,
  overflowsHorizontally,
  seriousAxeViolations,
  sessionCookieOf,
  signedInPage,
  viewports,
  writeQrCameraVideo,
} from './browser.js';
import { type ConsoleRun, openConsoleRun } from './console-run.js';
import { distributionPointWorld } from './distribution-point-kit.js';

/**
 * The point of service in Debian's Chromium against the real server (issue #15, point 6,
 * online part): an operator at phone width reads a card's QR, sees what remains, hands over part
 * and gets the signed receipt with its QR; then serves a person without a card by ID number and
 * a code texted to their phone. Then the supervisor, at phone width too, finds that hand-over
 * without a card in the day's list, reads the point's reconciliation for the cycle, downloads
 * it as CSV and signs it off; and holds the card holder's entitlement from the first receipt
 * (the point sees it blocked and the server refuses it), lifts it, and the holder sees the hold
 * and its reason on their own page, never the notes; the holder objects to a second hold from
 * their page and a program officer upholds it, lifting it. Spanish and English, axe-clean, no
 * sideways scrolling. Last, the card is read through the camera: Chromium's fake capture device
 * plays a video of the card's QR.
 */
/** The photo on file of the person served by it: the console's icon, a real PNG. */
const photoOnFile = readFileSync(
  fileURLToPath(new URL('../../web/public/icon-192.png', import.meta.url)),
).toString('base64');

let run: ConsoleRun;
let operator: BuiltOperator;
let officer: BuiltOperator;
let holderQr: string;
let officerCookie: { amparo_session: string };
let pointId: string;
let noCard: { id: string; uin: string };
/** Without a card too: one with a photo on file, one in the card holder's household. */
let withPhoto: { id: string; uin: string };
let inHousehold: { id: string; uin: string };
/** The card holder (with a phone on file, to sign in to their own page). */
let holder: { personId: string; uin: string };
/** The signed receipt of the first hand-over, as its QR reads: what a supervisor holds from. */
let holderReceiptQr: string;

beforeAll(async () => {
  run = await openConsoleRun();
  let operators: BuiltOperator[];
  ({ officer, operators, holderQr, officerCookie, holder, pointId } = await distributionPointWorld(
    run,
    {
      prefix: 'pos',
      holderPhone: '+584121230078',
      operators: 1,
      pointCode: 'kiosco-e2e',
      pointName: 'Kiosco Catia',
      program: {
        code: 'food_e2e',
        names: { es: 'Caja de alimentos', en: 'Food box' },
        basket: [{ item: 'food_box', quantity: 2, unit: 'box' }],
      },
      delivery: { item: 'food_box', quantity: 100 },
      // The person without a card is entitled by the same cycle.
      beforeCycle: async (holder) => {
        const context = { database: run.server.database, masterKey: run.server.keys.masterKey };
        noCard = await buildPerson(context, { region: 'VE-A', phone: '+584121230077' });
        withPhoto = await buildPerson(context, { region: 'VE-A', sealed: { photo: photoOnFile } });
        inHousehold = await buildPerson(context, { region: 'VE-A' });
        await buildHousehold(context, {
          members: [
            { person: { id: holder.personId }, relationship: 'head' },
            { person: inHousehold, relationship: 'child' },
          ],
        });
      },
    },
  ));
  operator = operators[0] as BuiltOperator;
}, 120_000);

afterAll(async () => run?.close());

/** A card this registry signed, valid for one day thirty days ago: expired now. */
async function expiredCard(): Promise<string> {
  const { issuerKeys, currentIssuerKid } = run.server.keys;
  const key = issuerKeys.find((each) => each.kid === currentIssuerKid);
  if (key === undefined) throw new Error('the server holds no current issuer key');
  const day = 86_400;
  const card = await encodeCard({
    holder: makeHolder(),
    signer: createNodeSigner(key.privateKey),
    issuedAt: Math.floor(Date.now() / 1000) - 30 * day,
    profile: { validitySeconds: day },
  });
  return card.text;
}

describe('the point of service in the console', () => {
  it('hands over part of a basket with the card, and without it by a texted code', async () => {
    const page = await signedInPage(run, operator, { viewport: 'phone' });
    await page.goto(`${run.server.baseUrl}/distribution`);
    await page.getByRole('heading', { name: 'Punto de entrega' }).waitFor();
    await page.getByTestId('pos-stock').getByText('food_box: 100').waitFor();
    // An expired card (signed by this registry, valid for a day a month ago) is refused online,
    // the reason said in words, and nothing is offered or redeemed.
    await page.getByLabel('Texto del código QR del carnet').fill(await expiredCard());
    await page.getByRole('button', { name: 'Ver lo que puede retirar' }).click();
    await page
      .getByTestId('problem-reasons')
      .getByText('Los datos son auténticos, pero el carnet venció.', { exact: false })
      .waitFor();
    expect(await page.getByTestId('pos-entitlements').count()).toBe(0);
    const redeemedBefore = await run.server.database.asAdmin((admin) =>
      sql<{ count: unknown }>`select count(*) from redemption where point_id = ${pointId}`.execute(
        admin,
      ),
    );
    expect(Number(redeemedBefore.rows[0]?.count)).toBe(0);
    await page.getByLabel('Texto del código QR del carnet').fill(holderQr);
    await page.getByRole('button', { name: 'Ver lo que puede retirar' }).click();
    const entitlements = page.getByTestId('pos-entitlements');
    await entitlements.getByText('Caja de alimentos').waitFor();
    expect(await entitlements.textContent()).toContain('2 de 2 box');
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(await overflowsHorizontally(page)).toBe(false);
    await entitlements.getByLabel('Cantidad de food_box a entregar').fill('1');
    const redeemed = page.waitForResponse(
      (response) => response.url().includes('/redemptions') && response.status() === 201,
    );
    await entitlements.getByRole('button', { name: 'Entregar' }).click();
    holderReceiptQr = ((await (await redeemed).json()) as { qrText: string }).qrText;
    const receipt = page.getByTestId('pos-receipt');
    await receipt.getByText('food_box: 1 box entregados, quedan 1').waitFor();
    await receipt.getByRole('img', { name: 'Código QR firmado del comprobante' }).waitFor();
    await page.getByTestId('pos-stock').getByText('food_box: 99').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);

    // The next person has no card: ID number, reason, a code to the phone on file.
    await receipt.getByRole('button', { name: 'Atender a otra persona' }).click();
    await page.getByLabel('Sin carnet').check();
    await page.getByLabel('Número de identificación').fill(noCard.uin);
    await page.getByLabel('Por qué no trae el carnet').selectOption('damaged');
    await page.getByLabel('Código por SMS al teléfono registrado').check();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Continuar' }).click();
    await page.getByLabel('Código recibido por SMS').waitFor();
    // The code as the phone shows it (the outbox keeps it sealed).
    const code = await receivedCode(
      { db: run.server.database.db, masterKey: run.server.keys.masterKey },
      { personId: noCard.id, templateId: 'distribution.redemption_code' },
    );
    // A wrong code first: the reason is said in Spanish, not in the server's English.
    const wrong = `${code.slice(0, -1)}${(Number(code.at(-1)) + 1) % 10}`;
    await page.getByLabel('Código recibido por SMS').fill(wrong);
    await page.getByRole('button', { name: 'Comprobar' }).click();
    await page
      .getByTestId('problem-reasons')
      .getByText('El código no es correcto. Pida a la persona que lo lea de nuevo en su teléfono.')
      .waitFor();
    await page.getByLabel('Código recibido por SMS').fill(code);
    await page.getByRole('button', { name: 'Comprobar' }).click();
    await entitlements.getByText('Caja de alimentos').waitFor();
    await page.setViewportSize(viewports.desktop);
    await page.getByLabel('Idioma').selectOption('en');
    await entitlements.getByText('Food box').waitFor();
    await entitlements.getByRole('button', { name: 'Hand over' }).click();
    await receipt.getByText('Handed over without a card, with a second check.').waitFor();
    expect(await overflowsHorizontally(page)).toBe(false);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.context().close();
  }, 60_000);

  it("holds the card holder's entitlement from the receipt: the point refuses it until lifted; the person sees why, not the note", async () => {
    const note = 'Aviso 2026-114: retiro no reconocido por la titular';
    const page = await signedInPage(run, officer, {
      viewport: 'phone',
      path: '/distribution/supervision',
    });
    const holds = page.locator('section', { has: page.locator('#holds-title') });
    await holds.getByRole('heading', { name: 'Retenciones de entregas' }).waitFor();
    await holds.getByText('No hay retenciones en sus estados.').waitFor();
    // The receipt the person kept, read as its QR says (a reader types it; the camera reads it).
    const receiptField = holds.getByLabel('Texto del código QR del comprobante de entrega');
    const [head, payload, signature] = holderReceiptQr.split('.');
    const forged = `${head}.${payload}.${signature?.startsWith('A') ? 'B' : 'A'}${signature?.slice(1)}`;
    await receiptField.fill(forged);
    await holds.getByRole('button', { name: 'Leer el comprobante' }).click();
    await holds.getByText('La firma de este comprobante no es válida', { exact: false }).waitFor();
    await receiptField.fill(holderReceiptQr);
    await holds.getByRole('button', { name: 'Leer el comprobante' }).click();
    const target = holds.getByTestId('hold-target');
    await target
      .getByText('del programa food_e2e: retirada en kiosco-e2e', { exact: false })
      .waitFor();
    await holds
      .getByLabel('Motivo')
      .selectOption({ label: 'Aviso de posible fraude con esta entrega' });
    await holds.getByLabel('Nota para la revisión').fill(note);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await holds.getByRole('button', { name: 'Retener la entrega' }).click();
    await holds.getByText('Entrega retenida.', { exact: false }).waitFor();
    const listed = holds.getByTestId('entitlement-holds').locator('li[data-status="in_force"]');
    await listed.getByText('Vigente').waitFor();
    expect(await listed.textContent()).toContain(note);
    expect(await listed.textContent()).toContain('Aviso de posible fraude con esta entrega');
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(await overflowsHorizontally(page)).toBe(false);

    // At the point: the card's entitlement is blocked, and the server refuses a hand-over.
    const counter = await signedInPage(run, operator, { viewport: 'phone', path: '/distribution' });
    await counter.getByLabel('Texto del código QR del carnet').fill(holderQr);
    await counter.getByRole('button', { name: 'Ver lo que puede retirar' }).click();
    const entitlements = counter.getByTestId('pos-entitlements');
    await entitlements.getByText('bloqueado para revisión').waitFor();
    expect(await entitlements.getByRole('button', { name: 'Entregar' }).count()).toBe(0);
    const receipt = JSON.parse(Buffer.from(String(payload), 'base64url').toString('utf8')) as {
      entitlementId: string;
    };
    const refused = await counter.request.post(
      `${run.server.baseUrl}/api/distribution/points/${pointId}/redemptions?purpose=distribution`,
      {
        data: {
          qrText: holderQr,
          clientId: randomUUID(),
          entitlementId: receipt.entitlementId,
          lines: [{ item: 'food_box', quantity: 1 }],
        },
      },
    );
    expect(refused.status(), await refused.text()).toBe(409);
    expect(await refused.text()).toContain('AMP_ENTITLEMENT_BLOCKED');
    await counter.context().close();

    // Lifted with a note: in the list as lifted, in English too.
    await listed.getByLabel('Nota al levantarla (opcional)').fill('Revisado: lo retiró ella misma');
    await listed.getByRole('button', { name: 'Levantar la retención' }).click();
    const lifted = holds.getByTestId('entitlement-holds').locator('li[data-status="lifted"]');
    await lifted.getByText('Levantada', { exact: true }).waitFor();
    await page.getByLabel('Idioma').selectOption('en');
    await lifted.getByText('Report of possible fraud with this entitlement').waitFor();
    expect(await lifted.textContent()).toContain('Note on lifting: Revisado');
    await page.context().close();

    // The person's own page: the hold, its reason in words and its dates; never the notes.
    const citizen = await citizenSignedInPage(run, { id: holder.personId, uin: holder.uin });
    const mine = citizen.getByTestId('my-holds');
    await mine.getByText('Retención levantada').waitFor();
    const text = await mine.textContent();
    expect(text).toContain('Caja de alimentos');
    expect(text).toContain('motivo: Aviso de posible fraude con esta entrega');
    expect(text).toMatch(/Retenida el .+; levantada el /);
    // Neither note anywhere on the person's page (the answer carries none).
    const whole = await citizen.locator('body').textContent();
    expect(whole).not.toContain('2026-114');
    expect(whole).not.toContain('Revisado');
    expect(await seriousAxeViolations(citizen)).toEqual([]);
    expect(await overflowsHorizontally(citizen)).toBe(false);
    await citizen.context().close();
  }, 90_000);

  it('the holder objects to a new hold from their page; a program officer upholds it and the entitlement is redeemable', async () => {
    // The supervisor holds the receipt's entitlement again (the screen for it is the test above).
    const [, payload] = holderReceiptQr.split('.');
    const { entitlementId } = JSON.parse(
      Buffer.from(String(payload), 'base64url').toString('utf8'),
    ) as { entitlementId: string };
    const holdAgain = async (reason: string, note: string) => {
      const placed = await run.server.app.inject({
        method: 'POST',
        url: '/api/distribution/entitlement-holds?purpose=distribution',
        cookies: officerCookie,
        payload: { entitlementId, reason, note },
      });
      expect(placed.statusCode, placed.body).toBe(201);
      return (placed.json() as { holdId: string }).holdId;
    };
    const holdId = await holdAgain('identity_dispute', 'Segunda solicitud, cédula 114');

    // The person, at 360 px, objects from their own page.
    const citizen = await citizenSignedInPage(run, { id: holder.personId, uin: holder.uin });
    const held = citizen.getByTestId('my-holds').locator('li[data-status="in_force"]');
    await held.getByText('Duda sobre la identidad de quien la retira', { exact: false }).waitFor();
    await held.getByRole('button', { name: 'Objetar esta retención' }).click();
    await held
      .getByLabel(/Por qué cree que la retención es un error/)
      .fill('Soy yo quien retira; la otra solicitud no es mía.');
    expect(await seriousAxeViolations(citizen)).toEqual([]);
    await held.getByRole('button', { name: 'Presentar la objeción' }).click();
    await held.getByText('Su objeción fue presentada', { exact: false }).waitFor();
    expect(await overflowsHorizontally(citizen)).toBe(false);

    // A program officer of the state opens it beside the appeals queue and upholds it.
    const context = { database: run.server.database, masterKey: run.server.keys.masterKey };
    const programOfficer = await buildOperator(context, {
      username: 'pos.program',
      roles: ['program_officer'],
      regions: ['VE-A'],
    });
    const page = await signedInPage(run, programOfficer, { viewport: 'phone', path: '/appeals' });
    const queue = page.getByTestId('hold-objection-queue');
    await queue.getByText('Duda sobre la identidad de quien la retira', { exact: false }).waitFor();
    await queue.getByRole('button', { name: 'Abrir' }).click();
    await queue.getByText('Soy yo quien retira', { exact: false }).waitFor();
    expect(await queue.textContent()).toContain('Segunda solicitud, cédula 114');
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(await overflowsHorizontally(page)).toBe(false);
    await queue.getByRole('button', { name: 'Aceptar: levantar la retención' }).click();
    await page.getByText('No hay objeciones por decidir.').waitFor();
    await page.context().close();

    // On the server: the hold lifted by the officer's decision, and the point may hand it over.
    const lift = await run.server.database.db
      .selectFrom('entitlement_hold_lift')
      .select('lifted_by')
      .where('hold_id', '=', holdId)
      .executeTakeFirst();
    expect(lift?.lifted_by).toBe(programOfficer.id);
    const lookup = await run.server.app.inject({
      method: 'POST',
      url: `/api/distribution/points/${pointId}/entitlement-lookups?purpose=distribution`,
      cookies: { amparo_session: await sessionCookieOf(run, operator) },
      payload: { qrText: holderQr },
    });
    expect(lookup.statusCode, lookup.body).toBe(200);
    const states = lookup.json().entitlements as { entitlementId: string; state: string }[];
    // Redeemable again, as it was before the hold: one of its two boxes was handed over above.
    expect(states.find((one) => one.entitlementId === entitlementId)?.state).toBe(
      'partially_consumed',
    );

    // The person's page, read again: the hold lifted, the objection upheld.
    await citizen.reload();
    const mine = citizen.getByTestId('my-holds');
    const upheld = mine.locator('li', { has: citizen.locator('[data-objection="upheld"]') });
    await upheld.getByText('Retención levantada').waitFor();
    expect(await upheld.textContent()).toContain('Su objeción fue aceptada');
    expect(await seriousAxeViolations(citizen)).toEqual([]);

    // Held a third time and objected to, then lifted by the supervisor before any decision: the
    // objection reads as ended undecided, not as waiting.
    const thirdId = await holdAgain('data_error_under_review', 'Fecha mal cargada');
    const objected = await citizen.request.post(
      `${run.server.baseUrl}/api/distribution/entitlement-holds/${thirdId}/objections?purpose=self`,
      { data: { statement: 'La fecha está bien.' } },
    );
    expect(objected.status(), await objected.text()).toBe(201);
    const liftedFirst = await run.server.app.inject({
      method: 'POST',
      url: `/api/distribution/entitlement-holds/${thirdId}/lift?purpose=distribution`,
      cookies: officerCookie,
      payload: {},
    });
    expect(liftedFirst.statusCode, liftedFirst.body).toBe(200);
    await citizen.reload();
    const ended = mine.locator('li', { has: citizen.locator('[data-objection="hold_ended"]') });
    await ended.getByText('Su objeción no llegó a decidirse', { exact: false }).waitFor();
    await citizen.getByLabel('Idioma').selectOption('en');
    await ended.getByText('Your objection was not decided', { exact: false }).waitFor();
    expect(await overflowsHorizontally(citizen)).toBe(false);
    await citizen.context().close();
  }, 60_000);

  it("shows the supervisor the hand-over without a card and the point's reconciliation", async () => {
    // A step the officer has not used: setting the point up used one (a code is used once).
    const page = await signedInPage(run, officer, { viewport: 'phone', path: '/' });
    await page.getByRole('link', { name: 'Supervisar entregas' }).first().click();
    await page.getByRole('heading', { name: 'Supervisión de entregas' }).waitFor();
    const assisted = page.getByTestId('assisted-list');
    await assisted.getByText('Está dañado').waitFor();
    expect(await assisted.textContent()).toContain('superada');
    const figures = page.getByTestId('reconciliation');
    await figures.getByText('Salida de inventario por entregas').waitFor();
    // The stock lane's four transfer figures, with what each counts.
    for (const label of ['Traslados devueltos', 'Faltante de traslados', 'En camino hacia']) {
      await figures.getByText(label, { exact: false }).first().waitFor();
    }
    expect(await figures.getByRole('alert').count()).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(await overflowsHorizontally(page)).toBe(false);
    const csvLink = figures.getByRole('link', { name: 'Descargar el cuadre (CSV)' });
    const csv = await page.request.get(
      new URL(String(await csvLink.getAttribute('href')), run.server.baseUrl).toString(),
    );
    expect(csv.status()).toBe(200);
    expect(await csv.text()).toContain('food_box');
    await figures.getByText('Nadie ha firmado este cuadre.').waitFor();
    await figures.getByRole('button', { name: 'Firmar el cuadre' }).click();
    await page
      .getByTestId('sign-offs')
      .getByText('las cifras no han cambiado.', { exact: false })
      .waitFor();
    await page.getByLabel('Idioma').selectOption('en');
    await page.getByRole('heading', { name: 'Hand-over supervision' }).waitFor();
    await page
      .getByTestId('sign-offs')
      .getByText('the figures have not changed.', { exact: false })
      .waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(await overflowsHorizontally(page)).toBe(false);
    await page.context().close();
  }, 60_000);

  it('lets a supervisor register a point, assign an operator and a program, and close it; the operator finds it closed', async () => {
    const context = { database: run.server.database, masterKey: run.server.keys.masterKey };
    const [supervisor, assigned] = await Promise.all([
      buildOperator(context, { username: 'pts.officer', roles: ['distribution_supervisor'] }),
      buildOperator(context, {
        username: 'pts.operator',
        roles: ['distribution_operator'],
        regions: ['VE-A'],
      }),
    ]);
    const page = await signedInPage(run, supervisor, {
      viewport: 'phone',
      path: '/distribution/supervision',
    });
    await page.getByRole('heading', { name: 'Supervisión de entregas' }).waitFor();
    await page.getByText('Registrar un punto de entrega nuevo').click();
    await page.getByLabel(/^Código( \*)?$/).fill('farmacia-nueva');
    await page.getByLabel(/^Nombre( \*)?$/).fill('Farmacia Nueva');
    await page.getByLabel('Tipo', { exact: true }).selectOption('pharmacy');
    await page.getByLabel('Municipio', { exact: true }).selectOption('VE-A-01');
    await page.getByRole('button', { name: 'Registrar el punto' }).click();
    const editor = page.getByTestId('point-editor');
    await editor.getByText('Farmacia', { exact: true }).waitFor();
    await editor.getByTestId('point-status').getByText('abierto').waitFor();
    await editor.getByLabel('Caja de alimentos (food_e2e)').click();
    await expect
      .poll(() => editor.getByLabel('Caja de alimentos (food_e2e)').isChecked())
      .toBe(true);
    await editor.getByLabel('Nombre de usuario del operador').fill('pts.operator');
    await editor.getByRole('button', { name: 'Asignar el operador' }).click();
    await editor
      .getByTestId('point-operators')
      .getByText('pts.operator', { exact: false })
      .waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(await overflowsHorizontally(page)).toBe(false);
    await editor.getByRole('button', { name: 'Cerrar el punto' }).click();
    await editor.getByTestId('point-status').getByText('cerrado').waitFor();
    await page.getByLabel('Idioma').selectOption('en');
    await editor.getByRole('button', { name: 'Open the point' }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.context().close();

    const counter = await signedInPage(run, assigned, { viewport: 'phone', path: '/distribution' });
    await counter.getByTestId('pos-point-closed').getByText('cerrado', { exact: false }).waitFor();
    expect(await counter.getByLabel('Texto del código QR del carnet').count()).toBe(0);
    // The server refuses too, whatever the screen shows.
    const points = await counter.request.get(
      `${run.server.baseUrl}/api/distribution/points?purpose=distribution`,
    );
    const mine = ((await points.json()) as { points: { id: string; assigned: boolean }[] }).points;
    const closedPoint = mine.find((point) => point.assigned);
    expect(closedPoint).toBeDefined();
    const refused = await counter.request.post(
      `${run.server.baseUrl}/api/distribution/points/${closedPoint?.id}/entitlement-lookups?purpose=distribution`,
      { data: { qrText: holderQr } },
    );
    expect(refused.status()).toBe(409);
    expect(await refused.text()).toContain('AMP_POINT_CLOSED');
    expect(await seriousAxeViolations(counter)).toEqual([]);
    await counter.context().close();
  }, 90_000);

  it("reads the card's QR through the camera (Chromium's fake capture device)", async () => {
    // The card's QR exactly as the card prints it (the same encoder and error correction),
    // shown to a fake camera: the frames go through getUserMedia, the canvas and jsQR.
    const directory = mkdtempSync(path.join(tmpdir(), 'amparo-camera-'));
    const video = writeQrCameraVideo(cardQr(holderQr), path.join(directory, 'card.y4m'));
    const browser = await launchChromium(fakeCameraArgs(video));
    try {
      const page = await signedInPage(
        {
          server: run.server,
          newPage: async (viewport = 'phone') =>
            (
              await browser.newContext({
                viewport: viewports[viewport],
                bypassCSP: true,
                permissions: ['camera'],
              })
            ).newPage(),
        },
        operator,
        { viewport: 'phone' },
      );
      await page.goto(`${run.server.baseUrl}/distribution`);
      await page.getByRole('heading', { name: 'Punto de entrega' }).waitFor();
      await page.getByRole('button', { name: 'Escanear con la cámara' }).click();
      // Nothing typed: what the person may take comes from the frames alone.
      const entitlements = page.getByTestId('pos-entitlements');
      await entitlements.getByText('Caja de alimentos').waitFor();
      expect(await entitlements.textContent()).toContain('1 de 2 box');
      expect(await page.getByLabel('Vista de la cámara').count()).toBe(0);
      expect(await seriousAxeViolations(page)).toEqual([]);
    } finally {
      await browser.close();
      rmSync(directory, { recursive: true, force: true });
    }
  }, 60_000);

  it("moves stock between points only when the receiving point's operator accepts it", async () => {
    // A second point of VE-A with its own operator, set up as a supervisor would.
    const receiver = await buildOperator(
      { database: run.server.database, masterKey: run.server.keys.masterKey },
      { username: 'pos.receiver', roles: ['distribution_operator'], regions: ['VE-A'] },
    );
    const created = await run.server.app.inject({
      method: 'POST',
      url: '/api/distribution/points?purpose=distribution',
      cookies: officerCookie,
      payload: {
        code: 'almacen-e2e',
        name: 'Almacén Catia',
        kind: 'warehouse',
        regionCode: 'VE-A',
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const assigned = await run.server.app.inject({
      method: 'POST',
      url: `/api/distribution/points/${created.json().pointId}/changes?purpose=distribution`,
      cookies: officerCookie,
      payload: { addOperators: [receiver.id] },
    });
    expect(assigned.statusCode, assigned.body).toBe(200);
    const figure = (page: Page, item: string, name: string) =>
      page
        .getByTestId('stock-on-hand')
        .locator(`li[data-item="${item}"]`)
        .locator('div', { has: page.getByText(name, { exact: true }) })
        .locator('dd');

    // The sender records a delivery, then sends part of it: it leaves at once, in transit.
    const sender = await signedInPage(run, operator, { viewport: 'phone', path: '/' });
    await sender.getByRole('link', { name: 'Existencias' }).first().click();
    await sender.getByRole('heading', { name: 'Existencias de un punto de entrega' }).waitFor();
    const delivery = sender.getByTestId('stock-delivery');
    await delivery.getByLabel('Artículo').fill('rice_kg');
    await delivery.getByLabel('Cantidad').fill('40');
    await delivery.getByRole('button', { name: 'Registrar la entrada' }).click();
    await sender.getByText('Registrado: entraron 40 rice_kg.').waitFor();
    await figure(sender, 'rice_kg', 'En el punto').getByText('40').waitFor();
    const transfer = sender.getByTestId('stock-transfer');
    await transfer
      .getByLabel('Punto que recibe')
      .selectOption({ label: 'Almacén Catia (almacen-e2e)' });
    await transfer.getByLabel('Artículo').fill('rice_kg');
    await transfer.getByLabel('Cantidad').fill('15');
    await transfer.getByRole('button', { name: 'Enviar' }).click();
    await figure(sender, 'rice_kg', 'En el punto').getByText('25').waitFor();
    await figure(sender, 'rice_kg', 'Enviado, sin aceptar aún').getByText('15').waitFor();
    await sender.getByTestId('stock-outgoing').getByText('En tránsito').waitFor();
    expect(await seriousAxeViolations(sender)).toEqual([]);
    expect(await overflowsHorizontally(sender)).toBe(false);

    // The receiving point's operator sees it on its way and accepts what arrived.
    const receiving = await signedInPage(run, receiver, {
      viewport: 'phone',
      path: '/distribution/stock',
    });
    const incoming = receiving.getByTestId('stock-incoming');
    await incoming.getByText('15 rice_kg desde Kiosco Catia').waitFor();
    await figure(receiving, 'rice_kg', 'En camino hacia aquí').getByText('15').waitFor();
    expect(await seriousAxeViolations(receiving)).toEqual([]);
    expect(await overflowsHorizontally(receiving)).toBe(false);
    await incoming.getByLabel('Cantidad de rice_kg que llegó').fill('15');
    await incoming.getByRole('button', { name: 'Aceptar' }).click();
    await receiving.getByText('Ningún traslado viene en camino a este punto.').waitFor();
    await figure(receiving, 'rice_kg', 'En el punto').getByText('15').waitFor();
    await receiving.getByLabel('Idioma').selectOption('en');
    await receiving.getByRole('heading', { name: 'Stock at a distribution point' }).waitFor();
    await receiving.getByTestId('stock-movements').getByText('Received').waitFor();
    expect(await seriousAxeViolations(receiving)).toEqual([]);
    await receiving.context().close();

    // Back at the sender: accepted, nothing in transit, 25 on hand.
    await sender.reload();
    await sender.getByTestId('stock-outgoing').getByText('Aceptado').waitFor();
    await figure(sender, 'rice_kg', 'Enviado, sin aceptar aún').getByText('0').waitFor();
    await figure(sender, 'rice_kg', 'En el punto').getByText('25').waitFor();
    await sender.context().close();
  }, 90_000);

  it('lets the supervisor adjust stock with a reason, and below zero only with the override', async () => {
    const page = await signedInPage(run, officer, {
      viewport: 'phone',
      path: '/distribution/stock',
    });
    await page.getByRole('heading', { name: 'Existencias de un punto de entrega' }).waitFor();
    await page.getByLabel('Punto de entrega').selectOption({ label: 'Kiosco Catia (kiosco-e2e)' });
    const adjustment = page.getByTestId('stock-adjustment');
    await adjustment.getByLabel('Artículo').fill('rice_kg');
    await adjustment.getByLabel('Cambio en la cantidad').fill('-2');
    const submit = adjustment.getByRole('button', { name: 'Registrar el ajuste' });
    expect(await submit.isDisabled()).toBe(true); // no reason yet
    await adjustment.getByLabel('Motivo').selectOption({ label: 'Daño' });
    await submit.click();
    await page.getByText('Ajustado: rice_kg -2.').waitFor();
    const movements = page.getByTestId('stock-movements');
    await movements.getByText('Ajuste').first().waitFor();
    await movements.getByText('Daño').waitFor();
    // The supervisor takes back a transfer still in transit, with its reason.
    const sent = page.getByTestId('stock-transfer');
    await sent
      .getByLabel('Punto que recibe')
      .selectOption({ label: 'Almacén Catia (almacen-e2e)' });
    await sent.getByLabel('Artículo').fill('rice_kg');
    await sent.getByLabel('Cantidad').fill('1');
    await sent.getByRole('button', { name: 'Enviar' }).click();
    const outgoing = page.getByTestId('stock-outgoing');
    await outgoing
      .getByLabel('Motivo de la anulación')
      .selectOption({ label: 'Enviado por error' });
    await outgoing.getByRole('button', { name: 'Anular el traslado' }).click();
    await outgoing.getByText('Anulado: devuelto aquí').waitFor();
    // Taking more than is on hand asks for the explicit, recorded override.
    await adjustment.getByLabel('Cambio en la cantidad').fill('-30');
    await adjustment.getByText('Esto deja rice_kg por debajo de cero (hay 23).').waitFor();
    expect(await submit.isDisabled()).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(await overflowsHorizontally(page)).toBe(false);
    await adjustment
      .getByLabel('Dejo constancia de que las existencias quedan bajo cero a propósito')
      .check();
    await submit.click();
    await movements.getByText('Bajo cero a propósito (con constancia)').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.context().close();
  }, 60_000);

  it("serves a person without a card by the photo on file, and another by a household member's card", async () => {
    const page = await signedInPage(run, operator, { viewport: 'phone' });
    await page.goto(`${run.server.baseUrl}/distribution`);
    const entitlements = page.getByTestId('pos-entitlements');
    const receipt = page.getByTestId('pos-receipt');
    const startWithout = async (uin: string, method: string) => {
      await page.getByLabel('Sin carnet').check();
      await page.getByLabel('Número de identificación').fill(uin);
      await page.getByLabel('Por qué no trae el carnet').selectOption('lost');
      await page.getByLabel(method).check();
      await page.getByRole('button', { name: 'Continuar' }).click();
    };
    // The photo on file, shown to the operator; without their word the check is refused.
    await startWithout(withPhoto.uin, 'Foto registrada, comparada con la persona');
    await page.getByRole('img', { name: 'Foto registrada de la persona' }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(await overflowsHorizontally(page)).toBe(false);
    await page.getByRole('button', { name: 'Comprobar' }).click();
    await page
      .getByTestId('problem-reasons')
      .getByText('Confirme que la foto registrada es de la persona que tiene delante.')
      .waitFor();
    await page.getByLabel('Confirmo que la persona presente es la de la foto.').check();
    await page.getByRole('button', { name: 'Comprobar' }).click();
    await entitlements.getByText('Caja de alimentos').waitFor();
    await entitlements.getByRole('button', { name: 'Entregar' }).click();
    await receipt.getByText('Entregado sin carnet, con una segunda comprobación.').waitFor();

    // A household member's card: the card holder's, read as text.
    await receipt.getByRole('button', { name: 'Atender a otra persona' }).click();
    await startWithout(inHousehold.uin, 'Carnet de un miembro de su hogar');
    await page.getByLabel('Texto del código QR del carnet del miembro del hogar').fill(holderQr);
    await page.getByRole('button', { name: 'Comprobar' }).click();
    await entitlements.getByText('Caja de alimentos').waitFor();
    await entitlements.getByRole('button', { name: 'Entregar' }).click();
    await receipt.getByText('Entregado sin carnet, con una segunda comprobación.').waitFor();
    // Both recorded as assisted, by their checks.
    const methods = await run.server.database.asAdmin((admin) =>
      admin
        .selectFrom('assisted_redemption')
        .select(['person_id', 'method', 'verified_at'])
        .where('person_id', 'in', [withPhoto.id, inHousehold.id])
        .execute(),
    );
    expect(
      methods.map((row) => [row.person_id, row.method, row.verified_at !== null]).sort(),
    ).toEqual(
      [
        [withPhoto.id, 'photo_attested', true],
        [inHousehold.id, 'household_card', true],
      ].sort(),
    );
    expect(run.pageErrors).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('lets an operator record a physical count beside the ledger, moving no stock', async () => {
    const page = await signedInPage(run, officer, {
      viewport: 'phone',
      path: '/distribution/stock',
    });
    await page.getByRole('heading', { name: 'Existencias de un punto de entrega' }).waitFor();
    await page.getByLabel('Punto de entrega').selectOption({ label: 'Kiosco Catia (kiosco-e2e)' });
    const count = page.getByTestId('stock-count');
    await count.getByLabel('Artículo').fill('rice_kg');
    await count.getByLabel('Cantidad contada').fill('20');
    await count.getByRole('button', { name: 'Registrar el conteo' }).click();
    // The supervisor's override left -7 in the ledger: 20 found, a difference of 27.
    await page
      .getByText('Registrado: 20 rice_kg contados; el inventario decía -7 (diferencia 27).')
      .waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(await overflowsHorizontally(page)).toBe(false);
    await page.getByLabel('Idioma').selectOption('en');
    await page.getByTestId('stock-count').getByText('Quantity counted').waitFor();
    expect(await overflowsHorizontally(page)).toBe(false);
    await page.context().close();
  }, 60_000);
});
