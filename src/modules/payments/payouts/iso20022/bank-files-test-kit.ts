import { decimal } from './minor-units.js';

/**
 * Bank files as a bank would send them, for tests: a camt.053 statement, a camt.054
 * notification, a pain.002 status report and an MT940 statement of the movements given.
 * They follow the published message structures (the camt.053.001.08 one validates against the
 * official schema, which the reader tests check) so that readers and routes are tested on
 * what a bank writes, not on what the readers happen to accept.
 */
export interface TestMovement {
  amountMinor: bigint;
  direction: 'credit' | 'debit';
  endToEndId?: string;
  returnReason?: string;
  booked?: boolean;
  bankReference?: string;
}

export interface TestStatement {
  messageId?: string;
  account?: string;
  currency?: 'VES' | 'USD';
  openingMinor?: bigint;
  movements: readonly TestMovement[];
}

function closing(statement: TestStatement): bigint {
  return statement.movements
    .filter((movement) => movement.booked !== false)
    .reduce(
      (sum, movement) =>
        sum + (movement.direction === 'credit' ? movement.amountMinor : -movement.amountMinor),
      statement.openingMinor ?? 0n,
    );
}

function camtBalance(code: string, amountMinor: bigint, currency: string): string {
  const indicator = amountMinor < 0n ? 'DBIT' : 'CRDT';
  const magnitude = amountMinor < 0n ? -amountMinor : amountMinor;
  return `<Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="${currency}">${decimal(magnitude)}</Amt><CdtDbtInd>${indicator}</CdtDbtInd><Dt><Dt>2026-12-05</Dt></Dt></Bal>`;
}

function camtEntry(
  movement: TestMovement,
  currency: string,
  index: number,
  version: '02' | '08',
): string {
  const status = movement.booked === false ? 'PDNG' : 'BOOK';
  const family = movement.returnReason === undefined ? 'ICDT' : 'RCDT';
  const subFamily =
    movement.returnReason === undefined
      ? movement.direction === 'debit'
        ? 'ESCT'
        : 'RCDT'
      : 'RRTN';
  const returnInfo =
    movement.returnReason === undefined
      ? ''
      : `<RtrInf><Rsn><Cd>${movement.returnReason}</Cd></Rsn></RtrInf>`;
  const references =
    movement.endToEndId === undefined
      ? ''
      : `<Refs><EndToEndId>${movement.endToEndId}</EndToEndId></Refs>`;
  const amount = `<Amt Ccy="${currency}">${decimal(movement.amountMinor)}</Amt>`;
  const indicator = movement.direction === 'credit' ? 'CRDT' : 'DBIT';
  return (
    `<Ntry><NtryRef>${index + 1}</NtryRef>${amount}<CdtDbtInd>${indicator}</CdtDbtInd>` +
    (version === '08' ? `<Sts><Cd>${status}</Cd></Sts>` : `<Sts>${status}</Sts>`) +
    `<BookgDt><Dt>2026-12-05</Dt></BookgDt><ValDt><Dt>2026-12-05</Dt></ValDt>` +
    `<AcctSvcrRef>${movement.bankReference ?? `BNK${index + 1}`}</AcctSvcrRef>` +
    `<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>${family}</Cd><SubFmlyCd>${subFamily}</SubFmlyCd></Fmly></Domn></BkTxCd>` +
    `<NtryDtls><TxDtls>${references}${version === '08' ? amount : ''}${returnInfo}</TxDtls></NtryDtls></Ntry>\n`
  );
}

