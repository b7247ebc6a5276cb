import {
  PERMIT_ACTION_LABELS,
  PERMIT_APPROVAL_LEVEL_LABELS,
  PERMIT_FORM_TITLES,
  PERMIT_GRADE_LABELS,
  PERMIT_RAISE_REASON_LABELS,
  PERMIT_STATE_LABELS,
  PERMIT_SUSPEND_CAUSE_LABELS,
  PERMIT_TYPE_LABELS,
  type PermitDetail,
  type PermitFields,
  type PermitState,
  SIGNATURE_MEANING_LABELS,
  SIGNATURE_STATUS_LABELS,
  type Signature,
  type SignatureMeaning,
} from '@aegis/shared';
import { createPdfDocument, pdfToBuffer, writeText } from '../../lib/pdf.js';

/**
 * The drawing half of the permit PDF (作业票): a sheet of bordered rows on A4 as the appendix forms
 * of GB 30871-2022 print them — a title, the number, label cells shaded beside value cells, tables
 * with a header repeated on each page, signature blocks with the drawn image when there is one, and
 * a footer with "第 n 页 / 共 N 页" so a missing page of a printed permit is noticed.
 * pdf.ts turns a permit's detail into this sheet; nothing here knows about permits.
 */

export interface SheetImage {
  png: Buffer;
  /** box the image is fitted into, in points */
  width: number;
  height: number;
}

export interface SheetCell {
  text: string;
  /** share of the row's width (the shares of a row are normalised) */
  span?: number;
  /** a label cell: bold on grey */
  label?: boolean;
  bold?: boolean;
  align?: 'left' | 'center' | 'right';
  color?: string;
  image?: SheetImage | null;
}

export type SheetBlock =
  /** rows of cells, e.g. 申请单位 | … | 申请人 | … */
  | { kind: 'form'; title?: string; rows: SheetCell[][] }
  /** a table with a header row (repeated after a page break) */
  | {
      kind: 'table';
      title?: string;
      columns: { title: string; span: number; align?: 'left' | 'center' | 'right' }[];
      rows: SheetCell[][];
      /** the text of the one row shown when there are none */
      empty: string;
    }
  /** free text under a heading (notes, legends) */
  | { kind: 'note'; text: string };

export interface PermitSheet {
  /** e.g. 动火安全作业票 */
  title: string;
  /** the document title in the PDF metadata */
  docTitle: string;
  /** left and right of the line under the title: 编号 …, 状态 … */
  subLeft: string;
  subRight: string;
  /** large light text across every page (草稿, 已取消 …); none for a permit in force or completed */
  watermark?: string;
  blocks: SheetBlock[];
  /** the footer's left part, e.g. the number and when it was printed */
  footer: string;
}

const MM = 72 / 25.4;
const MARGIN_X = 14 * MM;
const MARGIN_TOP = 12 * MM;
const FOOTER_H = 12 * MM;
const PAD = 3;
const SIZE = 8.6;
const LINE_GAP = 1;
const BORDER = 0.7;
const SHADE = '#ececec';
const HEADING_SHADE = '#d9d9d9';

type Doc = PDFKit.PDFDocument;

const write = (doc: Doc, text: string, opts: Parameters<typeof writeText>[2]) =>
  writeText(doc, printable(text), opts);

interface Cursor {
  doc: Doc;
  y: number;
  page: number;
  totalPages: number | null;
  sheet: PermitSheet;
}

function contentWidth(doc: Doc) {
  return doc.page.width - 2 * MARGIN_X;
}
function bottom(doc: Doc) {
  return doc.page.height - FOOTER_H;
}

function textHeight(doc: Doc, text: string, width: number, bold: boolean, size = SIZE) {
  if (!text) return 0;
  doc.font(bold ? 'cjk-bold' : 'cjk').fontSize(size);
  const h = doc.heightOfString(printable(text), { width, lineGap: LINE_GAP });
  doc.font('cjk');
  return h;
}

