import { deflateSync } from 'node:zlib';
import { Resvg } from '@resvg/resvg-js';
import { cardQr } from './card-qr.js';
import { cardFontFilesDefault, checkFontFiles } from './card-render.js';
import {
  type CardFace,
  type CardLayout,
  type CardTextRun,
  cardLayout,
  cardTextRuns,
  grid,
  photoBox,
  photoSvg,
  staticCardSvg,
} from './card-svg.js';
import { type FontMetrics, readFontMetrics } from './font-metrics.js';
import { cardRenderDpiDefault } from './limits.js';

/**
 * The fast card renderer, for batches (about ten times faster than `renderCardPng`, see
 * README.md "Rendering speed"). What is the same on every card (bands, labels, silhouette) is
 * rasterised by resvg once per issuer name; each glyph of the holder's lines is rasterised
 * once per style and size and then copied; the QR modules are written straight into the
 * pixels; the PNG is encoded here (RGB, zlib level 1) instead of by resvg (level 9 with alpha).
 * Text goes through the same font and rasteriser, so a card looks the same; glyphs sit on
 * whole pixels and kerning is not applied, which moves a glyph by less than a pixel.
 */

const channels = 3;
const [regularFontFile, boldFontFile] = cardFontFilesDefault as [string, string];

interface GlyphMask {
  width: number;
  height: number;
  /** Pen position inside the mask. */
  originX: number;
  originY: number;
  alpha: Uint8Array;
}

/** Raw PNG scanlines (a filter byte, then RGB) of each issuer's static design, by issuer|dpi. */
const templates = new Map<string, Buffer>();
const glyphs = new Map<string, GlyphMask>();
let metrics: { regular: FontMetrics; bold: FontMetrics } | undefined;

/**
 * Renders a card front to PNG like `renderCardPng`, fast. The default font files only.
 *
 * @example
 * writeFileSync('card.png', renderCardPngFast(face).png);
 */
export function renderCardPngFast(
  face: CardFace,
  dpi: number = cardRenderDpiDefault,
): { png: Buffer; layout: CardLayout } {
  const qr = cardQr(face.qrText);
  const layout = cardLayout(qr, dpi);
  const { widthPx, heightPx } = layout;
  const stride = 1 + widthPx * channels;
  const rows = Buffer.from(template(face.issuerName, dpi, widthPx, heightPx));
  const scale = widthPx / grid.width;
  for (const run of cardTextRuns(face)) drawRun(rows, stride, run, scale);
  if (face.holder.facePhoto !== undefined) drawPhoto(rows, stride, face, scale);
  const { leftPx, topPx, modulePx } = layout.qr;
  for (let row = 0; row < qr.size; row++) {
    for (let column = 0; column < qr.size; column++) {
      if (!qr.isDark(row, column)) continue;
      const x = leftPx + column * modulePx;
      for (let y = topPx + row * modulePx; y < topPx + (row + 1) * modulePx; y++) {
        const start = y * stride + 1 + x * channels;
        rows.fill(0, start, start + modulePx * channels);
      }
    }
  }
  return { png: encodePng(rows, widthPx, heightPx), layout };
}

function template(issuerName: string, dpi: number, widthPx: number, heightPx: number): Buffer {
  const key = `${issuerName}|${dpi}`;
  let rows = templates.get(key);
  if (rows === undefined) {
    // `pixels` is a getter that copies the whole image: read it once.
    const { pixels } = rasterise(staticCardSvg(issuerName, dpi), true);
    rows = Buffer.alloc((1 + widthPx * channels) * heightPx);
    for (let y = 0; y < heightPx; y++) {
      for (let x = 0; x < widthPx; x++) {
        const from = (y * widthPx + x) * 4;
        const to = y * (1 + widthPx * channels) + 1 + x * channels;
        rows[to] = pixels[from] ?? 255;
        rows[to + 1] = pixels[from + 1] ?? 255;
        rows[to + 2] = pixels[from + 2] ?? 255;
      }
    }
    templates.set(key, rows);
  }
  return rows;
}

function rasterise(svg: string, withFonts: boolean) {
  const font = withFonts
    ? {
        loadSystemFonts: false,
        fontFiles: checkFontFiles(cardFontFilesDefault),
        defaultFontFamily: 'DejaVu Sans',
      }
    : { loadSystemFonts: false };
  return new Resvg(svg, { font, fitTo: { mode: 'original' }, shapeRendering: 1 }).render();
}

function drawRun(rows: Buffer, stride: number, run: CardTextRun, scale: number): void {
  const sizePx = Math.round(run.size * scale * 100) / 100;
  const characters = [...run.content.normalize('NFC')];
  ensureGlyphs(characters, run.bold, sizePx);
  const fontMetrics = fontMetricsOf(run.bold);
  const color = [1, 3, 5].map((at) => Number.parseInt(run.fill.slice(at, at + 2), 16));
  let penX = run.x * scale;
  const baseline = Math.round(run.y * scale);
  for (const character of characters) {
    const mask = glyphs.get(glyphKey(run.bold, sizePx, character));
    if (mask !== undefined) blend(rows, stride, mask, Math.round(penX), baseline, color);
    penX += fontMetrics.advance(character, sizePx);
  }
}