/** A camt.053 statement (version 08 by default, or 02) of the given movements. */
export function camt053For(statement: TestStatement, version: '02' | '08' = '08'): string {
  const currency = statement.currency ?? 'VES';
  const entries = statement.movements
    .map((movement, index) => camtEntry(movement, currency, index, version))
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.${version}">
<BkToCstmrStmt>
<GrpHdr><MsgId>${statement.messageId ?? 'STMT-20261205-001'}</MsgId><CreDtTm>2026-12-05T18:00:00</CreDtTm></GrpHdr>
<Stmt><Id>ST-20261205</Id><CreDtTm>2026-12-05T18:00:00</CreDtTm>
<Acct><Id><Othr><Id>${statement.account ?? '01020123456789012345'}</Id></Othr></Id><Ccy>${currency}</Ccy></Acct>
${camtBalance('OPBD', statement.openingMinor ?? 0n, currency)}
${camtBalance('CLBD', closing(statement), currency)}
${entries}</Stmt>
</BkToCstmrStmt>
</Document>
`;
}

/** A camt.054 notification (version 08) of the given movements. */
export function camt054For(statement: TestStatement): string {
  const currency = statement.currency ?? 'VES';
  const entries = statement.movements
    .map((movement, index) => camtEntry(movement, currency, index, '08'))
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">
<BkToCstmrDbtCdtNtfctn>
<GrpHdr><MsgId>${statement.messageId ?? 'NTF-20261205-001'}</MsgId><CreDtTm>2026-12-05T18:00:00</CreDtTm></GrpHdr>
<Ntfctn><Id>NT-20261205</Id><CreDtTm>2026-12-05T18:00:00</CreDtTm>
<Acct><Id><Othr><Id>${statement.account ?? '01020123456789012345'}</Id></Othr></Id><Ccy>${currency}</Ccy></Acct>
${entries}</Ntfctn>
</BkToCstmrDbtCdtNtfctn>
</Document>
`;
}

function swiftAmount(amountMinor: bigint): string {
  return decimal(amountMinor).replace('.', ',');
}

/** An MT940 statement in SWIFT blocks of the given movements (all booked). */
export function mt940For(statement: TestStatement): string {
  const currency = statement.currency ?? 'VES';
  const opening = statement.openingMinor ?? 0n;
  const close = closing(statement);
  const balance = (tag: string, amount: bigint) =>
    `:${tag}:${amount < 0n ? 'D' : 'C'}261205${currency}${swiftAmount(amount < 0n ? -amount : amount)}`;
  const lines = [
    '{1:F01BANKVECAXXXX0000000000}{2:O9401200261205BANKVECAXXXX00000000002612051200N}{4:',
    `:20:${statement.messageId ?? 'MT940-0001'}`,
    `:25:${statement.account ?? '01020123456789012345'}`,
    ':28C:00001/001',
    balance('60F', opening),
  ];
  statement.movements.forEach((movement, index) => {
    const mark = movement.direction === 'credit' ? 'C' : 'D';
    const type = movement.returnReason === undefined ? 'NTRF' : 'NRTI';
    const reference = movement.endToEndId ?? 'NONREF';
    lines.push(
      `:61:2612051205${mark}${swiftAmount(movement.amountMinor)}${type}${reference}//${movement.bankReference ?? `BNK${index + 1}`}`,
    );
    const returned = movement.returnReason === undefined ? '' : `/RTRN/${movement.returnReason}`;
    lines.push(`:86:/EREF/${movement.endToEndId ?? 'NOTPROVIDED'}${returned}/REMI/Pago Amparo`);
  });
  lines.push(balance('62F', close), '-}');
  return `${lines.join('\r\n')}\r\n`;
}

/** A pain.002 (version 10) giving each end-to-end id its status, with an optional group status. */
export function pain002For(
  originalMessageId: string,
  statuses: ReadonlyArray<{ endToEndId: string; status: string; reason?: string }>,
  group?: string,
): string {
  const transactions = statuses
    .map(
      (item, index) =>
        `<TxInfAndSts><StsId>S${index + 1}</StsId><OrgnlEndToEndId>${item.endToEndId}</OrgnlEndToEndId><TxSts>${item.status}</TxSts>` +
        (item.reason === undefined
          ? ''
          : `<StsRsnInf><Rsn><Cd>${item.reason}</Cd></Rsn></StsRsnInf>`) +
        '</TxInfAndSts>\n',
    )
    .join('');
  const block =
    statuses.length === 0
      ? ''
      : `<OrgnlPmtInfAndSts><OrgnlPmtInfId>PMTINF-1</OrgnlPmtInfId>\n${transactions}</OrgnlPmtInfAndSts>\n`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10">
<CstmrPmtStsRpt>
<GrpHdr><MsgId>STS-${originalMessageId}</MsgId><CreDtTm>2026-12-05T10:00:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>${originalMessageId}</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>${group === undefined ? '' : `<GrpSts>${group}</GrpSts>`}</OrgnlGrpInfAndSts>
${block}</CstmrPmtStsRpt>
</Document>
`;
}
