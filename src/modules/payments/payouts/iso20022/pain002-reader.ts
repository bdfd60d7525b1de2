import { limits } from '../../../../limits.js';
import { BankFileError, malformed } from './bank-file-error.js';
import {
  childrenOf,
  optionalText,
  parseIso20022,
  pathOf,
  requiredText,
  type XmlNode,
} from './xml-document.js';

/**
 * ISO 20022 payment statuses (ExternalPaymentTransactionStatus1Code) and what each does to a
 * payout: `accepted` posts its pending transfer (the bank took the payment on: ACCP customer
 * profile, ACSP settlement in process, ACSC settled, ACCC credited, ACWC accepted with a
 * change, ACFC funds checked), `rejected` voids it (RJCT, CANC cancelled, BLCK blocked), and
 * `informational` changes nothing (ACTC only the file's syntax was checked, RCVD received,
 * PDNG pending, ACWP without posting, PART and PATC partly).
 */
export const paymentStatusEffects = {
  ACCP: 'accepted',
  ACSP: 'accepted',
  ACSC: 'accepted',
  ACCC: 'accepted',
  ACWC: 'accepted',
  ACFC: 'accepted',
  RJCT: 'rejected',
  CANC: 'rejected',
  BLCK: 'rejected',
  ACTC: 'informational',
  RCVD: 'informational',
  PDNG: 'informational',
  ACWP: 'informational',
  PART: 'informational',
  PATC: 'informational',
} as const;
export type PaymentStatus = keyof typeof paymentStatusEffects;
export type PaymentStatusEffect = (typeof paymentStatusEffects)[PaymentStatus];

/** A status the report gives, with its reason code (e.g. AC04 closed account) when it has one. */
export interface StatusWithReason {
  readonly status: PaymentStatus;
  readonly reason: string | null;
}

/** One payment's status as the bank reports it. */
export interface TransactionStatus extends StatusWithReason {
  readonly location: string;
  readonly originalEndToEndId: string;
  readonly originalPaymentInformationId: string | null;
}

/** A customer payment status report (`pain.002`), read and checked. */
export interface PaymentStatusReport {
  readonly messageId: string;
  readonly originalMessageId: string;
  /** The whole file's status; it applies to every payment the report does not name. */
  readonly group: StatusWithReason | null;
  /** Each payment block's status, applying to its payments the report does not name. */
  readonly paymentInformation: ReadonlyArray<
    StatusWithReason & { originalPaymentInformationId: string }
  >;
  readonly transactions: readonly TransactionStatus[];
}

const painVersion = /^pain\.002\.001\.(0[3-9]|1[0-2])$/;

/**
 * Reads a `pain.002` customer payment status report, versions 03 to 12 (issue #16, point 4):
 * the status of the whole file, of each payment block and of each payment, by the ids the
 * payout file gave them. An unknown status code or a payment without its end-to-end id is
 * refused whole.
 *
 * @example
 *   const report = readPain002(xml); // report.transactions[0].status === 'RJCT'
 */
export function readPain002(xml: string): PaymentStatusReport {
  const { message, document } = parseIso20022(xml);
  if (!painVersion.test(message)) {
    throw new BankFileError(
      'AMP_BANK_FILE_UNSUPPORTED',
      `${message} is not a pain.002 (001.03 to 001.12).`,
    );
  }
  const root = pathOf(document, 'CstmrPmtStsRpt', '');
  if (root === undefined) throw malformed('/CstmrPmtStsRpt', 'is missing');
  const where = '/CstmrPmtStsRpt';
  const messageId = requiredText(root, 'GrpHdr/MsgId', where);
  const original = pathOf(root, 'OrgnlGrpInfAndSts', where);
  if (original === undefined) throw malformed(`${where}/OrgnlGrpInfAndSts`, 'is missing');
  const originalWhere = `${where}/OrgnlGrpInfAndSts`;
  const originalMessageId = requiredText(original, 'OrgnlMsgId', originalWhere);
  const group = statusOf(original, 'GrpSts', originalWhere);
  const paymentInformation: Array<StatusWithReason & { originalPaymentInformationId: string }> = [];
  const transactions: TransactionStatus[] = [];
  childrenOf(root, 'OrgnlPmtInfAndSts').forEach((block, blockIndex) => {
    const at = `${where}/OrgnlPmtInfAndSts[${blockIndex}]`;
    const originalPaymentInformationId = requiredText(block, 'OrgnlPmtInfId', at);
    const blockStatus = statusOf(block, 'PmtInfSts', at);
    if (blockStatus !== null)
      paymentInformation.push({ ...blockStatus, originalPaymentInformationId });
    childrenOf(block, 'TxInfAndSts').forEach((transaction, index) => {
      const location = `${at}/TxInfAndSts[${index}]`;
      const status = statusOf(transaction, 'TxSts', location);
      if (status === null) throw malformed(`${location}/TxSts`, 'is missing');
      transactions.push({
        ...status,
        location,
        originalEndToEndId: requiredText(transaction, 'OrgnlEndToEndId', location),
        originalPaymentInformationId,
      });
    });
  });
  if (transactions.length > limits.payouts.bankFileEntriesMax) {
    throw malformed('file', `holds more than ${limits.payouts.bankFileEntriesMax} statuses`);
  }
  if (group === null && paymentInformation.length === 0 && transactions.length === 0) {
    throw malformed(where, 'reports no status at all');
  }
  return { messageId, originalMessageId, group, paymentInformation, transactions };
}

function statusOf(node: XmlNode, element: string, where: string): StatusWithReason | null {
  const code = optionalText(node, element, where);
  if (code === undefined) return null;
  if (!Object.hasOwn(paymentStatusEffects, code)) {
    throw malformed(`${where}/${element}`, 'is not an ISO 20022 payment status');
  }
  // The first reason is the one that decides; later ones add detail Amparo does not keep.
  const reasonNode = childrenOf(node, 'StsRsnInf')[0];
  const reason =
    optionalText(reasonNode, 'Rsn/Cd', `${where}/StsRsnInf[0]`) ??
    optionalText(reasonNode, 'Rsn/Prtry', `${where}/StsRsnInf[0]`) ??
    null;
  // Safe: `Object.hasOwn` above proved the code is a key of the table.
  return { status: code as PaymentStatus, reason };
}
