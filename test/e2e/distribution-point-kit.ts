import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { createCardPerson } from '../../src/modules/credentials/credentials-test-kit.js';
import { inKindProgramWithCycle } from '../../src/modules/distribution/distribution-test-kit.js';
import { type BuiltOperator, buildOperator } from '../factories.js';
import { sessionCookieOf, signedInPage } from './browser.js';
import { type ConsoleRun, openConsoleRun } from './console-run.js';

/**
 * The point of service's e2e world (issue #15), shared by the console's distribution tests: a
 * registrar issues one card through the API, a program officer creates an in-kind program with
 * an approved cycle in VE-A, a point serving it, its operators (distribution operators in VE-A)
 * and a delivery of stock. Each test names its own accounts, program and point, so files that
 * share a server do not see each other's counts.
 *
 * @example
 *   const world = await distributionPointWorld(run, {
 *     prefix: 'pos', operators: 1, pointCode: 'kiosco-e2e', pointName: 'Kiosco Catia',
 *     program: { code: 'food_e2e', names: { es: 'Caja', en: 'Box' },
 *                basket: [{ item: 'food_box', quantity: 2, unit: 'box' }] },
 *     delivery: { item: 'food_box', quantity: 100 },
 *   });
 */
export interface DistributionPointWorld {
  registrar: BuiltOperator;
  officer: BuiltOperator;
  operators: BuiltOperator[];
  /** The program officer's session cookie (signed in once: a TOTP code works once). */
  officerCookie: { amparo_session: string };
  holderQr: string;
  /** The holder's card (credential id, hex), as a receipt signed outside the browser names it. */
  holderCredentialId: string;
  /** The card holder, as the person signs in to their own page (with `holderPhone`). */
  holder: { personId: string; uin: string };
  programId: string;
  pointId: string;
  /** Issues a card to a new person of VE-A (after the cycle: entitled to nothing); its QR text. */
  issueCard(): Promise<string>;
}

/** The holder of the world's card, as `beforeCycle` gets it (to build a household around). */
export interface WorldHolder {
  personId: string;
}

export interface DistributionPointOptions {
  /** Prefix of the accounts' usernames: `prefix.registrar`, `prefix.officer`, `prefix.operatorN`. */
  prefix: string;
  operators: number;
  pointCode: string;
  pointName: string;
  program: {
    code: string;
    names: { es: string; en: string };
    basket: { item: string; quantity: number; unit: string }[];
  };
  delivery: { item: string; quantity: number };
  /** The card holder's phone on file, for a test that signs in as the holder (none otherwise). */
  holderPhone?: string;
  /** Runs before the cycle is approved: persons made here in VE-A are entitled too. */
  beforeCycle?: (holder: WorldHolder) => Promise<void>;
}

export async function distributionPointWorld(
  run: ConsoleRun,
  options: DistributionPointOptions,
): Promise<DistributionPointWorld> {
  const context = { database: run.server.database, masterKey: run.server.keys.masterKey };
  const [registrar, officer] = await Promise.all([
    buildOperator(context, {
      username: `${options.prefix}.registrar`,
      roles: ['registry_supervisor'],
    }),
    buildOperator(context, {
      username: `${options.prefix}.officer`,
      roles: ['distribution_supervisor'],
    }),
  ]);
  const operators = await Promise.all(
    Array.from({ length: options.operators }, (_, index) =>
      buildOperator(context, {
        username: `${options.prefix}.operator${index + 1}`,
        roles: ['distribution_operator'],
        regions: ['VE-A'],
      }),
    ),
  );
  const registrarCookie = { amparo_session: await sessionCookieOf(run, registrar) };
  const issueCardResponse = async (phone?: string) => {
    const person = await createCardPerson(run.server.database.db, run.server.keys.masterKey, {
      region: 'VE-A',
      ...(phone === undefined ? {} : { phone }),
    });
    const response = await run.server.app.inject({
      method: 'POST',
      url: `/api/persons/${person.id}/credentials?purpose=enrolment`,
      cookies: registrarCookie,
      payload: { clientId: randomUUID() },
    });
    expect(response.statusCode, response.body).toBe(201);
    return Object.assign(response, { personId: person.id, uin: person.uin });
  };
  const issued = await issueCardResponse(options.holderPhone);
  await options.beforeCycle?.({ personId: issued.personId });
  const { programId } = await inKindProgramWithCycle(run.server, {
    ...options.program,
    regions: ['VE-A'],
  });
  const officerCookie = { amparo_session: await sessionCookieOf(run, officer) };
  const point = await run.server.app.inject({
    method: 'POST',
    url: '/api/distribution/points?purpose=distribution',
    cookies: officerCookie,
    payload: {
      code: options.pointCode,
      name: options.pointName,
      kind: 'kiosk',
      regionCode: 'VE-A',
    },
  });
  expect(point.statusCode, point.body).toBe(201);
  const pointId: string = point.json().pointId;
  for (const [path, payload] of [
    ['changes', { addOperators: operators.map((each) => each.id), addPrograms: [programId] }],
    ['deliveries', { clientId: randomUUID(), ...options.delivery }],
  ] as const) {
    const response = await run.server.app.inject({
      method: 'POST',
      url: `/api/distribution/points/${pointId}/${path}?purpose=distribution`,
      cookies: officerCookie,
      payload,
    });
    expect(response.statusCode, response.body).toBeLessThan(300);
  }
  return {
    registrar,
    officer,
    operators,
    officerCookie,
    holderQr: issued.json().qrText,
    holderCredentialId: issued.json().credentialId,
    holder: { personId: issued.personId, uin: issued.uin },
    programId,
    pointId,
    issueCard: async () => (await issueCardResponse()).json().qrText as string,
  };
}

