import { TagSourceSchema, TagTypeSchema } from '@aegis/shared';
import ExcelJS from 'exceljs';
import { toCsv as toCsvDocument } from '../../lib/csv.js';
import type { StoredTag } from './repo.js';

/**
 * Tags as a flat table for spreadsheets: one row per tag, the source binding spread over
 * `source.*` columns so that an engineer can fill a column of topics or register addresses.
 */
export const COLUMNS = [
  'equipment',
  'code',
  'nameZh',
  'nameEn',
  'unit',
  'type',
  'engLow',
  'engHigh',
  'states',
  'storageDeadband',
  'storageHeartbeatMs',
  'storageCompression',
  'storageDeviation',
  'source.kind',
  'source.connectorId',
  'source.topic',
  'source.path',
  'source.timestampPath',
  'source.commandTopic',
  'source.group',
  'source.edgeNode',
  'source.device',
  'source.metric',
  'source.nodeId',
  'source.samplingIntervalMs',
  'source.unitId',
  'source.area',
  'source.address',
  'source.dataType',
  'source.scale',
  'source.offset',
  'source.wordOrder',
] as const;
export type Column = (typeof COLUMNS)[number];
export type TableRow = Partial<Record<Column, string>>;

const NUMERIC_SOURCE_FIELDS = new Set([
  'connectorId',
  'samplingIntervalMs',
  'unitId',
  'address',
  'scale',
  'offset',
]);

/** `0=IDLE;1=RUN` ⇄ {"0":"IDLE","1":"RUN"} */
const statesToText = (s: Record<string, string> | null) =>
  s
    ? Object.entries(s)
        .map(([k, v]) => `${k}=${v}`)
        .join(';')
    : '';

export function tagToRow(t: StoredTag): Record<Column, string> {
  const row = Object.fromEntries(COLUMNS.map((c) => [c, ''])) as Record<Column, string>;
  row.equipment = t.equipmentCode;
  row.code = t.code;
  row.nameZh = t.nameZh;
  row.nameEn = t.nameEn;
  row.unit = t.unit;
  row.type = t.type;
  row.engLow = t.engLow === null ? '' : String(t.engLow);
  row.engHigh = t.engHigh === null ? '' : String(t.engHigh);
  row.states = statesToText(t.states);
  row.storageDeadband = String(t.storageDeadband);
  row.storageHeartbeatMs = String(t.storageHeartbeatMs);
  row.storageCompression = t.storageCompression;
  row.storageDeviation = t.storageDeviation === null ? '' : String(t.storageDeviation);
  for (const [k, v] of Object.entries(t.source)) {
    const col = `source.${k}` as Column;
    if ((COLUMNS as readonly string[]).includes(col) && v !== null && v !== undefined) row[col] = String(v);
  }
  return row;
}

export interface RowProblem {
  field?: string;
  message: string;
}

/** The tag fields of one spreadsheet row (before the schema check), or what is wrong with it. */
export function rowToInput(
  row: TableRow,
): { ok: true; equipment: string; input: Record<string, unknown> } | { ok: false; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const text = (c: Column) => (row[c] ?? '').trim();
  const num = (c: Column, required = false): number | null | undefined => {
    const s = text(c);
    if (s === '') {
      if (required) problems.push({ field: c, message: 'required' });
      return s === '' ? null : undefined;
    }
    const n = Number(s);
    if (!Number.isFinite(n)) {
      problems.push({ field: c, message: `"${s}" is not a number` });
      return undefined;
    }
    return n;
  };
  const equipment = text('equipment');
  if (!equipment) problems.push({ field: 'equipment', message: 'required: the equipment code' });
  const type = text('type') || 'number';
  if (!TagTypeSchema.safeParse(type).success) {
    problems.push({ field: 'type', message: `must be one of ${TagTypeSchema.options.join(', ')}` });
  }
  let states: Record<string, string> | null = null;
  if (text('states')) {
    states = {};
    for (const part of text('states').split(';')) {
      const [k, ...rest] = part.split('=');
      const label = rest.join('=').trim();
      if (!k?.trim() || !label) {
        problems.push({ field: 'states', message: `"${part}" is not value=LABEL` });
        continue;
      }
      states[k.trim()] = label;
    }
  }
  const source: Record<string, unknown> = { kind: text('source.kind') || 'http' };
  for (const col of COLUMNS) {
    if (!col.startsWith('source.') || col === 'source.kind') continue;
    const key = col.slice('source.'.length);
    const s = text(col);
    if (s === '') continue;
    if (NUMERIC_SOURCE_FIELDS.has(key)) source[key] = num(col);
    else source[key] = s;
  }
  const parsedSource = TagSourceSchema.safeParse(source);
  if (!parsedSource.success) {
    for (const issue of parsedSource.error.issues) {
      problems.push({ field: `source.${issue.path.join('.') || 'kind'}`, message: issue.message });
    }
  }
  const input = {
    code: text('code'),
    nameZh: text('nameZh') || text('nameEn') || text('code'),
    nameEn: text('nameEn') || text('nameZh') || text('code'),
    unit: text('unit'),
    type,
    engLow: num('engLow'),
    engHigh: num('engHigh'),
    states,
    source: parsedSource.success ? parsedSource.data : source,
    storageDeadband: num('storageDeadband') ?? 0,
    storageHeartbeatMs: num('storageHeartbeatMs') ?? 60_000,
    // Spreadsheets written before compression existed have neither column: no compression.
    storageCompression: text('storageCompression') || 'none',
    storageDeviation: num('storageDeviation') ?? null,
  };
  return problems.length ? { ok: false, problems } : { ok: true, equipment, input };
}

// --- CSV: the server's one CSV module (formula neutralisation, BOM, csv-parse for reading) ---

export { parseCsv } from '../../lib/csv.js';

export function toCsv(rows: Array<Record<Column, string>>) {
  return toCsvDocument(
    COLUMNS,
    rows.map((r) => COLUMNS.map((c) => r[c])),
  );
}

/** The header row names the columns (in any order); unknown columns are an error, not ignored. */
export function recordsOf(table: string[][]): { rows: TableRow[]; unknown: string[] } {
  const [header, ...body] = table;
  if (!header) return { rows: [], unknown: [] };
  const names = header.map((h) => h.trim());
  const unknown = names.filter((n) => n && !(COLUMNS as readonly string[]).includes(n));
  const rows = body.map((cells) => {
    const r: TableRow = {};
    names.forEach((n, i) => {
      if ((COLUMNS as readonly string[]).includes(n)) r[n as Column] = cells[i] ?? '';
    });
    return r;
  });
  return { rows, unknown };
}

// --- XLSX ---

export async function toXlsx(rows: Array<Record<Column, string>>) {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Aegis';
  const ws = wb.addWorksheet('tags');
  ws.columns = COLUMNS.map((c) => ({ header: c, key: c, width: Math.max(12, c.length + 2) }));
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export async function parseXlsx(content: Buffer): Promise<string[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(content as unknown as ArrayBuffer);
  const ws = wb.worksheets[0];
  if (!ws) return [];
  const out: string[][] = [];
  ws.eachRow({ includeEmpty: false }, (row) => {
    const cells: string[] = [];
    for (let i = 1; i <= row.cellCount; i++) {
      const v = row.getCell(i).value;
      cells.push(cellText(v));
    }
    out.push(cells);
  });
  return out.filter((r) => r.some((c) => c.trim() !== ''));
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') {
    if (v instanceof Date) return v.toISOString();
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('text' in v) return String(v.text);
    if ('result' in v) return v.result === undefined ? '' : String(v.result);
    return '';
  }
  return String(v);
}
