import ExcelJS from 'exceljs';
import { wallClock } from '../modules/org/index.js';
import { neutralise, toCsv } from './csv.js';

/**
 * One register (台账), two formats: CSV through the one CSV policy (lib/csv.ts: BOM, quoting,
 * formulas defused) and XLSX with typed cells — numbers as numbers, times as dates in plant
 * time (a spreadsheet has no time zones: the cell shows the plant's wall clock), text defused.
 */
export type RegisterCell = string | number | Date | null;

export interface RegisterColumn {
  header: string;
  width: number;
  /** datetime: a Date (or ISO text) shown in plant time; number: a number cell */
  kind?: 'text' | 'number' | 'datetime';
}

export interface RegisterTable {
  sheet: string;
  columns: readonly RegisterColumn[];
  rows: RegisterCell[][];
  /** [row index, column index] of cells shown bold red (a major hazard, a raised grade) */
  emphasis?: Array<[number, number]>;
}

/** An instant as the plant's wall clock, in a Date whose UTC fields read that clock (for a spreadsheet). */
export function plantClock(at: Date | string, timezone: string): Date {
  const w = wallClock(typeof at === 'string' ? new Date(at) : at, timezone);
  return new Date(Date.parse(`${w.day}T00:00:00Z`) + w.minute * 60_000 + w.second * 1000);
}

const asDate = (v: RegisterCell): Date | null =>
  v === null || v === '' ? null : v instanceof Date ? v : new Date(v as string | number);

/** CSV: plant-time "YYYY-MM-DD HH:mm:ss", numbers as written, text through the one CSV policy. */
export function registerCsv(t: RegisterTable, timezone: string): string {
  return toCsv(
    t.columns.map((c) => c.header),
    t.rows.map((row) =>
      row.map((v, i) => {
        if (t.columns[i]?.kind !== 'datetime') return v;
        const d = asDate(v);
        return d ? plantClock(d, timezone).toISOString().slice(0, 19).replace('T', ' ') : '';
      }),
    ),
  );
}

export async function registerXlsx(t: RegisterTable, timezone: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Aegis';
  const ws = wb.addWorksheet(t.sheet.replace(/[\\/*?:[\]]/g, ' ').slice(0, 31));
  ws.columns = t.columns.map((c) => ({ header: c.header, width: c.width }));
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  for (const row of t.rows) {
    ws.addRow(
      row.map((v, i) => {
        const kind = t.columns[i]?.kind ?? 'text';
        if (v === null || v === '') return null;
        if (kind === 'datetime') {
          const d = asDate(v);
          return d ? plantClock(d, timezone) : null;
        }
        if (kind === 'number') return typeof v === 'number' ? v : Number(v);
        return typeof v === 'string' ? neutralise(v) : v;
      }),
    );
  }
  t.columns.forEach((c, i) => {
    if (c.kind === 'datetime') ws.getColumn(i + 1).numFmt = 'yyyy-mm-dd hh:mm:ss';
  });
  for (const [r, c] of t.emphasis ?? [])
    ws.getRow(r + 2).getCell(c + 1).font = { bold: true, color: { argb: 'FFC00000' } };
  if (t.columns.length)
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: t.rows.length + 1, column: t.columns.length } };
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const CSV_TYPE = 'text/csv; charset=utf-8';
