import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cashCycle,
  fundedProgramAccount,
  openCashEntitlements,
} from '../../src/modules/payments/payments-test-kit.js';
import { camt053For } from '../../src/modules/payments/payouts/iso20022/bank-files-test-kit.js';
import {
  payingAccountStoredForTest,
  storedPayeesForTest,
  testPayingAccount,
} from '../../src/modules/payments/payouts/payout-test-kit.js';
import { buildOperator, buildPerson } from '../factories.js';
import {
  overflowsHorizontally,
  seriousAxeViolations,
  sessionCookieOf,
  signedInPage,
} from './browser.js';
import { type ConsoleRun, openConsoleRun } from './console-run.js';

/**
 * Returns awaiting a second finance officer on the payouts page, in Debian's Chromium at 360 px
 * (migration 0131; the review of session 17): the officer who uploaded a statement reporting a
 * return sees it listed with the bank's reference, told a second officer confirms it, with no
 * button; the second officer sees the bank's reference and confirms it, and the payment turns
 * returned (its entitlement payable again); a return the bank did not make is rejected beside the
 * confirm button, with the reason (migration 0135), and the payment is settled again.
 */
let run: ConsoleRun;
let uploader: { id: string; username: string; password: string; totp: () => string };
let second: { id: string; username: string; password: string; totp: () => string };
let endToEndId: string;
let instructionId: string;
let forgedEndToEndId: string;
let forgedInstructionId: string;
const statusOf = async (id: string) =>
  (
    await run.server.database.db
      .selectFrom('payout_instruction')
      .select('status')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
  ).status;

beforeAll(async () => {
  run = await openConsoleRun();
  const context = { database: run.server.database, masterKey: run.server.keys.masterKey };
  const db = run.server.database.db;
  uploader = await buildOperator(context, { username: 'ret.finance', roles: ['finance_officer'] });
  second = await buildOperator(context, {
    username: 'ret.finance.two',
    roles: ['finance_officer'],
  });
  const persons = [
    await buildPerson(context, { region: 'VE-A', phone: null }),
    await buildPerson(context, { region: 'VE-A', phone: null }),
  ];
  const { programId, cycleId } = await cashCycle(db, {
    code: 'bono_retorno',
    amountMinor: 150_00n,
  });
  const open = await openCashEntitlements(db, cycleId);
  const entitlements = persons.map((person) => open.find((each) => each.personId === person.id));
  await fundedProgramAccount(db, programId, 1_000_00n);
  await payingAccountStoredForTest(db, { scope: 'program', key: programId });
  await storedPayeesForTest(
    { db, masterKey: context.masterKey },
    persons.map((person, index) => ({
      personId: person.id,
      payee: {
        holderName: index === 0 ? 'Ana Pérez' : 'Beto Pérez',
        account: { kind: 'bank_account', accountNumber: `0134000000000000009${index}` },
        bank: { bankCode: '0134' },
      },
    })),
  );
  const as = async (who: typeof uploader) => ({
    amparo_session: await sessionCookieOf(run, who),
  });
  const [byUploader, bySecond] = [await as(uploader), await as(second)];
  const call = async (method: 'GET' | 'POST', url: string, cookies: object, payload?: object) => {
    const response = await run.server.app.inject({
      method,
      url: `/api/payouts${url}?purpose=distribution`,
      cookies: cookies as Record<string, string>,
      ...(payload === undefined ? {} : { payload }),
    });
    expect(response.statusCode, response.body).toBeLessThan(300);
    return response.json();
  };
  const batch = await call('POST', '/batches', byUploader, {
    clientId: randomUUID(),
    programId,
    currency: 'VES',
    requestedExecutionDate: '2026-12-07',
    instructions: entitlements.map((entitlement) => ({
      referenceKind: 'entitlement',
      referenceId: entitlement?.entitlementId,
      amountMinor: '15000',
    })),
  });
  const payments: Array<{ endToEndId: string }> = (
    await call('GET', `/batches/${batch.id}/payments`, byUploader)
  ).payments;
  [endToEndId, forgedEndToEndId] = payments.map((payment) => payment.endToEndId) as [
    string,
    string,
  ];
  await call('POST', `/batches/${batch.id}/approval`, bySecond, {
    confirmedEndToEndIds: [endToEndId, forgedEndToEndId],
  });
  // Paid, then "given back" by a statement the same officer uploads: the first return the
  // bank made (BNK-RET-4711), the second one it did not (BNK-RET-4712, forged).
  for (const [direction, messageId] of [
    ['debit', 'STMT-RET-1'],
    ['credit', 'STMT-RET-2'],
  ] as const) {
    await call('POST', '/bank-files', byUploader, {
      format: 'camt.053',
      content: camt053For({
        account: testPayingAccount.accountNumber,
        messageId,
        movements: [endToEndId, forgedEndToEndId].map((id, index) =>
          direction === 'credit'
            ? {
                amountMinor: 150_00n,
                direction,
                endToEndId: id,
                returnReason: 'AC04',
                bankReference: `BNK-RET-471${index + 1}`,
              }
            : { amountMinor: 150_00n, direction, endToEndId: id },
        ),
      }),
    });
  }
  ({ id: instructionId } = await db
    .selectFrom('payout_instruction')
    .select('id')
    .where('end_to_end_id', '=', endToEndId)
    .executeTakeFirstOrThrow());
  ({ id: forgedInstructionId } = await db
    .selectFrom('payout_instruction')
    .select('id')
    .where('end_to_end_id', '=', forgedEndToEndId)
    .executeTakeFirstOrThrow());
}, 120_000);

