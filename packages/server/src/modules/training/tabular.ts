import { RECORD_COLUMNS, type TrainingRecord } from '@aegis/shared';
import ExcelJS from 'exceljs';
import { parseCsv, toCsv } from '../../lib/csv.js';

// Training records as a flat table: the export re-imports (username or employeeNo names the
// person, course its code or Chinese name).

type Column = (typeof RECORD_COLUMNS)[number];

const HEADERS_ZH: Record<Column, string> = {
  username: '用户名',
  employeeNo: '工号',
  name: '姓名',
  course: '课程',
  status: '状态',
  completedOn: '完成日期',
  expiresOn: '到期日期',
  plannedOn: '计划日期',
  score: '成绩',
  passed: '是否合格',
  certificateNo: '证书编号',
  trainer: '培训人/发证机关',
  note: '备注',
};
const BY_ZH = new Map(Object.entries(HEADERS_ZH).map(([k, v]) => [v, k as Column]));

export function recordToRow(r: TrainingRecord): Record<Column, string> {
  return {
    username: r.username,
    employeeNo: r.employeeNo ?? '',
    name: r.userName,
    course: r.courseCode,
    status: r.status,
    completedOn: r.completedOn ?? '',
    expiresOn: r.expiresOn ?? '',
    plannedOn: r.plannedOn ?? '',
    score: r.score === null ? '' : String(r.score),
    passed: r.passed === null ? '' : r.passed ? 'yes' : 'no',
    certificateNo: r.certificateNo,
    trainer: r.trainer,
    note: r.note,
  };
}

export function recordsCsv(rows: Array<Record<Column, string>>) {
  return toCsv(
    RECORD_COLUMNS,
    rows.map((r) => RECORD_COLUMNS.map((c) => r[c])),
  );
}

