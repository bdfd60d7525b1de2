import { limits } from '../../../../limits.js';
import { BankFileError, malformed } from './bank-file-error.js';
import type { BankStatement, StatementMovement } from './bank-statement.js';
import { isPayoutCurrency, minorFromIsoDecimal, type PayoutCurrency } from './minor-units.js';
import {
  attributeOf,
  childrenOf,
  optionalText,
  parseIso20022,
  pathOf,
  requiredText,
  type XmlNode,
} from './xml-document.js';

/** The versions read: 02 (still what most banks send) to 08 (the schema shipped here). */
const camtVersion = /^camt\.05([34])\.001\.0[2-8]$/;

/**
 * Reads a bank-to-customer statement (`camt.053`) or debit/credit notification (`camt.054`),
 * versions 02 to 08, into statements of movements in minor units (issue #16, point 4). Every
 * amount is read from its text; each entry's currency must be the account's; an entry's
 * transactions must add up to the entry; a statement with an opening and a closing balance
 * must add up from one to the other. Anything else is refused whole with where and why.
 *
 * @example
 *   const [statement] = readCamt(xml); // statement.movements[0].endToEndId === 'P0001…'
 */
export function readCamt(xml: string): BankStatement[] {
  const { message, document } = parseIso20022(xml);
  const version = camtVersion.exec(message);
  if (version === null) {
    throw new BankFileError(
      'AMP_BANK_FILE_UNSUPPORTED',
      `${message} is not a camt.053 or camt.054 (001.02 to 001.08).`,
    );
  }
  const format = version[1] === '3' ? 'camt.053' : 'camt.054';
  const rootName = format === 'camt.053' ? 'BkToCstmrStmt' : 'BkToCstmrDbtCdtNtfctn';
  const root = pathOf(document, rootName, '');
  if (root === undefined) throw malformed(`/${rootName}`, 'is missing');
  const messageId = requiredText(root, 'GrpHdr/MsgId', `/${rootName}`);
  const reports = childrenOf(root, format === 'camt.053' ? 'Stmt' : 'Ntfctn');
  if (reports.length === 0) throw malformed(`/${rootName}`, 'holds no statement');
  let count = 0;
  return reports.map((report, index) => {
    const statement = readReport(
      report,
      `${format === 'camt.053' ? 'Stmt' : 'Ntfctn'}[${index}]`,
      format,
      messageId,
    );
    count += statement.movements.length;
    if (count > limits.payouts.bankFileEntriesMax) {
      throw malformed('file', `holds more than ${limits.payouts.bankFileEntriesMax} movements`);
    }
    return statement;
  });
}

function readReport(
  report: XmlNode,
  where: string,
  format: 'camt.053' | 'camt.054',
  messageId: string,
): BankStatement {
  const statementId = requiredText(report, 'Id', where);
  const account =
    optionalText(report, 'Acct/Id/Othr/Id', where) ?? requiredText(report, 'Acct/Id/IBAN', where);
  const currency = currencyOf(
    optionalText(report, 'Acct/Ccy', where) ?? firstEntryCurrency(report, where),
    `${where}/Acct/Ccy`,
  );
  const movements: StatementMovement[] = [];
  childrenOf(report, 'Ntry').forEach((entry, index) => {
    movements.push(...readEntry(entry, `${where}/Ntry[${index}]`, currency));
  });
  const opening = balance(report, where, currency, ['OPBD', 'PRCD']);
  const closing = balance(report, where, currency, ['CLBD']);
  if (opening !== null && closing !== null) {
    const booked = movements
      .filter((movement) => movement.booked)
      .reduce(
        (sum, movement) =>
          sum + (movement.direction === 'credit' ? movement.amountMinor : -movement.amountMinor),
        0n,
      );
    if (opening + booked !== closing) {
      throw malformed(
        where,
        'the opening balance and the booked entries do not add up to the closing balance',
      );
    }
  }
  return {
    format,
    messageId,
    statementId,
    account,
    currency,
    openingBalanceMinor: opening,
    closingBalanceMinor: closing,
    movements,
  };
}

function firstEntryCurrency(report: XmlNode, where: string): string {
  const currency = attributeOf(childrenOf(report, 'Ntry')[0], 'Amt', 'Ccy', `${where}/Ntry[0]`);
  if (currency === undefined) throw malformed(`${where}/Acct/Ccy`, 'is missing');
  return currency;
}

function currencyOf(code: string, where: string): PayoutCurrency {
  if (!isPayoutCurrency(code)) throw malformed(where, 'is not VES or USD');
  return code;
}

/** The signed amount of the first balance of one of `types` (a debit balance is negative). */
function balance(
  report: XmlNode,
  where: string,
  currency: PayoutCurrency,
  types: string[],
): bigint | null {
  const balances = childrenOf(report, 'Bal');
  for (const [index, item] of balances.entries()) {
    const at = `${where}/Bal[${index}]`;
    const type = optionalText(item, 'Tp/CdOrPrtry/Cd', at);
    if (type === undefined || !types.includes(type)) continue;
    const amount = amountOf(item, 'Amt', at, currency);
    return indicator(item, at) === 'credit' ? amount : -amount;
  }
  return null;
}

