import {
  HAZARD_GRADE_LABELS,
  HAZARD_SOURCE_LABELS,
  HAZARD_STATE_LABELS,
  HAZARD_TREATMENT_LABELS,
  HAZARD_TYPE_LABELS,
} from '@aegis/shared';
import {
  type RegisterColumn,
  type RegisterTable,
  registerCsv as toCsv,
  registerXlsx as toXlsx,
} from '../../lib/register-export.js';
import type { HazardRec } from './repo.js';

// The hazard register (隐患台账) as XLSX and CSV, one row per hazard: typed cells in XLSX, and the
// one CSV policy's formula neutralisation in both, so a title like "=HYPERLINK(…)" stays text.

const COLUMNS: RegisterColumn[] = [
  { header: '编号 Code', width: 14 },
  { header: '标题 Title', width: 30 },
  { header: '位置 Location', width: 30 },
  { header: '来源 Source', width: 10 },
  { header: '等级 Grade', width: 10 },
  { header: '类型 Type', width: 12 },
  { header: '状态 State', width: 10 },
  { header: '治理方式 Treatment', width: 12 },
  { header: '上报人 Reporter', width: 12 },
  { header: '上报时间 Reported', width: 19, kind: 'datetime' },
  { header: '责任部门 Department', width: 14 },
  { header: '整改责任人 Responsible', width: 14 },
  { header: '整改期限 Deadline', width: 19, kind: 'datetime' },
  { header: '超期 Overdue', width: 8 },
  { header: '整改措施 Measures', width: 40 },
  { header: '资金 Funds', width: 10, kind: 'number' },
  { header: '关闭时间 Closed', width: 19, kind: 'datetime' },
];

/** The register as one table: CSV and XLSX are made from it (lib/register-export.ts). */
export function registerTable(rows: HazardRec[]): RegisterTable {
  const emphasis: Array<[number, number]> = [];
  const out = rows.map((h, i) => {
    // 重大 hazards stand out in red on the register
    if (h.grade === 'major') emphasis.push([i, 4]);
    return [
      h.code,
      h.title,
      [h.location, h.place].filter(Boolean).join(' · '),
      HAZARD_SOURCE_LABELS[h.source].zh,
      h.grade ? HAZARD_GRADE_LABELS[h.grade].zh : '',
      h.type ? HAZARD_TYPE_LABELS[h.type].zh : '',
      HAZARD_STATE_LABELS[h.state].zh,
      h.treatment ? HAZARD_TREATMENT_LABELS[h.treatment].zh : '',
      h.reportedBy.name,
      h.reportedAt,
      h.department?.name ?? '',
      h.responsible?.name ?? '',
      h.deadline,
      h.overdue ? '是' : '',
      h.measures,
      h.funds ?? null,
      h.closedAt,
    ];
  });
  return { sheet: '隐患台账', columns: COLUMNS, rows: out, emphasis };
}

export const registerXlsx = (rows: HazardRec[], timezone: string) => toXlsx(registerTable(rows), timezone);
export const registerCsv = (rows: HazardRec[], timezone: string) => toCsv(registerTable(rows), timezone);
