import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPerson } from '../../../../test/factories.js';
import { type AccessTestApp, buildAccessTestApp } from '../../access/access-test-kit.js';
import { signIn } from '../../distribution/distribution-test-kit.js';
import { publishedCycle } from '../../programs/programs-test-kit.js';
import { openCashEntitlements } from '../payments-test-kit.js';
import { pain002For } from './iso20022/bank-files-test-kit.js';
import { payableCashCycle, payingAccountStoredForTest, routeTestPayee } from './payout-test-kit.js';

/**
 * The payout routes over HTTP as a finance officer: what the schemas accept and answer (the
 * service tests cover the money; the authorisation matrix covers who may call them).
 */
describe('payout routes', () => {
  let kit: AccessTestApp;
  let cookies: Record<string, string>;
  let approverCookies: Record<string, string>;
  let programId: string;
  let personId: string;
  let entitlementId: string;
  let cycleId: string;

  beforeAll(async () => {
    kit = await buildAccessTestApp();
    cookies = (await signIn(kit, ['finance_officer'], ['VE-A'])).cookies;
    approverCookies = (await signIn(kit, ['finance_officer'], ['VE-A'])).cookies;
    personId = (await buildPerson(kit, { uin: '3000000017', phone: null })).id;
    // The person's stored payee account (a name a spreadsheet would run): what batches pay into.
    const cycle = await payableCashCycle(kit, {
      code: 'bono_rutas',
      amountMinor: 12345n,
      fundedMinor: 500_00n,
      payees: [{ personId, payee: { ...routeTestPayee, holderName: '=HYPERLINK("x") Ana' } }],
    });
    programId = cycle.programId;
    cycleId = cycle.cycleId;
    const [entitlement] = cycle.entitlements;
    expect(entitlement?.personId).toBe(personId);
    entitlementId = entitlement?.entitlementId ?? '';
    await payingAccountStoredForTest(kit.database.db, { scope: 'program', key: programId });
  });
  afterAll(async () => kit?.close());

  it('creates a batch, serves its file, applies a status report and the suspense report', async () => {
    const body = {
      clientId: randomUUID(),
      programId,
      currency: 'VES',
      requestedExecutionDate: '2026-12-07',
      debtor: { name: 'Programa Bono', accountNumber: '01020123456789012345', bankCode: '0102' },
      instructions: [
        {
          referenceKind: 'entitlement',
          referenceId: entitlementId,
          amountMinor: '12345',
        },
      ],
    };
    const created = await kit.app.inject({
      method: 'POST',
      url: '/api/payouts/batches?purpose=distribution',
      payload: body,
      cookies,
    });
    expect(created.statusCode, created.body).toBe(201);
    const batch = created.json();
    expect(batch).toMatchObject({
      status: 'ready',
      amountTotalMinor: '12345',
      requestedExecutionDate: '2026-12-07',
      byStatus: [{ status: 'pending', count: 1, amountMinor: '12345' }],
    });
    expect(created.body).not.toContain('HYPERLINK');
    expect(batch.approvedAt).toBeNull();

    // Two-person rule: the maker alone neither downloads the file nor approves the batch.
    const download = () =>
      kit.app.inject({
        method: 'GET',
        url: `/api/payouts/batches/${batch.id}/pain.001.xml?purpose=distribution`,
        cookies,
      });
    const alone = await download();
    expect([alone.statusCode, alone.json().code]).toEqual([409, 'AMP_APPROVAL_REQUIRED']);
    const approve = (by: Record<string, string>, confirmedEndToEndIds: string[]) =>
      kit.app.inject({
        method: 'POST',
        url: `/api/payouts/batches/${batch.id}/approval?purpose=distribution`,
        payload: { confirmedEndToEndIds },
        cookies: by,
      });
    const selfApproved = await approve(cookies, []);
    expect([selfApproved.statusCode, selfApproved.json().code]).toEqual([
      403,
      'AMP_APPROVAL_SAME_OPERATOR',
    ]);
    // The second officer sees the payee account (never paid before: no previous one) and must
    // confirm it by its end-to-end id.
    const changes = await kit.app.inject({
      method: 'GET',
      url: `/api/payouts/batches/${batch.id}/payee-changes?purpose=distribution`,
      cookies: approverCookies,
    });
    expect(changes.statusCode, changes.body).toBe(200);
    const [change] = changes.json().changes;
    expect(changes.json().changes).toHaveLength(1);
    expect(change).toMatchObject({ accountEnding: '0001', previousAccountEnding: null });
    expect(changes.body).not.toContain('01340000000000000001');
    const unconfirmed = await approve(approverCookies, []);
    expect([unconfirmed.statusCode, unconfirmed.json().code]).toEqual([
      409,
      'AMP_PAYEE_CHANGE_UNCONFIRMED',
    ]);
    expect((await download()).statusCode).toBe(409);
    const approved = await approve(approverCookies, [change.endToEndId]);
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json().approvedAt).not.toBeNull();

    const file = await kit.app.inject({
      method: 'GET',
      url: `/api/payouts/batches/${batch.id}/pain.001.xml?purpose=distribution`,
      cookies,
    });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toMatch(/^application\/xml/);
    expect(file.body).toContain('<InstdAmt Ccy="VES">123.45</InstdAmt>');
    expect(file.body).toContain('=HYPERLINK(&quot;x&quot;) Ana');
    const history = await kit.database.db
      .selectFrom('audit_entry')
      .select('entry')
      .where('person_id', '=', personId)
      .execute();
    expect(history.map((row) => JSON.parse(row.entry))).toEqual([
      // Making the batch opened the person's stored payee account.
      expect.objectContaining({
        action: 'payout.manage',
        fields: ['payee_account'],
        outcome: 'allowed',
      }),
      // The payee check of each look (the list, then the approval refused and the one granted).
      ...Array.from({ length: 3 }, () =>
        expect.objectContaining({
          action: 'payout.approve',
          fields: ['account_number'],
          outcome: 'allowed',
        }),
      ),
      expect.objectContaining({
        action: 'payout.manage',
        fields: ['account_number', 'creditor_name', 'national_id'],
        outcome: 'allowed',
      }),
    ]);
    // No instruction names a person (issue #13, point 5): the body cannot, and an id that is
    // not an open entitlement of the program, or one already paid, is refused.
    const resend = (instruction: Record<string, unknown>) =>
      kit.app.inject({
        method: 'POST',
        url: '/api/payouts/batches?purpose=distribution',
        payload: { ...body, clientId: randomUUID(), instructions: [instruction] },
        cookies,
      });
    const namingPerson = await resend({ ...body.instructions[0], personId });
    expect(namingPerson.statusCode).toBe(400);
    for (const referenceId of [randomUUID(), entitlementId]) {
      const refused = await resend({ ...body.instructions[0], referenceId });
      expect(refused.statusCode).toBe(422);
      expect(refused.json()).toMatchObject({
        code: 'AMP_PAYOUT_INSTRUCTION_INVALID',
        errors: [{ field: '/instructions/0/referenceId' }],
      });
    }
    const endToEndId = /<EndToEndId>([A-Z0-9]+)<\/EndToEndId>/.exec(file.body)?.[1] ?? '';

    const upload = {
      format: 'pain.002',
      content: pain002For(batch.messageId, [{ endToEndId, status: 'ACSC' }]),
    };
    const applied = await kit.app.inject({
      method: 'POST',
      url: '/api/payouts/bank-files?purpose=distribution',
      payload: upload,
      cookies,
    });
    expect(applied.statusCode, applied.body).toBe(200);
    expect(applied.json()).toMatchObject({ replayed: false, summary: { accepted: 1 } });
    const again = await kit.app.inject({
      method: 'POST',
      url: '/api/payouts/bank-files?purpose=distribution',
      payload: upload,
      cookies,
    });
    expect(again.json()).toMatchObject({ replayed: true, summary: { accepted: 1 } });

    const malformed = await kit.app.inject({
      method: 'POST',
      url: '/api/payouts/bank-files?purpose=distribution',
      payload: {
        format: 'camt.053',
        content: '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>',
      },
      cookies,
    });
    expect(malformed.statusCode).toBe(422);
    expect(malformed.json()).toMatchObject({ code: 'AMP_BANK_FILE_MALFORMED' });

    const read = await kit.app.inject({
      method: 'GET',
      url: `/api/payouts/batches/${batch.id}?purpose=distribution`,
      cookies,
    });
    expect(read.json().byStatus).toEqual([{ status: 'accepted', count: 1, amountMinor: '12345' }]);
    const report = await kit.app.inject({
      method: 'GET',
      url: '/api/payouts/suspense.csv?purpose=distribution',
      cookies,
    });
    expect(report.statusCode).toBe(200);
    expect(report.headers['content-type']).toMatch(/^text\/csv/);
    expect(report.body.replace(/^\uFEFF/, '').startsWith('recorded_at,kind,')).toBe(true);

    // The console's list and a batch's payments: figures and end-to-end ids, no creditor.
    const listed = await kit.app.inject({
      method: 'GET',
      url: '/api/payouts/batches?purpose=distribution',
      cookies,
    });
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json().batches).toEqual([
      expect.objectContaining({
        id: batch.id,
        status: 'ready',
        programName: { es: 'Bono', en: 'Bonus' },
        cycleIds: [cycleId],
        paymentsCount: 1,
        amountTotalMinor: '12345',
        sentAt: expect.any(String),
        cancelledAt: null,
      }),
    ]);
    const payments = await kit.app.inject({
      method: 'GET',
      url: `/api/payouts/batches/${batch.id}/payments?purpose=distribution&afterSeq=-1`,
      cookies,
    });
    expect(payments.statusCode, payments.body).toBe(200);
    expect(payments.json()).toEqual({
      nextAfterSeq: null,
      payments: [
        expect.objectContaining({
          seq: 0,
          endToEndId,
          accountKind: 'bank_account',
          amountMinor: '12345',
          status: 'accepted',
        }),
      ],
    });
    for (const body of [listed.body, payments.body]) {
      expect(body).not.toContain('HYPERLINK');
      expect(body).not.toContain('01340000000000000001');
    }
    // The file was downloaded: the bank may pay it, so it is not cancelled.
    const cancel = await kit.app.inject({
      method: 'POST',
      url: `/api/payouts/batches/${batch.id}/cancellation?purpose=distribution`,
      payload: {},
      cookies,
    });
    expect(cancel.statusCode).toBe(409);
    expect(cancel.json()).toMatchObject({ code: 'AMP_CONFLICT' });
  });

  it('cancels a batch whose file was not sent: its payment voided, its entitlement payable again', async () => {
    const cycle = await publishedCycle(kit.database.db, programId, '2026-11-01');
    const [fresh] = await openCashEntitlements(kit.database.db, cycle.cycleId);
    const made = await kit.app.inject({
      method: 'POST',
      url: '/api/payouts/batches?purpose=distribution',
      payload: {
        clientId: randomUUID(),
        programId,
        currency: 'VES',
        requestedExecutionDate: '2026-12-08',
        debtor: { name: 'Programa Bono', accountNumber: '01020123456789012345', bankCode: '0102' },
        instructions: [
          {
            referenceKind: 'entitlement',
            referenceId: fresh?.entitlementId,
            amountMinor: '12345',
          },
        ],
      },
      cookies,
    });
    expect(made.statusCode, made.body).toBe(201);
    const cancelled = await kit.app.inject({
      method: 'POST',
      url: `/api/payouts/batches/${made.json().id}/cancellation?purpose=distribution`,
      payload: {},
      cookies,
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json()).toMatchObject({
      status: 'cancelled',
      cancelledAt: expect.any(String),
      byStatus: [{ status: 'cancelled', count: 1, amountMinor: '12345' }],
    });
    const missing = await kit.app.inject({
      method: 'POST',
      url: `/api/payouts/batches/${randomUUID()}/cancellation?purpose=distribution`,
      payload: {},
      cookies,
    });
    expect(missing.statusCode).toBe(404);
  });
});
