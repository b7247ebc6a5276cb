import {
  EMERGENCY_RUN_MODE_LABELS,
  EMERGENCY_SCENARIO_LABELS,
  type EmergencyRunDetail,
  type EmergencyRunStep,
} from '@aegis/shared';
import ExcelJS from 'exceljs';
import { neutralise } from '../../lib/csv.js';
import { createPdfDocument, pdfToBuffer, writeText } from '../../lib/pdf.js';
import { wallClock } from '../org/index.js';

// The timed report of a run (演练报告 / 应急处置记录): per step who was assigned, the limit, the time
// taken from the start, on time or late, who checked it off; totals. The same figures as the run page.

const pad = (n: number) => String(n).padStart(2, '0');
function localTime(iso: string | null, timezone: string, withDay = false) {
  if (!iso) return '';
  const w = wallClock(new Date(iso), timezone);
  const t = `${pad(Math.floor(w.minute / 60))}:${pad(w.minute % 60)}:${pad(w.second)}`;
  return withDay ? `${w.day} ${t}` : t;
}
const minutes = (ms: number) => Math.round(ms / 600) / 100;

export interface StepLine {
  seq: number;
  title: string;
  assignee: string;
  checkedBy: string;
  limitMin: number;
  dueAt: string;
  doneAt: string;
  /** minutes from the run's start to the check-off */
  fromStartMin: number | null;
  /** minutes since the step before was finished (or the start) */
  ownMin: number | null;
  verdict: '按时' | '超时' | '跳过' | '未完成';
  note: string;
}

/** The report's figures, computed once for the PDF, the XLSX and the tests. */
export function reportFigures(run: EmergencyRunDetail, timezone: string, now: Date) {
  const start = new Date(run.startedAt).getTime();
  let prev = start;
  const lines: StepLine[] = run.steps.map((s: EmergencyRunStep) => {
    const done = s.doneAt ? new Date(s.doneAt).getTime() : null;
    const own = done === null ? null : minutes(done - prev);
    if (done !== null) prev = done;
    const verdict: StepLine['verdict'] =
      s.state === 'skipped' ? '跳过' : s.state === 'pending' ? '未完成' : s.late ? '超时' : '按时';
    const people = s.assignedTo.map((p) => p.name).join('、');
    return {
      seq: s.seq,
      title: s.title,
      assignee: people ? `${s.assigneeLabel.zh}（${people}）` : `${s.assigneeLabel.zh}（无人）`,
      checkedBy: s.doneBy?.name ?? '',
      limitMin: s.timeLimitMin,
      dueAt: localTime(s.dueAt, timezone),
      doneAt: localTime(s.doneAt, timezone),
      fromStartMin: done === null ? null : minutes(done - start),
      ownMin: own,
      verdict,
      note: s.state === 'skipped' ? `跳过原因：${s.skipReason ?? ''}` : s.note,
    };
  });
  const end = run.closedAt ? new Date(run.closedAt).getTime() : now.getTime();
  const planned = run.steps.reduce((a, s) => a + s.timeLimitMin, 0);
  const done = lines.filter((l) => l.verdict === '按时' || l.verdict === '超时').length;
  const onTime = lines.filter((l) => l.verdict === '按时').length;
  return {
    lines,
    totals: {
      steps: lines.length,
      done,
      onTime,
      late: lines.filter((l) => l.verdict === '超时').length,
      skipped: lines.filter((l) => l.verdict === '跳过').length,
      open: lines.filter((l) => l.verdict === '未完成').length,
      plannedMin: planned,
      takenMin: minutes(end - start),
      onTimeRate: done ? Math.round((onTime / done) * 1000) / 10 : 0,
    },
  };
}

const titleOf = (run: EmergencyRunDetail) =>
  `${run.mode === 'drill' ? '应急演练报告' : '应急处置记录'} ${run.code}`;

