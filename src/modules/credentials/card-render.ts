import { existsSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import { PDFDocument, type PDFPage, rgb } from 'pdf-lib';
import { type CardFace, type CardLayout, cardHeightMm, cardSvg, cardWidthMm } from './card-svg.js';
import { CredentialsError } from './credentials-error.js';
import { cardRenderDpiDefault, cardRenderDpiMax } from './limits.js';

/**
 * DejaVu Sans is the one font a fresh Debian machine has. It is loaded from its file and
 * system fonts are not scanned: a missing font would otherwise make text silently disappear.
 */
export const cardFontFilesDefault = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
];

export interface CardRenderOptions {
  /** Dots per inch of the PNG (and of the image inside the PDF); at least 300. */
  dpi?: number;
  fontFiles?: string[];
}

const pointsPerMm = 72 / 25.4;
const a4 = { widthMm: 210, heightMm: 297 } as const;
/** Print sheet: 2 columns × 5 rows of cards with gaps for cutting. */
const sheet = { columns: 2, rows: 5, gapXMm: 6, gapYMm: 4, markOffsetMm: 0.5, markLengthMm: 1.5 };

export interface RenderedCard {
  png: Buffer;
  layout: CardLayout;
}

/**
 * Renders a card front to PNG at `dpi` (default 300).
 *
 * @throws CredentialsError `AMP_CARD_FONT_MISSING` when a font file is not installed
 * @example
 * const { png } = renderCardPng({ holder, qrText: card.text, expiresAt: card.expiresAt,
 *   issuerName: 'Amparo' });
 */
export function renderCardPng(face: CardFace, options: CardRenderOptions = {}): RenderedCard {
  const dpi = checkDpi(options.dpi ?? cardRenderDpiDefault);
  const { svg, layout } = cardSvg(face, dpi);
  const image = new Resvg(svg, {
    font: {
      loadSystemFonts: false,
      fontFiles: fontFiles(options),
      defaultFontFamily: 'DejaVu Sans',
    },
    fitTo: { mode: 'original' },
    shapeRendering: 1,
  }).render();
  return { png: image.asPng(), layout };
}

/**
 * One card as a one-page PDF of exactly CR80 size, the PNG placed at full bleed.
 *
 * @example
 * writeFileSync('card.pdf', await renderCardPdf(face));
 */
export async function renderCardPdf(face: CardFace, options: CardRenderOptions = {}) {
  const document = await PDFDocument.create();
  const page = document.addPage([cardWidthMm * pointsPerMm, cardHeightMm * pointsPerMm]);
  await drawCard(document, page, renderCardPng(face, options).png, 0, 0);
  return document.save();
}

/**
 * A4 print sheets, 10 cards a page (2 × 5) with crop marks; more cards make more pages.
 *
 * @example
 * writeFileSync('batch.pdf', await renderCardSheetPdf(faces));
 */
export async function renderCardSheetPdf(faces: CardFace[], options: CardRenderOptions = {}) {
  const document = await PDFDocument.create();
  const perPage = sheet.columns * sheet.rows;
  const blockWidthMm = sheet.columns * cardWidthMm + (sheet.columns - 1) * sheet.gapXMm;
  const blockHeightMm = sheet.rows * cardHeightMm + (sheet.rows - 1) * sheet.gapYMm;
  const leftMm = (a4.widthMm - blockWidthMm) / 2;
  const topMm = (a4.heightMm - blockHeightMm) / 2;
  let page: PDFPage | undefined;
  for (const [index, face] of faces.entries()) {
    if (index % perPage === 0)
      page = document.addPage([a4.widthMm * pointsPerMm, a4.heightMm * pointsPerMm]);
    const slot = index % perPage;
    const xMm = leftMm + (slot % sheet.columns) * (cardWidthMm + sheet.gapXMm);
    // PDF y grows upwards: row 0 is at the top of the sheet.
    const yMm =
      a4.heightMm -
      topMm -
      Math.floor(slot / sheet.columns + 1) * cardHeightMm -
      Math.floor(slot / sheet.columns) * sheet.gapYMm;
    if (page === undefined) throw new Error('unreachable: a page is added for slot 0');
    await drawCard(document, page, renderCardPng(face, options).png, xMm, yMm);
    drawCropMarks(page, xMm, yMm);
  }
  return document.save();
}

async function drawCard(
  document: PDFDocument,
  page: PDFPage,
  png: Buffer,
  xMm: number,
  yMm: number,
) {
  const image = await document.embedPng(png);
  page.drawImage(image, {
    x: xMm * pointsPerMm,
    y: yMm * pointsPerMm,
    width: cardWidthMm * pointsPerMm,
    height: cardHeightMm * pointsPerMm,
  });
}

/** Short hairlines just outside each corner, along the card's edges, to cut along. */
function drawCropMarks(page: PDFPage, xMm: number, yMm: number): void {
  const { markOffsetMm: offset, markLengthMm: length } = sheet;
  const line = (x1: number, y1: number, x2: number, y2: number) =>
    page.drawLine({
      start: { x: x1 * pointsPerMm, y: y1 * pointsPerMm },
      end: { x: x2 * pointsPerMm, y: y2 * pointsPerMm },
      thickness: 0.25,
      color: rgb(0, 0, 0),
    });
  for (const cornerX of [xMm, xMm + cardWidthMm]) {
    for (const cornerY of [yMm, yMm + cardHeightMm]) {
      const outX = cornerX === xMm ? -1 : 1;
      const outY = cornerY === yMm ? -1 : 1;
      line(cornerX + outX * offset, cornerY, cornerX + outX * (offset + length), cornerY);
      line(cornerX, cornerY + outY * offset, cornerX, cornerY + outY * (offset + length));
    }
  }
}

function fontFiles(options: CardRenderOptions): string[] {
  return checkFontFiles(options.fontFiles ?? cardFontFilesDefault);
}

/** The font files, once each is known to exist (resvg would silently drop the text). */
export function checkFontFiles(files: string[]): string[] {
  for (const file of files) {
    if (!existsSync(file)) {
      throw new CredentialsError(
        'AMP_CARD_FONT_MISSING',
        `The card font ${file} is not installed (Debian: apt-get install fonts-dejavu-core).`,
      );
    }
  }
  return files;
}

function checkDpi(dpi: number): number {
  if (!Number.isInteger(dpi) || dpi < cardRenderDpiDefault || dpi > cardRenderDpiMax) {
    throw new CredentialsError(
      'AMP_CARD_INVALID_PROFILE',
      `Cards render at ${cardRenderDpiDefault}–${cardRenderDpiMax} dpi, not ${dpi}.`,
    );
  }
  return dpi;
}
