import QRCode from 'qrcode';
import sharp from 'sharp';
import { createPdfDocument, pdfToBuffer, writeText } from './pdf.js';

/**
 * Printable QR label sheets for inspection checkpoints (巡检签到码): A4, 2 × 4 labels per page with
 * dashed cut lines; each label has the checkpoint's QR code (its signed token), name, code and a
 * hint not to cover it. The QR code is a greyscale PNG of at least 300 dpi at its printed size,
 * drawn pixel for pixel (no smoothing), so a phone camera reads it from a laser print.
 */

export interface QrLabel {
  /** the checkpoint's name, e.g. 一号压力机 */
  title: string;
  /** e.g. the workshop or route */
  subtitle?: string;
  /** the checkpoint's code, e.g. A-PRS-01 */
  code: string;
  /** what the QR code carries (the signed checkpoint token) */
  qrText: string;
}

export interface LabelSheetOptions {
  heading: string;
  footer?: string;
  now: Date;
  /** the plant's time zone for the printed date (default Asia/Shanghai) */
  timeZone?: string;
}

export const LABEL_HINT = '巡检签到码 请勿遮挡';
export const LABELS_PER_PAGE = { columns: 2, rows: 4 } as const;

const PT_PER_INCH = 72;
const PRINT_DPI = 300;
const MM = PT_PER_INCH / 25.4;
/** 4 modules of white around the code: the quiet zone the standard asks for. */
const QUIET_ZONE = 4;

/**
 * The QR code as a greyscale PNG whose pixels are whole multiples of the modules and at least
 * `dpi` dots per inch when printed `sidePt` points wide. Error correction M (15 %): scuffs still read.
 */
export async function qrPng(text: string, sidePt: number, dpi = PRINT_DPI): Promise<Buffer> {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const n = size + 2 * QUIET_ZONE;
  const scale = Math.ceil(((sidePt / PT_PER_INCH) * dpi) / n);
  const px = n * scale;
  const pixels = Buffer.alloc(px * px, 255);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      if (!qr.modules.get(row, col)) continue;
      const y0 = (row + QUIET_ZONE) * scale;
      const x0 = (col + QUIET_ZONE) * scale;
      for (let y = y0; y < y0 + scale; y++) pixels.fill(0, y * px + x0, y * px + x0 + scale);
    }
  }
  return sharp(pixels, { raw: { width: px, height: px, channels: 1 } })
    .toColourspace('b-w')
    .png({ compressionLevel: 9, palette: false })
    .toBuffer();
}

const stamp = (now: Date, timeZone: string) =>
  now.toLocaleString('zh-CN', { timeZone, hour12: false, dateStyle: 'medium', timeStyle: 'short' });

/** The label sheet as a PDF: one A4 page per 8 labels (at least one page). */
export async function renderLabelSheet(labels: QrLabel[], opts: LabelSheetOptions): Promise<Buffer> {
  const timeZone = opts.timeZone ?? 'Asia/Shanghai';
  const doc = createPdfDocument({
    title: opts.heading,
    subject: LABEL_HINT,
    now: opts.now,
    margin: 0,
    autoFirstPage: false,
  });
  const perPage = LABELS_PER_PAGE.columns * LABELS_PER_PAGE.rows;
  const pageCount = Math.max(1, Math.ceil(labels.length / perPage));

  const margin = 10 * MM;
  const headingH = 28;
  const footerH = 20;
  const pad = 10;
  const qrSide = 46 * MM;
  // Render every QR code before drawing (sharp works in parallel).
  const pngs = await Promise.all(labels.map((l) => qrPng(l.qrText, qrSide)));

  for (let p = 0; p < pageCount; p++) {
    doc.addPage({ size: 'A4', margin: 0 });
    const W = doc.page.width;
    const H = doc.page.height;
    const gridTop = margin + headingH;
    const cellW = (W - 2 * margin) / LABELS_PER_PAGE.columns;
    const cellH = (H - gridTop - margin - footerH) / LABELS_PER_PAGE.rows;

    writeText(doc, opts.heading, {
      x: margin,
      y: margin,
      width: W - 2 * margin - 80,
      height: headingH,
      size: 14,
      bold: true,
      color: '#000000',
      lineBreak: false,
      ellipsis: true,
    });
    writeText(doc, `${p + 1} / ${pageCount}`, {
      x: W - margin - 80,
      y: margin + 3,
      width: 80,
      size: 10,
      align: 'right',
      color: '#444444',
      lineBreak: false,
    });
    const footer = [opts.footer, `打印于 ${stamp(opts.now, timeZone)}`].filter(Boolean).join('  ·  ');
    writeText(doc, footer, {
      x: margin,
      y: H - margin - footerH + 6,
      width: W - 2 * margin,
      size: 8,
      color: '#666666',
      lineBreak: false,
      ellipsis: true,
    });
    if (!labels.length) {
      writeText(doc, '没有可打印的签到码 (no labels)', {
        x: margin,
        y: gridTop + 20,
        size: 12,
        color: '#000000',
      });
    }

    // Dashed cut lines around and between the labels.
    doc.save().lineWidth(0.5).strokeColor('#9a9a9a').dash(4, { space: 3 });
    for (let c = 0; c <= LABELS_PER_PAGE.columns; c++) {
      doc
        .moveTo(margin + c * cellW, gridTop)
        .lineTo(margin + c * cellW, gridTop + LABELS_PER_PAGE.rows * cellH)
        .stroke();
    }
    for (let r = 0; r <= LABELS_PER_PAGE.rows; r++) {
      doc
        .moveTo(margin, gridTop + r * cellH)
        .lineTo(margin + LABELS_PER_PAGE.columns * cellW, gridTop + r * cellH)
        .stroke();
    }
    doc.undash().restore();

    labels.slice(p * perPage, (p + 1) * perPage).forEach((label, i) => {
      const x = margin + (i % LABELS_PER_PAGE.columns) * cellW;
      const y = gridTop + Math.floor(i / LABELS_PER_PAGE.columns) * cellH;
      const qrY = y + (cellH - qrSide) / 2;
      doc.image(pngs[p * perPage + i]!, x + pad, qrY, { width: qrSide, height: qrSide });
      const tx = x + pad + qrSide + pad;
      const tw = cellW - (tx - x) - pad;
      let ty = qrY + 4;
      writeText(doc, label.title, {
        x: tx,
        y: ty,
        width: tw,
        height: 56,
        size: 13,
        bold: true,
        color: '#000000',
        ellipsis: true,
      });
      ty = Math.max(doc.y, ty + 18) + 2;
      if (label.subtitle) {
        writeText(doc, label.subtitle, {
          x: tx,
          y: ty,
          width: tw,
          height: 26,
          size: 9,
          color: '#444444',
          ellipsis: true,
        });
        ty = Math.max(doc.y, ty + 12) + 2;
      }
      writeText(doc, label.code, {
        x: tx,
        y: ty,
        width: tw,
        height: 16,
        size: 10,
        color: '#000000',
        ellipsis: true,
      });
      writeText(doc, LABEL_HINT, {
        x: tx,
        y: qrY + qrSide - 14,
        width: tw,
        size: 8.5,
        color: '#b00000',
        lineBreak: false,
      });
    });
  }
  return pdfToBuffer(doc);
}
