import ExcelJS from 'exceljs';
import { neutralise } from '../../lib/csv.js';
import { wallClock } from '../org/index.js';
import type { TaskRec } from './repo.js';

// The inspection register (排查记录) as XLSX: one row per task, missed ones as 未检. Text cells
// get the CSV export's formula neutralisation, so a name like "=HYPERLINK(…)" stays text.

const STATE_ZH: Record<string, string> = {
  planned: '待开始',
  open: '进行中',
  in_progress: '执行中',
  done: '已完成',
  overdue: '已超期',
  done_late: '超期完成',
  missed: '未检',
  cancelled: '已取消',
};
const RESULT_ZH: Record<string, string> = { ok: '正常', abnormal: '异常', not_checked: '未检' };

const COLUMNS = [
  ['任务 Task', 10],
  ['计划 Plan', 24],
  ['巡检点 Checkpoint', 24],
  ['位置 Place', 16],
  ['班次 Shift', 10],
  ['执行人 Assignee', 16],
  ['开始 Opens', 17],
  ['截止 Due', 17],
  ['状态 State', 10],
  ['完成时间 Done at', 17],
  ['完成人 Done by', 14],
  ['结果 Result', 8],
  ['异常项 Abnormal items', 40],
  ['标记 Flags', 40],
] as const;

export async function registerXlsx(rows: { task: TaskRec; abnormal: string[] }[], timezone: string) {
  const local = (iso: string | null) => {
    if (!iso) return '';
    const w = wallClock(new Date(iso), timezone);
    return `${w.day} ${String(Math.floor(w.minute / 60)).padStart(2, '0')}:${String(w.minute % 60).padStart(2, '0')}`;
  };
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Aegis';
  const ws = wb.addWorksheet('排查记录');
  ws.columns = COLUMNS.map(([header, width]) => ({ header, width }));
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  const text = (s: string) => neutralise(s);
  for (const { task: t, abnormal } of rows) {
    ws.addRow([
      t.id,
      text(`${t.planCode} ${t.planName}`),
      text(`${t.checkpointCode} ${t.checkpointName}`),
      text(t.nodeName),
      text(t.shiftName ?? ''),
      text(t.assignee.name),
      local(t.opensAt),
      local(t.dueAt),
      STATE_ZH[t.state] ?? t.state,
      local(t.doneAt),
      text(t.doneByName ?? ''),
      t.result ? RESULT_ZH[t.result] : '',
      text(abnormal.join('；')),
      text(t.flags.map((f) => f.message).join('；')),
    ]);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
