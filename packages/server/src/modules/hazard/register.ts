import {
  HAZARD_GRADE_LABELS,
  HAZARD_SOURCE_LABELS,
  HAZARD_STATE_LABELS,
  HAZARD_TREATMENT_LABELS,
  HAZARD_TYPE_LABELS,
} from '@aegis/shared';
import ExcelJS from 'exceljs';
import { neutralise } from '../../lib/csv.js';
import { wallClock } from '../org/index.js';
import type { HazardRec } from './repo.js';

// The hazard register (隐患台账) as XLSX, one row per hazard. Text cells get the CSV export's
// formula neutralisation, so a title like "=HYPERLINK(…)" stays text.

const COLUMNS = [
  ['编号 Code', 14],
  ['标题 Title', 30],
  ['位置 Location', 30],
  ['来源 Source', 10],
  ['等级 Grade', 10],
  ['类型 Type', 12],
  ['状态 State', 10],
  ['治理方式 Treatment', 12],
  ['上报人 Reporter', 12],
  ['上报时间 Reported', 17],
  ['责任部门 Department', 14],
  ['整改责任人 Responsible', 14],
  ['整改期限 Deadline', 17],
  ['超期 Overdue', 8],
  ['整改措施 Measures', 40],
  ['资金 Funds', 10],
  ['关闭时间 Closed', 17],
] as const;

export async function registerXlsx(rows: HazardRec[], timezone: string) {
  const local = (iso: string | null) => {
    if (!iso) return '';
    const w = wallClock(new Date(iso), timezone);
    return `${w.day} ${String(Math.floor(w.minute / 60)).padStart(2, '0')}:${String(w.minute % 60).padStart(2, '0')}`;
  };
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Aegis';
  const ws = wb.addWorksheet('隐患台账');
  ws.columns = COLUMNS.map(([header, width]) => ({ header, width }));
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  const text = (s: string) => neutralise(s);
  for (const h of rows) {
    const row = ws.addRow([
      h.code,
      text(h.title),
      text([h.location, h.place].filter(Boolean).join(' · ')),
      HAZARD_SOURCE_LABELS[h.source].zh,
      h.grade ? HAZARD_GRADE_LABELS[h.grade].zh : '',
      h.type ? HAZARD_TYPE_LABELS[h.type].zh : '',
      HAZARD_STATE_LABELS[h.state].zh,
      h.treatment ? HAZARD_TREATMENT_LABELS[h.treatment].zh : '',
      text(h.reportedBy.name),
      local(h.reportedAt),
      text(h.department?.name ?? ''),
      text(h.responsible?.name ?? ''),
      local(h.deadline),
      h.overdue ? '是' : '',
      text(h.measures),
      h.funds ?? '',
      local(h.closedAt),
    ]);
    // 重大 hazards stand out in red on the register
    if (h.grade === 'major') row.getCell(5).font = { bold: true, color: { argb: 'FFC00000' } };
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
