import { writeText } from './pdf.js';

/**
 * Charts drawn with pdfkit's vector graphics (no image, no browser): bars (grouped or stacked),
 * lines and a pie, each with a title, axis labels and a legend, text through lib/pdf.ts so Chinese
 * labels print. Pure layout: every function draws inside the box it is given and returns nothing.
 */

export interface ChartBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ChartSeries {
  name: string;
  values: number[];
  color?: string;
}

export interface BarChartSpec {
  kind: 'bar';
  title: string;
  categories: string[];
  series: ChartSeries[];
  stacked?: boolean;
  xLabel?: string;
  yLabel?: string;
}
export interface LineChartSpec {
  kind: 'line';
  title: string;
  categories: string[];
  series: ChartSeries[];
  xLabel?: string;
  yLabel?: string;
  /** a horizontal reference line (e.g. a target), drawn dashed */
  target?: { value: number; label: string };
}
export interface PieChartSpec {
  kind: 'pie';
  title: string;
  slices: { label: string; value: number; color?: string }[];
}
export type ChartSpec = BarChartSpec | LineChartSpec | PieChartSpec;

export const PALETTE = [
  '#1f6fd1',
  '#e8710a',
  '#2e9e44',
  '#c62828',
  '#7b3fb5',
  '#00838f',
  '#8d6e63',
  '#546e7a',
];
const colorOf = (i: number, own?: string) => own ?? PALETTE[i % PALETTE.length]!;

/** A "nice" axis maximum and step for values up to `max` (1, 2, 2.5, 5 × 10^n). */
export function niceScale(max: number, ticks = 5): { max: number; step: number } {
  if (!(max > 0)) return { max: 1, step: 0.2 };
  const raw = max / ticks;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  return { max: Math.ceil(max / step - 1e-9) * step, step };
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 1 ? 2 : 1));

function legend(
  doc: PDFKit.PDFDocument,
  items: { name: string; color: string }[],
  x: number,
  y: number,
  width: number,
) {
  let cx = x;
  let cy = y;
  doc.fontSize(7);
  for (const it of items) {
    const w = 14 + doc.widthOfString(it.name) + 10;
    if (cx + w > x + width && cx > x) {
      cx = x;
      cy += 10;
    }
    doc
      .save()
      .rect(cx, cy + 1, 8, 6)
      .fill(it.color)
      .restore();
    writeText(doc, it.name, { x: cx + 11, y: cy, size: 7, color: '#333', lineBreak: false });
    cx += w;
  }
  return cy + 10 - y;
}

/** The frame shared by bar and line charts: title, legend, axes, ticks, category labels. */
function axes(
  doc: PDFKit.PDFDocument,
  spec: BarChartSpec | LineChartSpec,
  box: ChartBox,
  maxValue: number,
): { plot: ChartBox; scale: { max: number; step: number }; yOf: (v: number) => number; slot: number } {
  writeText(doc, spec.title, { x: box.x, y: box.y, size: 9, bold: true, color: '#000', lineBreak: false });
  const legendH = legend(
    doc,
    spec.series.map((s, i) => ({ name: s.name, color: colorOf(i, s.color) })),
    box.x,
    box.y + 13,
    box.width,
  );
  const left = box.x + 34 + (spec.yLabel ? 10 : 0);
  const top = box.y + 15 + legendH + 4;
  const bottom = box.y + box.height - 22 - (spec.xLabel ? 9 : 0);
  const plot = { x: left, y: top, width: box.x + box.width - left - 4, height: Math.max(20, bottom - top) };
  const scale = niceScale(maxValue);
  const yOf = (v: number) => plot.y + plot.height - (v / scale.max) * plot.height;
  doc.save().lineWidth(0.4).strokeColor('#bbb');
  for (let v = 0; v <= scale.max + 1e-9; v += scale.step) {
    const y = yOf(v);
    doc
      .moveTo(plot.x, y)
      .lineTo(plot.x + plot.width, y)
      .stroke();
    writeText(doc, fmt(v), {
      x: plot.x - 32,
      y: y - 3.5,
      size: 6.5,
      color: '#555',
      width: 28,
      align: 'right',
      lineBreak: false,
    });
  }
  doc.restore();
  doc.save().lineWidth(0.8).strokeColor('#333');
  doc
    .moveTo(plot.x, plot.y)
    .lineTo(plot.x, plot.y + plot.height)
    .lineTo(plot.x + plot.width, plot.y + plot.height)
    .stroke();
  doc.restore();
  const n = Math.max(1, spec.categories.length);
  const slot = plot.width / n;
  // Category labels: every one when they fit, else every k-th.
  const every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(plot.width / 34))));
  spec.categories.forEach((c, i) => {
    if (i % every) return;
    writeText(doc, c, {
      x: plot.x + i * slot - (every * slot) / 2 + slot / 2,
      y: plot.y + plot.height + 3,
      size: 6.5,
      color: '#333',
      width: every * slot,
      align: 'center',
      lineBreak: false,
      ellipsis: true,
    });
  });
  if (spec.xLabel)
    writeText(doc, spec.xLabel, {
      x: plot.x,
      y: plot.y + plot.height + 13,
      size: 7,
      color: '#333',
      width: plot.width,
      align: 'center',
      lineBreak: false,
    });
  if (spec.yLabel) {
    doc.save();
    doc.rotate(-90, { origin: [box.x + 4, plot.y + plot.height / 2] });
    writeText(doc, spec.yLabel, {
      x: box.x + 4 - plot.height / 2,
      y: plot.y + plot.height / 2 - 4,
      size: 7,
      color: '#333',
      width: plot.height,
      align: 'center',
      lineBreak: false,
    });
    doc.restore();
  }
  return { plot, scale, yOf, slot };
}