function startPage(c: Cursor) {
  const { doc, sheet } = c;
  doc.addPage({ size: 'A4', margin: 0 });
  c.page += 1;
  const W = doc.page.width;
  const H = doc.page.height;
  if (sheet.watermark) {
    doc.save();
    doc.rotate(-35, { origin: [W / 2, H / 2] });
    write(doc, sheet.watermark, {
      x: 0,
      y: H / 2 - 40,
      width: W,
      height: 90,
      align: 'center',
      size: 72,
      bold: true,
      color: '#d6d6d6',
      lineBreak: false,
    });
    doc.restore();
  }
  // footer: the permit's number and print time left, the page of pages right
  const fy = H - FOOTER_H + 10;
  doc
    .save()
    .lineWidth(0.5)
    .strokeColor('#888888')
    .moveTo(MARGIN_X, fy - 4)
    .lineTo(W - MARGIN_X, fy - 4)
    .stroke()
    .restore();
  write(doc, sheet.footer, {
    x: MARGIN_X,
    y: fy,
    width: contentWidth(doc) - 100,
    height: 12,
    size: 7.5,
    color: '#444444',
    lineBreak: false,
    ellipsis: true,
  });
  write(doc, `第 ${c.page} 页 / 共 ${c.totalPages ?? '?'} 页`, {
    x: W - MARGIN_X - 100,
    y: fy,
    width: 100,
    height: 12,
    size: 7.5,
    align: 'right',
    color: '#444444',
    lineBreak: false,
  });
  c.y = MARGIN_TOP;
  if (c.page > 1) {
    // a continuation page names its permit at the top
    write(doc, `${sheet.title}（续） ${sheet.subLeft}`, {
      x: MARGIN_X,
      y: c.y,
      width: contentWidth(doc),
      height: 14,
      size: 9,
      bold: true,
      color: '#000000',
      lineBreak: false,
      ellipsis: true,
    });
    c.y += 16;
  }
  doc.fillColor('#000000');
}

function cellWidths(doc: Doc, cells: { span?: number }[]) {
  const total = cells.reduce((s, cell) => s + (cell.span ?? 1), 0);
  const W = contentWidth(doc);
  return cells.map((cell) => ((cell.span ?? 1) / total) * W);
}

function cellHeight(doc: Doc, cell: SheetCell, width: number) {
  const bold = Boolean(cell.label || cell.bold);
  let h = textHeight(doc, cell.text, width - 2 * PAD, bold);
  if (cell.image) h += (h ? 2 : 0) + cell.image.height;
  return h + 2 * PAD;
}

/** Draws one row of bordered cells; breaks the page first (and calls `onBreak`) when it does not fit. */
function drawRow(c: Cursor, cells: SheetCell[], opts: { shade?: string; onBreak?: () => void } = {}) {
  const { doc } = c;
  const widths = cellWidths(doc, cells);
  const minH = SIZE + 2 * PAD + 4;
  let h = Math.max(minH, ...cells.map((cell, i) => cellHeight(doc, cell, widths[i]!)));
  const room = bottom(doc) - MARGIN_TOP - 20;
  // a row taller than a page (a very long text) is clipped to a page, never lost silently: it ends in …
  if (h > room) h = room;
  if (c.y + h > bottom(doc)) {
    startPage(c);
    opts.onBreak?.();
  }
  let x = MARGIN_X;
  cells.forEach((cell, i) => {
    const w = widths[i]!;
    const fill = opts.shade ?? (cell.label ? SHADE : null);
    doc.save().lineWidth(BORDER).strokeColor('#000000');
    if (fill) doc.rect(x, c.y, w, h).fillAndStroke(fill, '#000000');
    else doc.rect(x, c.y, w, h).stroke();
    doc.restore();
    let ty = c.y + PAD;
    if (cell.text) {
      const bold = Boolean(cell.label || cell.bold);
      write(doc, cell.text, {
        x: x + PAD,
        y: ty,
        width: w - 2 * PAD,
        height: h - 2 * PAD - (cell.image ? cell.image.height : 0),
        size: SIZE,
        bold,
        color: cell.color ?? '#000000',
        align: cell.align ?? 'left',
        lineGap: LINE_GAP,
        ellipsis: true,
      });
      ty += textHeight(doc, cell.text, w - 2 * PAD, bold) + 2;
    }
    if (cell.image) {
      try {
        doc.image(cell.image.png, x + PAD, ty, {
          fit: [Math.min(cell.image.width, w - 2 * PAD), cell.image.height],
          valign: 'center',
        });
      } catch {
        write(doc, '（手写签名图像无法显示）', {
          x: x + PAD,
          y: ty,
          width: w - 2 * PAD,
          height: cell.image.height,
          size: SIZE,
          color: '#b00000',
        });
      }
    }
    x += w;
  });
  doc.fillColor('#000000');
  c.y += h;
}