/** An e2e file's own server and point world, filled before its first test. */
export interface FilePointWorld {
  run: ConsoleRun;
  world: DistributionPointWorld;
}

/**
 * Opens the file's server and its point world before its tests, and closes the server after
 * them (each e2e file starts its own server).
 *
 * @example
 *   const file = pointWorldOfFile({ prefix: 'cold', operators: 1, pointCode: 'kiosco-en-frio',
 *     pointName: 'Kiosco La Vega', ...boxAndRice('food_cold', { es: 'Caja', en: 'Box' }) });
 *   it('…', async () => readyOfflineDevice(file.run, file.world, file.world.operators[0]));
 */
export function pointWorldOfFile(options: DistributionPointOptions): FilePointWorld {
  // Safe: beforeAll fills both fields before any test or helper of the file reads them.
  const file = {} as FilePointWorld;
  beforeAll(async () => {
    file.run = await openConsoleRun();
    file.world = await distributionPointWorld(file.run, options);
  }, 120_000);
  afterAll(async () => file.run?.close());
  return file;
}

/** The offline tests' program: a box and 5 kg of rice each, ten boxes delivered to the point. */
export function boxAndRice(
  code: string,
  names: { es: string; en: string },
): Pick<DistributionPointOptions, 'program' | 'delivery'> {
  return {
    program: {
      code,
      names,
      basket: [
        { item: 'food_box', quantity: 1, unit: 'box' },
        { item: 'rice', quantity: 5, unit: 'kg' },
      ],
    },
    delivery: { item: 'food_box', quantity: 10 },
  };
}

/**
 * A device: signed in, its key registered by the supervisor (through the API, or on the
 * supervisor's screen from the registration code the device shows), the snapshot downloaded.
 */
export async function readyOfflineDevice(
  run: ConsoleRun,
  point: Pick<DistributionPointWorld, 'pointId' | 'officerCookie'>,
  operator: BuiltOperator,
  register: { onScreen: Page; receiptsMax: number; unitsMax: number } | undefined = undefined,
  /** The snapshot's entries once downloaded (the world's card: one). */
  entries = 1,
): Promise<Page> {
  const page = await signedInPage(run, operator, { viewport: 'phone' });
  await page.goto(`${run.server.baseUrl}/distribution`);
  await page.getByLabel('Sin conexión (carnet)').check();
  await setUpPassphrase(page);
  const publicKey = await page.getByTestId('pos-device-key').textContent();
  const proof = await page.getByTestId('pos-device-proof').textContent();
  if (register === undefined) {
    const registered = await run.server.app.inject({
      method: 'POST',
      url: `/api/distribution/points/${point.pointId}/devices?purpose=distribution`,
      cookies: point.officerCookie,
      payload: { publicKey, proof, label: `Teléfono ${randomUUID().slice(0, 4)}` },
    });
    expect(registered.statusCode, registered.body).toBe(201);
  } else {
    const screen = register.onScreen;
    const code = await page.getByTestId('pos-registration-code').textContent();
    expect(code).toBe(`${publicKey}.${proof}`);
    await screen.getByLabel('Nombre del dispositivo').fill('Teléfono B');
    await screen.getByLabel('Código de registro que muestra el dispositivo').fill(code ?? '');
    await screen.getByLabel(/^Entregas por instantánea/).fill(String(register.receiptsMax));
    await screen.getByLabel(/^Unidades por instantánea/).fill(String(register.unitsMax));
    await screen.getByRole('button', { name: 'Registrar el dispositivo' }).click();
    await screen
      .getByTestId('supervision-devices')
      .getByText(
        `margen por instantánea: ${register.receiptsMax} entregas, ${register.unitsMax} unidades`,
      )
      .waitFor();
  }
  await page.getByRole('button', { name: 'Descargar la instantánea' }).click();
  await page.getByTestId('pos-snapshot').getByText(`${entries} carnets`).waitFor();
  return page;
}

/** The passphrase every device of the browser tests is set up with (the operator's own). */
export const devicePassphrase = 'frase de prueba larga';

/** The signed-in operator sets up this browser as a device with `devicePassphrase`. */
export async function setUpPassphrase(page: Page, passphrase = devicePassphrase): Promise<void> {
  await page.getByTestId('pos-new-passphrase').fill(passphrase);
  await page.getByTestId('pos-new-passphrase-again').fill(passphrase);
  await page.getByRole('button', { name: 'Preparar este equipo' }).click();
  await page.getByTestId('pos-unlocked').waitFor();
}

/** Unlocks the device again (after a reload or a lock) with the operator's passphrase. */
export async function unlockWith(page: Page, passphrase = devicePassphrase): Promise<void> {
  await page.getByTestId('pos-passphrase').fill(passphrase);
  await page.getByRole('button', { name: 'Desbloquear' }).click();
  await page.getByTestId('pos-unlocked').waitFor();
}