function blend(
  rows: Buffer,
  stride: number,
  mask: GlyphMask,
  penX: number,
  baseline: number,
  color: number[],
): void {
  const widthPx = (stride - 1) / channels;
  const heightPx = rows.length / stride;
  for (let y = 0; y < mask.height; y++) {
    const targetY = baseline - mask.originY + y;
    if (targetY < 0 || targetY >= heightPx) continue;
    for (let x = 0; x < mask.width; x++) {
      const alpha = mask.alpha[y * mask.width + x] ?? 0;
      const targetX = penX - mask.originX + x;
      if (alpha === 0 || targetX < 0 || targetX >= widthPx) continue;
      const at = targetY * stride + 1 + targetX * channels;
      for (let c = 0; c < channels; c++) {
        const under = rows[at + c] ?? 0;
        rows[at + c] = (under * (255 - alpha) + (color[c] ?? 0) * alpha + 127) / 255;
      }
    }
  }
}

function glyphKey(bold: boolean, sizePx: number, character: string): string {
  return `${bold ? 'b' : 'r'}|${sizePx}|${character}`;
}

function fontMetricsOf(bold: boolean): FontMetrics {
  metrics ??= { regular: readFontMetrics(regularFontFile), bold: readFontMetrics(boldFontFile) };
  return bold ? metrics.bold : metrics.regular;
}

/** Rasterises the missing glyphs of one style and size in one resvg call, one cell each. */
function ensureGlyphs(characters: string[], bold: boolean, sizePx: number): void {
  const missing = [...new Set(characters)].filter(
    (character) => !glyphs.has(glyphKey(bold, sizePx, character)),
  );
  if (missing.length === 0) return;
  const cell = Math.ceil(sizePx * 1.8) + 4;
  const originX = Math.ceil(sizePx * 0.4);
  const originY = Math.ceil(sizePx * 1.3);
  const columns = 16;
  const rowsCount = Math.ceil(missing.length / columns);
  const texts = missing.map((character, index) => {
    const x = (index % columns) * cell + originX;
    const y = Math.floor(index / columns) * cell + originY;
    const codePoint = character.codePointAt(0) ?? 32;
    return `<text x="${x}" y="${y}" font-family="DejaVu Sans" font-size="${sizePx}" font-weight="${bold ? 'bold' : 'normal'}" fill="#000000">&#${codePoint};</text>`;
  });
  const width = columns * cell;
  const height = rowsCount * cell;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${texts.join('')}</svg>`;
  const { pixels } = rasterise(svg, true);
  missing.forEach((character, index) => {
    const left = (index % columns) * cell;
    const top = Math.floor(index / columns) * cell;
    const alpha = new Uint8Array(cell * cell);
    for (let y = 0; y < cell; y++) {
      for (let x = 0; x < cell; x++) {
        alpha[y * cell + x] = pixels[((top + y) * width + left + x) * 4 + 3] ?? 0;
      }
    }
    glyphs.set(glyphKey(bold, sizePx, character), {
      width: cell,
      height: cell,
      originX,
      originY,
      alpha,
    });
  });
}

/** The photo, rasterised by resvg on its own (no fonts needed) and laid over the silhouette. */
function drawPhoto(rows: Buffer, stride: number, face: CardFace, scale: number): void {
  const width = Math.round(photoBox.width * scale);
  const height = Math.round(photoBox.height * scale);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><g transform="scale(${scale}) translate(${-photoBox.x},${-photoBox.y})">${photoSvg(face.holder)}</g></svg>`;
  const image = rasterise(svg, false);
  const { pixels } = image;
  const left = Math.round(photoBox.x * scale);
  const top = Math.round(photoBox.y * scale);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const from = (y * image.width + x) * 4;
      const alpha = pixels[from + 3] ?? 0;
      if (alpha === 0) continue;
      const at = (top + y) * stride + 1 + (left + x) * channels;
      for (let c = 0; c < channels; c++) {
        // resvg's pixels are premultiplied by alpha.
        const under = rows[at + c] ?? 0;
        rows[at + c] = (pixels[from + c] ?? 0) + (under * (255 - alpha) + 127) / 255;
      }
    }
  }
}

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const crcTable = Int32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

/** An 8-bit RGB PNG of raw scanlines (filter byte 0 each), deflated at level 1. */
export function encodePng(rows: Buffer, widthPx: number, heightPx: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(widthPx, 0);
  header.writeUInt32BE(heightPx, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, truecolour, deflate, adaptive filters, no interlace
  return Buffer.concat([
    pngSignature,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 1 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  let crc = -1;
  for (let i = 4; i < 8 + data.length; i++) {
    crc = (crcTable[(crc ^ (out[i] ?? 0)) & 0xff] ?? 0) ^ (crc >>> 8);
  }
  out.writeUInt32BE((crc ^ -1) >>> 0, 8 + data.length);
  return out;
}
