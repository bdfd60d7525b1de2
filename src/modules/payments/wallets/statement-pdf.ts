import { PDFDocument, type PDFFont, type PDFPage, StandardFonts } from 'pdf-lib';
import type { Statement } from './statement.js';

/** A4 in points, margins, and the columns of a statement line. */
const page = { width: 595.28, height: 841.89, margin: 40, lineHeight: 12, fontSize: 8 };
const columns = [
  { title: 'Fecha / Date', x: 40 },
  { title: 'Motivo / Reason', x: 150 },
  { title: 'Transferencia / Transfer', x: 235 },
  { title: 'Débito / Debit', x: 380, right: true },
  { title: 'Crédito / Credit', x: 455, right: true },
  { title: 'Saldo / Balance', x: 555, right: true },
] as const;

/** Minor units as a decimal amount with two places: 123456 → "1234.56". */
export function decimalAmount(minor: bigint): string {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(3, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/**
 * The statement as a PDF (issue #16, point 8): A4, Spanish and English headings, one line per
 * transfer oldest first with its debit or credit and the running posted balance, the closing
 * balance at the end. Written with pdf-lib's standard Helvetica (WinAnsi: the texts here are
 * ids, codes, dates and amounts); no personal data is in a statement beyond the account id.
 *
 * @example
 *   const bytes = await statementPdf(await statementReader(deps, context, accountId), now);
 */
export async function statementPdf(statement: Statement, printedAt: Date): Promise<Uint8Array> {
  const document = await PDFDocument.create();
  document.setTitle(`Estado de cuenta / Account statement ${statement.accountId}`);
  document.setProducer('Amparo');
  document.setCreationDate(printedAt);
  const font = await document.embedFont(StandardFonts.Helvetica);
  const bold = await document.embedFont(StandardFonts.HelveticaBold);
  let current = startPage(document, statement, printedAt, { font, bold });
  let y = current.y;
  for (const line of statement.lines) {
    if (y < page.margin + page.lineHeight * 2) {
      current = startPage(document, statement, printedAt, { font, bold });
      y = current.y;
    }
    const cells = [
      line.createdAt.toISOString().slice(0, 19).replace('T', ' '),
      line.reason,
      line.transferId,
      line.debitMinor === null ? '' : decimalAmount(line.debitMinor),
      line.creditMinor === null ? '' : decimalAmount(line.creditMinor),
      decimalAmount(line.balanceMinor),
    ];
    drawRow(current.page, font, cells, y);
    y -= page.lineHeight;
  }
  y -= page.lineHeight;
  if (y < page.margin) {
    current = startPage(document, statement, printedAt, { font, bold });
    y = current.y;
  }
  current.page.drawText(
    `Saldo final / Closing balance: ${decimalAmount(statement.balanceMinor)} ${statement.currency}`,
    { x: page.margin, y, size: 10, font: bold },
  );
  return document.save();
}

function startPage(
  document: PDFDocument,
  statement: Statement,
  printedAt: Date,
  fonts: { font: PDFFont; bold: PDFFont },
): { page: PDFPage; y: number } {
  const added = document.addPage([page.width, page.height]);
  let y = page.height - page.margin;
  added.drawText('Estado de cuenta / Account statement', {
    x: page.margin,
    y,
    size: 14,
    font: fonts.bold,
  });
  y -= 18;
  const facts = [
    `Cuenta / Account: ${statement.accountId}`,
    `Tipo / Kind: ${statement.kind}   Moneda / Currency: ${statement.currency}`,
    `Emitido / Printed: ${printedAt.toISOString().slice(0, 19).replace('T', ' ')} UTC   Página / Page ${document.getPageCount()}`,
    ...(statement.truncated
      ? ['Solo los movimientos más recientes / Only the latest transfers are listed']
      : []),
  ];
  for (const fact of facts) {
    added.drawText(fact, { x: page.margin, y, size: 9, font: fonts.font });
    y -= page.lineHeight;
  }
  y -= 6;
  drawRow(
    added,
    fonts.bold,
    columns.map((column) => column.title),
    y,
  );
  return { page: added, y: y - page.lineHeight - 2 };
}

function drawRow(target: PDFPage, font: PDFFont, cells: readonly string[], y: number): void {
  cells.forEach((text, index) => {
    const column = columns[index];
    if (column === undefined || text === '') return;
    const width = font.widthOfTextAtSize(text, page.fontSize);
    const x = 'right' in column ? column.x - width : column.x;
    target.drawText(text, { x, y, size: page.fontSize, font });
  });
}
