import type { CardHolder } from './card-payload.js';
import { type CardQr, cardQr } from './card-qr.js';
import { cardQrQuietZoneModules } from './limits.js';

/** CR80 (ISO/IEC 7810 ID-1), in millimetres. */
export const cardWidthMm = 85.6;
export const cardHeightMm = 53.98;
const millimetresPerInch = 25.4;

/** What the front of a card shows. */
export interface CardFace {
  holder: CardHolder;
  /** The credential text the QR carries (from `encodeCard`). */
  qrText: string;
  expiresAt: number;
  issuerName: string;
}

/** Where the QR landed, in output pixels: tests and the verifier's crop use it. */
export interface CardLayout {
  widthPx: number;
  heightPx: number;
  qr: { leftPx: number; topPx: number; modulePx: number; modules: number; version: number };
}

/** The layout is drawn on a 300 dpi grid and scaled; the QR is placed on whole pixels. */
export const grid = { width: 1011, height: 638, band: 84, margin: 36 } as const;
export const qrBox = { left: 580, top: 176, width: 410, height: 440 } as const;

/**
 * The SVG of a card front at `dpi`, with its size in pixels. The QR is one path of whole-pixel
 * modules on a white quiet zone of 4 modules, so it rasterises crisply.
 *
 * @example
 * const { svg, layout } = cardSvg(face, 300); // layout.widthPx === 1011
 */
export function cardSvg(face: CardFace, dpi: number): { svg: string; layout: CardLayout } {
  const qr = cardQr(face.qrText);
  const layout = cardLayout(qr, dpi);
  const { widthPx, heightPx } = layout;
  const scale = widthPx / grid.width;
  const { modulePx } = layout.qr;
  const quietPx = cardQrQuietZoneModules * modulePx;
  const sidePx = modulePx * qr.size + 2 * quietPx;
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${widthPx}" height="${heightPx}" viewBox="0 0 ${widthPx} ${heightPx}">`,
    `<rect width="${widthPx}" height="${heightPx}" fill="#ffffff"/>`,
    `<g transform="scale(${scale})">${staticDesign(face.issuerName)}${variableDesign(face)}</g>`,
    `<rect x="${layout.qr.leftPx - quietPx}" y="${layout.qr.topPx - quietPx}" width="${sidePx}" height="${sidePx}" fill="#ffffff"/>`,
    qrPath(qr, layout.qr.leftPx, layout.qr.topPx, modulePx),
    '</svg>',
  ].join('');
  return { svg, layout };
}

/**
 * Where things land at `dpi`: the card's size in pixels and the QR's modules on whole pixels.
 *
 * @example
 * cardLayout(cardQr(text), 300).qr.modulePx; // 5 for a version-11 or version-12 code
 */
export function cardLayout(qr: CardQr, dpi: number): CardLayout {
  const widthPx = Math.round((cardWidthMm / millimetresPerInch) * dpi);
  const heightPx = Math.round((cardHeightMm / millimetresPerInch) * dpi);
  const scale = widthPx / grid.width;
  const quiet = cardQrQuietZoneModules;
  const modulePx = Math.max(
    1,
    Math.floor((Math.min(qrBox.width, qrBox.height) * scale) / (qr.size + 2 * quiet)),
  );
  const sidePx = modulePx * (qr.size + 2 * quiet);
  const leftPx = Math.round((qrBox.left + qrBox.width) * scale) - sidePx;
  const topPx = Math.round(qrBox.top * scale);
  return {
    widthPx,
    heightPx,
    qr: {
      leftPx: leftPx + quiet * modulePx,
      topPx: topPx + quiet * modulePx,
      modulePx,
      modules: qr.size,
      version: qr.version,
    },
  };
}

/**
 * The SVG of everything on a card that is the same on every card of one issuer: bands,
 * issuer name, field labels, the silhouette. The fast renderer rasterises it once.
 */
export function staticCardSvg(issuerName: string, dpi: number): string {
  const widthPx = Math.round((cardWidthMm / millimetresPerInch) * dpi);
  const heightPx = Math.round((cardHeightMm / millimetresPerInch) * dpi);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${widthPx}" height="${heightPx}" viewBox="0 0 ${widthPx} ${heightPx}">`,
    `<rect width="${widthPx}" height="${heightPx}" fill="#ffffff"/>`,
    `<g transform="scale(${widthPx / grid.width})">${staticDesign(issuerName)}</g>`,
    '</svg>',
  ].join('');
}

/** One line of text of a card that changes from card to card, in grid units. */
export interface CardTextRun {
  x: number;
  y: number;
  size: number;
  bold: boolean;
  fill: string;
  content: string;
}