afterAll(async () => run?.close());

describe('returns awaiting confirmation on the payouts page', () => {
  it("lists the uploader's return without a button; a second officer confirms it", async () => {
    const status = () => statusOf(instructionId);
    expect(await status()).toBe('return_pending');

    const mine = await signedInPage(run, uploader, { viewport: 'phone', path: '/money/payouts' });
    const panel = mine.getByRole('region', { name: 'Devoluciones por confirmar' });
    const item = panel.locator(`li[data-return="${endToEndId}"]`);
    await item
      .getByText('Usted subió el extracto: la confirma o la rechaza otro oficial de finanzas.')
      .waitFor();
    expect(await item.textContent()).toMatch(new RegExp(`^${endToEndId}: [^0-9]*150,00.*AC04`));
    // The bank's own reference, the one thing on the line the checker can verify with the bank.
    await item
      .getByText('Referencia del banco: BNK-RET-4711 (verifíquela con el banco antes de confirmar)')
      .waitFor();
    expect(await item.getByRole('button').count()).toBe(0);
    expect(await item.getByRole('textbox').count()).toBe(0);
    expect(await seriousAxeViolations(mine)).toEqual([]);
    expect(await overflowsHorizontally(mine)).toBe(false);

    const page = await signedInPage(run, second, { viewport: 'phone', path: '/money/payouts' });
    await page.getByLabel('Idioma').selectOption('en');
    const theirs = page.getByRole('region', { name: 'Returns awaiting confirmation' });
    const confirm = theirs.getByRole('button', { name: `Confirm the return of ${endToEndId}` });
    await confirm.waitFor();
    await theirs
      .locator(`li[data-return="${endToEndId}"]`)
      .getByText('Bank reference: BNK-RET-4711 (check it with the bank before confirming)')
      .waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(await overflowsHorizontally(page)).toBe(false);
    await confirm.click();
    await theirs
      .getByText(`Return of ${endToEndId} confirmed: the entitlement can be paid again.`)
      .waitFor();
    await theirs.locator(`li[data-return="${endToEndId}"]`).waitFor({ state: 'detached' });
    expect(await status()).toBe('returned');
    expect(run.pageErrors).toEqual([]);
  }, 120_000);

  it('a second officer rejects, with the reason, a return the bank did not make', async () => {
    expect(await statusOf(forgedInstructionId)).toBe('return_pending');
    const page = await signedInPage(run, second, { viewport: 'phone', path: '/money/payouts' });
    const panel = page.getByRole('region', { name: 'Devoluciones por confirmar' });
    const item = panel.locator(`li[data-return="${forgedEndToEndId}"]`);
    await item.getByText('Referencia del banco: BNK-RET-4712', { exact: false }).waitFor();
    const reject = item.getByRole('button', {
      name: `Rechazar la devolución de ${forgedEndToEndId}`,
    });
    // Beside the confirm button; no reason, no rejection.
    await item
      .getByRole('button', { name: `Confirmar la devolución de ${forgedEndToEndId}` })
      .waitFor();
    expect(await reject.isDisabled()).toBe(true);
    await item
      .getByLabel(`Por qué el banco no devolvió ${forgedEndToEndId}`)
      .fill('El banco no conoce la referencia BNK-RET-4712');
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(await overflowsHorizontally(page)).toBe(false);
    await reject.click();
    await panel
      .getByText(
        `Devolución de ${forgedEndToEndId} rechazada: el pago vuelve a estar pagado y su dinero salió de suspenso.`,
      )
      .waitFor();
    await panel.getByText('No hay devoluciones por confirmar.').waitFor();
    expect(await statusOf(forgedInstructionId)).toBe('settled');
    expect(run.pageErrors).toEqual([]);
  }, 120_000);
});