function heading(c: Cursor, title: string, next: number) {
  // a heading never stands alone at the bottom of a page: it moves with the first row after it
  if (c.y + 18 + next > bottom(c.doc)) startPage(c);
  drawRow(c, [{ text: title, bold: true }], { shade: HEADING_SHADE });
}

function drawBlock(c: Cursor, block: SheetBlock) {
  const { doc } = c;
  if (block.kind === 'note') {
    const h = textHeight(doc, block.text, contentWidth(doc), false, 7.5) + 4;
    if (c.y + h > bottom(doc)) startPage(c);
    write(doc, block.text, {
      x: MARGIN_X,
      y: c.y + 2,
      width: contentWidth(doc),
      height: h,
      size: 7.5,
      color: '#333333',
      lineGap: LINE_GAP,
    });
    c.y += h;
    return;
  }
  if (block.kind === 'form') {
    const first = block.rows[0];
    const firstH = first
      ? Math.max(...first.map((cell, i) => cellHeight(doc, cell, cellWidths(doc, first)[i]!)))
      : 0;
    if (block.title) heading(c, block.title, firstH);
    for (const row of block.rows) drawRow(c, row);
    return;
  }
  const header: SheetCell[] = block.columns.map((col) => ({
    text: col.title,
    span: col.span,
    label: true,
    align: 'center',
  }));
  const rows: SheetCell[][] = block.rows.length
    ? block.rows.map((row) =>
        row.map((cell, i) => ({
          ...cell,
          span: block.columns[i]?.span ?? 1,
          align: cell.align ?? block.columns[i]?.align,
        })),
      )
    : [[{ text: block.empty, color: '#555555' }]];
  const firstH = Math.max(...rows[0]!.map((cell, i) => cellHeight(doc, cell, cellWidths(doc, rows[0]!)[i]!)));
  if (block.title) heading(c, block.title, 2 * (SIZE + 2 * PAD + 4) + firstH);
  const drawHeader = () => drawRow(c, header);
  drawHeader();
  for (const row of rows) drawRow(c, row, { onBreak: block.rows.length ? drawHeader : undefined });
}

function drawSheet(doc: Doc, sheet: PermitSheet, totalPages: number | null): number {
  const c: Cursor = { doc, y: 0, page: 0, totalPages, sheet };
  startPage(c);
  write(doc, sheet.title, {
    x: MARGIN_X,
    y: c.y,
    width: contentWidth(doc),
    height: 28,
    size: 18,
    bold: true,
    align: 'center',
    color: '#000000',
    lineBreak: false,
  });
  c.y += 28;
  write(doc, sheet.subLeft, {
    x: MARGIN_X,
    y: c.y,
    width: contentWidth(doc) / 2,
    height: 14,
    size: 9.5,
    bold: true,
    color: '#000000',
    lineBreak: false,
  });
  write(doc, sheet.subRight, {
    x: MARGIN_X + contentWidth(doc) / 2,
    y: c.y,
    width: contentWidth(doc) / 2,
    height: 14,
    size: 9.5,
    bold: true,
    align: 'right',
    color: '#000000',
    lineBreak: false,
  });
  c.y += 16;
  for (const block of sheet.blocks) {
    drawBlock(c, block);
    c.y += block.kind === 'note' ? 2 : 5;
  }
  return c.page;
}

/**
 * The sheet as a PDF. Drawn twice: the first pass counts the pages so every footer can say
 * "共 N 页" (layout does not depend on the footer, so both passes break pages alike).
 */
