import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import type { Statement } from './statement.js';
import { decimalAmount, statementPdf } from './statement-pdf.js';

/** The PDF statement (issue #16, point 8): amounts exact to the cent, pages as lines need. */
describe('statement PDF', () => {
  it('writes amounts from minor units without floating point', () => {
    expect(decimalAmount(123456n)).toBe('1234.56');
    expect(decimalAmount(5n)).toBe('0.05');
    expect(decimalAmount(-100n)).toBe('-1.00');
    expect(decimalAmount(9_223_372_036_854_775_807n)).toBe('92233720368547758.07');
  });

  it('starts a new page when the lines do not fit', async () => {
    const line = (seq: number) => ({
      seq: BigInt(seq),
      createdAt: new Date('2026-12-05T10:00:00Z'),
      transferId: '00000000-0000-4000-8000-000000000001',
      reason: 'payment',
      referenceKind: null,
      referenceId: null,
      debitMinor: seq % 2 === 0 ? 100n : null,
      creditMinor: seq % 2 === 0 ? null : 100n,
      balanceMinor: BigInt(seq % 2) * 100n,
    });
    const statement = (count: number): Statement => ({
      accountId: '00000000-0000-4000-8000-0000000000aa',
      kind: 'merchant',
      currency: 'VES',
      lines: Array.from({ length: count }, (_, index) => line(index)),
      truncated: false,
      balanceMinor: 0n,
    });
    const pages = async (count: number) =>
      (await PDFDocument.load(await statementPdf(statement(count), new Date()))).getPageCount();
    expect(await pages(0)).toBe(1);
    expect(await pages(10)).toBe(1);
    expect(await pages(200)).toBeGreaterThanOrEqual(3);
  });
});
