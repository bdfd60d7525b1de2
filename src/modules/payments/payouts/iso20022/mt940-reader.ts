import { limits } from '../../../../limits.js';
import { malformed } from './bank-file-error.js';
import type { BankStatement, StatementMovement } from './bank-statement.js';
import { isPayoutCurrency, minorFromSwiftDecimal, type PayoutCurrency } from './minor-units.js';
import { hasForbiddenCharacter } from './xml-text.js';

/** One tag of an MT940 message with its text (continuation lines joined by "\n") and line. */
interface Field {
  readonly tag: string;
  readonly text: string;
  readonly line: number;
}

const tagLine = /^:(\d{2}[A-Z]?):(.*)$/;

/**
 * Reads a SWIFT MT940 customer statement — what OpenG2P's G2P Bridge and many banks without
 * ISO 20022 send — into the same statements as camt.053 (issue #16, point 4). The file may
 * hold several messages, bare or in SWIFT blocks (`{4:` … `-}`). Amounts are read from their
 * text ("1250,50"), never through a float (mt940js gives floats, so it is not used). Every
 * statement must have its reference, account, sequence, opening and closing balances, and the
 * opening balance plus the entries must equal the closing one; anything else is refused whole,
 * naming the line.
 *
 * @example
 *   const [statement] = readMt940(text); // statement.movements[0].amountMinor === 125050n
 */
export function readMt940(text: string): BankStatement[] {
  if (Buffer.byteLength(text, 'utf8') > limits.payouts.bankFileBytesMax) {
    throw malformed('file', `is larger than ${limits.payouts.bankFileBytesMax} bytes`);
  }
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const messages: Field[][] = [];
  let current: Field[] | null = null;
  lines.forEach((raw, index) => {
    const lineNumber = index + 1;
    if (hasForbiddenCharacter(raw, true))
      throw malformed(`line ${lineNumber}`, 'holds a control character');
    const line = raw
      .replace(/^\{1:[^}]*\}(\{2:[^}]*\})?(\{3:(\{[^}]*\})*\})?\{4:$/, '')
      .replace(/^-\}.*$/, '');
    if (line.trim() === '') return;
    const match = tagLine.exec(line);
    if (match === null) {
      const last = current?.at(-1);
      if (current === null || last === undefined)
        throw malformed(`line ${lineNumber}`, 'is not an MT940 field');
      current[current.length - 1] = { ...last, text: `${last.text}\n${line}` };
      return;
    }
    const [, tag = '', value = ''] = match;
    if (tag === '20') {
      current = [];
      messages.push(current);
    }
    if (current === null)
      throw malformed(`line ${lineNumber}`, 'comes before the first :20: field');
    current.push({ tag, text: value, line: lineNumber });
  });
  if (messages.length === 0) throw malformed('file', 'holds no MT940 statement (no :20: field)');
  let count = 0;
  return messages.map((fields) => {
    const statement = readStatement(fields);
    count += statement.movements.length;
    if (count > limits.payouts.bankFileEntriesMax) {
      throw malformed('file', `holds more than ${limits.payouts.bankFileEntriesMax} entries`);
    }
    return statement;
  });
}

function only(fields: readonly Field[], tags: readonly string[], first: Field): Field {
  const found = fields.filter((field) => tags.includes(field.tag));
  if (found.length !== 1) {
    throw malformed(
      `line ${first.line}`,
      `the statement needs exactly one :${tags.join(': or :')}: field`,
    );
  }
  // Safe: exactly one was found just above.
  return found[0] as Field;
}