export async function renderSheet(sheet: PermitSheet, now: Date): Promise<Buffer> {
  const dry = createPdfDocument({ title: sheet.docTitle, now, margin: 0, autoFirstPage: false });
  // the first pass is never ended: its bytes are not needed, and ending would subset the fonts for nothing
  const pages = drawSheet(dry, sheet, null);
  const doc = createPdfDocument({
    title: sheet.docTitle,
    subject: sheet.subLeft,
    now,
    margin: 0,
    autoFirstPage: false,
  });
  drawSheet(doc, sheet, pages);
  return pdfToBuffer(doc);
}

// ─── The permit as a sheet ───────────────────────────────────────────────────────────────────────

/**
 * Symbols the embedded Noto Sans SC subsets have no glyph for (they would print as a box and vanish
 * from the text layer), written with ones they have: Ⅰ–Ⅳ级, ≤ 0.5 %vol, O₂, ℃.
 */
const SUBSTITUTES: Record<string, string> = {
  '≤': '<=',
  '≥': '>=',
  '≈': '约',
  '₂': '2',
  '₃': '3',
  '₄': '4',
  '℃': '°C',
  '→': '->',
  '✓': '是',
  '√': '是',
  Ⅰ: 'I',
  Ⅱ: 'II',
  Ⅲ: 'III',
  Ⅳ: 'IV',
  Ⅴ: 'V',
  '№': 'No.',
};
const SUBSTITUTE_RE = new RegExp(`[${Object.keys(SUBSTITUTES).join('')}]`, 'gu');

/** Text as the PDF's fonts can print it. */
export function printable(text: string): string {
  return text.replace(SUBSTITUTE_RE, (ch) => SUBSTITUTES[ch] ?? ch);
}

export interface PermitPdfOptions {
  /** the plant's time zone: every time on the form is plant-local */
  timezone: string;
  /** when it is printed (the injected clock); default: now */
  now?: Date;
  /** drawn signature images (PNG) by signature id, for the signatures with hasImage */
  images?: ReadonlyMap<number, Buffer>;
}

const ACTION_WORDS: Record<string, string> = {
  ...Object.fromEntries(Object.entries(PERMIT_ACTION_LABELS).map(([k, v]) => [k, v.zh])),
  create: '创建',
  analysis_passed: '气体分析合格',
  expire: '到期失效',
  suspend: '自动暂停',
  record_gas: '记录在线气体',
};

const WATERMARKS: Partial<Record<PermitState, string>> = {
  draft: '草稿 未生效',
  awaiting_analysis: '未生效',
  awaiting_approval: '未生效',
  suspended: '已暂停',
  cancelled: '已取消 作废',
  expired: '已过期',
};

