import { describe, expect, it } from 'vitest';
import { BankFileError } from './bank-file-error.js';
import { pain002For } from './bank-files-test-kit.js';
import { readPain002 } from './pain002-reader.js';

/** A pain.002.001.03 as many banks still send it: a rejected payment block and a payment. */
const version03 = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <CstmrPmtStsRpt>
    <GrpHdr><MsgId>BDV-STS-0007</MsgId><CreDtTm>2026-12-05T09:12:00</CreDtTm><DbtrAgt><FinInstnId><BIC>BNVEVECA</BIC></FinInstnId></DbtrAgt></GrpHdr>
    <OrgnlGrpInfAndSts><OrgnlMsgId>AMP-2026-12-04-0001</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId><GrpSts>PART</GrpSts></OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>CYCLE-2026-12</OrgnlPmtInfId><PmtInfSts>ACSC</PmtInfSts>
      <TxInfAndSts>
        <StsId>1</StsId><OrgnlEndToEndId>P0002</OrgnlEndToEndId><TxSts>RJCT</TxSts>
        <StsRsnInf><Rsn><Cd>AC04</Cd></Rsn><AddtlInf>Cuenta cerrada</AddtlInf></StsRsnInf>
      </TxInfAndSts>
    </OrgnlPmtInfAndSts>
  </CstmrPmtStsRpt>
</Document>`;

function refusal(read: () => unknown): BankFileError {
  try {
    read();
  } catch (error) {
    if (error instanceof BankFileError) return error;
    throw error;
  }
  throw new Error('The file was read');
}

describe('pain.002 payment status reports', () => {
  it('reads a pain.002.001.03 with group, block and payment statuses and reasons', () => {
    expect(readPain002(version03)).toEqual({
      messageId: 'BDV-STS-0007',
      originalMessageId: 'AMP-2026-12-04-0001',
      group: { status: 'PART', reason: null },
      paymentInformation: [
        { status: 'ACSC', reason: null, originalPaymentInformationId: 'CYCLE-2026-12' },
      ],
      transactions: [
        {
          status: 'RJCT',
          reason: 'AC04',
          location: '/CstmrPmtStsRpt/OrgnlPmtInfAndSts[0]/TxInfAndSts[0]',
          originalEndToEndId: 'P0002',
          originalPaymentInformationId: 'CYCLE-2026-12',
        },
      ],
    });
  });

  it('reads a pain.002.001.10 with a status per payment, and one with only a group status', () => {
    const report = readPain002(
      pain002For('AMP-1', [
        { endToEndId: 'P1', status: 'ACSC' },
        { endToEndId: 'P2', status: 'RJCT', reason: 'AM05' },
        { endToEndId: 'P3', status: 'PDNG' },
      ]),
    );
    expect(report.transactions.map((t) => [t.originalEndToEndId, t.status, t.reason])).toEqual([
      ['P1', 'ACSC', null],
      ['P2', 'RJCT', 'AM05'],
      ['P3', 'PDNG', null],
    ]);
    expect(readPain002(pain002For('AMP-1', [], 'RJCT')).group).toEqual({
      status: 'RJCT',
      reason: null,
    });
  });

  it('refuses malformed reports', () => {
    const good = pain002For('AMP-1', [{ endToEndId: 'P1', status: 'ACSC' }]);
    const cases: Array<[string, RegExp]> = [
      [
        good.replace('<TxSts>ACSC</TxSts>', '<TxSts>OKAY</TxSts>'),
        /not an ISO 20022 payment status/,
      ],
      [good.replace('<OrgnlEndToEndId>P1</OrgnlEndToEndId>', ''), /OrgnlEndToEndId: is missing/],
      [good.replace('<OrgnlMsgId>AMP-1</OrgnlMsgId>', ''), /OrgnlMsgId: is missing/],
      [
        good.replace('<TxSts>ACSC</TxSts>', '<TxSts>ACSC</TxSts><TxSts>RJCT</TxSts>'),
        /more than once/,
      ],
      [pain002For('AMP-1', []), /reports no status/],
      [good.slice(0, -30), /not well-formed/],
    ];
    for (const [xml, message] of cases) {
      const error = refusal(() => readPain002(xml));
      expect(error.code).toBe('AMP_BANK_FILE_MALFORMED');
      expect(error.message).toMatch(message);
    }
    expect(
      refusal(() => readPain002(good.replace('pain.002.001.10', 'pain.001.001.09'))).code,
    ).toBe('AMP_BANK_FILE_UNSUPPORTED');
  });
});
