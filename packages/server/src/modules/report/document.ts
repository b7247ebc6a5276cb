import type { ChartSpec } from '../../lib/pdf-chart.js';

/**
 * A report as data, before it is a file: a title, facts about it, and sections of figures, charts,
 * tables and notes. Each kind builds one (kinds.ts); pdf.ts and xlsx.ts turn the same document into
 * a PDF (charts drawn, tables across pages) and a workbook (one sheet per table, typed cells).
 */

export type CellValue = string | number | Date | null;

export interface Column {
  header: string;
  /** relative width in the PDF, characters in the workbook */
  width: number;
  /** number: right-aligned, a number cell; datetime/date: a date cell in plant time */
  type?: 'text' | 'number' | 'datetime' | 'date';
}

export interface TableBlock {
  type: 'table';
  /** the worksheet's name (≤ 31 characters, unique in the report) */
  sheet: string;
  columns: Column[];
  rows: CellValue[][];
  /** said in place of the table when it has no rows */
  empty?: string;
}

export interface FiguresBlock {
  type: 'figures';
  items: { label: string; value: number | string; unit?: string; note?: string }[];
}

export interface ChartBlock {
  type: 'chart';
  chart: ChartSpec;
  /** points; default 180 */
  height?: number;
}

export interface NoteBlock {
  type: 'note';
  text: string;
}

export type Block = TableBlock | FiguresBlock | ChartBlock | NoteBlock;

export interface Section {
  heading: string;
  blocks: Block[];
}

export interface ReportDocument {
  title: string;
  /** lines under the title: place, period, shift */
  facts: [string, string][];
  sections: Section[];
  landscape?: boolean;
  /** plant time zone; dates print in it */
  timezone: string;
  generatedAt: Date;
}

/**
 * A plant-time wall clock as a Date whose UTC fields read as that wall clock: what a spreadsheet
 * date means (it has no zone), and what the PDF prints.
 */
export function plantDate(at: Date | string, timezone: string): Date {
  const d = typeof at === 'string' ? new Date(at) : at;
  const parts: Record<string, string> = {};
  for (const p of new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(d))
    parts[p.type] = p.value;
  return new Date(
    Date.UTC(
      Number(parts.year),
      Number(parts.month) - 1,
      Number(parts.day),
      Number(parts.hour) % 24,
      Number(parts.minute),
      Number(parts.second),
    ),
  );
}

const pad = (n: number) => String(n).padStart(2, '0');
/** A cell as printed: plant-time dates as YYYY-MM-DD HH:MM (already shifted by plantDate). */
export function cellText(v: CellValue, type: Column['type']): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) {
    const day = `${v.getUTCFullYear()}-${pad(v.getUTCMonth() + 1)}-${pad(v.getUTCDate())}`;
    return type === 'date' ? day : `${day} ${pad(v.getUTCHours())}:${pad(v.getUTCMinutes())}`;
  }
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(2);
  return v;
}
