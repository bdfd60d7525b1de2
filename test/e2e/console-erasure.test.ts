import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCardPerson } from '../../src/modules/credentials/credentials-test-kit.js';
import { overflowsHorizontally, screenshot, seriousAxeViolations, viewports } from './browser.js';
import { type ConsoleRun, openConsoleRun } from './console-run.js';

/**
 * Lawful erasure in Debian's Chromium against the real server: the first demo administrator
 * files a request from the ID number on an order, cannot approve it, and the second
 * administrator approves it after a confirmation; the record is then erased in the database.
 */

let run: ConsoleRun;
let person: { id: string; uin: string };

beforeAll(async () => {
  run = await openConsoleRun();
  person = await createCardPerson(run.server.database.db, run.server.keys.masterKey);
}, 90_000);

afterAll(async () => run?.close());

describe('erasure in the console', () => {
  it('files a request from the order; the requester cannot approve it', async () => {
    const first = await run.signedIn('admin');
    await first.getByRole('link', { name: 'Borrados' }).click();
    await first.getByRole('heading', { level: 1, name: 'Borrado por mandato legal' }).waitFor();
    const uin = first.getByLabel('Número de identificación (de la orden)');
    const typo = `${person.uin.slice(0, 9)}${(Number(person.uin[9]) + 1) % 10}`;
    // The check digit is checked as it is typed, in the console's language, before any request.
    await uin.fill(typo);
    await first.getByText(/la última es de control y no coincide/).waitFor();
    expect(await uin.getAttribute('aria-invalid')).toBe('true');
    await first.getByLabel('Número de expediente u orden').fill('TSJ-2026-00123');
    await first.getByRole('button', { name: 'Pedir el borrado' }).click();
    expect(await first.getByText(/check digit/).count()).toBe(0);
    await uin.fill(person.uin);
    expect(await uin.getAttribute('aria-invalid')).toBeNull();
    await first.getByRole('button', { name: 'Pedir el borrado' }).click();
    await first.getByRole('status').getByText(person.uin).waitFor();
    const item = first.getByTestId(`erasure-${person.uin}`);
    await item.getByText(/Usted hizo este pedido/).waitFor();
    expect(await item.getByRole('button', { name: 'Aprobar y borrar' }).count()).toBe(0);
    expect(await seriousAxeViolations(first)).toEqual([]);
    await first.setViewportSize(viewports.phone);
    expect(await overflowsHorizontally(first)).toBe(false);
    await screenshot(first, 'erasure');
  });

  it('is approved by a second administrator after a confirmation, and erases', async () => {
    const second = await run.signedIn('admin2');
    await second.goto(`${run.server.baseUrl}/erasure`);
    const item = second.getByTestId(`erasure-${person.uin}`);
    await item.getByRole('button', { name: 'Aprobar y borrar' }).click();
    await second
      .getByRole('alertdialog')
      .getByText(/no se puede deshacer/i)
      .waitFor();
    expect(await seriousAxeViolations(second)).toEqual([]);
    await second.getByRole('button', { name: 'Sí, borrar' }).click();
    await second.getByText('No hay pedidos en espera.').waitFor();
    // The approval says what it did, though the request has left the pending list.
    await second
      .getByTestId('erasure-decided')
      .getByText(new RegExp(`Borrado hecho para ${person.uin}`))
      .waitFor();
    const stored = await run.server.database.db
      .selectFrom('person')
      .innerJoin('person_key', 'person_key.person_id', 'person.id')
      .select(['person.status', 'person_key.wrapped_key'])
      .where('person.id', '=', person.id)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ status: 'erased', wrapped_key: null });
    expect(run.pageErrors).toEqual([]);
  });
});