/** 'YYYY-MM-DD HH:mm' in the plant's time zone ('' for none). */
export function plantTime(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const parts: Record<string, string> = {};
  for (const p of new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(d))
    parts[p.type] = p.value;
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

const num = (v: number | null | undefined, unit = '') =>
  v === null || v === undefined ? '' : `${Number(v.toPrecision(6))}${unit}`;

/** The per-type form fields as label/value pairs, in the order of the standard's form. */
function fieldPairs(f: PermitFields): [string, string][] {
  switch (f.type) {
    case 'hot_work':
      return [
        ['动火方式', f.method],
        ['消防器材', f.fireWatchEquipment],
      ];
    case 'confined_space':
      return [
        ['受限空间名称', f.spaceName],
        ['原有介质名称', f.medium],
        ['富氧空间', f.oxygenEnriched ? '是（氧含量 21%–23.5% 可判合格）' : '否'],
        ['通风措施', f.ventilation],
      ];
    case 'blind_plate':
      return [
        ['管道名称', f.pipeline],
        ['介质', f.medium],
        ['温度', num(f.temperatureC, ' °C')],
        ['压力', num(f.pressureMPa, ' MPa')],
        ['盲板材质', f.plateMaterial],
        ['盲板规格', f.plateSpec],
        ['盲板编号', f.plateNumber],
        ['作业类别', f.action === 'install' ? '堵盲板' : '抽盲板'],
        ['盲板位置图', f.drawingRef],
      ];
    case 'height':
      return [
        ['作业高度', num(f.heightM, ' m')],
        ['防坠落措施', f.fallProtection],
      ];
    case 'lifting':
      return [
        ['吊物质量', num(f.loadT, ' t')],
        ['起重机械', f.craneType],
        ['吊装方案', f.liftingPlanRef],
      ];
    case 'temporary_power':
      return [
        ['电压等级', f.voltage],
        ['电源接入点', f.powerSource],
        ['用电功率', num(f.loadKw, ' kW')],
      ];
    case 'excavation':
      return [
        ['作业范围', num(f.areaM2, ' m²')],
        ['深度', num(f.depthM, ' m')],
        ['地下设施情况', f.undergroundFacilities],
      ];
    case 'road_closure':
      return [
        ['断路地段', f.road],
        ['断路原因', f.reason],
        ['绕行方案', f.detour],
      ];
  }
}

const L = (text: string, span = 1): SheetCell => ({ text, label: true, span });
const V = (text: string, span = 1): SheetCell => ({ text, span });

/** Label/value pairs laid out `perRow` to a row (a short row's last value widened to the full width). */
function pairRows(pairs: [string, string][], perRow: number): SheetCell[][] {
  const rows: SheetCell[][] = [];
  for (let i = 0; i < pairs.length; i += perRow) {
    const chunk = pairs.slice(i, i + perRow);
    // the labels stay on the grid of the other rows; the last value takes what is left
    rows.push(
      chunk.flatMap(([l, v], j) => [
        L(l),
        V(v, j === chunk.length - 1 ? 2 * (perRow - chunk.length) + 1 : 1),
      ]),
    );
  }
  return rows;
}

const SIGN_IMAGE = { width: 110, height: 30 };

/** One signature as printed: name (username), server time, meaning, hash prefix, status; the drawn image. */
function signatureCell(
  sig: Signature,
  tz: string,
  images: ReadonlyMap<number, Buffer> | undefined,
  extra = '',
): SheetCell {
  const status =
    sig.status === 'valid'
      ? '有效'
      : `${SIGNATURE_STATUS_LABELS[sig.status].zh}（${SIGNATURE_STATUS_LABELS[sig.status].en}）`;
  const png = sig.hasImage ? images?.get(sig.id) : undefined;
  return {
    text: [
      `${sig.printedName}（${sig.username}） ${plantTime(sig.signedAt, tz)}`,
      `电子签名：${SIGNATURE_MEANING_LABELS[sig.meaning].zh} · 哈希 ${sig.contentHash.slice(0, 12)} · ${status}`,
      extra,
    ]
      .filter(Boolean)
      .join('\n'),
    color: sig.status === 'valid' ? '#000000' : '#b00000',
    image: png ? { png, ...SIGN_IMAGE } : null,
  };
}

function signaturesCell(
  sigs: Signature[],
  tz: string,
  images: ReadonlyMap<number, Buffer> | undefined,
  none: string,
  span: number,
): SheetCell {
  if (!sigs.length) return { text: none, span, color: '#555555' };
  if (sigs.length === 1) return { ...signatureCell(sigs[0]!, tz, images), span };
  // several signers in one box (e.g. every worker receiving the briefing): names and times, no images
  const anyChanged = sigs.some((s) => s.status !== 'valid');
  return {
    span,
    color: anyChanged ? '#b00000' : '#000000',
    text: sigs
      .map(
        (s) =>
          `${s.printedName}（${s.username}） ${plantTime(s.signedAt, tz)} · ${SIGNATURE_MEANING_LABELS[s.meaning].zh} · ${s.contentHash.slice(0, 12)} · ${SIGNATURE_STATUS_LABELS[s.status].zh}`,
      )
      .join('\n'),
  };
}

/** The permit's detail as the sheet of its GB 30871 form. */
export function permitSheet(d: PermitDetail, opts: PermitPdfOptions): PermitSheet {
  const tz = opts.timezone;
  const now = opts.now ?? new Date();
  const t = (iso: string | null | undefined) => plantTime(iso, tz);
  const images = opts.images;
  const bySig = (meaning: SignatureMeaning) => d.signatures.filter((s) => s.meaning === meaning);
  const typeWords = PERMIT_TYPE_LABELS[d.type].zh;
  const grade =
    d.effectiveGrade === 'none'
      ? '—'
      : [
          PERMIT_GRADE_LABELS[d.effectiveGrade].zh,
          d.effectiveGrade !== d.requestedGrade
            ? `（申请 ${PERMIT_GRADE_LABELS[d.requestedGrade].zh}，因${d.raiseReasons.map((r) => PERMIT_RAISE_REASON_LABELS[r].zh).join('、')}升级）`
            : '',
        ].join('');
  const linked = [
    ...d.links.linked.map(
      (l) => `${l.code}（${PERMIT_TYPE_LABELS[l.type].zh}，${PERMIT_STATE_LABELS[l.state].zh}）`,
    ),
    d.links.supersedes ? `替代 ${d.links.supersedes.code}` : '',
    d.links.supersededBy ? `已由 ${d.links.supersededBy.code} 替代` : '',
  ].filter(Boolean);

  const basic: SheetCell[][] = [
    [
      L('申请单位'),
      V(d.applicantUnit),
      L('申请人'),
      V(d.applicant.name),
      L('申请时间'),
      V(t(d.submittedAt ?? d.createdAt)),
    ],
    [L('作业内容'), V(d.title, 5)],
    [L('作业地点'), V(d.location, 3), L('作业类别'), V(typeWords)],
    [
      L('设备'),
      V(d.equipment.map((e) => e.name).join('、') || '—'),
      L(`${typeWords.replace('作业', '')}级别`),
      // a raised grade says why, which needs the room (the labels stay on the grid of the other rows)
      V(grade, 3),
    ],
    ...pairRows(
      fieldPairs(d.fields).map(([l, v]) => [l, v || '—']),
      3,
    ),
    [
      L('作业负责人'),
      V(d.personInCharge.name),
      L('监护人'),
      V(d.watcher.name),
      L('分析人'),
      V(d.analyst?.name ?? '—'),
    ],
    [L('安全交底人'), V(d.briefer.name), L('验收人'), V(d.acceptor.name), L('风力'), V(`${d.windLevel} 级`)],
    [
      L('作业实施时间'),
      V(`自 ${t(d.validFrom)} 至 ${t(d.validTo)} 止（最长 ${num(d.rule.maxValidityHours)} 小时）`, 5),
    ],
    [
      L('实际开始'),
      V(t(d.workStartedAt) || '—'),
      L('结束'),
      V(t(d.endedAt) || '—'),
      L('状态'),
      V(PERMIT_STATE_LABELS[d.state].zh),
    ],
    [L('关联的其他特殊作业及安全作业票编号'), V(linked.join('；') || '无', 5)],
  ];
  if (d.suspension)
    basic.push([
      L('暂停原因'),
      {
        text: `${PERMIT_SUSPEND_CAUSE_LABELS[d.suspension.cause].zh}：${d.suspension.detail}（${t(d.suspension.at)}）`,
        span: 5,
        color: '#b00000',
      },
    ]);
  if (d.cancelReason) basic.push([L('取消原因'), V(d.cancelReason, 5)]);

  const blocks: SheetBlock[] = [{ kind: 'form', title: '一、作业基本信息', rows: basic }];

  blocks.push({
    kind: 'table',
    title: '二、作业人员及证书编号',
    columns: [
      { title: '序号', span: 0.6, align: 'center' },
      { title: '姓名', span: 2 },
      { title: '特种作业操作证编号', span: 4 },
      { title: '系统账号', span: 1.6, align: 'center' },
    ],
    rows: d.workers.map((w, i) => [
      V(String(i + 1)),
      V(w.name),
      V(w.certificateNo || '—'),
      V(w.userId ? '有' : '无'),
    ]),
    empty: '未填写作业人',
  });

  const gasTagWords = d.gasTags.map((g) => `${g.tagCode} ${g.tagName}（${g.gas}，${g.unit}）`).join('；');
  blocks.push({
    kind: 'table',
    title: `三、气体分析${d.rule.needsGasAnalysis ? `（作业前 ${d.rule.analysisMaxAgeMin} 分钟内取样）` : '（本类作业规则不要求）'}`,
    columns: [
      { title: '序号', span: 0.6, align: 'center' },
      { title: '取样时间', span: 1.9 },
      { title: '取样部位', span: 2 },
      { title: '分析项目、数值及限值', span: 4.6 },
      { title: '结论', span: 0.9, align: 'center' },
      { title: '分析人', span: 1.4 },
    ],
    rows: d.analyses.map((a, i) => [
      V(String(i + 1)),
      V(`${t(a.takenAt)}${a.source === 'live' ? '\n在线监测记录' : ''}`),
      V(a.samplePoint),
      V(
        a.readings
          .map(
            (r) =>
              `${r.gas} ${num(r.value)} ${r.unit}${r.percentVol !== null && r.unit !== '%vol' ? `（${num(r.percentVol)} %vol）` : ''}` +
              ` 限值 ${r.limitText} ${r.verdict === 'pass' ? '合格' : `不合格：${r.reason.zh}`}`,
          )
          .join('\n'),
      ),
      {
        text: a.verdict === 'pass' ? '合格' : '不合格',
        color: a.verdict === 'pass' ? '#000000' : '#b00000',
        bold: true,
      },
      V(a.analyst?.name ?? (a.source === 'live' ? '系统' : '—')),
    ]),
    empty: d.rule.needsGasAnalysis ? '尚无气体分析记录' : '不涉及',
  });
  if (gasTagWords)
    blocks.push({
      kind: 'form',
      rows: [
        [
          L('在线监测气体探头'),
          V(
            `${gasTagWords}${d.rule.continuousMonitoring ? `（连续监测，每 ${d.rule.liveRecordEveryMin} 分钟记录）` : ''}`,
            5,
          ),
        ],
      ],
    });

  blocks.push({
    kind: 'form',
    title: '四、风险辨识结果',
    rows: [
      [
        V(
          d.riskIdentification.length
            ? d.riskIdentification.map((r, i) => `${i + 1}. ${r}`).join('\n')
            : '未填写',
        ),
      ],
    ],
  });

  blocks.push({
    kind: 'table',
    title: '五、安全措施',
    columns: [
      { title: '序号', span: 0.6, align: 'center' },
      { title: '安全措施', span: 6.4 },
      { title: '是否涉及', span: 1.1, align: 'center' },
      { title: '确认人', span: 2.3 },
    ],
    rows: d.measures.map((m, i) => [
      V(String(i + 1)),
      V(m.text),
      V(m.applies === null ? '未答' : m.applies ? '涉及' : '不涉及'),
      V(m.confirmedBy ? `${m.confirmedBy.name} ${t(m.confirmedAt)}` : m.applies ? '未确认' : '—'),
    ]),
    empty: '无安全措施',
  });

  // Signature blocks in the order of the standard's form
  const approvalRows: SheetCell[][] = d.approvals.map((a) => {
    const label = L(
      `${PERMIT_APPROVAL_LEVEL_LABELS[a.level].zh}意见${a.addedFor ? `\n（${a.addedFor}）` : ''}`,
      1.4,
    );
    if (a.state === 'approved' && a.approver) {
      const sig = d.signatures
        .filter((s) => s.meaning === 'approve' && s.signerId === a.approver!.id)
        .sort(
          (x, y) =>
            Math.abs(Date.parse(x.signedAt) - Date.parse(a.at ?? x.signedAt)) -
            Math.abs(Date.parse(y.signedAt) - Date.parse(a.at ?? y.signedAt)),
        )[0];
      const opinion = `意见：${a.opinion || '同意'}`;
      return [
        label,
        sig
          ? { ...signatureCell(sig, tz, images, opinion), span: 4.6 }
          : {
              text: `${a.approver.name} ${t(a.at)}\n${opinion}\n（无电子签名记录）`,
              span: 4.6,
              color: '#b00000',
            },
      ];
    }
    const who = a.eligible.map((p) => p.name).join('、') || '无符合条件的审批人';
    return [
      label,
      {
        text: a.state === 'pending' ? `待审批（可审批人：${who}）` : `未到此层级（可审批人：${who}）`,
        span: 4.6,
        color: '#555555',
      },
    ];
  });
  const one = (meaning: SignatureMeaning, none: string) =>
    signaturesCell(bySig(meaning), tz, images, none, 4.6);
  blocks.push({
    kind: 'form',
    title: '六、签字确认（电子签名）',
    rows: [
      [L('申请人', 1.4), one('apply', '未提交')],
      [L('分析人', 1.4), one('analyze', d.rule.needsGasAnalysis ? '未分析' : '不涉及')],
      [L('安全交底人', 1.4), one('brief', '未交底')],
      [L('接受交底人', 1.4), one('brief_receive', '未接受交底')],
      [L('监护人', 1.4), one('watch', '监护人未签字')],
      [L('安全措施确认', 1.4), one('confirm', '未确认')],
      ...approvalRows,
      [L('岗位当班班长验票', 1.4), one('check', '未验票')],
      ...(bySig('stop').length ? [[L('停止作业', 1.4), one('stop', '')]] : []),
      ...(bySig('resume').length ? [[L('恢复作业', 1.4), one('resume', '')]] : []),
      [L('完工验收', 1.4), one('accept', '未验收')],
    ],
  });

  blocks.push({
    kind: 'table',
    title: '七、作业过程记录',
    columns: [
      { title: '时间', span: 1.6 },
      { title: '事项', span: 1.6 },
      { title: '状态', span: 2.2 },
      { title: '人员', span: 1.4 },
      { title: '原因 / 说明', span: 3.6 },
    ],
    rows: d.history.map((h) => [
      V(t(h.at)),
      V(ACTION_WORDS[h.action] ?? h.action),
      V(
        `${h.fromState ? `${PERMIT_STATE_LABELS[h.fromState as PermitState]?.zh ?? h.fromState} → ` : ''}${PERMIT_STATE_LABELS[h.toState as PermitState]?.zh ?? h.toState}`,
      ),
      V(h.actor.id === null ? '系统' : h.actor.name),
      V(h.reason ?? ''),
    ]),
    empty: '无',
  });

  blocks.push({
    kind: 'table',
    title: '八、电子签名记录',
    columns: [
      { title: '序号', span: 0.6, align: 'center' },
      { title: '含义', span: 1.3 },
      { title: '签名人（账号）', span: 2.2 },
      { title: '服务器时间', span: 1.7 },
      { title: '认证方式', span: 1 },
      { title: '内容哈希前16位', span: 2.2 },
      { title: '状态', span: 1.6 },
    ],
    rows: d.signatures.map((s, i) => [
      V(String(i + 1)),
      V(SIGNATURE_MEANING_LABELS[s.meaning].zh),
      V(`${s.printedName}（${s.username}）${s.hasImage ? '\n含手写签名' : ''}`),
      V(t(s.signedAt)),
      V(s.authMethod === 'password' ? '密码' : '密码+动态码'),
      V(s.contentHash.slice(0, 16)),
      {
        text: SIGNATURE_STATUS_LABELS[s.status].zh,
        color: s.status === 'valid' ? '#000000' : '#b00000',
        bold: s.status !== 'valid',
      },
    ]),
    empty: '无电子签名',
  });
  blocks.push({
    kind: 'note',
    text:
      `注：电子签名由签名人输入密码重新认证后签署，记录签名人姓名、服务器时间（按 ${tz} 显示）、签名含义及所签内容的 SHA-256 哈希；` +
      '“签字后内容被修改”表示签字后该作业票的内容在系统中被更改，“签名无效”表示签名不属于本作业票。本表依据 GB 30871-2022 附录格式由 Aegis 生成。',
  });

  return {
    title: PERMIT_FORM_TITLES[d.type],
    docTitle: `${PERMIT_FORM_TITLES[d.type]} ${d.code}`,
    subLeft: `编号：${d.code}`,
    subRight: `状态：${PERMIT_STATE_LABELS[d.state].zh}`,
    watermark: WATERMARKS[d.state],
    blocks,
    footer: `${d.code} · ${PERMIT_FORM_TITLES[d.type]} · 打印于 ${plantTime(now.toISOString(), tz)}（${tz}）· Aegis`,
  };
}

/** The permit's PDF (作业票) in the layout of the GB 30871-2022 appendix forms, A4, Chinese. */
export function renderPermitPdf(detail: PermitDetail, opts: PermitPdfOptions): Promise<Buffer> {
  const now = opts.now ?? new Date();
  return renderSheet(permitSheet(detail, { ...opts, now }), now);
}
