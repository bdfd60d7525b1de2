import { describe, expect, it } from 'vitest';
import { BankFileError } from './bank-file-error.js';
import { mt940For } from './bank-files-test-kit.js';
import { readMt940 } from './mt940-reader.js';

/** Two bare MT940 messages, as a bank's file export holds them (LF line ends). */
const bare = `:20:STMT0001
:25:01020123456789012345
:28C:00042/001
:60F:C261204VES10000,00
:61:2612051205D1250,50NTRFP0001//BDV884411
:86:Pago Amparo bono diciembre
:61:2612051205CR1250,50NRTIP0001//BDV884500
:86:/RTRN/AC04/EREF/P0001/REMI/Devolucion cuenta cerrada
:61:2612051205RD0,07NTRFNONREF//BDV884501
:62F:C261205VES10000,07
:20:STMT0002
:25:01020123456789012345
:28C:00043/001
:60F:C261205VES10000,07
:61:261206C99,NTRFNONREF
:62M:C261206VES10099,07
`;

function refusal(read: () => unknown): BankFileError {
  try {
    read();
  } catch (error) {
    if (error instanceof BankFileError) return error;
    throw error;
  }
  throw new Error('The file was read');
}

describe('MT940 statements', () => {
  it('reads bare messages: debits, a return with its reason, a reversal, amounts from text', () => {
    const [first, second] = readMt940(bare);
    expect(first).toMatchObject({
      format: 'mt940',
      messageId: 'STMT0001',
      statementId: '00042/001',
      account: '01020123456789012345',
      currency: 'VES',
      openingBalanceMinor: 10_000_00n,
      closingBalanceMinor: 10_000_07n,
    });
    expect(
      first?.movements.map((m) => [
        m.location,
        m.direction,
        m.amountMinor,
        m.endToEndId,
        m.returned,
        m.returnReason,
        m.reversal,
        m.bankReference,
      ]),
    ).toEqual([
      ['line 5', 'debit', 1_250_50n, 'P0001', false, null, false, 'BDV884411'],
      ['line 7', 'credit', 1_250_50n, 'P0001', true, 'AC04', false, 'BDV884500'],
      ['line 9', 'credit', 7n, null, false, null, true, 'BDV884501'],
    ]);
    expect(second?.movements.map((m) => [m.amountMinor, m.bookingDate])).toEqual([
      [99_00n, '2026-12-06'],
    ]);
  });

  it('reads a message in SWIFT blocks with CRLF line ends', () => {
    const [statement] = readMt940(
      mt940For({
        openingMinor: 500_00n,
        movements: [
          { amountMinor: 100_00n, direction: 'debit', endToEndId: 'P0009' },
          { amountMinor: 100_00n, direction: 'credit', endToEndId: 'P0009', returnReason: 'AC01' },
        ],
      }),
    );
    expect(statement?.movements.map((m) => [m.endToEndId, m.returned, m.returnReason])).toEqual([
      ['P0009', false, null],
      ['P0009', true, 'AC01'],
    ]);
  });

  it('refuses malformed statements whole, naming the line', () => {
    const cases: Array<[string, RegExp]> = [
      [
        bare.replace(':62F:C261205VES10000,07', ':62F:C261205VES10000,08'),
        /line 1: the opening balance and the entries do not add up/,
      ],
      [bare.replace('D1250,50NTRF', 'D1250.50NTRF'), /line 5: :61: is not a statement line/],
      [bare.replace(':62F:C261205VES10000,07\n', ''), /exactly one :62F: or :62M:/],
      [bare.replace(':60F:C261204VES', ':60F:C261204EUR'), /not in VES or USD/],
      [bare.replace(':61:2612051205D', ':61:2613451205D'), /date that does not exist/],
      [bare.replace(':86:Pago', 'Pago').replace(':20:STMT0001\n', ''), /before the first :20:/],
      ['hello\n', /not an MT940 field/],
      ['', /no MT940 statement/],
      [bare.replace('Pago Amparo', 'Pago\u0000Amparo'), /control character/],
    ];
    for (const [text, message] of cases) {
      const error = refusal(() => readMt940(text));
      expect(error.code).toBe('AMP_BANK_FILE_MALFORMED');
      expect(error.message).toMatch(message);
    }
  });
});
