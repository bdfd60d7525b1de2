import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccessTestApp, buildAccessTestApp } from '../../access/access-test-kit.js';
import { signIn } from '../../distribution/distribution-test-kit.js';
import { deniedCodes, registeredMerchant } from './merchant-test-kit.js';

/**
 * Two-person approval of a merchant (the review of session 13): one finance officer registered
 * a merchant — its settlement account, staff and subsidy shares — and it could be paid at once.
 * Now it is paid nothing until a second finance officer approves; the registrar cannot.
 */
describe('merchant approval', () => {
  let kit: AccessTestApp;
  beforeAll(async () => {
    kit = await buildAccessTestApp();
  }, 180_000);
  afterAll(async () => kit?.close());

  it('one finance officer alone cannot make a merchant payable; a second one can', async () => {
    const { merchantId, finance, staff } = await registeredMerchant(kit, { approved: false });
    const request = () =>
      kit.app.inject({
        method: 'POST',
        url: `/api/payments/merchants/${merchantId}/requests?purpose=distribution`,
        cookies: staff.cookies,
        payload: { amountMinor: '1000', reference: 'A-1' },
      });
    const before = await request();
    expect([before.statusCode, before.json().code]).toEqual([409, 'AMP_APPROVAL_REQUIRED']);
    const approve = (cookies: Record<string, string>) =>
      kit.app.inject({
        method: 'POST',
        url: `/api/payments/merchants/${merchantId}/approval?purpose=distribution`,
        cookies,
        payload: {},
      });
    const alone = await approve(finance.cookies);
    expect([alone.statusCode, alone.json().code]).toEqual([403, 'AMP_APPROVAL_SAME_OPERATOR']);
    expect(await deniedCodes(kit, 'merchant.approve')).toEqual(['AMP_APPROVAL_SAME_OPERATOR']);
    // Staff of the merchant hold no right to approve it.
    expect((await approve(staff.cookies)).statusCode).toBe(403);
    expect((await request()).statusCode).toBe(409);

    const second = await signIn(kit, ['finance_officer'], ['VE-A']);
    const approved = await approve(second.cookies);
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json().approvedAt).not.toBeNull();
    const after = await request();
    expect(after.statusCode, after.body).toBe(201);
    // Approving again changes nothing.
    expect((await approve(second.cookies)).json().approvedAt).toBe(approved.json().approvedAt);
  });
});
