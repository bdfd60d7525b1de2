import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decimal, type Pain001File, writePain001 } from './pain001-writer.js';
import { validatePain001 } from './xsd-validator.js';

function payout(overrides: Partial<Pain001File> = {}): Pain001File {
  return {
    messageId: 'AMP-2026-12-04-0001',
    createdAt: new Date('2026-12-04T17:30:00.123Z'),
    initiatingPartyName: 'Programa Alimentario',
    paymentInformationId: 'CYCLE-2026-12',
    requestedExecutionDate: '2026-12-05',
    debtorName: 'Programa Alimentario',
    debtorAccount: '01020123456789012345',
    debtorAgentId: '0102',
    currency: 'VES',
    payments: [
      {
        endToEndId: 'E2E-0001',
        amountMinor: 1_250_50n,
        creditorName: 'María José Peña & Hijos',
        creditorAccount: '01340987654321098765',
        creditorAgentId: '0134',
        remittance: 'Bono diciembre',
      },
      {
        endToEndId: 'E2E-0002',
        amountMinor: 7n,
        creditorName: 'Luis Núñez',
        creditorAccount: '01050000000000000001',
      },
    ],
    ...overrides,
  };
}

describe('pain.001.001.09 payout files', () => {
  it('writes Venezuelan 20-digit accounts in VES and USD that the official schema accepts', async () => {
    for (const currency of ['VES', 'USD'] as const) {
      const xml = writePain001(payout({ currency }));
      expect(await validatePain001(xml)).toEqual({ valid: true, errors: [] });
      expect(xml).toContain('<CtrlSum>1250.57</CtrlSum>');
      expect(xml).toContain(`<InstdAmt Ccy="${currency}">0.07</InstdAmt>`);
      expect(xml).toContain('María José Peña &amp; Hijos');
      expect(xml).toContain('<CreDtTm>2026-12-04T17:30:00Z</CreDtTm>');
    }
  });

  it('reports a file the schema refuses, with the line', async () => {
    const xml = writePain001(payout()).replace('<PmtMtd>TRF</PmtMtd>', '<PmtMtd>CASH</PmtMtd>');
    const verdict = await validatePain001(xml);
    expect(verdict.valid).toBe(false);
    expect(verdict.errors[0]?.message).toMatch(/PmtMtd/);
    expect(verdict.errors[0]?.line).toBeGreaterThan(1);
    const tooLong = writePain001(payout({ messageId: 'M'.repeat(36) }));
    expect((await validatePain001(tooLong)).valid).toBe(false);
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

  it('ships the official schema unchanged', () => {
    const text = readFileSync(new URL('./schemas/pain.001.001.09.xsd', import.meta.url));
    expect(createHash('sha256').update(text).digest('hex')).toBe(
      '87d3349e981c22a182f5937143bc879e36116045ac96aa86904fa4c720c9fd85',
    );
  });
});
