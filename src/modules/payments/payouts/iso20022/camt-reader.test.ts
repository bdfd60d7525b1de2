import { describe, expect, it } from 'vitest';
import { BankFileError } from './bank-file-error.js';
import { camt053For, camt054For } from './bank-files-test-kit.js';
import { readCamt } from './camt-reader.js';
import { validateIso20022 } from './xsd-validator.js';

const movements = [
  { amountMinor: 1_250_50n, direction: 'debit' as const, endToEndId: 'P0001' },
  { amountMinor: 7n, direction: 'debit' as const, endToEndId: 'P0002' },
  {
    amountMinor: 1_250_50n,
    direction: 'credit' as const,
    endToEndId: 'P0001',
    returnReason: 'AC04',
  },
  { amountMinor: 99_00n, direction: 'credit' as const, bankReference: 'DEP-77' },
  { amountMinor: 5_00n, direction: 'debit' as const, endToEndId: 'P0003', booked: false },
];

/** A camt.053.001.02 entry booked as one batch: one debit, one transaction per payment. */
const batchBooked = `<?xml version="1.0" encoding="UTF-8"?>
<ns:Document xmlns:ns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
 <ns:BkToCstmrStmt>
  <ns:GrpHdr><ns:MsgId>BANESCO-20261205-1</ns:MsgId><ns:CreDtTm>2026-12-05T18:00:00</ns:CreDtTm></ns:GrpHdr>
  <ns:Stmt>
   <ns:Id>1</ns:Id><ns:CreDtTm>2026-12-05T18:00:00</ns:CreDtTm>
   <ns:Acct><ns:Id><ns:Othr><ns:Id>01340987654321098765</ns:Id></ns:Othr></ns:Id><ns:Ccy>VES</ns:Ccy></ns:Acct>
   <ns:Bal><ns:Tp><ns:CdOrPrtry><ns:Cd>OPBD</ns:Cd></ns:CdOrPrtry></ns:Tp><ns:Amt Ccy="VES">10000.00</ns:Amt><ns:CdtDbtInd>CRDT</ns:CdtDbtInd><ns:Dt><ns:Dt>2026-12-05</ns:Dt></ns:Dt></ns:Bal>
   <ns:Bal><ns:Tp><ns:CdOrPrtry><ns:Cd>CLBD</ns:Cd></ns:CdOrPrtry></ns:Tp><ns:Amt Ccy="VES">8749.43</ns:Amt><ns:CdtDbtInd>CRDT</ns:CdtDbtInd><ns:Dt><ns:Dt>2026-12-05</ns:Dt></ns:Dt></ns:Bal>
   <ns:Ntry>
    <ns:Amt Ccy="VES">1250.57</ns:Amt><ns:CdtDbtInd>DBIT</ns:CdtDbtInd><ns:Sts>BOOK</ns:Sts>
    <ns:BookgDt><ns:Dt>2026-12-05</ns:Dt></ns:BookgDt><ns:AcctSvcrRef>LOTE-0042</ns:AcctSvcrRef>
    <ns:BkTxCd><ns:Domn><ns:Cd>PMNT</ns:Cd><ns:Fmly><ns:Cd>ICDT</ns:Cd><ns:SubFmlyCd>ESCT</ns:SubFmlyCd></ns:Fmly></ns:Domn></ns:BkTxCd>
    <ns:NtryDtls>
     <ns:Btch><ns:NbOfTxs>2</ns:NbOfTxs></ns:Btch>
     <ns:TxDtls><ns:Refs><ns:EndToEndId>P0001</ns:EndToEndId></ns:Refs><ns:AmtDtls><ns:TxAmt><ns:Amt Ccy="VES">1250.5</ns:Amt></ns:TxAmt></ns:AmtDtls></ns:TxDtls>
     <ns:TxDtls><ns:Refs><ns:EndToEndId>P0002</ns:EndToEndId></ns:Refs><ns:AmtDtls><ns:TxAmt><ns:Amt Ccy="VES">0.07</ns:Amt></ns:TxAmt></ns:AmtDtls>
      <ns:RmtInf><ns:Ustrd>Bono diciembre &#8211; Pe&#241;a &amp; Hijos</ns:Ustrd></ns:RmtInf></ns:TxDtls>
    </ns:NtryDtls>
   </ns:Ntry>
  </ns:Stmt>
 </ns:BkToCstmrStmt>
</ns:Document>`;

function refusal(read: () => unknown, name = 'file'): BankFileError {
  try {
    read();
  } catch (error) {
    if (error instanceof BankFileError) return error;
    throw error;
  }
  throw new Error(`The ${name} was read`);
}

