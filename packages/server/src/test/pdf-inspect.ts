import { inflateSync } from 'node:zlib';

/**
 * Reads back what pdfkit wrote, for tests without poppler on the machine: the pages, the text of
 * each page through the fonts' ToUnicode maps (what a viewer copies and searches), the embedded
 * fonts and the images (decoded to raw pixels). Only the subset of PDF that pdfkit writes.
 */

interface PdfObject {
  dict: string;
  stream: Buffer | null;
}

export interface PdfImage {
  width: number;
  height: number;
  channels: number;
  pixels: Buffer;
}

export interface InspectedPdf {
  pageCount: number;
  /** the text of each page, in drawing order */
  pages: string[];
  /** BaseFont names of the embedded fonts (subset prefix removed) */
  fonts: string[];
  /** images drawn on each page */
  images: PdfImage[][];
  /** the document information dictionary (Title, Creator, CreationDate as D:YYYYMMDDHHmmSSZ …) */
  info: Record<string, string>;
}

/** A PDF string object: literal (with escapes) or hex; UTF-16BE when it starts with a BOM. */
function pdfString(token: string): string {
  let bytes: number[] = [];
  const t = token.trim();
  if (t.startsWith('<')) {
    const hex = t.slice(1, t.indexOf('>'));
    for (let i = 0; i < hex.length; i += 2) bytes.push(Number.parseInt(hex.slice(i, i + 2), 16));
  } else {
    const body = t.slice(1, t.lastIndexOf(')'));
    for (let i = 0; i < body.length; i++) {
      const c = body[i]!;
      if (c !== '\\') {
        bytes.push(c.charCodeAt(0));
        continue;
      }
      const n = body[++i]!;
      const oct = /^[0-7]{1,3}/.exec(body.slice(i));
      if (oct) {
        bytes.push(Number.parseInt(oct[0], 8));
        i += oct[0].length - 1;
      } else
        bytes.push(({ n: 10, r: 13, t: 9, b: 8, f: 12 } as Record<string, number>)[n] ?? n.charCodeAt(0));
    }
  }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    bytes = bytes.slice(2);
    let out = '';
    for (let i = 0; i + 1 < bytes.length; i += 2)
      out += String.fromCharCode((bytes[i]! << 8) | bytes[i + 1]!);
    return out;
  }
  return String.fromCharCode(...bytes);
}

function parseObjects(pdf: Buffer): Map<number, PdfObject> {
  const text = pdf.toString('latin1');
  const objects = new Map<number, PdfObject>();
  const re = /(\d+) 0 obj\s*/g;
  let m: RegExpExecArray | null = re.exec(text);
  while (m) {
    const start = m.index + m[0].length;
    const end = text.indexOf('endobj', start);
    const body = text.slice(start, end);
    const s = body.indexOf('stream');
    let dict = body;
    let stream: Buffer | null = null;
    if (s >= 0 && /^stream\r?\n/.test(body.slice(s))) {
      dict = body.slice(0, s);
      const lenMatch = /\/Length (\d+)/.exec(dict);
      const dataStart = start + s + (body[s + 6] === '\r' ? 8 : 7);
      const len = lenMatch ? Number(lenMatch[1]) : body.lastIndexOf('endstream') - (s + 7);
      const raw = pdf.subarray(dataStart, dataStart + len);
      stream = /\/Filter\s*\/FlateDecode/.test(dict) ? inflateSync(raw) : raw;
    }
    objects.set(Number(m[1]), { dict, stream });
    re.lastIndex = end;
    m = re.exec(text);
  }
  return objects;
}

const ref = (dict: string, key: string) => {
  const m = new RegExp(`/${key}\\s+(\\d+) 0 R`).exec(dict);
  return m ? Number(m[1]) : null;
};

