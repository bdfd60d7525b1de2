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
const grid = { width: 1011, height: 638, band: 84, margin: 36 } as const;
const qrBox = { left: 580, top: 176, width: 410, height: 440 } as const;

/**
 * The SVG of a card front at `dpi`, with its size in pixels. The QR is one path of whole-pixel
 * modules on a white quiet zone of 4 modules, so it rasterises crisply.
 *
 * @example
 * const { svg, layout } = cardSvg(face, 300); // layout.widthPx === 1011
 */
export function cardSvg(face: CardFace, dpi: number): { svg: string; layout: CardLayout } {
  const widthPx = Math.round((cardWidthMm / millimetresPerInch) * dpi);
  const heightPx = Math.round((cardHeightMm / millimetresPerInch) * dpi);
  const scale = widthPx / grid.width;
  const qr = cardQr(face.qrText);
  const quiet = cardQrQuietZoneModules;
  const modulePx = Math.max(
    1,
    Math.floor((Math.min(qrBox.width, qrBox.height) * scale) / (qr.size + 2 * quiet)),
  );
  const sidePx = modulePx * (qr.size + 2 * quiet);
  const leftPx = Math.round((qrBox.left + qrBox.width) * scale) - sidePx;
  const topPx = Math.round(qrBox.top * scale);
  const layout: CardLayout = {
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
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${widthPx}" height="${heightPx}" viewBox="0 0 ${widthPx} ${heightPx}">`,
    `<rect width="${widthPx}" height="${heightPx}" fill="#ffffff"/>`,
    `<g transform="scale(${scale})">${frontDesign(face)}</g>`,
    `<rect x="${leftPx}" y="${topPx}" width="${sidePx}" height="${sidePx}" fill="#ffffff"/>`,
    qrPath(qr, layout.qr.leftPx, layout.qr.topPx, modulePx),
    '</svg>',
  ].join('');
  return { svg, layout };
}

function frontDesign(face: CardFace): string {
  const { holder } = face;
  const nameSize = Math.min(
    38,
    Math.floor(930 / (0.62 * Math.max(1, [...holder.fullName].length))),
  );
  return [
    `<rect width="${grid.width}" height="${grid.band}" fill="#1f3a5f"/>`,
    text(grid.margin, 40, 30, escapeXml(face.issuerName), '#ffffff', 'bold'),
    text(grid.margin, 70, 20, 'Documento de identidad · Identity card', '#d6e2f0'),
    text(grid.margin, 140, nameSize, escapeXml(holder.fullName.trim()), '#111111', 'bold'),
    photo(holder),
    field(270, 200, 'N.º de identidad · ID number', groupUin(holder.uin)),
    field(270, 290, 'Fecha de nacimiento · Date of birth', displayDate(holder.dateOfBirth)),
    field(270, 380, 'Sexo · Sex', { female: 'F', male: 'M', other: 'X' }[holder.sex]),
    field(270, 470, 'Vence · Expires', new Date(face.expiresAt * 1000).toISOString().slice(0, 10)),
    `<rect y="${grid.height - 14}" width="${grid.width}" height="14" fill="#1f3a5f"/>`,
  ].join('');
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

function field(x: number, y: number, label: string, value: string): string {
  return text(x, y, 18, label, '#555555') + text(x, y + 40, 32, escapeXml(value), '#111111');
}

/** A neutral silhouette, with the photo on top of it when there is one. */
function photo(holder: CardHolder): string {
  const box = { x: grid.margin, y: 176, width: 206, height: 260 };
  const silhouette = [
    `<rect x="${box.x}" y="${box.y}" width="${box.width}" height="${box.height}" fill="#e8edf2" stroke="#9aa8b6" stroke-width="2"/>`,
    `<circle cx="${box.x + 103}" cy="${box.y + 100}" r="48" fill="#b8c4cf"/>`,
    `<path d="M${box.x + 28},${box.y + 258} q0,-92 75,-92 q75,0 75,92 z" fill="#b8c4cf"/>`,
  ].join('');
  if (holder.facePhoto === undefined) return silhouette;
  const mime = `image/${holder.facePhoto.format === 'jpeg2000' ? 'jp2' : holder.facePhoto.format}`;
  const data = Buffer.from(holder.facePhoto.bytes).toString('base64');
  return `${silhouette}<image x="${box.x}" y="${box.y}" width="${box.width}" height="${box.height}" preserveAspectRatio="xMidYMid slice" href="data:${mime};base64,${data}"/>`;
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
