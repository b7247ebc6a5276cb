import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';
import type { Locale } from '@aegis/shared';
import PDFDocument from 'pdfkit';

/**
 * PDFs with Chinese text (QR label sheets now, registers and reports later). The font is Noto Sans
 * SC from @fontsource (WOFF, read by pdfkit through fontkit and embedded as a subset), so a PDF
 * shows the same on a PC without Chinese fonts and its text can be searched and copied.
 */

const require = createRequire(import.meta.url);

export type PdfFontName = 'cjk' | 'cjk-bold' | 'latin' | 'latin-bold';

const FONT_FILES: Record<PdfFontName, string> = {
  cjk: 'noto-sans-sc-chinese-simplified-400-normal.woff',
  'cjk-bold': 'noto-sans-sc-chinese-simplified-700-normal.woff',
  latin: 'noto-sans-sc-latin-400-normal.woff',
  'latin-bold': 'noto-sans-sc-latin-700-normal.woff',
};

/** The font search order per weight: the CJK file also holds Latin and digits; the Latin one fills gaps. */
const FALLBACK: Record<'regular' | 'bold', PdfFontName[]> = {
  regular: ['cjk', 'latin'],
  bold: ['cjk-bold', 'latin-bold'],
};

interface GlyphCoverage {
  hasGlyphForCodePoint(codePoint: number): boolean;
}

// Read once per process: every document embeds only the glyphs it uses.
const fontBytes = new Map<PdfFontName, Buffer>();
const coverage = new Map<PdfFontName, GlyphCoverage>();

function fontFile(name: PdfFontName): Buffer {
  let bytes = fontBytes.get(name);
  if (!bytes) {
    // Resolved through the package's exports: the same from src (tsx, vitest) and from dist.
    const woff = readFileSync(require.resolve(`@fontsource/noto-sans-sc/files/${FONT_FILES[name]}`));
    bytes = woffToSfnt(woff);
    fontBytes.set(name, bytes);
  }
  return bytes;
}

/**
 * WOFF 1.0 → the plain TrueType/OpenType font it wraps. fontkit reads WOFF too, but inflates its
 * tables in JavaScript for every document (seconds for the CJK font); zlib does it once, natively.
 */
export function woffToSfnt(woff: Buffer): Buffer {
  if (woff.toString('latin1', 0, 4) !== 'wOFF') return woff;
  const flavor = woff.readUInt32BE(4);
  const numTables = woff.readUInt16BE(12);
  const tables: { tag: number; checksum: number; data: Buffer }[] = [];
  for (let i = 0; i < numTables; i++) {
    const e = 44 + i * 20;
    const offset = woff.readUInt32BE(e + 4);
    const compLength = woff.readUInt32BE(e + 8);
    const origLength = woff.readUInt32BE(e + 12);
    const raw = woff.subarray(offset, offset + compLength);
    tables.push({
      tag: woff.readUInt32BE(e),
      checksum: woff.readUInt32BE(e + 16),
      data: compLength < origLength ? inflateSync(raw) : raw,
    });
  }
  const entrySelector = Math.floor(Math.log2(numTables));
  const searchRange = 2 ** entrySelector * 16;
  const header = Buffer.alloc(12 + numTables * 16);
  header.writeUInt32BE(flavor, 0);
  header.writeUInt16BE(numTables, 4);
  header.writeUInt16BE(searchRange, 6);
  header.writeUInt16BE(entrySelector, 8);
  header.writeUInt16BE(numTables * 16 - searchRange, 10);
  const parts: Buffer[] = [header];
  let offset = header.length;
  tables.forEach((t, i) => {
    header.writeUInt32BE(t.tag, 12 + i * 16);
    header.writeUInt32BE(t.checksum, 16 + i * 16);
    header.writeUInt32BE(offset, 20 + i * 16);
    header.writeUInt32BE(t.data.length, 24 + i * 16);
    const padded = Buffer.alloc((t.data.length + 3) & ~3);
    t.data.copy(padded);
    parts.push(padded);
    offset += padded.length;
  });
  return Buffer.concat(parts);
}

