import {
  PERMIT_GRADE_LABELS,
  PERMIT_RAISE_REASON_LABELS,
  PERMIT_STATE_LABELS,
  PERMIT_SUSPEND_CAUSE_LABELS,
  PERMIT_TYPE_LABELS,
  type Permit,
} from '@aegis/shared';
import ExcelJS from 'exceljs';
import { neutralise } from '../../lib/csv.js';
import { wallClock } from '../org/index.js';

// The permit register (作业票台账) as XLSX, one row per permit. Text cells get the CSV export's
// formula neutralisation, so a title like "=HYPERLINK(…)" stays text. Times are plant time.

const COLUMNS = [
  ['编号 Code', 22],
  ['作业类型 Type', 14],
  ['申请级别 Requested', 10],
  ['实际级别 Effective', 10],
  ['升级原因 Raised for', 18],
  ['作业内容 Work', 30],
  ['作业地点 Location', 30],
  ['区域 Area', 16],
  ['状态 State', 10],
  ['申请单位 Unit', 16],
  ['申请人 Applicant', 12],
  ['作业负责人 In charge', 12],
  ['监护人 Watcher', 12],
  ['开始 Valid from', 17],
  ['结束 Valid to', 17],
  ['提交 Submitted', 17],
  ['作业开始 Work started', 17],
  ['结束于 Ended', 17],
  ['暂停原因 Suspension', 30],
] as const;

export const PERMIT_REGISTER_SHEET = '作业票台账';

export async function permitRegisterXlsx(rows: readonly Permit[], timezone: string): Promise<Buffer> {
  const local = (iso: string | null) => {
    if (!iso) return '';
    const w = wallClock(new Date(iso), timezone);
    return `${w.day} ${String(Math.floor(w.minute / 60)).padStart(2, '0')}:${String(w.minute % 60).padStart(2, '0')}`;
  };
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Aegis';
  const ws = wb.addWorksheet(PERMIT_REGISTER_SHEET);
  ws.columns = COLUMNS.map(([header, width]) => ({ header, width }));
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  const text = (s: string) => neutralise(s);
  for (const p of rows) {
    const row = ws.addRow([
      p.code,
      PERMIT_TYPE_LABELS[p.type].zh,
      PERMIT_GRADE_LABELS[p.requestedGrade].zh,
      PERMIT_GRADE_LABELS[p.effectiveGrade].zh,
      p.raiseReasons.map((r) => PERMIT_RAISE_REASON_LABELS[r].zh).join('；'),
      text(p.title),
      text(p.location),
      text(p.area?.name ?? ''),
      PERMIT_STATE_LABELS[p.state].zh,
      text(p.applicantUnit),
      text(p.applicant.name),
      text(p.personInCharge.name),
      text(p.watcher.name),
      local(p.validFrom),
      local(p.validTo),
      local(p.submittedAt),
      local(p.workStartedAt),
      local(p.endedAt),
      p.suspension
        ? text(
            `${PERMIT_SUSPEND_CAUSE_LABELS[p.suspension.cause].zh}：${p.suspension.detail}（${local(p.suspension.at)}）`,
          )
        : '',
    ]);
    // a raised grade and a suspended permit stand out
    if (p.effectiveGrade !== p.requestedGrade)
      row.getCell(4).font = { bold: true, color: { argb: 'FFC00000' } };
    if (p.state === 'suspended') row.getCell(9).font = { bold: true, color: { argb: 'FFC00000' } };
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
