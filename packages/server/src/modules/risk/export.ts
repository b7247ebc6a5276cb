import {
  type CHECK_CYCLES,
  type MEASURE_KINDS,
  RISK_LEVEL_WORDS,
  type RISK_UNIT_KINDS,
  type RiskLevel,
  type RiskScoreInput,
} from '@aegis/shared';
import ExcelJS from 'exceljs';
import { toCsv } from '../../lib/csv.js';
import type { StoredUnit } from './repo.js';

// The register as a table (风险分级管控清单): one row per control measure, the unit and event repeated.

const KIND_WORDS: Record<(typeof RISK_UNIT_KINDS)[number], string> = {
  equipment: '设备设施',
  facility: '设施',
  operation: '作业活动',
  place: '场所',
};
const MEASURE_WORDS: Record<(typeof MEASURE_KINDS)[number], string> = {
  engineering: '工程技术',
  management: '管理',
  training: '培训教育',
  ppe: '个体防护',
  emergency: '应急处置',
};
const CYCLE_WORDS: Record<(typeof CHECK_CYCLES)[number], string> = {
  hour: '每小时',
  shift: '每班',
  day: '每天',
  week: '每周',
  month: '每月',
};

export const REGISTER_COLUMNS = [
  { key: 'node', header: '区域/设备 Plant node', width: 22 },
  { key: 'unit', header: '风险分析单元 Risk unit', width: 24 },
  { key: 'kind', header: '单元类型 Kind', width: 12 },
  { key: 'unitLevel', header: '单元风险等级 Unit level', width: 14 },
  { key: 'override', header: '人工定级理由 Override reason', width: 24 },
  { key: 'department', header: '责任部门 Department', width: 18 },
  { key: 'responsible', header: '责任人 Responsible', width: 12 },
  { key: 'event', header: '风险事件 Risk event', width: 30 },
  { key: 'consequence', header: '可能后果 Consequence', width: 24 },
  { key: 'method', header: '评价方法 Method', width: 10 },
  { key: 'inputs', header: '评价参数 Inputs', width: 20 },
  { key: 'score', header: '风险值 Score', width: 10 },
  { key: 'eventLevel', header: '事件等级 Event level', width: 12 },
  { key: 'measureKind', header: '措施类别 Measure kind', width: 12 },
  { key: 'measure', header: '管控措施 Control measure', width: 40 },
  { key: 'measureResponsible', header: '措施责任人/岗位 Measure owner', width: 16 },
  { key: 'cycle', header: '检查周期 Check cycle', width: 10 },
] as const;
type Key = (typeof REGISTER_COLUMNS)[number]['key'];
export type RegisterRow = Record<Key, string | number>;

const levelWord = (l: RiskLevel) => RISK_LEVEL_WORDS[l].zh;
const inputsOf = (s: RiskScoreInput) =>
  s.method === 'lec' ? `L=${s.l} E=${s.e} C=${s.c}` : `L=${s.likelihood} S=${s.severity}`;

export function registerRows(units: StoredUnit[]): RegisterRow[] {
  const rows: RegisterRow[] = [];
  for (const u of units) {
    const unit = {
      node: `${u.nodeNameZh} (${u.nodeCode})`,
      unit: u.name,
      kind: KIND_WORDS[u.kind],
      unitLevel: levelWord(u.level),
      override: u.overrideLevel ? (u.overrideReason ?? '') : '',
      department: u.departmentName ?? '',
      responsible: u.responsible?.displayName ?? '',
    };
    for (const e of u.events) {
      const event = {
        event: e.description,
        consequence: e.consequence,
        method: u.method === 'lec' ? 'LEC' : '风险矩阵',
        inputs: inputsOf(e.score),
        score: e.value,
        eventLevel: levelWord(e.level),
      };
      const measures = e.measures.length > 0 ? e.measures : [null];
      for (const m of measures)
        rows.push({
          ...unit,
          ...event,
          measureKind: m ? MEASURE_WORDS[m.kind] : '',
          measure: m?.description ?? '',
          measureResponsible: m ? [m.responsible?.displayName, m.postName].filter(Boolean).join(' / ') : '',
          cycle: m?.cycle ? CYCLE_WORDS[m.cycle] : '',
        });
    }
  }
  return rows;
}

/** Fill colours of the level cells, as on the risk map. */
const FILL: Record<string, string> = {
  重大风险: 'FFD4380D',
  较大风险: 'FFFA8C16',
  一般风险: 'FFFADB14',
  低风险: 'FF1677FF',
};

export async function toRegisterXlsx(rows: RegisterRow[]) {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Aegis';
  const ws = wb.addWorksheet('风险清单');
  ws.columns = REGISTER_COLUMNS.map((c) => ({ header: c.header, key: c.key, width: c.width }));
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  for (const r of rows) {
    const row = ws.addRow(r);
    for (const key of ['unitLevel', 'eventLevel'] as const) {
      const argb = FILL[String(r[key])];
      if (argb) row.getCell(key).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb } };
    }
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export function toRegisterCsv(rows: RegisterRow[]) {
  return toCsv(
    REGISTER_COLUMNS.map((c) => c.header),
    rows.map((r) => REGISTER_COLUMNS.map((c) => r[c.key])),
  );
}
