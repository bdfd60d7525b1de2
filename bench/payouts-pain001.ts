import os from 'node:os';
import { writePain001 } from '../src/modules/payments/payouts/iso20022/pain001-writer.js';
import { validatePain001 } from '../src/modules/payments/payouts/iso20022/xsd-validator.js';

/**
 * Issue #16's target: a `pain.001.001.09` payout file of 100,000 payments in at most 10 s,
 * valid against the official schema. Writes the file from payments shaped like a cycle's (half
 * bank accounts, half Pago Móvil numbers, Spanish names with accents and an ampersand), then
 * validates it with the shipped XSD (xmllint-wasm), and reports both times and their sum.
 *
 *   npm run bench -- payouts-pain001 100000
 */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const payments = Number(args[0] ?? 100_000);
  const banks = ['0102', '0105', '0108', '0134', '0191'];
  const list = Array.from({ length: payments }, (_, index) => {
    const bankCode = banks[index % banks.length] as string;
    return {
      endToEndId: `P${index.toString(36).toUpperCase().padStart(15, '0')}`,
      amountMinor: 1_000_00n + BigInt(index % 9_973),
      creditorName: `María José Núñez & Peña ${index}`,
      creditorNationalId: `V${10_000_000 + index}`,
      account:
        index % 2 === 0
          ? {
              kind: 'bank_account' as const,
              accountNumber: `${bankCode}${String(index).padStart(16, '0')}`,
            }
          : {
              kind: 'mobile_money' as const,
              phoneNumber: `+58412${String(index).padStart(7, '0')}`,
            },
      bank: { bankCode },
      remittance: 'Bono diciembre 2026',
    };
  });
  const started = performance.now();
  const xml = writePain001({
    messageId: 'AMP-BENCH-0001',
    createdAt: new Date(),
    initiatingPartyName: 'Programa Bono',
    paymentInformationId: 'PMT-BENCH-0001',
    requestedExecutionDate: '2026-12-07',
    debtorName: 'Programa Bono',
    debtorAccountNumber: '01020123456789012345',
    debtorBank: { bankCode: '0102' },
    currency: 'VES',
    payments: list,
  });
  const written = performance.now();
  const verdict = await validatePain001(xml);
  const validated = performance.now();
  if (!verdict.valid) throw new Error(`the file is not valid: ${verdict.errors[0]?.message}`);
  return {
    payments,
    bytes: Buffer.byteLength(xml),
    writeMs: Math.round(written - started),
    validateMs: Math.round(validated - written),
    totalMs: Math.round(validated - started),
    valid: verdict.valid,
    loadAverage1m: os.loadavg()[0],
  };
}