/** glyph code (hex) → text, from a ToUnicode CMap as pdfkit writes it (bfrange with arrays, bfchar). */
function parseCmap(cmap: string): Map<string, string> {
  const map = new Map<string, string>();
  const utf16 = (hex: string) => {
    const units: number[] = [];
    for (let i = 0; i < hex.length; i += 4) units.push(Number.parseInt(hex.slice(i, i + 4), 16));
    return String.fromCharCode(...units);
  };
  for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const line of block[1]!.matchAll(
      /<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\[[^\]]*\]|<[0-9a-fA-F]+>)/g,
    )) {
      const from = Number.parseInt(line[1]!, 16);
      const to = Number.parseInt(line[2]!, 16);
      const width = line[1]!.length;
      const target = line[3]!;
      if (target.startsWith('[')) {
        const values = [...target.matchAll(/<([0-9a-fA-F]+)>/g)].map((v) => v[1]!);
        for (const [i, v] of values.entries())
          map.set((from + i).toString(16).padStart(width, '0'), utf16(v));
      } else {
        const base = target.slice(1, -1);
        for (let c = from; c <= to; c++) {
          const last = Number.parseInt(base.slice(-4), 16) + (c - from);
          map.set(
            c.toString(16).padStart(width, '0'),
            utf16(base.slice(0, -4) + last.toString(16).padStart(4, '0')),
          );
        }
      }
    }
  }
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const line of block[1]!.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g))
      map.set(line[1]!, utf16(line[2]!));
  }
  return map;
}

/** Undoes the PNG row filters (pdfkit embeds PNG data with /Predictor 15). */
function unpredict(data: Buffer, width: number, height: number, channels: number): Buffer {
  const stride = width * channels;
  const out = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const type = data[y * (stride + 1)]!;
    const row = data.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const left = i >= channels ? out[y * stride + i - channels]! : 0;
      const up = y > 0 ? out[(y - 1) * stride + i]! : 0;
      const upLeft = y > 0 && i >= channels ? out[(y - 1) * stride + i - channels]! : 0;
      let v = row[i]!;
      if (type === 1) v += left;
      else if (type === 2) v += up;
      else if (type === 3) v += Math.floor((left + up) / 2);
      else if (type === 4) {
        const p = left + up - upLeft;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - upLeft);
        v += pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      }
      out[y * stride + i] = v & 0xff;
    }
  }
  return out;
}

function decodeImage(objects: Map<number, PdfObject>, o: PdfObject): PdfImage | null {
  const width = Number(/\/Width (\d+)/.exec(o.dict)?.[1]);
  const height = Number(/\/Height (\d+)/.exec(o.dict)?.[1]);
  if (!o.stream || !width || !height || /\/DCTDecode/.test(o.dict)) return null;
  const channels = /\/DeviceGray/.test(o.dict) ? 1 : /\/DeviceCMYK/.test(o.dict) ? 4 : 3;
  const predicted = /\/Predictor\s+1[0-5]/.test(dictOf(objects, o.dict, 'DecodeParms'));
  const pixels = predicted ? unpredict(o.stream, width, height, channels) : o.stream;
  return { width, height, channels, pixels };
}

function dictOf(objects: Map<number, PdfObject>, dict: string, key: string): string {
  const inline = new RegExp(`/${key}\\s*<<`).exec(dict);
  if (inline) {
    // the balanced << … >> after the key
    let depth = 0;
    const s = inline.index + inline[0].length - 2;
    for (let i = s; i < dict.length - 1; i++) {
      if (dict.startsWith('<<', i)) {
        depth++;
        i++;
      } else if (dict.startsWith('>>', i)) {
        depth--;
        i++;
        if (depth === 0) return dict.slice(s, i + 1);
      }
    }
  }
  const r = ref(dict, key);
  return r === null ? '' : (objects.get(r)?.dict ?? '');
}