/** XLSX with real dates and numbers; row 1 holds the column keys, so the file re-imports. */
export async function recordsXlsx(rows: Array<Record<Column, string>>) {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Aegis';
  const ws = wb.addWorksheet('training');
  ws.columns = RECORD_COLUMNS.map((c) => ({
    header: c,
    key: c,
    width: Math.max(12, HEADERS_ZH[c].length * 2 + 4),
  }));
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  for (const r of rows) {
    const dateOf = (s: string) => (s ? new Date(`${s}T00:00:00Z`) : null);
    const row = ws.addRow({
      ...r,
      completedOn: dateOf(r.completedOn),
      expiresOn: dateOf(r.expiresOn),
      plannedOn: dateOf(r.plannedOn),
      score: r.score === '' ? null : Number(r.score),
    });
    for (const c of ['completedOn', 'expiresOn', 'plannedOn'] as const) row.getCell(c).numFmt = 'yyyy-mm-dd';
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export interface ImportRow {
  /** The spreadsheet row number (header is row 1). */
  row: number;
  username: string;
  employeeNo: string;
  course: string;
  fields: {
    status: 'completed' | 'planned';
    completedOn: string | null;
    expiresOn: string | null | undefined;
    plannedOn: string | null;
    score: number | null;
    passed: boolean | null;
    certificateNo: string;
    trainer: string;
    note: string;
  };
  problems: Array<{ field: string; message: string }>;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

async function readXlsx(content: Buffer): Promise<string[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(content as unknown as ArrayBuffer);
  const ws = wb.worksheets[0];
  if (!ws) return [];
  const out: string[][] = [];
  ws.eachRow({ includeEmpty: false }, (row) => {
    const cells: string[] = [];
    for (let i = 1; i <= row.cellCount; i++) {
      const v = row.getCell(i).value;
      if (v === null || v === undefined) cells.push('');
      else if (v instanceof Date) cells.push(v.toISOString().slice(0, 10));
      else if (typeof v === 'object' && 'richText' in v) cells.push(v.richText.map((t) => t.text).join(''));
      else if (typeof v === 'object' && 'text' in v) cells.push(String(v.text));
      else if (typeof v === 'object' && 'result' in v)
        cells.push(v.result === undefined ? '' : String(v.result));
      else cells.push(String(v));
    }
    out.push(cells);
  });
  return out.filter((r) => r.some((c) => c.trim() !== ''));
}

/** The rows of an import file, each parsed alone (its problems listed), or what is wrong with the file. */
export async function parseRecordTable(
  format: 'csv' | 'xlsx',
  content: Buffer,
): Promise<{ rows: ImportRow[]; problems: string | null }> {
  let table: string[][];
  try {
    table = format === 'csv' ? parseCsv(content.toString('utf8')) : await readXlsx(content);
  } catch (e) {
    return { rows: [], problems: `The ${format.toUpperCase()} file cannot be read: ${(e as Error).message}` };
  }
  const [header, ...body] = table;
  if (!header || !body.length) return { rows: [], problems: 'The file has no data rows under its header' };
  const names = header.map((h) => {
    const t = h.trim();
    return (RECORD_COLUMNS as readonly string[]).includes(t) ? (t as Column) : (BY_ZH.get(t) ?? null);
  });
  const unknown = header.filter((h, i) => h.trim() && names[i] === null);
  if (unknown.length) return { rows: [], problems: `Unknown columns: ${unknown.join(', ')}` };
  if (!names.includes('course') || (!names.includes('username') && !names.includes('employeeNo')))
    return { rows: [], problems: 'The file needs the columns course and username (or employeeNo)' };
  const rows = body.map((cells, i) => {
    const get = (c: Column) => {
      const at = names.indexOf(c);
      return at < 0 ? '' : (cells[at] ?? '').trim();
    };
    const problems: ImportRow['problems'] = [];
    const dayOf = (c: Column) => {
      const s = get(c);
      if (!s) return null;
      const d = s.slice(0, 10).replace(/\//g, '-');
      if (!DAY.test(d) || Number.isNaN(Date.parse(d))) {
        problems.push({ field: c, message: `"${s}" is not a date (YYYY-MM-DD)` });
        return null;
      }
      return d;
    };
    const statusText = get('status') || 'completed';
    const status = statusText === 'planned' || statusText === '计划' ? 'planned' : 'completed';
    if (!['completed', 'planned', '完成', '计划'].includes(statusText))
      problems.push({ field: 'status', message: 'must be completed or planned' });
    const scoreText = get('score');
    const score = scoreText === '' ? null : Number(scoreText);
    if (score !== null && (!Number.isFinite(score) || score < 0 || score > 1000))
      problems.push({ field: 'score', message: `"${scoreText}" is not a score (0–1000)` });
    const passedText = get('passed').toLowerCase();
    const passed = ['yes', 'true', '1', '是', '合格'].includes(passedText)
      ? true
      : ['no', 'false', '0', '否', '不合格'].includes(passedText)
        ? false
        : null;
    if (passedText && passed === null)
      problems.push({ field: 'passed', message: 'must be yes or no (是/否)' });
    const username = get('username');
    const employeeNo = get('employeeNo');
    if (!username && !employeeNo)
      problems.push({ field: 'username', message: 'required: username or employeeNo' });
    const course = get('course');
    if (!course) problems.push({ field: 'course', message: 'required: the course code' });
    const expires = dayOf('expiresOn');
    return {
      row: i + 2,
      username,
      employeeNo,
      course,
      fields: {
        status,
        completedOn: dayOf('completedOn'),
        expiresOn: expires ?? undefined,
        plannedOn: dayOf('plannedOn'),
        score: score !== null && Number.isFinite(score) ? score : null,
        passed,
        certificateNo: get('certificateNo').slice(0, 100),
        trainer: get('trainer').slice(0, 200),
        note: get('note').slice(0, 2000),
      },
      problems,
    } satisfies ImportRow;
  });
  return { rows, problems: null };
}
