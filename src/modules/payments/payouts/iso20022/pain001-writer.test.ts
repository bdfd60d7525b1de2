import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BankFileError } from './bank-file-error.js';
import { decimal } from './minor-units.js';
import {
  type PayoutFile,
  type PayoutPayment,
  payoutFileProblems,
  writePain001,
} from './pain001-writer.js';
import { hasForbiddenCharacter } from './xml-text.js';
import { validatePain001 } from './xsd-validator.js';

function payout(overrides: Partial<PayoutFile> = {}): PayoutFile {
  return {
    messageId: 'AMP-2026-12-04-0001',
    createdAt: new Date('2026-12-04T17:30:00.123Z'),
    initiatingPartyName: 'Programa Alimentario',
    paymentInformationId: 'CYCLE-2026-12',
    requestedExecutionDate: '2026-12-05',
    debtorName: 'Programa Alimentario',
    debtorAccountNumber: '01020123456789012345',
    debtorBank: { bankCode: '0102', bic: 'BNVEVECA' },
    currency: 'VES',
    payments: [
      {
        endToEndId: 'E2E-0001',
        amountMinor: 1_250_50n,
        creditorName: 'María José Peña & Hijos <"\'>',
        creditorNationalId: 'V12345678',
        account: { kind: 'bank_account', accountNumber: '01340987654321098765' },
        bank: { bankCode: '0134' },
        remittance: 'Bono diciembre',
      },
      {
        endToEndId: 'E2E-0002',
        amountMinor: 7n,
        creditorName: 'Luis Núñez',
        creditorNationalId: 'E87654321',
        account: { kind: 'mobile_money', phoneNumber: '+584121234567' },
        bank: { bankCode: '0105', bic: 'BAMRVECA' },
      },
    ],
    ...overrides,
  };
}

describe('pain.001.001.09 payout files', () => {
  it('writes Venezuelan bank and mobile-money accounts in VES and USD that the official schema accepts', async () => {
    for (const currency of ['VES', 'USD'] as const) {
      const xml = writePain001(payout({ currency }));
      expect(await validatePain001(xml)).toEqual({ valid: true, errors: [] });
      expect(xml).toContain('<CtrlSum>1250.57</CtrlSum>');
      expect(xml).toContain(`<InstdAmt Ccy="${currency}">0.07</InstdAmt>`);
      expect(xml).toContain('María José Peña &amp; Hijos &lt;&quot;&apos;&gt;');
      expect(xml).toContain('<CreDtTm>2026-12-04T17:30:00Z</CreDtTm>');
      expect(xml).toContain(
        '<Othr><Id>01340987654321098765</Id><SchmeNm><Cd>BBAN</Cd></SchmeNm></Othr>',
      );
      expect(xml).toContain('<Prxy><Tp><Cd>MBNO</Cd></Tp><Id>+584121234567</Id></Prxy>');
      expect(xml).toContain('<MmbId>0134</MmbId>');
    }
  });

  it('writes random batches that the official schema accepts', async () => {
    const text = (lengthMax: number) =>
      fc
        .string({ unit: 'grapheme', minLength: 1, maxLength: lengthMax })
        .map((value) =>
          [...value]
            .map((c) => (hasForbiddenCharacter(c) ? 'x' : c))
            .join('')
            .trim(),
        )
        .filter((value) => value.length > 0 && [...value].length <= lengthMax);
    const bankCode = fc.constantFrom('0102', '0105', '0108', '0134', '0191');
    const payment: fc.Arbitrary<Omit<PayoutPayment, 'endToEndId'>> = fc.record({
      amountMinor: fc.bigInt({ min: 1n, max: 10n ** 14n }),
      creditorName: text(140),
      creditorNationalId: fc.option(fc.stringMatching(/^[VE]\d{6,9}$/), { nil: undefined }),
      account: fc.oneof(
        fc.record({
          kind: fc.constant('bank_account' as const),
          accountNumber: fc.stringMatching(/^\d{16}$/),
        }),
        fc.record({
          kind: fc.constant('mobile_money' as const),
          phoneNumber: fc.stringMatching(/^\+584\d{9}$/),
        }),
      ),
      bank: fc.record({
        bankCode,
        bic: fc.option(fc.constantFrom('BNVEVECA', 'BAMRVECAXXX'), { nil: undefined }),
      }),
      remittance: fc.option(text(140), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(payment, { minLength: 1, maxLength: 40 }),
        fc.constantFrom('VES', 'USD' as const),
        async (payments, currency) => {
          const file = payout({
            currency,
            payments: payments.map((item, index) => ({
              ...item,
              endToEndId: `P${index}`,
              // A Venezuelan account begins with its bank's code.
              account:
                item.account.kind === 'bank_account'
                  ? {
                      kind: 'bank_account',
                      accountNumber: `${item.bank.bankCode}${item.account.accountNumber}`,
                    }
                  : item.account,
            })),
          });
          const verdict = await validatePain001(writePain001(file));
          expect(verdict.errors).toEqual([]);
          expect(verdict.valid).toBe(true);
        },
      ),
      { numRuns: 4 },
    );
  });

  it('refuses, whole and naming each problem, instructions the file cannot carry', () => {
    const [first, second] = payout().payments as [PayoutPayment, PayoutPayment];
    const bad = payout({
      messageId: 'M'.repeat(36),
      requestedExecutionDate: '2026-02-30',
      payments: [
        { ...first, amountMinor: 0n, creditorName: 'Ana\u0007' },
        {
          ...second,
          account: { kind: 'bank_account', accountNumber: '01050000000000000001' },
          bank: { bankCode: '0134' },
        },
        { ...second, endToEndId: 'X', amountMinor: 10n ** 18n, bank: {} },
      ],
    });
    expect(payoutFileProblems(bad).map((problem) => problem.field)).toEqual([
      '/messageId',
      '/requestedExecutionDate',
      '/payments/0/creditorName',
      '/payments/0/amountMinor',
      '/payments/1/account/accountNumber',
      '/payments/2/amountMinor',
      '/payments/2/bank',
      '/payments',
    ]);
    expect(() => writePain001(bad)).toThrow(BankFileError);
    expect(() => writePain001(payout({ payments: [] }))).toThrow(/payments is empty/);
  });

  it('reports a file the schema refuses, with the line', async () => {
    const xml = writePain001(payout()).replace('<PmtMtd>TRF</PmtMtd>', '<PmtMtd>CASH</PmtMtd>');
    const verdict = await validatePain001(xml);
    expect(verdict.valid).toBe(false);
    expect(verdict.errors[0]?.message).toMatch(/PmtMtd/);
    expect(verdict.errors[0]?.line).toBeGreaterThan(1);
  });

  it('writes minor units as exact decimals', () => {
    expect([0n, 7n, 100n, 123456n, 2n ** 62n].map(decimal)).toEqual([
      '0.00',
      '0.07',
      '1.00',
      '1234.56',
      '46116860184273879.04',
    ]);
  });

  it('ships the official schemas unchanged', () => {
    const sha256 = (name: string) =>
      createHash('sha256')
        .update(readFileSync(new URL(`./schemas/${name}`, import.meta.url)))
        .digest('hex');
    expect(sha256('pain.001.001.09.xsd')).toBe(
      '87d3349e981c22a182f5937143bc879e36116045ac96aa86904fa4c720c9fd85',
    );
    expect(sha256('camt.053.001.08.xsd')).toBe(
      'ca0b135cc8e2dde5b2f99af6b6c514a8f29d6e7c6cf98e9ea84d247189868ff5',
    );
  });
});
