import {
  type RegisterColumn,
  type RegisterTable,
  registerCsv as toCsv,
  registerXlsx as toXlsx,
} from '../../lib/register-export.js';
import type { TaskRec } from './repo.js';

// The inspection register (排查记录) as XLSX and CSV: one row per task, missed ones as 未检. Typed
// cells in XLSX (task number, plant-time dates); text defused by the one CSV policy in both.

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

const COLUMNS: RegisterColumn[] = [
  { header: '任务 Task', width: 10, kind: 'number' },
  { header: '计划 Plan', width: 24 },
  { header: '巡检点 Checkpoint', width: 24 },
  { header: '位置 Place', width: 16 },
  { header: '班次 Shift', width: 10 },
  { header: '执行人 Assignee', width: 16 },
  { header: '开始 Opens', width: 19, kind: 'datetime' },
  { header: '截止 Due', width: 19, kind: 'datetime' },
  { header: '状态 State', width: 10 },
  { header: '完成时间 Done at', width: 19, kind: 'datetime' },
  { header: '完成人 Done by', width: 14 },
  { header: '结果 Result', width: 8 },
  { header: '异常项 Abnormal items', width: 40 },
  { header: '标记 Flags', width: 40 },
];

type Row = { task: TaskRec; abnormal: string[] };

/** The register as one table: CSV and XLSX are made from it (lib/register-export.ts). */
export function registerTable(rows: Row[]): RegisterTable {
  return {
    sheet: '排查记录',
    columns: COLUMNS,
    rows: rows.map(({ task: t, abnormal }) => [
      t.id,
      `${t.planCode} ${t.planName}`,
      `${t.checkpointCode} ${t.checkpointName}`,
      t.nodeName,
      t.shiftName ?? '',
      t.assignee.name,
      t.opensAt,
      t.dueAt,
      STATE_ZH[t.state] ?? t.state,
      t.doneAt,
      t.doneByName ?? '',
      t.result ? (RESULT_ZH[t.result] ?? t.result) : '',
      abnormal.join('；'),
      t.flags.map((f) => f.message).join('；'),
    ]),
  };
}

export const registerXlsx = (rows: Row[], timezone: string) => toXlsx(registerTable(rows), timezone);
export const registerCsv = (rows: Row[], timezone: string) => toCsv(registerTable(rows), timezone);
