import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPerson } from '../../../test/factories.js';
import { type AccessTestApp, buildAccessTestApp } from '../access/access-test-kit.js';
import { type SignedIn, signIn } from '../distribution/distribution-test-kit.js';
import { enqueueTexts } from './outbox-enqueuer.js';
import type { MessageStatus } from './tables.js';

interface Dashboard {
  from: string;
  to: string;
  days: {
    day: string;
    provider: string;
    sent: number;
    delivered: number;
    failed: number;
    expired: number;
    waiting: number;
  }[];
  failed: { templateId: string; regionCode: string; failureReason: string; text: string | null }[];
}

/**
 * The operators' delivery dashboard (issue 14, point 7): counts by day and provider in the
 * caller's regions only; failed messages listed with why, their words only for a role that holds
 * notification.content (codes as dots), never the phone; refused (403) without the rule.
 */
describe('delivery dashboard', () => {
  let kit: AccessTestApp;
  let auditor: SignedIn;
  let supervisor: SignedIn;
  let clerk: SignedIn;
  const phone = '+584125550777';
  const personOf: Record<string, string> = {};

  /** Queues one message in `region` and walks it through the state machine to `status`. */
  async function message(
    region: string,
    status: MessageStatus,
    templateId = 'registry.enrolled',
    parameters: Record<string, string> = {},
  ) {
    const db = kit.database.db;
    const [id] = await enqueueTexts(db, kit.masterKey, [
      {
        personId: personOf[region] as string,
        phone,
        regionCode: region,
        templateId,
        parameters,
        queuedAt: kit.now(),
      },
    ]);
    const path: MessageStatus[] =
      status === 'delivered'
        ? ['sending', 'sent', 'delivered']
        : status === 'failed'
          ? ['sending', 'sent', 'failed']
          : status === 'sent'
            ? ['sending', 'sent']
            : status === 'queued'
              ? []
              : [status];
    for (const step of path) {
      await db
        .updateTable('notification_outbox')
        .set({
          status: step,
          // A message that expired in the queue never reached a provider.
          ...(step === 'expired' ? {} : { provider: 'smpp' }),
          ...(step === 'sent' ? { sent_at: kit.now() } : {}),
          ...(step === 'failed'
            ? { failed_at: kit.now(), failure_reason: 'part_undeliverable' }
            : {}),
        })
        .where('id', '=', id as string)
        .execute();
    }
  }

  const dashboard = (who: SignedIn, purpose: string) =>
    kit.app.inject({
      url: `/api/notifications/dashboard?purpose=${purpose}&days=7`,
      cookies: who.cookies,
    });

  beforeAll(async () => {
    kit = await buildAccessTestApp();
    auditor = await signIn(kit, ['auditor'], ['VE-A']);
    supervisor = await signIn(kit, ['registry_supervisor'], ['VE-A']);
    clerk = await signIn(kit, ['enrolment_clerk'], ['VE-A']);
    for (const region of ['VE-A', 'VE-Z'])
      personOf[region] = (await buildPerson(kit, { region })).id;
    await message('VE-A', 'delivered');
    await message('VE-A', 'delivered');
    await message('VE-A', 'sent');
    await message('VE-A', 'failed', 'citizen.sign_in_code', { code: '482913', validMinutes: '10' });
    await message('VE-A', 'expired');
    await message('VE-A', 'queued');
    // Another state: never counted or listed for an operator of VE-A.
    await message('VE-Z', 'failed');
    await message('VE-Z', 'delivered');
  }, 120_000);
  afterAll(async () => kit?.close());

  it('counts by day and provider in the caller’s regions, and shows an auditor the words', async () => {
    const response = await dashboard(auditor, 'audit');
    expect(response.statusCode, response.body).toBe(200);
    const view = response.json() as Dashboard;
    expect(view.days).toEqual([
      { day: view.to, provider: 'none', sent: 0, delivered: 0, failed: 0, expired: 1, waiting: 1 },
      { day: view.to, provider: 'smpp', sent: 4, delivered: 2, failed: 1, expired: 0, waiting: 0 },
    ]);
    expect(view.failed).toHaveLength(1);
    expect(view.failed[0]).toMatchObject({
      templateId: 'citizen.sign_in_code',
      regionCode: 'VE-A',
      failureReason: 'part_undeliverable',
      text: 'Amparo: su código de acceso es •••••• (vale 10 min).',
    });
    expect(response.body).not.toContain('482913');
    expect(response.body).not.toContain(phone);
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('lists failed messages without their words for a role that may not read them', async () => {
    const response = await dashboard(supervisor, 'enrolment');
    expect(response.statusCode, response.body).toBe(200);
    const view = response.json() as Dashboard;
    expect(view.failed.map((line) => [line.templateId, line.text])).toEqual([
      ['citizen.sign_in_code', null],
    ]);
    expect(view.days.find((day) => day.provider === 'smpp')?.delivered).toBe(2);
  });

  it('refuses a role without the rule, and a purpose the rule does not name', async () => {
    expect((await dashboard(clerk, 'enrolment')).statusCode).toBe(403);
    expect((await dashboard(auditor, 'enrolment')).statusCode).toBe(403);
    const tooLong = await kit.app.inject({
      url: '/api/notifications/dashboard?purpose=audit&days=1000',
      cookies: auditor.cookies,
    });
    expect(tooLong.statusCode).toBe(400);
  });
});
