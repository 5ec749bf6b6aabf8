/**
 * Text widths from the font that draws the PNGs. Without a canvas, Vega
 * guesses every string at 0.8 em a character, about 45% wider than DejaVu
 * Sans, and lays charts out around the guess: wide gaps after labels, and
 * titles that make a chart twice as wide as its plot. Reading each
 * character's advance width from the TrueType file gives the real width.
 */
import { readFileSync } from 'node:fs';

/** Advance widths in em by code point, for the characters a font maps. */
export type AdvanceWidths = Map<number, number>;

/** Width of a character the font lacks, in em: about an average letter. */
const FALLBACK_EM = 0.6;

export function textWidth(widths: AdvanceWidths, text: string, fontSize: number): number {
  let em = 0;
  for (const char of text) em += widths.get(char.codePointAt(0)!) ?? FALLBACK_EM;
  return em * fontSize;
}

/**
 * Reads a TrueType font's horizontal metrics (`hmtx`) through its Unicode
 * character map (`cmap` format 4, the Basic Multilingual Plane). Kerning
 * is ignored: it moves a label by a fraction of a pixel.
 */
export function readAdvanceWidths(file: string): AdvanceWidths {
  const font = readFileSync(file);
  const tables = tableOffsets(font, file);
  const unitsPerEm = font.readUInt16BE(tables.head + 18);
  const metrics = font.readUInt16BE(tables.hhea + 34);
  const advance = (glyph: number) =>
    font.readUInt16BE(tables.hmtx + 4 * Math.min(glyph, metrics - 1)) / unitsPerEm;

  const widths: AdvanceWidths = new Map();
  for (const [codePoint, glyph] of unicodeGlyphs(font, tables.cmap, file)) {
    widths.set(codePoint, advance(glyph));
  }
  return widths;
}

const TABLES = ['head', 'hhea', 'hmtx', 'cmap'] as const;

function tableOffsets(
  font: Buffer,
  file: string,
): Record<(typeof TABLES)[number], number> {
  const count = font.readUInt16BE(4);
  const offsets = new Map<string, number>();
  for (let i = 0; i < count; i += 1) {
    const record = 12 + 16 * i;
    offsets.set(font.toString('latin1', record, record + 4), font.readUInt32BE(record + 8));
  }
  const offset = (tag: string) => {
    const found = offsets.get(tag);
    if (found === undefined) throw new Error(`${file}: no ${tag} table in this font`);
    return found;
  };
  return { head: offset('head'), hhea: offset('hhea'), hmtx: offset('hmtx'), cmap: offset('cmap') };
}

/** Code point and glyph pairs of the Windows Unicode BMP subtable. */
function unicodeGlyphs(font: Buffer, cmap: number, file: string): [number, number][] {
  const subtables = font.readUInt16BE(cmap + 2);
  let table: number | undefined;
  for (let i = 0; i < subtables; i += 1) {
    const record = cmap + 4 + 8 * i;
    const platform = font.readUInt16BE(record);
    const encoding = font.readUInt16BE(record + 2);
    const offset = cmap + font.readUInt32BE(record + 4);
    const isUnicodeBmp = (platform === 3 && encoding === 1) || platform === 0;
    if (isUnicodeBmp && font.readUInt16BE(offset) === 4) {
      table = offset;
      break;
    }
  }
  if (table === undefined) throw new Error(`${file}: no Unicode character map`);

  const segments = font.readUInt16BE(table + 6) / 2;
  const ends = table + 14;
  const starts = ends + 2 * segments + 2;
  const deltas = starts + 2 * segments;
  const rangeOffsets = deltas + 2 * segments;

  const pairs: [number, number][] = [];
  for (let s = 0; s < segments; s += 1) {
    const end = font.readUInt16BE(ends + 2 * s);
    const start = font.readUInt16BE(starts + 2 * s);
    const delta = font.readInt16BE(deltas + 2 * s);
    const rangeOffset = font.readUInt16BE(rangeOffsets + 2 * s);
    for (let code = start; code <= end && code !== 0xffff; code += 1) {
      let glyph: number;
      if (rangeOffset === 0) {
        glyph = (code + delta) & 0xffff;
      } else {
        const at = rangeOffsets + 2 * s + rangeOffset + 2 * (code - start);
        const raw = font.readUInt16BE(at);
        glyph = raw === 0 ? 0 : (raw + delta) & 0xffff;
      }
      if (glyph !== 0) pairs.push([code, glyph]);
    }
  }
  return pairs;
}