export function drawBarChart(doc: PDFKit.PDFDocument, spec: BarChartSpec, box: ChartBox) {
  const n = spec.categories.length;
  const totals = spec.categories.map((_, i) =>
    spec.stacked
      ? spec.series.reduce((s, se) => s + Math.max(0, se.values[i] ?? 0), 0)
      : Math.max(0, ...spec.series.map((se) => se.values[i] ?? 0)),
  );
  const { plot, yOf, slot } = axes(doc, spec, box, Math.max(0, ...totals));
  const groupW = slot * 0.7;
  for (let i = 0; i < n; i++) {
    const gx = plot.x + i * slot + (slot - groupW) / 2;
    let base = 0;
    spec.series.forEach((se, si) => {
      const v = Math.max(0, se.values[i] ?? 0);
      if (!v) return;
      doc.save().fillColor(colorOf(si, se.color));
      if (spec.stacked) {
        const y0 = yOf(base);
        const y1 = yOf(base + v);
        doc.rect(gx, y1, groupW, y0 - y1).fill();
        base += v;
      } else {
        const w = groupW / spec.series.length;
        const y1 = yOf(v);
        doc.rect(gx + si * w, y1, w, plot.y + plot.height - y1).fill();
      }
      doc.restore();
    });
  }
}

export function drawLineChart(doc: PDFKit.PDFDocument, spec: LineChartSpec, box: ChartBox) {
  const max = Math.max(0, spec.target?.value ?? 0, ...spec.series.flatMap((s) => s.values));
  const { plot, yOf, slot } = axes(doc, spec, box, max);
  const xOf = (i: number) => plot.x + i * slot + slot / 2;
  spec.series.forEach((se, si) => {
    const c = colorOf(si, se.color);
    doc.save().lineWidth(1.2).strokeColor(c).fillColor(c);
    se.values.forEach((v, i) => {
      if (i === 0) doc.moveTo(xOf(i), yOf(v));
      else doc.lineTo(xOf(i), yOf(v));
    });
    if (se.values.length > 1) doc.stroke();
    if (se.values.length <= 40)
      for (const [i, v] of se.values.entries()) doc.circle(xOf(i), yOf(v), 1.4).fill();
    doc.restore();
  });
  if (spec.target) {
    const y = yOf(spec.target.value);
    doc.save().lineWidth(0.8).strokeColor('#c62828').dash(3, { space: 2 });
    doc
      .moveTo(plot.x, y)
      .lineTo(plot.x + plot.width, y)
      .stroke();
    doc.undash().restore();
    writeText(doc, spec.target.label, {
      x: plot.x + plot.width - 150,
      y: y - 9,
      size: 6.5,
      color: '#c62828',
      width: 148,
      align: 'right',
      lineBreak: false,
    });
  }
}

export function drawPieChart(doc: PDFKit.PDFDocument, spec: PieChartSpec, box: ChartBox) {
  writeText(doc, spec.title, { x: box.x, y: box.y, size: 9, bold: true, color: '#000', lineBreak: false });
  const total = spec.slices.reduce((s, x) => s + Math.max(0, x.value), 0);
  const r = Math.max(10, Math.min(box.height - 22, box.width / 2) / 2);
  const cx = box.x + r + 6;
  const cy = box.y + 16 + r;
  if (total <= 0) {
    doc.save().lineWidth(0.6).strokeColor('#bbb').circle(cx, cy, r).stroke().restore();
  } else {
    let a = -Math.PI / 2;
    spec.slices.forEach((s, i) => {
      const v = Math.max(0, s.value);
      if (!v) return;
      const b = a + (v / total) * Math.PI * 2;
      doc.save().fillColor(colorOf(i, s.color));
      if (v === total) doc.circle(cx, cy, r).fill();
      else {
        doc.moveTo(cx, cy).lineTo(cx + r * Math.cos(a), cy + r * Math.sin(a));
        // arcs as short chords: exact enough at print size
        for (let t = a; t < b; t += 0.05) doc.lineTo(cx + r * Math.cos(t), cy + r * Math.sin(t));
        doc
          .lineTo(cx + r * Math.cos(b), cy + r * Math.sin(b))
          .closePath()
          .fill();
      }
      doc.restore();
      a = b;
    });
  }
  // Legend with values and shares beside the pie.
  let ly = box.y + 18;
  spec.slices.forEach((s, i) => {
    const share = total > 0 ? ` (${((s.value / total) * 100).toFixed(1)}%)` : '';
    doc
      .save()
      .rect(cx + r + 14, ly + 1, 8, 6)
      .fill(colorOf(i, s.color))
      .restore();
    writeText(doc, `${s.label}：${fmt(s.value)}${share}`, {
      x: cx + r + 26,
      y: ly,
      size: 7,
      color: '#333',
      lineBreak: false,
    });
    ly += 11;
  });
}

export function drawChart(doc: PDFKit.PDFDocument, spec: ChartSpec, box: ChartBox) {
  if (spec.kind === 'bar') drawBarChart(doc, spec, box);
  else if (spec.kind === 'line') drawLineChart(doc, spec, box);
  else drawPieChart(doc, spec, box);
  doc.fillColor('#000');
}