function readStatement(fields: readonly Field[]): BankStatement {
  // Safe: a message starts at its :20: field, so it has at least that one.
  const first = fields[0] as Field;
  const reference = first.text.trim();
  if (reference === '' || reference.length > 16)
    throw malformed(`line ${first.line}`, ':20: is not a reference of 1-16 characters');
  const account = only(fields, ['25', '25P'], first).text.split('\n')[0]?.trim() ?? '';
  if (account === '' || account.length > 35)
    throw malformed(`line ${first.line}`, ':25: is not an account');
  const sequence = only(fields, ['28C', '28'], first).text.trim();
  const opening = balanceOf(only(fields, ['60F', '60M'], first));
  const closing = balanceOf(only(fields, ['62F', '62M'], first));
  if (opening.currency !== closing.currency)
    throw malformed(
      `line ${first.line}`,
      'opening and closing balances are in different currencies',
    );
  const movements: StatementMovement[] = [];
  fields.forEach((field, index) => {
    if (field.tag !== '61') return;
    const next = fields[index + 1];
    movements.push(movementOf(field, next?.tag === '86' ? next : undefined, opening.currency));
  });
  const total = movements.reduce(
    (sum, movement) =>
      sum + (movement.direction === 'credit' ? movement.amountMinor : -movement.amountMinor),
    0n,
  );
  if (opening.amountMinor + total !== closing.amountMinor) {
    throw malformed(
      `line ${first.line}`,
      'the opening balance and the entries do not add up to the closing balance',
    );
  }
  return {
    format: 'mt940',
    messageId: reference,
    statementId: sequence,
    account,
    currency: opening.currency,
    openingBalanceMinor: opening.amountMinor,
    closingBalanceMinor: closing.amountMinor,
    movements,
  };
}

const balancePattern = /^([CD])(\d{6})([A-Z]{3})(\d{1,15},\d{0,2})$/;

function balanceOf(field: Field): { amountMinor: bigint; currency: PayoutCurrency } {
  const where = `line ${field.line}`;
  const match = balancePattern.exec(field.text.trim());
  if (match === null)
    throw malformed(where, `:${field.tag}: is not a balance (C or D, YYMMDD, currency, amount)`);
  const [, sign, date = '', currency = '', amount = ''] = match;
  if (!isPayoutCurrency(currency)) throw malformed(where, `:${field.tag}: is not in VES or USD`);
  const magnitude = minorFromSwiftDecimal(amount, where);
  isoDate(date, where);
  return { amountMinor: sign === 'D' ? -magnitude : magnitude, currency };
}

function isoDate(yymmdd: string, where: string): string {
  const text = `20${yymmdd.slice(0, 2)}-${yymmdd.slice(2, 4)}-${yymmdd.slice(4, 6)}`;
  const day = new Date(`${text}T00:00:00Z`);
  if (Number.isNaN(day.getTime()) || !day.toISOString().startsWith(text))
    throw malformed(where, 'holds a date that does not exist');
  return text;
}

// Value date, entry date (MMDD), mark (C, D, RC, RD), funds code, amount, type, references.
const entryPattern =
  /^(\d{6})(\d{4})?(RC|RD|C|D)([A-Z])?(\d{1,15},\d{0,2})([NSF][A-Z0-9]{3})([^/]{1,16}?)(?:\/\/(.{1,16}))?$/;

function movementOf(
  field: Field,
  details: Field | undefined,
  currency: PayoutCurrency,
): StatementMovement {
  const where = `line ${field.line}`;
  const [first = ''] = field.text.split('\n');
  const match = entryPattern.exec(first.trim());
  if (match === null)
    throw malformed(where, ':61: is not a statement line (date, C/D, amount, type, reference)');
  const [
    ,
    valueDate = '',
    ,
    mark = '',
    ,
    amount = '',
    type = '',
    customerReference = '',
    bankReference,
  ] = match;
  const bookingDate = isoDate(valueDate, where);
  const information = details?.text.replace(/\n/g, '') ?? '';
  const endToEnd =
    /\/EREF\/([^/]{1,35})/.exec(information)?.[1] ??
    (customerReference === 'NONREF' ? null : customerReference);
  const returned = type.slice(1) === 'RTI' || information.includes('/RTRN/');
  return {
    location: where,
    amountMinor: minorFromSwiftDecimal(amount, where),
    currency,
    // A reversal of a credit takes money out; a reversal of a debit puts it back.
    direction: mark === 'C' || mark === 'RD' ? 'credit' : 'debit',
    booked: true,
    reversal: mark.startsWith('R'),
    returned,
    returnReason: /\/RTRN\/([A-Z0-9]{1,4})/.exec(information)?.[1] ?? null,
    endToEndId: endToEnd,
    bankReference: bankReference?.trim() || null,
    bookingDate,
  };
}
