import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { BuiltOperator } from '../factories.js';
import { seriousAxeViolations } from './browser.js';
import {
  boxAndRice,
  devicePassphrase,
  pointWorldOfFile,
  readyOfflineDevice,
  unlockWith,
} from './distribution-point-kit.js';

/**
 * The offline point of service's local unlock (review finding F5), in Debian's Chromium against
 * the real server. The operator set a passphrase while signed in; the device then opens locked,
 * refuses a wrong passphrase, locks itself when idle and on the button, and after five wrong
 * passphrases stays locked. And what someone reading the browser profile's IndexedDB finds once
 * a snapshot and a pending hand-over are kept: no key material, no card's QR text, no card id,
 * nothing of the snapshot in clear.
 */
const file = pointWorldOfFile({
  prefix: 'lock',
  operators: 1,
  pointCode: 'kiosco-cerrado',
  pointName: 'Kiosco Catia',
  ...boxAndRice('food_lock', { es: 'Caja con llave', en: 'Locked box' }),
});

const qrField = 'Texto del código QR del carnet';

/**
 * Every record of every store of the app's IndexedDB, as the browser keeps it: strings as they
 * are, bytes as hex, CryptoKey objects named — what a copy of the profile's files holds.
 */
async function rawIndexedDb(page: Page): Promise<string> {
  const script = `new Promise((resolve, reject) => {
    const open = indexedDB.open('amparo-pos');
    open.onerror = () => reject(open.error);
    open.onsuccess = async () => {
      const db = open.result;
      const hex = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
      const flat = (value) => {
        if (value instanceof CryptoKey) return 'CRYPTOKEY:' + value.type + ':' + value.extractable;
        if (value instanceof ArrayBuffer) return 'HEX:' + hex(new Uint8Array(value));
        if (ArrayBuffer.isView(value)) return 'HEX:' + hex(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
        if (Array.isArray(value)) return value.map(flat);
        if (value !== null && typeof value === 'object') {
          return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, flat(v)]));
        }
        return value;
      };
      const dump = {};
      for (const name of db.objectStoreNames) {
        dump[name] = await new Promise((done, fail) => {
          const request = db.transaction(name).objectStore(name).getAll();
          request.onsuccess = () => done(flat(request.result));
          request.onerror = () => fail(request.error);
        });
      }
      db.close();
      resolve(JSON.stringify(dump));
    };
  })`;
  // Safe: the page script above resolves to a string.
  return (await page.evaluate(script)) as string;
}

describe('the offline point of service, locked', () => {
  it('keeps nothing secret or personal in clear, opens only with the passphrase, and locks itself', async () => {
    const operator = file.world.operators[0] as BuiltOperator;
    const device = await readyOfflineDevice(file.run, file.world, operator);
    await device.context().setOffline(true);
    await device.getByLabel(qrField).fill(file.world.holderQr);
    await device.getByRole('button', { name: 'Verificar el carnet sin conexión' }).click();
    await device.getByTestId('pos-offline-answer').getByText('food_box: quedan 1 box').waitFor();
    await device.getByRole('button', { name: 'Entregar las cantidades indicadas' }).click();
    await device.getByText('Registrada en este dispositivo').waitFor();
    await device.getByTestId('pos-pending').getByText('1').waitFor();

    // The attacker's view: IndexedDB's records as stored.
    const raw = await rawIndexedDb(device);
    expect(raw).toContain('"vault"');
    expect(raw).not.toContain('CRYPTOKEY');
    // An Ed25519 private key in PKCS #8 starts with these 16 bytes: no record holds one.
    expect(raw).not.toContain('302e020100300506032b657004220420');
    expect(raw).not.toContain(file.world.holderQr);
    expect(raw).not.toContain(file.world.holderQr.slice(0, 40));
    expect(raw).not.toContain(file.world.holderCredentialId);
    expect(raw).not.toContain('amparo.point-snapshot.v2');
    expect(raw).not.toContain('food_box');
    expect(raw).not.toContain('trustList');

    // The lock button: the keys leave memory, and the card check with them.
    await device.getByTestId('pos-lock').click();
    await device.getByTestId('pos-unlock').waitFor();
    expect(await device.getByLabel(qrField).count()).toBe(0);
    expect(await seriousAxeViolations(device)).toEqual([]);
    // A wrong passphrase is refused and counted.
    await device.getByTestId('pos-passphrase').fill('no es la frase');
    await device.getByRole('button', { name: 'Desbloquear' }).click();
    await device
      .getByTestId('pos-unlock-failure')
      .getByText('Frase de acceso equivocada. Quedan 4 intentos', { exact: false })
      .waitFor();
    expect(await device.getByLabel(qrField).count()).toBe(0);
    await unlockWith(device);
    await device.getByTestId('pos-pending').getByText('1').waitFor();

    // Idle: after the configured minutes (5 by default) without a touch, it locks by itself.
    await device.clock.install();
    await device.getByTestId('pos-pending').click();
    await device.clock.fastForward('04:00');
    expect(await device.getByTestId('pos-unlocked').count()).toBe(1);
    await device.clock.fastForward('01:05');
    await device.getByTestId('pos-unlock').waitFor();
    expect(await device.getByLabel(qrField).count()).toBe(0);

    // Reopened (a reload, the network still off: the app's start page without a session), it
    // opens locked.
    await device.reload();
    await device.getByTestId('pos-cold-start').waitFor();
    await device.getByTestId('pos-unlock').waitFor();
    expect(await device.getByLabel(qrField).count()).toBe(0);
    // Five wrong passphrases in a row: locked until an operator signs in online.
    const answers = [
      'Quedan 4 intentos',
      'Quedan 3 intentos',
      'Quedan 2 intentos',
      'Queda 1 intento',
      'Demasiadas frases equivocadas',
    ];
    for (const [attempt, answer] of answers.entries()) {
      await device.getByTestId('pos-passphrase').fill(`equivocada ${attempt}`);
      await device.getByRole('button', { name: 'Desbloquear' }).click();
      await device.getByTestId('pos-unlock-failure').getByText(answer, { exact: false }).waitFor();
    }
    await device.getByTestId('pos-passphrase').fill(devicePassphrase);
    expect(await device.getByRole('button', { name: 'Desbloquear' }).isDisabled()).toBe(true);
    expect(file.run.pageErrors).toEqual([]);
  }, 120_000);
});