describe('camt.053 and camt.054 statements', () => {
  it('reads a camt.053.001.08 statement that the official schema accepts', async () => {
    const xml = camt053For({ openingMinor: 10_000_00n, movements });
    expect(await validateIso20022(xml, 'camt.053.001.08')).toEqual({ valid: true, errors: [] });
    const [statement] = readCamt(xml);
    expect(statement).toMatchObject({
      format: 'camt.053',
      messageId: 'STMT-20261205-001',
      account: '01020123456789012345',
      currency: 'VES',
      openingBalanceMinor: 10_000_00n,
      closingBalanceMinor: 10_000_00n - 1_250_57n + 1_250_50n + 99_00n,
    });
    expect(
      statement?.movements.map((m) => [
        m.endToEndId,
        m.direction,
        m.amountMinor,
        m.booked,
        m.returned,
        m.returnReason,
      ]),
    ).toEqual([
      ['P0001', 'debit', 1_250_50n, true, false, null],
      ['P0002', 'debit', 7n, true, false, null],
      ['P0001', 'credit', 1_250_50n, true, true, 'AC04'],
      [null, 'credit', 99_00n, true, false, null],
      ['P0003', 'debit', 5_00n, false, false, null],
    ]);
    expect(statement?.movements[3]?.bankReference).toBe('DEP-77');
  });

  it('reads a batch-booked camt.053.001.02 entry with a namespace prefix, one movement per payment', () => {
    const [statement] = readCamt(batchBooked);
    expect(
      statement?.movements.map((m) => [m.location, m.endToEndId, m.amountMinor, m.bankReference]),
    ).toEqual([
      ['Stmt[0]/Ntry[0]/NtryDtls[0]/TxDtls[0]', 'P0001', 1_250_50n, 'LOTE-0042'],
      ['Stmt[0]/Ntry[0]/NtryDtls[0]/TxDtls[1]', 'P0002', 7n, 'LOTE-0042'],
    ]);
  });

  it('reads a camt.054 notification', () => {
    const [notification] = readCamt(camt054For({ movements: movements.slice(2, 3) }));
    expect(notification?.format).toBe('camt.054');
    expect(notification?.movements[0]).toMatchObject({
      endToEndId: 'P0001',
      returned: true,
      returnReason: 'AC04',
    });
  });

  it('refuses malformed statements whole, saying where and why', () => {
    const good = camt053For({ openingMinor: 100_00n, movements });
    const cases: Array<[string, string, RegExp]> = [
      ['not well-formed', good.replace('</Stmt>', ''), /not well-formed/],
      [
        'a DOCTYPE',
        good.replace('<Document', '<!DOCTYPE d [<!ENTITY x "y">]><Document'),
        /DOCTYPE/,
      ],
      ['an unknown entity', good.replace('STMT-20261205-001', 'STMT&foo;'), /entity/],
      ['a float-like amount', good.replace('>0.07<', '>0.075<'), /more than two decimals/],
      ['an amount with a sign', good.replace('>0.07<', '>-0.07<'), /not a decimal amount/],
      ['another currency', good.replace('Ccy="VES">0.07', 'Ccy="EUR">0.07'), /currency/],
      [
        'balances that do not add up',
        good.replace(
          '<Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="VES">',
          '<Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="VES">1',
        ),
        /do not add up/,
      ],
      [
        'no debit/credit indicator',
        good.replace('<CdtDbtInd>DBIT</CdtDbtInd><Sts>', '<Sts>'),
        /CdtDbtInd: is missing/,
      ],
      ['an unknown entry status', good.replace('<Cd>BOOK</Cd>', '<Cd>DONE</Cd>'), /entry status/],
      [
        'a batch entry not adding up',
        batchBooked.replace('>0.07<', '>0.08<'),
        /do not add up to its amount/,
      ],
      ['no statement', good.replace(/<Stmt>[\s\S]*<\/Stmt>/, ''), /holds no statement/],
    ];
    for (const [name, xml, message] of cases) {
      const error = refusal(() => readCamt(xml), name);
      expect(error.code, name).toBe('AMP_BANK_FILE_MALFORMED');
      expect(error.message, name).toMatch(message);
    }
  });

  it('refuses files that are not camt statements as unsupported', () => {
    for (const xml of [
      '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.08"><BkToCstmrAcctRpt/></Document>',
      '<Document xmlns="urn:example"><BkToCstmrStmt/></Document>',
      '<Statement/>',
    ]) {
      expect(refusal(() => readCamt(xml)).code).toBe('AMP_BANK_FILE_UNSUPPORTED');
    }
  });
});