/** The holder's lines: name, ID number, date of birth, sex, expiry. */
export function cardTextRuns(face: CardFace): CardTextRun[] {
  const { holder } = face;
  const name = holder.fullName.trim();
  const nameSize = Math.min(38, Math.floor(930 / (0.62 * Math.max(1, [...name].length))));
  const value = (y: number, content: string): CardTextRun => ({
    x: 270,
    y: y + 40,
    size: 32,
    bold: false,
    fill: '#111111',
    content,
  });
  return [
    { x: grid.margin, y: 140, size: nameSize, bold: true, fill: '#111111', content: name },
    value(200, groupUin(holder.uin)),
    value(290, displayDate(holder.dateOfBirth)),
    value(380, { female: 'F', male: 'M', other: 'X' }[holder.sex]),
    value(470, new Date(face.expiresAt * 1000).toISOString().slice(0, 10)),
  ];
}

function staticDesign(issuerName: string): string {
  return [
    `<rect width="${grid.width}" height="${grid.band}" fill="#1f3a5f"/>`,
    text(grid.margin, 40, 30, escapeXml(issuerName), '#ffffff', 'bold'),
    text(grid.margin, 70, 20, 'Documento de identidad · Identity card', '#d6e2f0'),
    silhouette(),
    text(270, 200, 18, 'N.º de identidad · ID number', '#555555'),
    text(270, 290, 18, 'Fecha de nacimiento · Date of birth', '#555555'),
    text(270, 380, 18, 'Sexo · Sex', '#555555'),
    text(270, 470, 18, 'Vence · Expires', '#555555'),
    `<rect y="${grid.height - 14}" width="${grid.width}" height="14" fill="#1f3a5f"/>`,
  ].join('');
}

function variableDesign(face: CardFace): string {
  const runs = cardTextRuns(face).map((run) =>
    text(run.x, run.y, run.size, escapeXml(run.content), run.fill, run.bold ? 'bold' : 'normal'),
  );
  return runs.join('') + photoSvg(face.holder);
}

function text(
  x: number,
  y: number,
  size: number,
  content: string,
  fill: string,
  weight = 'normal',
) {
  return `<text x="${x}" y="${y}" font-family="DejaVu Sans" font-size="${size}" font-weight="${weight}" fill="${fill}">${content}</text>`;
}

/** Where the photo goes, in grid units. */
export const photoBox = { x: grid.margin, y: 176, width: 206, height: 260 } as const;

/** A neutral silhouette, under the photo when there is one. */
function silhouette(): string {
  const box = photoBox;
  return [
    `<rect x="${box.x}" y="${box.y}" width="${box.width}" height="${box.height}" fill="#e8edf2" stroke="#9aa8b6" stroke-width="2"/>`,
    `<circle cx="${box.x + 103}" cy="${box.y + 100}" r="48" fill="#b8c4cf"/>`,
    `<path d="M${box.x + 28},${box.y + 258} q0,-92 75,-92 q75,0 75,92 z" fill="#b8c4cf"/>`,
  ].join('');
}

/** The holder's photo as an SVG image, or nothing. */
export function photoSvg(holder: CardHolder): string {
  if (holder.facePhoto === undefined) return '';
  const box = photoBox;
  const mime = `image/${holder.facePhoto.format === 'jpeg2000' ? 'jp2' : holder.facePhoto.format}`;
  const data = Buffer.from(holder.facePhoto.bytes).toString('base64');
  return `<image x="${box.x}" y="${box.y}" width="${box.width}" height="${box.height}" preserveAspectRatio="xMidYMid slice" href="data:${mime};base64,${data}"/>`;
}

/** Dark modules as one path; runs of dark modules in a row become one rectangle. */
function qrPath(qr: CardQr, leftPx: number, topPx: number, modulePx: number): string {
  const parts: string[] = [];
  for (let row = 0; row < qr.size; row++) {
    let column = 0;
    while (column < qr.size) {
      if (!qr.isDark(row, column)) {
        column++;
        continue;
      }
      const start = column;
      while (column < qr.size && qr.isDark(row, column)) column++;
      const x = leftPx + start * modulePx;
      const y = topPx + row * modulePx;
      parts.push(
        `M${x},${y}h${(column - start) * modulePx}v${modulePx}h${-(column - start) * modulePx}z`,
      );
    }
  }
  return `<path d="${parts.join('')}" fill="#000000" shape-rendering="crispEdges"/>`;
}

/** `4829175036` → `482 917 5036`: three short groups are read and compared more reliably. */
export function groupUin(uin: string): string {
  return `${uin.slice(0, 3)} ${uin.slice(3, 6)} ${uin.slice(6)}`;
}

function displayDate(value: string): string {
  const digits = value.replaceAll('-', '');
  return digits.length === 8
    ? `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6)}`
    : value;
}

function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
