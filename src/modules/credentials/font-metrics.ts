import { readFileSync } from 'node:fs';

/**
 * Advance widths of a TrueType font, read from its `cmap` (format 4: the Basic Multilingual
 * Plane) and `hmtx` tables: what the fast card renderer needs to place glyphs it rasterised
 * one by one. Kerning is not applied; at card sizes DejaVu Sans's kerning moves a glyph by
 * less than a pixel.
 *
 * @example
 * const metrics = readFontMetrics('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf');
 * metrics.advance('A', 32); // width in pixels at 32 px
 */
export interface FontMetrics {
  advance(character: string, sizePx: number): number;
}

export function readFontMetrics(file: string): FontMetrics {
  const font = readFileSync(file);
  const tables = tableOffsets(font);
  const head = tableAt(tables, 'head');
  const hhea = tableAt(tables, 'hhea');
  const hmtx = tableAt(tables, 'hmtx');
  const unitsPerEm = font.readUInt16BE(head + 18);
  const metricsCount = font.readUInt16BE(hhea + 34);
  const glyphOf = cmapFormat4(font, tableAt(tables, 'cmap'));
  const advanceUnits = (glyph: number) =>
    font.readUInt16BE(hmtx + 4 * Math.min(glyph, metricsCount - 1));
  const cache = new Map<string, number>();
  return {
    advance(character, sizePx) {
      let units = cache.get(character);
      if (units === undefined) {
        units = advanceUnits(glyphOf(character.codePointAt(0) ?? 0));
        cache.set(character, units);
      }
      return (units * sizePx) / unitsPerEm;
    },
  };
}

function tableOffsets(font: Buffer): Map<string, number> {
  const count = font.readUInt16BE(4);
  const tables = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const record = 12 + 16 * i;
    tables.set(font.toString('latin1', record, record + 4), font.readUInt32BE(record + 8));
  }
  return tables;
}

function tableAt(tables: Map<string, number>, tag: string): number {
  const offset = tables.get(tag);
  if (offset === undefined) throw new Error(`the font has no ${tag} table`);
  return offset;
}

/** Code point → glyph index through the Unicode BMP (format 4) subtable; 0 when absent. */
function cmapFormat4(font: Buffer, cmap: number): (codePoint: number) => number {
  const count = font.readUInt16BE(cmap + 2);
  let subtable: number | undefined;
  for (let i = 0; i < count; i++) {
    const record = cmap + 4 + 8 * i;
    const platform = font.readUInt16BE(record);
    const encoding = font.readUInt16BE(record + 2);
    const offset = cmap + font.readUInt32BE(record + 4);
    if ((platform === 3 && encoding === 1) || platform === 0) {
      if (font.readUInt16BE(offset) === 4) subtable = offset;
    }
  }
  if (subtable === undefined) throw new Error('the font has no format 4 cmap');
  const table = subtable;
  const segments = font.readUInt16BE(table + 6) / 2;
  const ends = table + 14;
  const starts = ends + 2 * segments + 2;
  const deltas = starts + 2 * segments;
  const rangeOffsets = deltas + 2 * segments;
  return (codePoint) => {
    if (codePoint > 0xffff) return 0;
    for (let i = 0; i < segments; i++) {
      if (font.readUInt16BE(ends + 2 * i) < codePoint) continue;
      const start = font.readUInt16BE(starts + 2 * i);
      if (start > codePoint) return 0;
      const delta = font.readUInt16BE(deltas + 2 * i);
      const rangeOffset = font.readUInt16BE(rangeOffsets + 2 * i);
      if (rangeOffset === 0) return (codePoint + delta) & 0xffff;
      const at = rangeOffsets + 2 * i + rangeOffset + 2 * (codePoint - start);
      const glyph = font.readUInt16BE(at);
      return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
    }
    return 0;
  };
}
