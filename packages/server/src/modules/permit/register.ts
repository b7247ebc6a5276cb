import {
  PERMIT_GRADE_LABELS,
  PERMIT_RAISE_REASON_LABELS,
  PERMIT_STATE_LABELS,
  PERMIT_SUSPEND_CAUSE_LABELS,
  PERMIT_TYPE_LABELS,
  type Permit,
} from '@aegis/shared';
import {
  plantClock,
  type RegisterColumn,
  type RegisterTable,
  registerCsv as toCsv,
  registerXlsx as toXlsx,
} from '../../lib/register-export.js';

// The permit register (作业票台账) as XLSX and CSV, one row per permit: typed cells in XLSX, the one
// CSV policy's formula neutralisation in both (a title like "=HYPERLINK(…)" stays text). Plant time.

const COLUMNS: RegisterColumn[] = [
  { header: '编号 Code', width: 22 },
  { header: '作业类型 Type', width: 14 },
  { header: '申请级别 Requested', width: 10 },
  { header: '实际级别 Effective', width: 10 },
  { header: '升级原因 Raised for', width: 18 },
  { header: '作业内容 Work', width: 30 },
  { header: '作业地点 Location', width: 30 },
  { header: '区域 Area', width: 16 },
  { header: '状态 State', width: 10 },
  { header: '申请单位 Unit', width: 16 },
  { header: '申请人 Applicant', width: 12 },
  { header: '作业负责人 In charge', width: 12 },
  { header: '监护人 Watcher', width: 12 },
  { header: '开始 Valid from', width: 19, kind: 'datetime' },
  { header: '结束 Valid to', width: 19, kind: 'datetime' },
  { header: '提交 Submitted', width: 19, kind: 'datetime' },
  { header: '作业开始 Work started', width: 19, kind: 'datetime' },
  { header: '结束于 Ended', width: 19, kind: 'datetime' },
  { header: '暂停原因 Suspension', width: 30 },
];

export const PERMIT_REGISTER_SHEET = '作业票台账';

/** The register as one table: CSV and XLSX are made from it (lib/register-export.ts). */
export function permitRegisterTable(rows: readonly Permit[], timezone: string): RegisterTable {
  const emphasis: Array<[number, number]> = [];
  const local = (iso: string) => plantClock(iso, timezone).toISOString().slice(0, 16).replace('T', ' ');
  const out = rows.map((p, i) => {
    // a raised grade and a suspended permit stand out
    if (p.effectiveGrade !== p.requestedGrade) emphasis.push([i, 3]);
    if (p.state === 'suspended') emphasis.push([i, 8]);
    return [
      p.code,
      PERMIT_TYPE_LABELS[p.type].zh,
      PERMIT_GRADE_LABELS[p.requestedGrade].zh,
      PERMIT_GRADE_LABELS[p.effectiveGrade].zh,
      p.raiseReasons.map((r) => PERMIT_RAISE_REASON_LABELS[r].zh).join('；'),
      p.title,
      p.location,
      p.area?.name ?? '',
      PERMIT_STATE_LABELS[p.state].zh,
      p.applicantUnit,
      p.applicant.name,
      p.personInCharge.name,
      p.watcher.name,
      p.validFrom,
      p.validTo,
      p.submittedAt,
      p.workStartedAt,
      p.endedAt,
      p.suspension
        ? `${PERMIT_SUSPEND_CAUSE_LABELS[p.suspension.cause].zh}：${p.suspension.detail}（${local(p.suspension.at)}）`
        : '',
    ];
  });
  return { sheet: PERMIT_REGISTER_SHEET, columns: COLUMNS, rows: out, emphasis };
}

export const permitRegisterXlsx = (rows: readonly Permit[], timezone: string): Promise<Buffer> =>
  toXlsx(permitRegisterTable(rows, timezone), timezone);
export const permitRegisterCsv = (rows: readonly Permit[], timezone: string): string =>
  toCsv(permitRegisterTable(rows, timezone), timezone);