function coverageOf(name: PdfFontName): GlyphCoverage {
  let c = coverage.get(name);
  if (!c) {
    // fontkit is the font reader pdfkit itself uses; loaded from pdfkit's own dependencies.
    const fontkit = createRequire(require.resolve('pdfkit'))('fontkit') as {
      create(buffer: Buffer): GlyphCoverage;
    };
    c = fontkit.create(fontFile(name));
    coverage.set(name, c);
  }
  return c;
}

/** Splits text into runs each drawn with the first font that has its glyphs (pure but for the font files). */
export function textRuns(
  text: string,
  weight: 'regular' | 'bold' = 'regular',
): { font: PdfFontName; text: string }[] {
  const order = FALLBACK[weight];
  const runs: { font: PdfFontName; text: string }[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    // Line breaks and spaces never decide a font: they join the run they are in.
    const font =
      cp <= 0x20 && runs.length
        ? runs[runs.length - 1]!.font
        : (order.find((f) => coverageOf(f).hasGlyphForCodePoint(cp)) ?? order[0]!);
    const last = runs[runs.length - 1];
    if (last && last.font === font) last.text += ch;
    else runs.push({ font, text: ch });
  }
  return runs;
}

export interface PdfDocumentOptions {
  title: string;
  locale?: Locale;
  /** the document's creation date (from the injected clock) */
  now: Date;
  subject?: string;
  author?: string;
  size?: string | [number, number];
  layout?: 'portrait' | 'landscape';
  /** page margin in points (default 36 pt = 12.7 mm) */
  margin?: number;
  /** false: the caller adds pages (default true) */
  autoFirstPage?: boolean;
}

/** A pdfkit document with the fonts registered, metadata set and the regular CJK font chosen. */
export function createPdfDocument(opts: PdfDocumentOptions): PDFKit.PDFDocument {
  const doc = new PDFDocument({
    size: opts.size ?? 'A4',
    layout: opts.layout ?? 'portrait',
    margin: opts.margin ?? 36,
    autoFirstPage: opts.autoFirstPage ?? true,
    bufferPages: false,
    lang: opts.locale ?? 'zh-CN',
    displayTitle: true,
    info: {
      Title: opts.title,
      Creator: 'Aegis',
      Producer: 'Aegis (pdfkit)',
      CreationDate: opts.now,
      ModDate: opts.now,
      ...(opts.subject ? { Subject: opts.subject } : {}),
      ...(opts.author ? { Author: opts.author } : {}),
    },
  });
  for (const name of Object.keys(FONT_FILES) as PdfFontName[]) doc.registerFont(name, fontFile(name));
  doc.font('cjk');
  return doc;
}

export interface WriteTextOptions extends PDFKit.Mixins.TextOptions {
  x?: number;
  y?: number;
  size?: number;
  bold?: boolean;
  color?: string;
}

/**
 * Writes text mixing Chinese, Latin and digits, switching fonts per run where one lacks glyphs;
 * wrapping, alignment, width/height and ellipsis work as with doc.text.
 */
export function writeText(
  doc: PDFKit.PDFDocument,
  text: string,
  opts: WriteTextOptions = {},
): PDFKit.PDFDocument {
  const { x, y, size, bold, color, ...textOptions } = opts;
  if (size !== undefined) doc.fontSize(size);
  if (color !== undefined) doc.fillColor(color);
  const runs = textRuns(text, bold ? 'bold' : 'regular');
  if (!runs.length) return doc;
  runs.forEach((run, i) => {
    const continued = i < runs.length - 1;
    doc.font(run.font);
    if (i === 0 && x !== undefined) doc.text(run.text, x, y, { ...textOptions, continued });
    else doc.text(run.text, { ...textOptions, continued });
  });
  doc.font('cjk');
  return doc;
}

/** Ends the document and collects its bytes. */
export function pdfToBuffer(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.end();
  });
}