export function inspectPdf(pdf: Buffer): InspectedPdf {
  const objects = parseObjects(pdf);
  const trailerInfo = /\/Info (\d+) 0 R/.exec(pdf.toString('latin1'))?.[1];
  const catalogId = Number(/\/Root (\d+) 0 R/.exec(pdf.toString('latin1'))?.[1]);
  const pagesRoot = ref(objects.get(catalogId)!.dict, 'Pages')!;
  const pageIds: number[] = [];
  const walk = (id: number) => {
    const d = objects.get(id)!.dict;
    if (/\/Type\s*\/Pages/.test(d)) {
      const kids = /\/Kids\s*\[([^\]]*)\]/.exec(d)?.[1] ?? '';
      for (const k of kids.matchAll(/(\d+) 0 R/g)) walk(Number(k[1]));
    } else pageIds.push(id);
  };
  walk(pagesRoot);

  const cmaps = new Map<number, Map<string, string>>();
  const fontMap = (fontId: number) => {
    if (!cmaps.has(fontId)) {
      const u = ref(objects.get(fontId)!.dict, 'ToUnicode');
      cmaps.set(fontId, u === null ? new Map() : parseCmap(objects.get(u)!.stream!.toString('latin1')));
    }
    return cmaps.get(fontId)!;
  };

  const pages: string[] = [];
  const images: PdfImage[][] = [];
  for (const id of pageIds) {
    const page = objects.get(id)!.dict;
    const resources = dictOf(objects, page, 'Resources');
    const fonts = dictOf(objects, resources, 'Font');
    const xobjects = dictOf(objects, resources, 'XObject');
    const fontRefs = new Map([...fonts.matchAll(/\/(\w+)\s+(\d+) 0 R/g)].map((m) => [m[1]!, Number(m[2])]));
    const xRefs = new Map(
      [...xobjects.matchAll(/\/([\w.]+)\s+(\d+) 0 R/g)].map((m) => [m[1]!, Number(m[2])]),
    );
    const contentIds = [
      ...(/\/Contents\s*(\[[^\]]*\]|\d+ 0 R)/.exec(page)?.[1] ?? '').matchAll(/(\d+) 0 R/g),
    ].map((m) => Number(m[1]));
    const content = contentIds.map((c) => objects.get(c)!.stream!.toString('latin1')).join('\n');
    let text = '';
    let map = new Map<string, string>();
    const pageImages: PdfImage[] = [];
    const ops =
      /\/([\w.]+)\s+[\d.]+\s+Tf|\[((?:<[0-9a-fA-F]*>|[^\]<])*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj|\/([\w.]+)\s+Do|\bT\*|\bET\b/g;
    const decodeHex = (hex: string) => {
      const width = [...map.keys()][0]?.length ?? 4;
      let s = '';
      for (let i = 0; i < hex.length; i += width) s += map.get(hex.slice(i, i + width).toLowerCase()) ?? '';
      return s;
    };
    for (const m of content.matchAll(ops)) {
      if (m[1]) map = fontMap(fontRefs.get(m[1])!);
      else if (m[2] !== undefined) {
        // kerning numbers larger than a space's width count as a space
        for (const part of m[2].matchAll(/<([0-9a-fA-F]*)>|(-?[\d.]+)/g)) {
          if (part[1] !== undefined) text += decodeHex(part[1]);
          else if (Math.abs(Number(part[2])) > 200) text += ' ';
        }
      } else if (m[3] !== undefined) text += decodeHex(m[3]);
      else if (m[4]) {
        const x = xRefs.get(m[4]);
        const o = x === undefined ? undefined : objects.get(x);
        const img = o && /\/Subtype\s*\/Image/.test(o.dict) ? decodeImage(objects, o) : null;
        if (img) pageImages.push(img);
      } else text += '\n';
    }
    pages.push(text);
    images.push(pageImages);
  }
  const fontNames = [...objects.values()]
    .filter((o) => /\/Type\s*\/FontDescriptor/.test(o.dict))
    .map((o) => (/\/FontName\s*\/(?:[A-Z]{6}\+)?([\w-]+)/.exec(o.dict)?.[1] ?? '').trim());
  return {
    pageCount: pageIds.length,
    pages,
    fonts: fontNames,
    images,
    info: Object.fromEntries(
      [
        ...(trailerInfo ? (objects.get(Number(trailerInfo))?.dict ?? '') : '').matchAll(
          /\/(\w+)\s+(\d+) 0 R/g,
        ),
      ].map((m) => [m[1]!, pdfString(objects.get(Number(m[2]))?.dict ?? '')]),
    ),
  };
}
