import { create } from 'xmlbuilder2';

/**
 * One credit transfer of a payout file: who is paid, into which account, how much. The
 * creditor's name and account are personal data: the file goes to the bank and nowhere else.
 */
export interface Pain001Payment {
  /** Unique end to end (at most 35 characters): the bank returns it in pain.002 and camt.05x. */
  endToEndId: string;
  amountMinor: bigint;
  creditorName: string;
  /** The account number as the bank knows it (a Venezuelan account is 20 digits, not an IBAN). */
  creditorAccount: string;
  /** The creditor's bank code (Venezuela: the account's first four digits), when known. */
  creditorAgentId?: string | undefined;
  /** Text the creditor sees on their statement (at most 140 characters). */
  remittance?: string | undefined;
}

/** One payout file: one debtor account paying many creditors on one date, in one currency. */
export interface Pain001File {
  messageId: string;
  createdAt: Date;
  initiatingPartyName: string;
  paymentInformationId: string;
  /** YYYY-MM-DD. */
  requestedExecutionDate: string;
  debtorName: string;
  debtorAccount: string;
  debtorAgentId: string;
  currency: 'VES' | 'USD';
  payments: readonly Pain001Payment[];
}

const namespace = 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.09';

/**
 * Writes an ISO 20022 `pain.001.001.09` customer credit transfer initiation (issue #16,
 * point 4) with accounts as `Othr/Id`, since the banks it goes to do not use IBANs. Amounts
 * are written from integer minor units (two decimals for VES and USD), never through a float.
 * `validatePain001` checks the result against the official schema.
 *
 * @example
 *   const xml = writePain001({ messageId: 'AMP-2026-12-001', ..., payments });
 */
export function writePain001(file: Pain001File): string {
  const total = file.payments.reduce((sum, payment) => sum + payment.amountMinor, 0n);
  const document = create({ version: '1.0', encoding: 'UTF-8' }).ele(namespace, 'Document');
  const initiation = document.ele('CstmrCdtTrfInitn');
  const header = initiation.ele('GrpHdr');
  header.ele('MsgId').txt(file.messageId);
  header.ele('CreDtTm').txt(file.createdAt.toISOString().replace(/\.\d{3}Z$/, 'Z'));
  header.ele('NbOfTxs').txt(String(file.payments.length));
  header.ele('CtrlSum').txt(decimal(total));
  header.ele('InitgPty').ele('Nm').txt(file.initiatingPartyName);
  const information = initiation.ele('PmtInf');
  information.ele('PmtInfId').txt(file.paymentInformationId);
  information.ele('PmtMtd').txt('TRF');
  information.ele('NbOfTxs').txt(String(file.payments.length));
  information.ele('CtrlSum').txt(decimal(total));
  information.ele('ReqdExctnDt').ele('Dt').txt(file.requestedExecutionDate);
  information.ele('Dbtr').ele('Nm').txt(file.debtorName);
  const debtorAccount = information.ele('DbtrAcct');
  debtorAccount.ele('Id').ele('Othr').ele('Id').txt(file.debtorAccount);
  debtorAccount.ele('Ccy').txt(file.currency);
  information.ele('DbtrAgt').ele('FinInstnId').ele('Othr').ele('Id').txt(file.debtorAgentId);
  information.ele('ChrgBr').txt('SLEV');
  for (const payment of file.payments) {
    const transfer = information.ele('CdtTrfTxInf');
    transfer.ele('PmtId').ele('EndToEndId').txt(payment.endToEndId);
    transfer.ele('Amt').ele('InstdAmt', { Ccy: file.currency }).txt(decimal(payment.amountMinor));
    if (payment.creditorAgentId !== undefined) {
      transfer.ele('CdtrAgt').ele('FinInstnId').ele('Othr').ele('Id').txt(payment.creditorAgentId);
    }
    transfer.ele('Cdtr').ele('Nm').txt(payment.creditorName);
    transfer.ele('CdtrAcct').ele('Id').ele('Othr').ele('Id').txt(payment.creditorAccount);
    if (payment.remittance !== undefined)
      transfer.ele('RmtInf').ele('Ustrd').txt(payment.remittance);
  }
  return document.end({ prettyPrint: true });
}

/** Minor units as a decimal with two places: 123456n → "1234.56". Never a float. */
export function decimal(amountMinor: bigint): string {
  const sign = amountMinor < 0n ? '-' : '';
  const magnitude = amountMinor < 0n ? -amountMinor : amountMinor;
  const cents = (magnitude % 100n).toString().padStart(2, '0');
  return `${sign}${magnitude / 100n}.${cents}`;
}
