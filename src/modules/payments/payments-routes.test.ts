import { randomUUID } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildPerson } from '../../../test/factories.js';
import {
  type AccessTestApp,
  buildAccessTestApp,
  citizenSession,
} from '../access/access-test-kit.js';
import { AuditLog } from '../audit/index.js';
import { type SignedIn, signIn } from '../distribution/distribution-test-kit.js';
import { ledgerIsSound, verifyLedger } from '../ledger/index.js';
import { cyclePublisher } from '../programs/index.js';
import { settlementAccountIds } from './accounts/account-ids.js';
import { deniedCodes } from './merchants/merchant-test-kit.js';
import { cashCycle } from './payments-test-kit.js';

/**
 * The money routes (issue #16): funding with bad input refused as AMP_* problems with nothing
 * posted, a disbursement started over HTTP and followed to its end, the person's wallet for
 * themself and for an operator with a purpose, a statement CSV and the trial balance.
 */
describe('payments routes', () => {
  let kit: AccessTestApp;
  let finance: SignedIn;
  let programId: string;
  let cycleId: string;
  let personId: string;
  let uin: string;

  beforeAll(async () => {
    kit = await buildAccessTestApp();
    const person = await buildPerson(kit, { phone: '+584125550777' });
    ({ id: personId, uin } = person);
    await buildPerson(kit, {});
    // Approved only: the disbursement test publishes it after its refusal.
    ({ programId, cycleId } = await cashCycle(kit.database.db, {
      code: 'bono',
      amountMinor: 30_000n,
      unpublished: true,
    }));
    finance = await signIn(kit, ['finance_officer'], ['VE-A']);
  });
  afterAll(async () => kit?.close());

  const fund = (body: Record<string, unknown>, program = programId) =>
    kit.app.inject({
      method: 'POST',
      url: `/api/payments/programs/${program}/funding?purpose=distribution`,
      cookies: finance.cookies,
      payload: { transferId: randomUUID(), currency: 'VES', amountMinor: '100', ...body },
    });

  it('refuses bad amounts, a wrong currency and an unknown program, posting nothing', async () => {
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ amountMinor: '0' }, 400, 'AMP_AMOUNT_INVALID'],
      [{ amountMinor: '-5' }, 400, 'AMP_AMOUNT_INVALID'],
      [{ amountMinor: '9223372036854775808' }, 400, 'AMP_AMOUNT_INVALID'],
      [{ amountMinor: '1.5' }, 400, 'AMP_VALIDATION'],
      [{ currency: 'USD' }, 422, 'AMP_CURRENCY_MISMATCH'],
      [{ currency: 'EUR' }, 422, 'AMP_CURRENCY_MISMATCH'],
    ];
    for (const [body, status, code] of cases) {
      const response = await fund(body);
      expect([response.statusCode, response.json().code], JSON.stringify(body)).toEqual([
        status,
        code,
      ]);
    }
    const unknown = await fund({}, randomUUID());
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'AMP_NOT_FOUND']);
    const transfers = await kit.database.db.selectFrom('ledger_transfer').select('id').execute();
    expect(transfers).toEqual([]);
  });

  it('disburses a cycle over HTTP, and the person sees the money; the operator with a purpose too', async () => {
    const transferId = randomUUID();
    const funded = await fund({ transferId, amountMinor: '60000' });
    expect(funded.statusCode).toBe(201);
    // The same request again is the first answer; another amount with the same id is refused.
    expect((await fund({ transferId, amountMinor: '60000' })).json().replayed).toBe(true);
    expect((await fund({ transferId, amountMinor: '60001' })).json().code).toBe(
      'AMP_TRANSFER_REFUSED',
    );

    const start = () =>
      kit.app.inject({
        method: 'POST',
        url: '/api/payments/disbursements?purpose=distribution',
        cookies: finance.cookies,
        payload: { cycleId },
      });
    // Approved but not published: refused, audited as denied with its code, nothing written.
    const early = await start();
    expect([early.statusCode, early.json().code]).toEqual([409, 'AMP_CYCLE_NOT_PUBLISHED']);
    expect(await deniedCodes(kit, 'payment.disburse')).toEqual(['AMP_CYCLE_NOT_PUBLISHED']);
    expect(await kit.database.db.selectFrom('payment_disbursement').select('id').execute()).toEqual(
      [],
    );
    await cyclePublisher(kit.database.db, { cycleId, operatorId: randomUUID() });
    const started = await start();
    expect(started.statusCode).toBe(202);
    const { id } = started.json() as { id: string };
    let progress: { status: string; creditedCount: string } = {
      status: 'running',
      creditedCount: '0',
    };
    for (let poll = 0; poll < 100 && progress.status !== 'finished'; poll += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      progress = (
        await kit.app.inject({
          url: `/api/payments/disbursements/${id}?purpose=distribution`,
          cookies: finance.cookies,
        })
      ).json();
    }
    expect(progress).toMatchObject({ status: 'finished', creditedCount: '2' });

    const citizen = await citizenSession(kit, { personId, uin });
    const mine = await kit.app.inject({ url: '/api/payments/me/wallet', cookies: citizen });
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toMatchObject({
      personId,
      frozen: false,
      wallets: [{ currency: 'VES', balanceMinor: '30000' }],
      history: [{ direction: 'credit', amountMinor: '30000', reason: 'disbursement' }],
    });
    const refused = await kit.app.inject({
      url: `/api/payments/persons/${personId}/wallet`,
      cookies: finance.cookies,
    });
    expect(refused.statusCode).toBe(403);
    const read = await kit.app.inject({
      url: `/api/payments/persons/${personId}/wallet?purpose=appeal`,
      cookies: finance.cookies,
    });
    expect(read.json().wallets[0].balanceMinor).toBe('30000');

    const accountId = mine.json().wallets[0].accountId as string;
    const statement = await kit.app.inject({
      url: `/api/payments/accounts/${accountId}/statement.csv?purpose=distribution`,
      cookies: finance.cookies,
    });
    expect(statement.headers['content-type']).toContain('text/csv');
    const lines = statement.body.trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/,disbursement,entitlement,[0-9a-f-]{36},,30000,30000,VES$/);
    const pdf = await kit.app.inject({
      url: `/api/payments/accounts/${accountId}/statement.pdf?purpose=distribution`,
      cookies: finance.cookies,
    });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const document = await PDFDocument.load(pdf.rawPayload);
    expect(document.getPageCount()).toBe(1);
    expect(document.getTitle()).toBe(`Estado de cuenta / Account statement ${accountId}`);

    const balance = await kit.app.inject({
      url: '/api/payments/trial-balance?purpose=distribution',
      cookies: finance.cookies,
    });
    expect(balance.json().currencies).toEqual([
      expect.objectContaining({ currency: 'VES', balanced: true }),
    ]);
  });

  it('spreads funding requests at once over the settlement sub-accounts; the trial balance sums them', async () => {
    const before = await settlementDebits();
    const transferIds = Array.from({ length: 12 }, () => randomUUID());
    const answers = await Promise.all(transferIds.map((transferId) => fund({ transferId })));
    expect(answers.map((answer) => answer.statusCode)).toEqual(transferIds.map(() => 201));
    const rows = await kit.database.db
      .selectFrom('ledger_transfer')
      .select(['id', 'debit_account_id'])
      .where('id', 'in', transferIds)
      .execute();
    const debited = new Set(rows.map((row) => row.debit_account_id));
    // Twelve ids over sixteen sub-accounts: all on one would be a 1-in-16^11 draw.
    expect(debited.size).toBeGreaterThan(1);
    for (const id of debited) expect(settlementAccountIds('VES')).toContain(id);
    // The same request again names the same sub-account: the first answer, nothing new posted.
    const [first] = transferIds;
    const again = await fund({ transferId: first });
    expect([again.statusCode, again.json().replayed]).toEqual([201, true]);
    expect(await settlementDebits()).toBe(before + 12n * 100n);
    expect(ledgerIsSound(await verifyLedger(kit.database.db))).toBe(true);
  });

  it("lists the ledger's own accounts with names and balances; a role without ledger_read is refused", async () => {
    const answer = await kit.app.inject({
      url: '/api/payments/ledger-accounts?purpose=distribution',
      cookies: finance.cookies,
    });
    expect(answer.statusCode, answer.body).toBe(200);
    const { accounts, settlementTotals } = answer.json() as {
      accounts: Array<{
        role: string;
        accountId: string;
        programId: string | null;
        subAccount: number | null;
        balanceMinor: string;
      }>;
      settlementTotals: Array<{ currency: string; balanceMinor: string; subAccounts: number }>;
    };
    const funding = accounts.find((account) => account.role === 'program_funding');
    expect(funding).toMatchObject({ programId, balanceMinor: '1200' });
    const settlement = accounts.filter((account) => account.role === 'settlement');
    expect(settlement.map((account) => account.subAccount)).toEqual([...Array(16).keys()]);
    expect(settlement.map((account) => account.accountId)).toEqual(settlementAccountIds('VES'));
    const summed = settlement.reduce((sum, account) => sum + BigInt(account.balanceMinor), 0n);
    expect(settlementTotals).toEqual([
      { currency: 'VES', balanceMinor: summed.toString(), subAccounts: 16 },
    ]);
    expect(summed).toBe(-BigInt(funding?.balanceMinor ?? '0') - 60_000n);
    expect(accounts.some((account) => account.role === 'beneficiary_wallet')).toBe(false);
    const clerk = await signIn(kit, ['enrolment_clerk'], ['VE-A']);
    const refused = await kit.app.inject({
      url: '/api/payments/ledger-accounts?purpose=enrolment',
      cookies: clerk.cookies,
    });
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'AMP_FORBIDDEN']);
  });

  /** The settlement line of the trial balance: every sub-account of the currency summed. */
  async function settlementDebits(): Promise<bigint> {
    const balance = await kit.app.inject({
      url: '/api/payments/trial-balance?purpose=distribution',
      cookies: finance.cookies,
    });
    const line = (
      balance.json().lines as Array<{ currency: string; kind: string; debitsPostedMinor: string }>
    ).find((candidate) => candidate.currency === 'VES' && candidate.kind === 'settlement');
    return BigInt(line?.debitsPostedMinor ?? '0');
  }

  // Last: the funding it posts would change the balances the tests above expect.
  it("commits a funding's audit entry with its transfer: the log failing after the commit leaves it staged, never a denial", async () => {
    const entries = async (outcome: 'allowed' | 'denied') => {
      const pattern = `%"action":"payment.fund"%"outcome":"${outcome}"%"id":"${programId}"%`;
      const inLog = await kit.database.db
        .selectFrom('audit_entry')
        .select('leaf_index')
        .where('entry', 'like', pattern)
        .execute();
      const staged = await kit.database.asAdmin((admin) =>
        admin.selectFrom('audit_pending').select('id').where('entry', 'like', pattern).execute(),
      );
      return inLog.length + staged.length;
    };
    const [allowedBefore, deniedBefore] = [await entries('allowed'), await entries('denied')];
    const failure = new Error('the audit log is unavailable');
    // The entry's way into the log fails once, whichever way the route takes it there.
    const append = vi.spyOn(AuditLog.prototype, 'append').mockRejectedValueOnce(failure);
    const settle = vi.spyOn(AuditLog.prototype, 'settle').mockRejectedValueOnce(failure);
    try {
      const transferId = randomUUID();
      const answer = await fund({ transferId });
      expect(answer.statusCode).toBe(500);
      const posted = await kit.database.db
        .selectFrom('ledger_transfer')
        .select('id')
        .where('id', '=', transferId)
        .execute();
      expect(posted).toHaveLength(1);
      // The transfer committed, so its allowed entry did too; the request is not audited denied.
      expect(await entries('allowed')).toBe(allowedBefore + 1);
      expect(await entries('denied')).toBe(deniedBefore);
    } finally {
      append.mockRestore();
      settle.mockRestore();
    }
  });
});