export async function runReportPdf(run: EmergencyRunDetail, timezone: string, now: Date) {
  const { lines, totals } = reportFigures(run, timezone, now);
  const doc = createPdfDocument({ title: titleOf(run), now, subject: run.planName, layout: 'landscape' });
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  writeText(doc, titleOf(run), { size: 18, bold: true });
  if (run.mode === 'drill')
    writeText(doc, '【演练】本记录为演练，不是真实事故。', { size: 11, color: '#b45309' });
  doc.fillColor('black').moveDown(0.3);
  const facts: [string, string][] = [
    ['预案', `${run.planCode} ${run.planName}（第 ${run.planVersion} 版）`],
    ['场景 / 级别', `${EMERGENCY_SCENARIO_LABELS[run.scenario].zh} / ${run.level} 级`],
    ['地点', run.location],
    ['方式', EMERGENCY_RUN_MODE_LABELS[run.mode].zh],
    [
      '启动',
      `${localTime(run.startedAt, timezone, true)}，${run.trigger.kind === 'alarm' ? `报警自动启动（${run.trigger.tag} ${run.trigger.message}）` : `${run.startedBy?.name ?? ''} 手动启动`}`,
    ],
    ['启动原因', run.reason ?? ''],
    [
      '结束',
      run.closedAt ? `${localTime(run.closedAt, timezone, true)}，${run.closedBy?.name ?? ''}` : '进行中',
    ],
    ['总结', run.summary ?? ''],
  ];
  for (const [k, v] of facts) writeText(doc, `${k}：${v}`, { size: 10, width });
  doc.moveDown(0.5);
  writeText(
    doc,
    `合计：${totals.steps} 步，完成 ${totals.done}（按时 ${totals.onTime}，超时 ${totals.late}），跳过 ${totals.skipped}，未完成 ${totals.open}；计划用时 ${totals.plannedMin} 分钟，实际用时 ${totals.takenMin} 分钟；按时率 ${totals.onTimeRate}%`,
    { size: 11, bold: true, width },
  );
  doc.moveDown(0.5);
  // the timeline as a table
  const cols: [string, number][] = [
    ['序号', 30],
    ['步骤', 150],
    ['负责人', 150],
    ['时限(分)', 45],
    ['应完成', 55],
    ['完成时间', 55],
    ['自启动(分)', 55],
    ['本步(分)', 45],
    ['结果', 40],
    ['确认人', 60],
  ];
  const noteWidth = width - cols.reduce((a, [, w]) => a + w, 0);
  cols.push(['备注', Math.max(noteWidth, 60)]);
  const row = (cells: string[], bold = false) => {
    const y = doc.y;
    let x = left;
    let bottom = y;
    cells.forEach((c, i) => {
      const w = cols[i]![1];
      writeText(doc, c, {
        x: x + 2,
        y,
        width: w - 4,
        size: 8,
        bold,
        color: c === '超时' ? '#b91c1c' : 'black',
      });
      bottom = Math.max(bottom, doc.y);
      x += w;
    });
    doc.fillColor('black');
    doc
      .moveTo(left, bottom + 2)
      .lineTo(left + width, bottom + 2)
      .strokeColor('#999999')
      .lineWidth(0.5)
      .stroke();
    doc.x = left;
    doc.y = bottom + 4;
    if (doc.y > doc.page.height - doc.page.margins.bottom - 40) doc.addPage();
  };
  row(
    cols.map(([h]) => h),
    true,
  );
  for (const l of lines)
    row([
      String(l.seq),
      l.title,
      l.assignee,
      String(l.limitMin),
      l.dueAt,
      l.doneAt,
      l.fromStartMin === null ? '' : String(l.fromStartMin),
      l.ownMin === null ? '' : String(l.ownMin),
      l.verdict,
      l.checkedBy,
      l.note,
    ]);
  if (run.contacts.length) {
    doc.moveDown(0.5);
    writeText(doc, '应急联系人', { size: 11, bold: true });
    for (const c of run.contacts) writeText(doc, `${c.name}　${c.role}　${c.phone}`, { size: 9 });
  }
  doc.moveDown(0.5);
  writeText(doc, `生成时间 ${localTime(now.toISOString(), timezone, true)}（${timezone}）· Aegis`, {
    size: 8,
    color: '#666666',
  });
  return pdfToBuffer(doc);
}

export async function runReportXlsx(run: EmergencyRunDetail, timezone: string, now: Date) {
  const { lines, totals } = reportFigures(run, timezone, now);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Aegis';
  const ws = wb.addWorksheet(run.mode === 'drill' ? '演练报告' : '处置记录');
  const text = (s: string) => neutralise(s);
  ws.addRow([titleOf(run)]).font = { bold: true, size: 14 };
  ws.addRow(['预案 Plan', text(`${run.planCode} ${run.planName}（第 ${run.planVersion} 版）`)]);
  ws.addRow(['地点 Place', text(run.location)]);
  ws.addRow(['方式 Mode', EMERGENCY_RUN_MODE_LABELS[run.mode].zh]);
  ws.addRow(['启动 Started', localTime(run.startedAt, timezone, true)]);
  ws.addRow(['结束 Closed', localTime(run.closedAt, timezone, true)]);
  ws.addRow(['总结 Summary', text(run.summary ?? '')]);
  ws.addRow([
    '合计 Totals',
    `${totals.steps} 步，按时 ${totals.onTime}，超时 ${totals.late}，跳过 ${totals.skipped}，未完成 ${totals.open}；计划 ${totals.plannedMin} 分钟，实际 ${totals.takenMin} 分钟；按时率 ${totals.onTimeRate}%`,
  ]);
  ws.addRow([]);
  const header = ws.addRow([
    '序号 No.',
    '步骤 Step',
    '负责人 Assigned',
    '时限(分) Limit',
    '应完成 Due',
    '完成时间 Done',
    '自启动(分) From start',
    '本步(分) Own',
    '结果 Result',
    '确认人 Checked by',
    '备注 Note',
  ]);
  header.font = { bold: true };
  for (const l of lines) {
    const r = ws.addRow([
      l.seq,
      text(l.title),
      text(l.assignee),
      l.limitMin,
      l.dueAt,
      l.doneAt,
      l.fromStartMin,
      l.ownMin,
      l.verdict,
      text(l.checkedBy),
      text(l.note),
    ]);
    if (l.verdict === '超时') r.getCell(9).font = { bold: true, color: { argb: 'FFC00000' } };
  }
  ws.columns.forEach((c, i) => {
    c.width = [8, 30, 30, 10, 10, 10, 12, 10, 8, 12, 40][i] ?? 12;
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