function amountOf(node: XmlNode, path: string, where: string, currency: PayoutCurrency): bigint {
  const text = requiredText(node, path, where);
  const code = attributeOf(node, path, 'Ccy', where);
  if (code !== currency)
    throw malformed(`${where}/${path}/@Ccy`, `is not the account's currency (${currency})`);
  return minorFromIsoDecimal(text, `${where}/${path}`);
}

function indicator(node: XmlNode, where: string): 'credit' | 'debit' {
  const code = requiredText(node, 'CdtDbtInd', where);
  if (code === 'CRDT') return 'credit';
  if (code === 'DBIT') return 'debit';
  throw malformed(`${where}/CdtDbtInd`, 'is neither CRDT nor DBIT');
}

/** Entry status: version 02 to 05 write `<Sts>BOOK</Sts>`, 06 on `<Sts><Cd>BOOK</Cd></Sts>`. */
function bookedOf(entry: XmlNode, where: string): boolean {
  const status = optionalText(entry, 'Sts/Cd', where) ?? requiredText(entry, 'Sts', where);
  if (!['BOOK', 'PDNG', 'INFO', 'FUTR'].includes(status))
    throw malformed(`${where}/Sts`, 'is not an entry status');
  return status === 'BOOK';
}

function dateOf(node: XmlNode, path: string, where: string): string | null {
  const text = optionalText(node, `${path}/Dt`, where) ?? optionalText(node, `${path}/DtTm`, where);
  if (text === undefined) return null;
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) throw malformed(`${where}/${path}`, 'is not a date');
  return text.slice(0, 10);
}

function readEntry(entry: XmlNode, where: string, currency: PayoutCurrency): StatementMovement[] {
  const amountMinor = amountOf(entry, 'Amt', where, currency);
  const direction = indicator(entry, where);
  const reversalText = optionalText(entry, 'RvslInd', where);
  if (reversalText !== undefined && reversalText !== 'true' && reversalText !== 'false') {
    throw malformed(`${where}/RvslInd`, 'is not true or false');
  }
  const common = {
    currency,
    booked: bookedOf(entry, where),
    reversal: reversalText === 'true',
    bankReference: optionalText(entry, 'AcctSvcrRef', where) ?? null,
    bookingDate: dateOf(entry, 'BookgDt', where),
  };
  const entryIsReturn = optionalText(entry, 'BkTxCd/Domn/Fmly/SubFmlyCd', where) === 'RRTN';
  const transactions = childrenOf(entry, 'NtryDtls').flatMap((details, detailsIndex) =>
    childrenOf(details, 'TxDtls').map((transaction, index) => ({
      transaction,
      at: `${where}/NtryDtls[${detailsIndex}]/TxDtls[${index}]`,
    })),
  );
  if (transactions.length === 0) {
    return [
      {
        ...common,
        location: where,
        amountMinor,
        direction,
        returned: entryIsReturn,
        returnReason: null,
        endToEndId: null,
      },
    ];
  }
  const movements = transactions.map(({ transaction, at }) => {
    const explicit =
      pathOf(transaction, 'Amt', at) !== undefined
        ? amountOf(transaction, 'Amt', at, currency)
        : pathOf(transaction, 'AmtDtls/TxAmt/Amt', at) !== undefined
          ? amountOf(transaction, 'AmtDtls/TxAmt/Amt', at, currency)
          : null;
    if (explicit === null && transactions.length > 1)
      throw malformed(`${at}/Amt`, 'is missing in a batch entry');
    const returnReason =
      optionalText(transaction, 'RtrInf/Rsn/Cd', at) ??
      optionalText(transaction, 'RtrInf/Rsn/Prtry', at) ??
      null;
    const endToEndId = optionalText(transaction, 'Refs/EndToEndId', at);
    return {
      ...common,
      location: at,
      amountMinor: explicit ?? amountMinor,
      direction:
        pathOf(transaction, 'CdtDbtInd', at) === undefined ? direction : indicator(transaction, at),
      returned: entryIsReturn || pathOf(transaction, 'RtrInf', at) !== undefined,
      returnReason,
      endToEndId: endToEndId === undefined || endToEndId === 'NOTPROVIDED' ? null : endToEndId,
    };
  });
  const signed = (movement: { direction: 'credit' | 'debit'; amountMinor: bigint }) =>
    movement.direction === direction ? movement.amountMinor : -movement.amountMinor;
  if (movements.reduce((sum, movement) => sum + signed(movement), 0n) !== amountMinor) {
    throw malformed(where, "the entry's transactions do not add up to its amount");
  }
  return movements;
}
