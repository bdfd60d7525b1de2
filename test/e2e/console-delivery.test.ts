import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueTexts } from '../../src/modules/notifications/outbox-enqueuer.js';
import { buildOperator, buildPerson } from '../factories.js';
import {
  overflowsHorizontally,
  screenshot,
  seriousAxeViolations,
  signedInPage,
  viewports,
} from './browser.js';
import { type ConsoleRun, openConsoleRun } from './console-run.js';

/**
 * The delivery dashboard in Debian's Chromium against the real server (issue 14, point 7): an
 * auditor of VE-A sees the day's counts by provider and a failed sign-in code with its words
 * (the code as dots), in Spanish and English, at phone width and on a desktop, axe-clean.
 */
let run: ConsoleRun;
let auditor: { username: string; password: string; totp: () => string };

beforeAll(async () => {
  run = await openConsoleRun();
  const context = { database: run.server.database, masterKey: run.server.keys.masterKey };
  const person = await buildPerson(context, { region: 'VE-A' });
  auditor = await buildOperator(context, {
    username: 'auditor.delivery',
    roles: ['auditor'],
    regions: ['VE-A'],
  });
  const db = run.server.database.db;
  const message = {
    personId: person.id,
    phone: '+584125550999',
    regionCode: 'VE-A',
    queuedAt: new Date(),
  };
  const [failed, delivered] = await enqueueTexts(db, run.server.keys.masterKey, [
    {
      ...message,
      templateId: 'citizen.sign_in_code',
      parameters: { code: '731904', validMinutes: '10' },
    },
    { ...message, templateId: 'registry.enrolled', parameters: {} },
  ]);
  for (const [id, last] of [
    [failed, 'failed'],
    [delivered, 'delivered'],
  ] as const) {
    for (const status of ['sending', 'sent', last] as const) {
      await db
        .updateTable('notification_outbox')
        .set({
          status,
          provider: 'smpp',
          ...(status === 'sent' ? { sent_at: new Date() } : {}),
          ...(status === 'failed'
            ? { failed_at: new Date(), failure_reason: 'part_undeliverable' }
            : {}),
        })
        .where('id', '=', id as string)
        .execute();
    }
  }
}, 120_000);

afterAll(async () => run?.close());

describe('delivery dashboard in the console', () => {
  it('shows an auditor the counts and a failed message, codes hidden', async () => {
    const page = await signedInPage(run, auditor, { viewport: 'phone', path: '/' });
    await page
      .getByRole('link', { name: 'Ver si nuestros SMS llegaron, por día y proveedor' })
      .click();
    const days = page.getByTestId('delivery-days');
    await days.getByRole('cell', { name: 'smpp' }).waitFor();
    const row = days.locator('tbody tr', { hasText: 'smpp' });
    // Sent, delivered, failed, expired, waiting.
    expect(await row.locator('td').allTextContents()).toEqual(['smpp', '2', '1', '1', '0', '0']);
    const failed = page.getByTestId('delivery-failed');
    await failed.getByText('Amparo: su código de acceso es •••••• (vale 10 min).').waitFor();
    expect(await page.content()).not.toContain('731904');
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(await overflowsHorizontally(page)).toBe(false);
    await screenshot(page, 'delivery-phone');
    await page.setViewportSize(viewports.desktop);
    expect(await overflowsHorizontally(page)).toBe(false);
    await page.getByLabel('Idioma').selectOption('en');
    await page.getByRole('heading', { name: 'Text message delivery' }).waitFor();
    await days.getByRole('columnheader', { name: 'Delivered' }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshot(page, 'delivery-desktop');
    expect(run.pageErrors).toEqual([]);
  }, 90_000);
});
